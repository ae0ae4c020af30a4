// Run store v2: one script per change, so that no crash between writes leaves a run that cannot
// finish or be killed, and no client value can make a run unwritable.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTerminal, type RunState } from '../../src/runs/model.js';
import { runStore } from '../../src/services.js';
import { auth, getRun, settled, startService, submission, waitFor, withWorker, type Harness } from '../helpers/service.js';

let h: Harness;
let redis: Redis;
beforeAll(async () => {
  h = await startService();
  redis = new Redis(h.config.redisUrl);
});
afterAll(async () => {
  redis.disconnect();
  await h.close();
});

const post = (payload: object | string) =>
  h.app.inject({ method: 'POST', url: '/runs', headers: { ...auth, 'content-type': 'application/json' }, payload });

/**
 * The harness of the crash tests: no worker at first, so that the run's id can be taken off the intake
 * before any worker adds its job (what a worker that died between taking it and adding the job leaves).
 */
let c: Harness;

/** A run stored by POST /runs whose job was never added: a worker took its id and died. */
async function createWithoutJob(body: ReturnType<typeof submission>) {
  expect((await c.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body })).statusCode).toBe(202);
  const id = body.flow_run.id;
  expect(await redis.lrem(c.services.store.keys.run(id).intake, 0, id)).toBe(1);
  expect(await c.services.queue.forRun(id).getJob(id)).toBeUndefined();
  return (await getRun(c, id)) as { id: string; infrastructure_pid: string };
}

describe('a crash between taking a new run off the intake and adding its job', () => {
  beforeAll(async () => {
    c = await startService({ worker: false });
  });
  afterAll(async () => {
    await c?.close();
  });

  it('is repaired by the reconciler: the run without a job finishes', async () => {
    const body = submission({ command: 'sh -c "echo repaired; exit 0"' });
    await createWithoutJob(body);
    await withWorker(c, async (worker) => {
      // Submitted just now: its job may still be on its way (an intake adds it within milliseconds), so
      // this pass leaves it and does not spend BullMQ's state script on it.
      await worker.reconcile();
      expect(await c.services.queue.forRun(body.flow_run.id).getJob(body.flow_run.id)).toBeUndefined();
      // One interval later (its submission time moved back by one), the job is missing for real.
      const { index } = c.services.store.keys.run(body.flow_run.id);
      expect(await redis.zadd(index, 'XX', 'CH', Date.now() - c.config.reconcileIntervalMs - 1000, body.flow_run.id)).toBe(1);
      await worker.reconcile();
      expect(await c.services.queue.forRun(body.flow_run.id).getJob(body.flow_run.id)).toBeDefined();
      expect((await settled(c, body.flow_run.id)).state).toBe('COMPLETED');
    });
  });

  it('is repaired by a repeated POST, which answers with the stored run', async () => {
    const body = submission({ command: 'sh -c "echo again; exit 0"' });
    const stored = await createWithoutJob(body);
    const res = await c.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
    expect(res.statusCode).toBe(200);
    expect(await c.services.queue.forRun(stored.id).getJob(stored.id)).toBeDefined();
    await withWorker(c, async () => expect((await settled(c, body.flow_run.id)).state).toBe('COMPLETED'));
  });

  it('leaves a run that can be killed', async () => {
    const body = submission({ command: 'sh -c "sleep 100000"' });
    const run = await createWithoutJob(body);
    const res = await c.app.inject({ method: 'DELETE', url: `/runs/${run.infrastructure_pid}`, headers: auth });
    expect(res.statusCode).toBe(202);
    await withWorker(c, async () => expect((await settled(c, run.id)).state).toBe('CANCELLED'));
  });
});

describe('a run whose spec is gone', () => {
  it('ends CRASHED with a reason instead of waiting for ever', async () => {
    const body = submission({ command: 'sh -c "sleep 100000"' });
    const pid = (await post(body)).json().infrastructure_pid;
    await waitFor(() => getRun(h, body.flow_run.id), (r) => r.state === 'RUNNING');
    await redis.del(h.services.store.keys.run(body.flow_run.id).spec);
    await h.app.inject({ method: 'DELETE', url: `/runs/${pid}`, headers: auth });
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('CRASHED');
    expect(run.history.at(-1).reason).toContain('spec');
    expect(await redis.sismember(h.services.store.keys.run(run.id).active, run.id)).toBe(0);
  });
});

