// Watch polls outside BullMQ: the due-set claims (fair share, leases, the read budget) and the watch
// loop in a worker (a kill during a watch, a run lost from its due-set and its job repaired).
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { ArmBudget, budgetsFrom, type Budgets } from '../../src/execution/pacing.js';
import { WatchSchedule } from '../../src/execution/watch-schedule.js';
import { KeyLayout } from '../../src/runs/keys.js';
import { call } from '../helpers/emulator.js';
import { auth, dropKeys, getRun, settled, startService, submission, waitFor, type Harness } from '../helpers/service.js';

const redis = new Redis(inject('redisUrl'));
const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await dropKeys(redis, prefix);
  await redis.quit();
});

function schedule(read: { perSecond: number; burst: number }, del = { perSecond: 10, burst: 20 }) {
  const prefix = `watch-${crypto.randomUUID()}`;
  prefixes.push(prefix);
  const budgets: Budgets = { read, write: { perSecond: 10, burst: 20 }, delete: del };
  return { watching: new WatchSchedule(redis, prefix, new KeyLayout(prefix), budgets), pacer: new ArmBudget(redis, prefix, budgets) };
}

describe('the due-set of watched runs', () => {
  it('serves every run in turn when they need more reads than the budget: no run starves', async () => {
    const { watching } = schedule({ perSecond: 50, burst: 1 });
    const runs = Array.from({ length: 20 }, (_, i) => `run-${i}`);
    for (const run of runs) await watching.enter('sp', run, 0);
    // Each run is due again at once after its read (a poll interval of 0): they all want every read
    // the budget has. One worker claims as fast as it can and hands each run back immediately.
    const reads = new Map(runs.map((r) => [r, 0]));
    const turns = new Map<string, number[]>(runs.map((r) => [r, []])); // the positions of a run's reads among all reads
    let back: [string, number][] = [];
    let total = 0;
    let first: number | undefined;
    let last = 0;
    while (total < 100) {
      const claim = await watching.claim('sp', 10, 60_000, back);
      first ??= claim.now;
      last = claim.now;
      back = claim.runs.map((r) => [r, claim.now]);
      for (const r of claim.runs) {
        reads.set(r, reads.get(r)! + 1);
        turns.get(r)!.push(total++);
      }
    }
    // Oldest due first: after 100 reads each of the 20 runs had about 5, and between two reads of a run
    // about 20 others went (runs due in the same millisecond may swap places, nothing more).
    const counts = [...reads.values()];
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(4);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(2);
    for (const [, at] of turns) for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeLessThanOrEqual(30);
    // And no more reads than the budget gave over that time (Redis' clock): 50/s, burst 1.
    expect(total).toBeLessThanOrEqual(Math.floor(((last - first!) * 50) / 1000) + 1 + 10);
  });

  it('lets submission and provisioning reads go before watching', async () => {
    const { watching, pacer } = schedule({ perSecond: 1, burst: 11 }); // watching may run 5 s ahead, lifecycle 10 s
    for (let i = 0; i < 20; i++) await watching.enter('sp', `run-${i}`, 0);
    // Lifecycle steps booked the whole tolerance of watching: nothing is left to claim now…
    expect(await pacer.reserve('sp', { read: 6 }, 'lifecycle')).toBe(0);
    const claim = await watching.claim('sp', 20, 60_000);
    expect(claim.runs).toEqual([]);
    expect(claim.budgetAt).toBeGreaterThan(claim.now);
    // …while another lifecycle read still goes at once.
    expect(await pacer.reserve('sp', { read: 1 }, 'lifecycle')).toBe(0);
  });

  it('gives back the claims of a worker that died when their lease runs out', async () => {
    const { watching } = schedule({ perSecond: 1000, burst: 100 });
    for (let i = 0; i < 5; i++) await watching.enter('sp', `run-${i}`, 0);
    const dead = await watching.claim('sp', 3, 400); // this worker dies holding three runs
    expect(dead.runs).toHaveLength(3);
    const other = await watching.claim('sp', 10, 60_000);
    expect(other.runs.sort()).toEqual(['run-0', 'run-1', 'run-2', 'run-3', 'run-4'].filter((r) => !dead.runs.includes(r)).sort());
    // Nothing else is due until the dead worker's lease has run out; then its runs come back.
    const reclaimed = await waitFor(
      () => watching.claim('sp', 10, 60_000),
      (c) => c.runs.length > 0,
      5000,
    );
    expect(reclaimed.runs.sort()).toEqual([...dead.runs].sort());
    expect(reclaimed.now).toBeGreaterThanOrEqual(dead.now + 400);
  });

  it('drops a run handed back as gone, and keeps one handed back as due later', async () => {
    const { watching } = schedule({ perSecond: 1000, burst: 100 });
    await watching.enter('sp', 'a', 0);
    await watching.enter('sp', 'b', 0);
    const claim = await watching.claim('sp', 10, 60_000);
    expect(claim.runs.sort()).toEqual(['a', 'b']);
    const next = await watching.claim('sp', 10, 60_000, [['a', -1], ['b', claim.now + 50]]);
    expect(await watching.has('sp', 'a')).toBe(false);
    expect(await watching.has('sp', 'b')).toBe(true);
    expect(next.nextDue).toBe(claim.now + 50);
  });

  it('claims provisioning polls before watch polls, each kind at its own priority', async () => {
    const { watching } = schedule({ perSecond: 1, burst: 11 }); // provisioning may run 10 s ahead, watching 5 s
    for (let i = 0; i < 20; i++) await watching.enter('sp', `watched-${i}`, 0, 'watch');
    for (let i = 0; i < 20; i++) await watching.enter('sp', `provisioned-${i}`, 0, 'provision');
    const claim = await watching.claim('sp', 40, 60_000);
    // Eleven provisioning reads take the whole burst; nothing is left within watching's half of it.
    expect(claim.kinds.filter((k) => k === 'provision')).toHaveLength(11);
    expect(claim.kinds.filter((k) => k === 'watch')).toHaveLength(0);
    expect(claim.runs.every((r) => r.startsWith('provisioned-'))).toBe(true);
    // The next provisioning read is allowed a second later (1/s), the next watch read not before 6 s.
    expect(claim.wakeAt).toBe(claim.now + 1000);
  });

  it('books a cleanup as two deletes at none of the burst (one second ahead at most), apart from the reads', async () => {
    const { watching } = schedule({ perSecond: 1000, burst: 100 }, { perSecond: 1, burst: 20 });
    for (let i = 0; i < 5; i++) await watching.enter('sp', `ended-${i}`, 0, 'cleanup');
    await watching.enter('sp', 'watched', 0, 'watch');
    const first = await watching.claim('sp', 10, 60_000);
    // One cleanup (its two deletes take 2 s of a 1/s budget that cleanup may run only a second ahead of), and the read goes on.
    expect(first.kinds.sort()).toEqual(['cleanup', 'watch']);
    const second = await watching.claim('sp', 10, 60_000);
    expect(second.runs).toEqual([]);
    expect(second.budgetAt).toBeGreaterThanOrEqual(first.now + 1000);
  });

  it('a run goes on from one kind of step to the next in the hand-back, and a dead worker\'s cleanup claim comes back', async () => {
    const { watching } = schedule({ perSecond: 1000, burst: 100 }, { perSecond: 1000, burst: 100 });
    await watching.enter('sp', 'a', 0, 'provision');
    const provisioned = await watching.claim('sp', 10, 60_000);
    expect(provisioned.kinds).toEqual(['provision']);
    // Provisioned: watched from now on, due at once.
    const watched = await watching.claim('sp', 10, 60_000, [['a', provisioned.now, 'watch', 'provision']]);
    expect(await watching.has('sp', 'a', 'provision')).toBe(false);
    expect(watched.kinds).toEqual(['watch']);
    // Ended: its cleanup is due at once; this worker dies holding it.
    const dead = await watching.claim('sp', 10, 300, [['a', watched.now, 'cleanup', 'watch']]);
    expect(dead.runs).toEqual(['a']);
    expect(dead.kinds).toEqual(['cleanup']);
    expect(await watching.has('sp', 'a', 'watch')).toBe(false);
    expect((await watching.claim('sp', 10, 60_000)).runs).toEqual([]);
    const reclaimed = await waitFor(
      () => watching.claim('sp', 10, 60_000),
      (c) => c.runs.length > 0,
      5000,
    );
    expect(reclaimed.runs).toEqual(['a']);
    expect(reclaimed.kinds).toEqual(['cleanup']);
    // Known as taken again after a lease ran out (a submission then looks before it sends).
    expect(dead.reclaimed).toEqual([false]);
    expect(reclaimed.reclaimed).toEqual([true]);
    expect(reclaimed.now).toBeGreaterThanOrEqual(dead.now + 300);
  });
});

