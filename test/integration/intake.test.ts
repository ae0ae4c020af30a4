// POST /runs stores a run with one script that also puts its id on the shard's intake; a worker's
// intake turns the ids into BullMQ jobs, many per addBulk (src/execution/intake.ts).
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIntake } from '../../src/execution/intake.js';
import { closeConnection, workerConnection } from '../../src/redis.js';
import { auth, startService, submission, waitFor, type Harness } from '../helpers/service.js';

let h: Harness;

beforeAll(async () => {
  h = await startService({ worker: false });
});

afterAll(async () => {
  await h?.close();
});

describe('the intake', () => {
  it('holds the ids of new runs until a worker adds their jobs, oldest first, in batches', async () => {
    const bodies = Array.from({ length: 250 }, () => submission({ command: 'sh -c "exit 0"' }));
    for (const body of bodies) expect((await h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body })).statusCode).toBe(202);
    const intakeKey = h.services.store.keys.shardKeys(0).intake;
    const connection = workerConnection(h.config.redisUrl, h.config.redisClusterNodes);
    // Nothing adds jobs without a worker: the runs wait on the intake, in the order they came.
    expect(await connection.lrange(intakeKey, 0, -1)).toEqual(bodies.map((b) => b.flow_run.id).reverse());
    const queue = h.services.queue.shards[0];
    expect(await queue.getJob(bodies[0].flow_run.id)).toBeUndefined();

    const opened: ReturnType<typeof workerConnection>[] = [];
    const intake = startIntake(h.services.store, h.services.queue, () => {
      const blocking = workerConnection(h.config.redisUrl, h.config.redisClusterNodes);
      opened.push(blocking);
      return blocking;
    }, pino({ level: 'silent' }));
    try {
      await waitFor(() => connection.llen(intakeKey), (n) => n === 0);
      const jobs = await Promise.all(bodies.map((b) => queue.getJob(b.flow_run.id)));
      expect(jobs.every((job) => job?.data.runId !== undefined)).toBe(true);
      expect(jobs.map((job) => job!.data.runId)).toEqual(bodies.map((b) => b.flow_run.id));
      // Oldest first: the jobs were added in submission order.
      const added = jobs.map((job) => job!.timestamp);
      expect([...added].sort((a, b) => a - b)).toEqual(added);
    } finally {
      await intake.close();
      for (const c of opened) await closeConnection(c).catch(() => undefined);
      await closeConnection(connection);
    }
  });
});
