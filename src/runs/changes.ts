// The outbox of run state changes, one per shard in the shard's slot. Every transition marks its run
// here in the same script that writes it (lua/updateRun, lua/createRuns), so a change cannot be lost
// between the write and the notification. Consumers (the webhook dispatcher) claim changed runs with
// a lease, read the run's history, and settle.
import type { RedisClient } from '../redis.js';
import type { KeyLayout } from './keys.js';
import { luaScript } from '../redis-script.js';

/** changes: run id → when it is due for a look (ms); sequence: run id → history length at the last
 *  change; leases: run id → lease end (ms) of the consumer working on it. */
const outbox = (layout: KeyLayout, shard: number) => {
  const k = layout.shardKeys(shard);
  return { due: k.changes, sequence: k.changeSequence, leases: k.changeLeases };
};

// KEYS: due, leases, sequence. ARGV: now, lease end, limit.
// A run leased by someone else is moved to its lease end: it comes back if that consumer dies, and
// a change during the lease is seen by that consumer when it settles (the sequence moved).
const CLAIM = `
local now = tonumber(ARGV[1])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local claimed = {}
for _, id in ipairs(ids) do
  local held = tonumber(redis.call('HGET', KEYS[2], id) or '0')
  if held > now then
    redis.call('ZADD', KEYS[1], held, id)
  else
    redis.call('HSET', KEYS[2], id, ARGV[2])
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    table.insert(claimed, id)
    table.insert(claimed, redis.call('HGET', KEYS[3], id) or '0')
  end
end
return claimed`;
const claimChanges = luaScript('acifrChangesClaim', 3, CLAIM);

// KEYS: due, leases, sequence. ARGV: id, lease end (ours), sequence seen, next due ('' = nothing left), now.
const SETTLE = `
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
if (redis.call('HGET', KEYS[3], ARGV[1]) or '0') ~= ARGV[3] then
  redis.call('ZADD', KEYS[1], ARGV[5], ARGV[1])
elseif ARGV[4] == '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[3], ARGV[1])
else
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
end
return 1`;
const settleChange = luaScript('acifrChangesSettle', 3, SETTLE);

// KEYS: due, leases, sequence. ARGV: cutoff (ms), limit. Drops changes marked before the cutoff that no
// consumer holds; returns how many went.
const DROP = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #ids == 0 then return 0 end
local held = redis.call('HMGET', KEYS[2], unpack(ids))
local drop = {}
for i, id in ipairs(ids) do
  if not held[i] then drop[#drop + 1] = id end
end
if #drop == 0 then return 0 end
redis.call('ZREM', KEYS[1], unpack(drop))
redis.call('HDEL', KEYS[3], unpack(drop))
return #drop`;
const dropChanges = luaScript('acifrChangesDrop', 3, DROP);

export interface ClaimedChange {
  runId: string;
  /** The run's history length when it was last marked. */
  sequence: string;
  lease: string;
}

export class RunChanges {
  constructor(
    private readonly redis: RedisClient,
    private readonly layout: KeyLayout,
  ) {}

  /** Takes up to `limit` due runs of each shard for `leaseMs`. */
  async claim(limit: number, leaseMs: number, now = Date.now()): Promise<ClaimedChange[]> {
    const lease = String(now + leaseMs);
    const claimed: ClaimedChange[] = [];
    for (const shard of this.layout.allShards()) {
      const { due, leases, sequence } = outbox(this.layout, shard);
      const raw = (await claimChanges(this.redis, due, leases, sequence, String(now), lease, String(limit))) as string[];
      for (let i = 0; i < raw.length; i += 2) claimed.push({ runId: raw[i], sequence: raw[i + 1], lease });
    }
    return claimed;
  }

  /**
   * Drops up to `limit` changes per shard marked before `cutoffMs` that no consumer holds: with no
   * webhook defined nobody is owed them (a webhook is sent only what changed after it was made).
   */
  async dropBefore(cutoffMs: number, limit: number): Promise<number> {
    let dropped = 0;
    for (const shard of this.layout.allShards()) {
      const { due, leases, sequence } = outbox(this.layout, shard);
      dropped += (await dropChanges(this.redis, due, leases, sequence, String(Math.floor(cutoffMs)), String(limit))) as number;
    }
    return dropped;
  }

  /**
   * Ends a claim: the run leaves the set when nothing is left (`nextDueMs` undefined), or comes back at
   * `nextDueMs` (a retry), or at once if it changed meanwhile. False when the lease was lost.
   */
  async settle(claim: ClaimedChange, nextDueMs: number | undefined, now = Date.now()): Promise<boolean> {
    const { due, leases, sequence } = outbox(this.layout, this.layout.shardOf(claim.runId));
    const next = nextDueMs === undefined ? '' : String(Math.max(nextDueMs, now));
    const result = await settleChange(this.redis, due, leases, sequence, claim.runId, claim.lease, claim.sequence, next, String(now));
    return result === 1;
  }

  /**
   * Runs in the outbox: `due` ones wait for a consumer now; `waiting` ones are due later (a retry
   * scheduled after a failed delivery, or a consumer's lease still running).
   */
  async pending(now = Date.now()): Promise<{ due: number; waiting: number }> {
    const counts = await Promise.all(
      this.layout.allShards().map(async (shard) => {
        const { due } = outbox(this.layout, shard);
        // One transaction (one key, one slot): both counts see the same set.
        const [[, total], [, ready]] = (await this.redis.multi().zcard(due).zcount(due, '-inf', now).exec()) as [[Error | null, number], [Error | null, number]];
        return { due: ready, waiting: total - ready };
      }),
    );
    return counts.reduce((a, b) => ({ due: a.due + b.due, waiting: a.waiting + b.waiting }), { due: 0, waiting: 0 });
  }
}