describe('a connection lost in the middle of transitions', () => {
  it('never leaves a pool slot, the active set or the counters out of step with the run', async () => {
    const store = h.services.store;
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const body = { ...submission({ command: 'sh -c "sleep 100000"' }), work_pool: 'default' };
      const { run, spec } = await h.services.runs.newRun(body, `h${i}`);
      await store.create({ ...run, concurrency_limit: 1000 }, spec);
      expect(await store.acquireSlot('default', run.id, 1000)).toBe(true);
      ids.push(run.id);
    }
    // Each run goes final on a connection cut right after the script is sent: it lands whole or not at all.
    await Promise.all(
      ids.map(async (id, i) => {
        const doomed = new Redis(h.config.redisUrl, { maxRetriesPerRequest: 0, retryStrategy: () => null });
        const doomedStore = runStore(h.config, doomed);
        const write = doomedStore
          .update(id, (r) => ({ ...r, state: 'CRASHED', cleanup: { state: i % 2 ? 'done' : 'pending', attempts: 0 } }))
          .catch(() => undefined);
        setImmediate(() => doomed.disconnect());
        await write;
      }),
    );
    const keys = store.keys.shardKeys(0);
    const slots = new Set(await redis.smembers(store.keys.poolSlots('default').key));
    const active = new Set(await redis.smembers(keys.active));
    for (const id of ids) {
      const run = (await store.get(id))!;
      const final = isTerminal(run.state as RunState);
      expect(slots.has(id)).toBe(!final);
      expect(active.has(id)).toBe(!(final && run.cleanup?.state === 'done'));
      expect(await redis.exists(store.keys.run(id).spec)).toBe(final && run.cleanup?.state === 'done' ? 0 : 1);
    }
    // Clean: let the rest go final, so the harness worker has nothing to follow.
    for (const id of ids) await store.update(id, (r) => (isTerminal(r.state) ? undefined : { ...r, state: 'CRASHED', cleanup: { state: 'done', attempts: 0 } }));
  });
});

describe('client values that used to make a run unwritable', () => {
  it('a lone surrogate in a flow_run field: the run completes, and another can be killed', async () => {
    const id = crypto.randomUUID();
    const body = JSON.stringify(submission({ command: 'sh -c "echo ok; exit 0"' }, 'nightly-etl', id)).replace('"gentle-fox"', '"gentle-fox", "note": "\\ud800", "tags": ["\\udfff"]');
    const res = await post(body);
    expect([202, 400]).toContain(res.statusCode);
    if (res.statusCode === 202) expect((await settled(h, id)).state).toBe('COMPLETED');

    const killedId = crypto.randomUUID();
    const killed = JSON.stringify(submission({ command: 'sh -c "sleep 100000"' }, 'nightly-etl', killedId)).replace('"gentle-fox"', '"gentle-fox", "note": "\\ud800"');
    const accepted = await post(killed);
    expect(accepted.statusCode).toBe(202);
    await waitFor(() => getRun(h, killedId), (r) => r.state === 'RUNNING');
    const kill = await h.app.inject({ method: 'DELETE', url: `/runs/${accepted.json().infrastructure_pid}`, headers: auth });
    expect(kill.statusCode).toBe(202);
    expect((await settled(h, killedId)).state).toBe('CANCELLED');
  });

  it.each([200, 5000, 100_000])('nesting %i deep: 400, or a run that completes and can be killed', async (depth) => {
    const id = crypto.randomUUID();
    const nested = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const body = JSON.stringify(submission({ command: 'sh -c "sleep 100000"' }, 'nightly-etl', id)).replace('"gentle-fox"', `"gentle-fox", "deep": ${nested}`);
    const res = await post(body);
    expect([202, 400, 413]).toContain(res.statusCode);
    if (res.statusCode !== 202) {
      expect(res.json().error.code).toBeTruthy();
      return;
    }
    await waitFor(() => getRun(h, id), (r) => r.state === 'RUNNING');
    const kill = await h.app.inject({ method: 'DELETE', url: `/runs/${res.json().infrastructure_pid}`, headers: auth });
    expect(kill.statusCode).toBe(202);
    expect((await settled(h, id)).state).toBe('CANCELLED');
  });
});
