// Retention: a finished run's spec goes at once, the rest after RUN_RETENTION_SECONDS; a tombstone
// refuses to deploy it again for TOMBSTONE_RETENTION_SECONDS, and keeps its kept group from the sweeper.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/emulator.js';
import { keysContaining } from '../helpers/redis-keys.js';
import { auth, settled, startService, submission, waitFor, type Harness } from '../helpers/service.js';

let h: Harness;
let redis: Redis;
beforeAll(async () => {
  h = await startService({ env: { RUN_RETENTION_SECONDS: '1', TOMBSTONE_RETENTION_SECONDS: '3' } });
  redis = new Redis(h.config.redisUrl);
});
afterAll(async () => {
  redis.disconnect();
  await h.close();
});

const post = (body: object) => h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });

/** Runs the worker's periodic purge until no key name holds the id. */
async function expire(id: string) {
  return waitFor(
    async () => {
      await h.worker!.reconcile();
      return keysContaining(redis, h.config.queuePrefix, id);
    },
    (keys) => keys.length === 0,
    15_000,
  );
}

describe('retention', () => {
  it('deletes the spec when cleanup is done, and every key of the run after the retention', async () => {
    const body = submission({ command: 'sh -c "echo kept for a while; exit 0"' });
    expect((await post(body)).statusCode).toBe(202);
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('COMPLETED');
    const keys = h.services.store.keys.run(run.id);
    expect(await redis.exists(keys.spec)).toBe(0);
    expect(await redis.exists(keys.record)).toBe(1);
    expect(await redis.exists(keys.logs)).toBe(1);

    expect(await expire(run.id)).toEqual([]);
    expect(await redis.zscore(keys.index, run.id)).toBeNull();
    expect(await h.services.queue.forRun(run.id).getJob(run.id)).toBeUndefined();
    const gone = await h.app.inject({ url: `/runs/${run.id}`, headers: auth });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('RUN_NOT_FOUND');
    const list = (await h.app.inject({ url: '/runs?limit=200', headers: auth })).json();
    expect(list.items.map((r: { id: string }) => r.id)).not.toContain(run.id);

    // The tombstone: the same body again is refused, not deployed again; another body is a conflict.
    const again = await post(body);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('RUN_EXPIRED');
    const other = await post({ ...body, flow: { name: 'another-flow' } });
    expect(other.statusCode).toBe(409);
    expect(other.json().error.code).toBe('RUN_CONFLICT');
    const counters = (await call(h.emulator, 'GET', '/_emulator/counters')).body;
    const deployments = counters.operations.Deployments_CreateOrUpdate;

    // After the tombstone's own retention the id is free again.
    await waitFor(
      async () => {
        await h.worker!.reconcile();
        return redis.hexists(keys.tombstones, run.id);
      },
      (present) => present === 0,
      15_000,
    );
    expect((await call(h.emulator, 'GET', '/_emulator/counters')).body.operations.Deployments_CreateOrUpdate).toBe(deployments);
  });

  it('never lets the sweeper take a kept container group for an orphan once its run expired', async () => {
    const body = submission({ command: 'sh -c "echo keep me; exit 0"', keep_container_group: true });
    const witness = submission({ command: 'sh -c "echo gone; exit 0"' });
    await post(body);
    await post(witness);
    const run = await settled(h, body.flow_run.id);
    await settled(h, witness.flow_run.id);
    expect(run.cleanup.state).toBe('kept');
    await expire(run.id);
    expect((await h.app.inject({ url: `/runs/${run.id}`, headers: auth })).statusCode).toBe(404);
    // Until a run that ended with it has lost even its tombstone.
    const tombstones = h.services.store.keys.run(witness.flow_run.id).tombstones;
    await waitFor(
      async () => {
        await h.worker!.reconcile();
        return redis.hexists(tombstones, witness.flow_run.id);
      },
      (present) => present === 0,
      15_000,
    );
    const deleted = await h.worker!.sweep();
    expect(deleted).not.toContain(run.container_group_name);
    const state = (await call(h.emulator, 'GET', '/_emulator/state')).body as { containerGroups: { name: string }[] };
    expect(state.containerGroups.map((g) => g.name)).toContain(run.container_group_name);
  });
});
