// Upgrade in place: pools, runs (in flight or finished) and their jobs written by version 1 (plain
// `PREFIX:…` keys, a run as one JSON string, logs as a list, one BullMQ queue under PREFIX) are
// carried over to the hash-tagged layout at start. Idempotent (each piece is only written where the
// new layout lacks it) and safe with several processes starting at once (one holds a lock, the
// others wait for the layout marker).
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { enqueueRun, RUNS_QUEUE, type RunsQueue } from '../execution/queue.js';
import type { RedisClient } from '../redis.js';
import { isTerminal, type Run } from './model.js';
import type { RunStore } from './store.js';

export const LAYOUT_VERSION = '2';
const LOCK_MS = 60_000;

/** The version-1 key names under a prefix. */
function oldKeys(prefix: string) {
  return {
    run: (id: string) => `${prefix}:run:${id}`,
    spec: (id: string) => `${prefix}:run:${id}:spec`,
    logs: (id: string) => `${prefix}:run:${id}:logs`,
    index: `${prefix}:run-index`,
    active: `${prefix}:run-active`,
    transitions: `${prefix}:metrics:transitions`,
    scopes: `${prefix}:scopes`,
    pools: `${prefix}:work-pools`,
    slots: (pool: string) => `${prefix}:pool-slots:${pool}`,
  };
}

export interface UpgradeResult {
  /** False when the layout was already current (or another process did the work). */
  upgraded: boolean;
  pools: number;
  runs: number;
}

export async function upgradeLayout(redis: RedisClient, store: RunStore, queue: RunsQueue, log?: Logger, waitMs = 120_000): Promise<UpgradeResult> {
  const keys = store.keys;
  const none = { upgraded: false, pools: 0, runs: 0 };
  if ((await redis.get(keys.layoutMarker)) === LAYOUT_VERSION) return none;
  const old = oldKeys(keys.prefix);
  const lockKey = `${keys.shared}:layout-lock`;
  const token = randomUUID();
  if ((await redis.set(lockKey, token, 'PX', LOCK_MS, 'NX')) !== 'OK') {
    // Another process is upgrading: wait for its marker (bounded; its lock expires if it died).
    const deadline = Date.now() + waitMs;
    while ((await redis.get(keys.layoutMarker)) !== LAYOUT_VERSION) {
      if (Date.now() > deadline) throw new Error('Timed out waiting for another process to upgrade the Redis layout.');
      if ((await redis.set(lockKey, token, 'PX', LOCK_MS, 'NX')) === 'OK') return upgradeLocked();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return none;
  }
  return upgradeLocked();

  async function upgradeLocked(): Promise<UpgradeResult> {
    try {
      // Work pools: copied as stored (sealed or not); a pool already in the new hash wins.
      const pools = await redis.hgetall(old.pools);
      for (const [name, raw] of Object.entries(pools)) await redis.hsetnx(keys.workPools, name, raw);
      if (Object.keys(pools).length > 0) {
        const version = String(await redis.incr(`${keys.shared}:pool-version`));
        for (const shard of keys.allShards()) await redis.set(keys.shardKeys(shard).poolVersion, version);
      }

      const active = new Set(await redis.smembers(old.active));
      const ids = new Set([...(await redis.zrange(old.index, 0, -1)), ...active]);
      let runs = 0;
      for (const id of ids) {
        if (await carryRun(id, active.has(id))) runs++;
        await redis.pexpire(lockKey, LOCK_MS);
      }

      // Counters and scopes go to shard 0 (metrics add the shards up; the sweeper reads them all).
      const transitions = await redis.hgetall(old.transitions);
      const shard0 = keys.shardKeys(0);
      for (const [state, n] of Object.entries(transitions)) await redis.hincrby(shard0.transitions, state, Number(n));
      const scopes = await redis.hgetall(old.scopes);
      for (const [id, sealed] of Object.entries(scopes)) await redis.hsetnx(shard0.scopes, id, sealed);

      // The version-1 queue: its jobs were re-added above; what is left of it goes.
      const oldQueue = new Queue(RUNS_QUEUE, { connection: redis, prefix: keys.prefix });
      try {
        await oldQueue.obliterate({ force: true });
      } finally {
        await oldQueue.close();
      }
      for (const key of [old.pools, old.index, old.active, old.transitions, old.scopes]) await redis.del(key);
      await redis.set(keys.layoutMarker, LAYOUT_VERSION);
      if (runs > 0 || Object.keys(pools).length > 0) log?.warn({ pools: Object.keys(pools).length, runs }, 'upgraded the Redis layout to version 2');
      return { upgraded: true, pools: Object.keys(pools).length, runs };
    } finally {
      if ((await redis.get(lockKey)) === token) await redis.del(lockKey);
    }
  }

  /** One run: record, spec, logs, index, active entry, pool slot, job. Its old keys go last. */
  async function carryRun(id: string, wasActive: boolean): Promise<boolean> {
    const raw = await redis.get(old.run(id));
    if (!raw) return false;
    const run = JSON.parse(raw) as Run;
    const k = keys.run(id);
    if (!(await redis.exists(k.record))) {
      const sealedSpec = await redis.get(old.spec(id));
      const lines = (await redis.lrange(old.logs(id), 0, -1)).map((l) => JSON.parse(l) as { ts: string; line: string });
      // Written as a fresh run (no transition counted: the old counters are carried as they are).
      await store.restore(run, sealedSpec, wasActive);
      if (lines.length > 0) await store.restoreLogs(id, lines);
      const slots = run.concurrency_limit !== null && (await redis.sismember(old.slots(run.work_pool), id));
      if (slots) await redis.sadd(keys.poolSlots(run.work_pool).key, id);
      // A finished, cleaned-up run gets its retention and tombstone the way a new one would.
      if (isTerminal(run.state) && run.cleanup?.state !== 'pending') await store.settleRestored(id);
    }
    if (wasActive) await enqueueRun(queue, id);
    for (const key of [old.run(id), old.spec(id), old.logs(id)]) await redis.del(key);
    if (run.work_pool) await redis.srem(old.slots(run.work_pool), id);
    return true;
  }
}
