// Upgrade in place: a run started by version 1 (its keys and job in the old layout) finishes on the
// new layout; the upgrade is idempotent and safe when several processes start at once.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSubmission } from '../../src/runs/render.js';
import { Sealer } from '../../src/runs/seal.js';
import { settleFlowRunId } from '../../src/runs/service.js';
import { upgradeLayout } from '../../src/runs/upgrade.js';
import { runStore } from '../../src/services.js';
import { defaultBaseJobTemplate } from '../../src/templating/base-job-template.js';
import { auth, settled, startService, submission, type Harness } from '../helpers/service.js';

let h: Harness;
let redis: Redis;
beforeAll(async () => {
  h = await startService({ worker: false });
  redis = new Redis(h.config.redisUrl);
});
afterAll(async () => {
  redis.disconnect();
  await h.close();
});

/** Writes what version 1 wrote for a pool and a submitted run: plain keys, JSON record, a job in the old queue. */
async function writeVersionOne(prefix: string) {
  const pool = { name: 'legacy-pool', description: null, concurrency_limit: 3, base_job_template: defaultBaseJobTemplate(), secret_env_names: [], created: '2026-01-01T00:00:00.000Z', updated: '2026-01-01T00:00:00.000Z' };
  await redis.hset(`${prefix}:work-pools`, pool.name, JSON.stringify(pool));
  const body = settleFlowRunId({ ...submission({ command: 'sh -c "echo from version one; sleep 20; exit 0"' }), work_pool: pool.name });
  const prepared = renderSubmission(body, pool, h.config);
  const now = new Date().toISOString();
  const id = body.flow_run.id;
  const run = {
    id, work_pool: pool.name, state: 'PENDING', history: [{ state: 'PENDING', at: now, reason: 'Submitted and queued.' }],
    infrastructure_pid: prepared.infrastructurePid, container_group_name: prepared.containerGroupName, deployment_name: prepared.deploymentName,
    resource_group_name: prepared.jobConfiguration.resource_group_name, flow_run: body.flow_run, flow: body.flow, concurrency_limit: 3,
    keep_container_group: false, stream_output: false, poll_interval_seconds: 0.05, start_timeout_seconds: 240, submitted_at: now, updated_at: now,
    azure: {}, log_lines: 1, log_cursor: { ts: now, atTs: 1 }, submission_hash: 'v1-hash', version: 3,
  };
  const spec = {
    subscription_id: prepared.jobConfiguration.subscription_id, resource_group_name: prepared.jobConfiguration.resource_group_name,
    credentials: prepared.jobConfiguration.aci_credentials, deployment_name: prepared.deploymentName, container_group_name: prepared.containerGroupName,
    deployment_body: prepared.deployment,
  };
  await redis.set(`${prefix}:run:${id}`, JSON.stringify(run));
  await redis.set(`${prefix}:run:${id}:spec`, new Sealer(h.config.secretsKey).seal(spec));
  await redis.rpush(`${prefix}:run:${id}:logs`, JSON.stringify({ ts: now, line: 'an old line' }));
  await redis.zadd(`${prefix}:run-index`, Date.parse(now), id);
  await redis.sadd(`${prefix}:run-active`, id);
  await redis.hincrby(`${prefix}:metrics:transitions`, 'PENDING', 1);
  const oldQueue = new Queue('runs', { connection: redis, prefix });
  await oldQueue.add('run', { runId: id }, { jobId: id });
  await oldQueue.close();
  return id;
}

describe('upgrade in place', () => {
  it('carries a version-1 run over; it finishes on the new layout, and nothing of the old layout is left', async () => {
    const prefix = h.config.queuePrefix;
    const id = await writeVersionOne(prefix);
    // Three processes start at once: one upgrades, the others wait; a fourth start finds nothing to do.
    const stores = [0, 1, 2].map(() => runStore(h.config, redis));
    const results = await Promise.all(stores.map((store) => upgradeLayout(redis, store, h.services.queue)));
    expect(results.filter((r) => r.upgraded)).toHaveLength(1);
    expect(results.find((r) => r.upgraded)).toMatchObject({ pools: 1, runs: 1 });
    expect((await upgradeLayout(redis, stores[0], h.services.queue)).upgraded).toBe(false);

    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
    const pool = await h.app.inject({ url: '/work-pools/legacy-pool', headers: auth });
    expect(pool.statusCode).toBe(200);
    const before = (await h.app.inject({ url: `/runs/${id}`, headers: auth })).json();
    expect(before).toMatchObject({ state: 'PENDING', log_lines: 1 });
    expect((await h.services.store.get(id))?.version).toBe(3);

    // A worker of the new version takes the job from the new queue and finishes the run.
    const { closeConnection, workerConnection } = await import('../../src/redis.js');
    const { startWorker } = await import('../../src/runtime.js');
    const pino = (await import('pino')).default;
    const connection = workerConnection(h.config.redisUrl);
    const worker = startWorker(h.config, h.services, connection, pino({ level: 'silent' }));
    try {
      const run = await settled(h, id);
      expect(run.state).toBe('COMPLETED');
      const logs = (await h.app.inject({ url: `/runs/${id}/logs`, headers: auth })).json();
      expect(logs.lines.map((l: { line: string }) => l.line)).toEqual(['an old line', 'from version one']);
      expect(await redis.scard(h.services.store.keys.poolSlots('legacy-pool').key)).toBe(0);
    } finally {
      await worker.close();
      await closeConnection(connection);
    }
  });
});
