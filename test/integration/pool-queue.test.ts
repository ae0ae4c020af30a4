// Runs waiting for a pool slot wait in submission order, asleep, and a freed slot starts the next at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, getRun, settled, startService, submission, waitFor, type Harness } from '../helpers/service.js';

describe('a work pool at its concurrency limit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startService();
  });
  afterAll(async () => h.close());

  const submit = (body: unknown) => h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body as object });
  const startedAt = (run: { history: { state: string; at: string }[] }) => Date.parse(run.history.find((t) => t.state === 'SUBMITTING')!.at);

  it('admits waiting runs first in, first out, without polling', async () => {
    const pool = (await h.app.inject({ url: '/work-pools/default', headers: auth })).json();
    await h.app.inject({ method: 'PUT', url: '/work-pools/fifo', headers: auth, payload: { base_job_template: pool.base_job_template, concurrency_limit: 1 } });
    const blocker = { ...submission({ command: 'sh -c "sleep 100000"' }), work_pool: 'fifo' };
    const blockerPid = (await submit(blocker)).json().infrastructure_pid;
    await waitFor(() => getRun(h, blocker.flow_run.id), (r) => r.state === 'RUNNING');
    const waiting = Array.from({ length: 4 }, (_, i) => ({ ...submission({ command: `sh -c "echo ${i}; sleep 5"` }), work_pool: 'fifo' }));
    for (const body of waiting) {
      await submit(body);
      await waitFor(() => getRun(h, body.flow_run.id), (r) => r.pending_reason !== undefined);
    }
    // Asleep: each waiting run's job is delayed for the backstop, not re-polled every second.
    for (const body of waiting) {
      const job = await h.services.queue.forRun(body.flow_run.id).getJob(body.flow_run.id);
      expect(await job!.getState()).toBe('delayed');
      expect(job!.delay).toBeGreaterThanOrEqual(30_000);
      expect((await getRun(h, body.flow_run.id)).state).toBe('PENDING');
    }
    await h.app.inject({ method: 'DELETE', url: `/runs/${blockerPid}`, headers: auth });
    const done = [];
    for (const body of waiting) done.push(await settled(h, body.flow_run.id, 30_000));
    expect(done.map((r) => r.state)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    const order = [...done].sort((a, b) => startedAt(a) - startedAt(b)).map((r) => r.id);
    expect(order).toEqual(waiting.map((b) => b.flow_run.id));
    // One at a time: each started only after the one before it had ended.
    for (let i = 1; i < done.length; i++) {
      const previousEnd = Date.parse(done[i - 1].history.find((t: { state: string }) => t.state === 'COMPLETED').at);
      expect(startedAt(done[i])).toBeGreaterThanOrEqual(previousEnd);
    }
  }, 60_000);
});