describe('the watch loop in a worker', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const principalOf = async (harness: Harness, id: string) => (await harness.services.store.get(id))!.principal!;
  const jobState = (harness: Harness, id: string) => harness.services.queue.forRun(id).getJobState(id);
  const groupReads = async (harness: Harness) => (await call(harness.emulator, 'GET', '/_emulator/counters')).body.operations.ContainerGroups_Get ?? 0;

  it('polls a running run with no job cycle, and finalizes it when it ends', async () => {
    const harness = (h = await startService());
    const body = submission({ command: 'sh -c "echo hi; sleep 400; exit 0"' }); // 4 s at the emulator's time scale
    await harness.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
    const id = body.flow_run.id;
    await waitFor(() => getRun(harness, id), (r) => r.state === 'RUNNING');
    expect(harness.worker!.watchLoop).toBeDefined();
    const principal = await principalOf(harness, id);
    const schedule = scheduleOf(harness);
    await waitFor(() => schedule.has(principal, id), (x) => x);
    const before = await groupReads(harness);
    // Several reads of the group while the run's job stays ended: the polls are not job cycles.
    await waitFor(() => groupReads(harness), (n) => n >= before + 3);
    expect(await jobState(harness, id)).toBe('completed');
    const run = await settled(harness, id, 20_000);
    expect(run.state).toBe('COMPLETED');
    expect(await schedule.has(principal, id)).toBe(false);
  });

  it('provisions, watches and cleans a run up outside BullMQ: its job ends once the deployment is sent', async () => {
    const harness = (h = await startService());
    const body = submission({ command: 'sh -c "echo hi; sleep 300; exit 0"' }); // 3 s at the emulator's time scale
    await harness.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
    const id = body.flow_run.id;
    const schedule = scheduleOf(harness);
    await waitFor(() => getRun(harness, id), (r) => r.state === 'PROVISIONING');
    const principal = await principalOf(harness, id);
    // Sent: the deployment is polled by the loop; the job has nothing left to do.
    await waitFor(() => schedule.has(principal, id, 'provision'), (x) => x);
    expect(await jobState(harness, id)).toBe('completed');
    await waitFor(() => getRun(harness, id), (r) => r.state === 'RUNNING');
    expect(await jobState(harness, id)).toBe('completed');
    const run = await settled(harness, id, 20_000);
    expect(run.state).toBe('COMPLETED');
    expect(run.cleanup.state).toBe('done');
    // The loop made both DELETEs; no job was needed again.
    const counters = (await call(harness.emulator, 'GET', '/_emulator/counters')).body.operations;
    expect(counters.ContainerGroups_Delete).toBe(1);
    expect(counters.Deployments_Delete).toBe(1);
    expect(await jobState(harness, id)).toBe('completed');
    await waitFor(() => schedule.members(principal), (m) => !m.has(id));
  });

  it('sends a submission that must wait for its slot from the loop, once per run', async () => {
    const harness = (h = await startService({ env: { ARM_WRITES_PER_SECOND: '1' } })); // a burst of 8 writes, then one a second
    const bodies = Array.from({ length: 12 }, () => submission({ command: 'sh -c "sleep 100000"' }));
    for (const body of bodies) expect((await harness.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body })).statusCode).toBe(202);
    const ids = bodies.map((b) => b.flow_run.id);
    const schedule = scheduleOf(harness);
    const principal = await waitFor(() => harness.services.store.get(ids[0]), (r) => Boolean(r?.principal)).then((r) => r!.principal!);
    // The last ones wait in the loop's submit due-set (their jobs ended), not in BullMQ's delayed set.
    const waiting = await waitFor(async () => (await Promise.all(ids.map((id) => schedule.has(principal, id, 'submit')))).filter(Boolean).length, (n) => n > 0);
    expect(waiting).toBeGreaterThan(0);
    const runs = await Promise.all(ids.map((id) => waitFor(() => getRun(harness, id), (r) => r.state === 'RUNNING', 30_000)));
    expect(runs.every((r) => r.state === 'RUNNING')).toBe(true);
    const counters = (await call(harness.emulator, 'GET', '/_emulator/counters')).body;
    expect(counters.operations.Deployments_CreateOrUpdate).toBe(12);
    expect(counters.throttled).toBe(0);
  });

  it('a kill during the watch reaches the run at once, even while its group read hangs', async () => {
    const harness = (h = await startService({ env: { AZURE_CALL_TIMEOUT_MS: '600000' } }));
    const body = submission({ command: 'sh -c "sleep 100000"' });
    const pid = (await harness.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body })).json().infrastructure_pid;
    const id = body.flow_run.id;
    await waitFor(() => getRun(harness, id), (r) => r.state === 'RUNNING');
    const principal = await principalOf(harness, id);
    const schedule = scheduleOf(harness);
    await waitFor(() => schedule.has(principal, id), (x) => x);
    await call(harness.emulator, 'POST', '/_emulator/faults', { kind: 'hang', share: 1, operation: 'ContainerGroups_Get', limit: 1 });
    await waitFor(async () => (await call(harness.emulator, 'GET', '/_emulator/counters')).body.injected.hang ?? 0, (n) => n === 1);
    expect(harness.worker!.watchLoop!.inFlight()).toBeGreaterThanOrEqual(1);
    expect((await harness.app.inject({ method: 'DELETE', url: `/runs/${pid}`, headers: auth })).statusCode).toBe(202);
    const run = await settled(harness, id, 10_000);
    expect(run.state).toBe('CANCELLED');
    expect(await schedule.has(principal, id)).toBe(false);
    expect(harness.worker!.watchLoop!.inFlight()).toBe(0);
  });

  it('repairs a RUNNING run that lost both its due entry and its job', async () => {
    const harness = (h = await startService());
    const body = submission({ command: 'sh -c "sleep 100000"' });
    const pid = (await harness.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body })).json().infrastructure_pid;
    const id = body.flow_run.id;
    await waitFor(() => getRun(harness, id), (r) => r.state === 'RUNNING');
    const principal = await principalOf(harness, id);
    const schedule = scheduleOf(harness);
    await waitFor(() => schedule.has(principal, id), (x) => x);
    // A crash (or a lost write) took both away.
    await harness.services.queue.forRun(id).remove(id);
    await schedule.leave(principal, id);
    expect(await jobState(harness, id)).toBe('unknown');
    expect(await harness.worker!.reconcile()).toBeGreaterThanOrEqual(1);
    await waitFor(() => schedule.has(principal, id), (x) => x);
    await waitFor(() => jobState(harness, id), (state) => state === 'completed');
    // And a run whose job ended (the loop had it) but which no due-set has any more gets a job and is put back as well.
    await schedule.leave(principal, id);
    expect(await harness.worker!.reconcile()).toBeGreaterThanOrEqual(1);
    await waitFor(() => schedule.has(principal, id), (x) => x);
    expect((await harness.app.inject({ method: 'DELETE', url: `/runs/${pid}`, headers: auth })).statusCode).toBe(202);
    expect((await settled(harness, id, 10_000)).state).toBe('CANCELLED');
  });
});

/** The loop's due-sets of the harness's installation (only membership is asked; the budgets do not matter). */
const scheduleOf = (harness: Harness) => new WatchSchedule(redisOf(harness), harness.config.queuePrefix, harness.services.store.keys, budgetsFrom(harness.config));

/** The harness's own Redis connection (the store's). */
const redisOf = (harness: Harness) => (harness.services.store as unknown as { redis: Redis }).redis;
