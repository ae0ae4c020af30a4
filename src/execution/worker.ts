// The BullMQ worker: one job per run (jobId = flow run id), advanced step by step until the run is
// final or handed to the loop (watch-loop.ts). A step that must wait moves its own job to delayed and
// frees the slot, so a few slots follow thousands of runs.
import { DelayedError, Worker, type Job } from 'bullmq';
import type { RedisClient } from '../redis.js';
import { isRedisUnreachable, type RedisOutageReport } from '../redis-outage.js';
import { startHousekeeper } from './housekeeper.js';
import { RUNS_QUEUE, enqueueRun, forgetRun, runSignalChannel, type RunsQueue } from './queue.js';
import type { SweepResult } from './sweeper.js';
import { advance, loopKindOf, TransientFailure, type StepContext, type StepResult } from './steps.js';
import type { DueKind } from './watch-schedule.js';
import { startWatchLoop } from './watch-loop.js';

export interface RunJobData {
  runId: string;
  /** Consecutive transient failures, for backoff. */
  attempt?: number;
  /** The step whose ARM calls are booked for the slot the job was delayed to (steps.ts). */
  paid?: string;
}

export interface WorkerOptions {
  connection: RedisClient;
  /** One BullMQ prefix per queue shard (a worker takes jobs from every shard). */
  prefixes: string[];
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  reconcileIntervalMs: number;
  /** Adopts or deletes container groups of ours that no unfinished run owns (see sweeper.ts). */
  sweep: () => Promise<SweepResult>;
  sweepIntervalMs: number;
  /** Reconciler and sweeper run on the one worker holding this lease (housekeeper.ts). */
  housekeepingLeaseMs: number;
  /** QUEUE_PREFIX, under which the housekeeping lease lives. */
  keyPrefix: string;
  /** How long close() lets running steps finish before aborting their Azure calls. */
  shutdownMs: number;
  /** Says "Redis is not answering" once a minute instead of on every reconnection attempt. */
  outage: RedisOutageReport;
  /** The watch loop's bound on Azure calls, to size its claim leases (AZURE_CALL_TIMEOUT_MS). */
  azureCallTimeoutMs: number;
}

const RECONCILE_CHUNK = 200;
const WATCH_CONCURRENCY = 64;
/** Of the loop's slots, those watch polls may not take (submissions, provisioning, cleanup). */
const LIFECYCLE_SLOTS = 16;
/** Steps one job cycle may take in a row when each leads straight to the next. */
const MAX_HOPS = 4;
const WATCH_BATCH = 64;

const backoffMs = (attempt: number) => Math.min(60_000, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5);

export function startRunWorker(ctx: StepContext, queue: RunsQueue, options: WorkerOptions) {
  const { store } = ctx;
  const process = async (job: Job<RunJobData>, token?: string, signal?: AbortSignal) => {
    let next: StepResult;
    let attempt = 0;
    try {
      // A job that stalled (its worker died) or failed repeats its step: submit then looks before it creates.
      const repeated = job.attemptsMade > 0 || job.stalledCounter > 0 || (job.data.attempt ?? 0) > 0;
      next = await advance(ctx, job.data.runId, { signal, paid: job.data.paid, repeated });
      // A step that leads straight to the next (an outcome to finalize, a final run to clean up) goes on
      // here rather than through a delay and back (a BullMQ cycle costs ~30 Redis commands).
      for (let hop = 0; hop < MAX_HOPS && !('done' in next) && next.after === 0 && !next.paid && !signal?.aborted; hop++) {
        next = await advance(ctx, job.data.runId, { signal, repeated });
      }
    } catch (err) {
      if (!(err instanceof TransientFailure)) throw err;
      if (signal?.aborted) {
        // Aborted on purpose (a kill or a shutdown), not by Azure: the next step runs at once.
        next = { after: 0 };
      } else {
        attempt = (job.data.attempt ?? 0) + 1;
        const message = err.message.slice(0, 500);
        await store.update(job.data.runId, (run) => ({ ...run, azure: { ...run.azure, last_transient_error: message } }));
        ctx.log.warn({ runId: job.data.runId, attempt, err: message }, 'transient Azure error; retrying later');
        next = { after: err.retryAfterMs ?? backoffMs(attempt) };
      }
    }
    if ('done' in next) return 'done';
    // A kill that came while the step was ending (its signal fired): the next step, which sees it, runs now.
    if (signal?.aborted && next.after > 0) next = { after: 0 };
    const paid = next.paid;
    if (attempt !== (job.data.attempt ?? 0) || paid !== job.data.paid) await job.updateData({ runId: job.data.runId, attempt, ...(paid ? { paid } : {}) });
    await job.moveToDelayed(Date.now() + next.after, token);
    throw new DelayedError();
  };

  const workers = options.prefixes.map((prefix) => {
    const worker = new Worker<RunJobData>(RUNS_QUEUE, process, {
      connection: options.connection,
      prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.stalledIntervalMs,
      // Crashes are expected and every step is idempotent: a stalled run job is always taken again.
      maxStalledCount: 1_000_000,
    });
    worker.on('error', (err) => (isRedisUnreachable(err) ? options.outage.noAnswer(err.message) : ctx.log.error({ err }, 'worker error')));
    worker.on('failed', (job, err) => ctx.log.error({ runId: job?.id, err }, 'run job failed; the reconciler will requeue it'));
    return worker;
  });

  // Submissions that wait, provisioning, watching and cleanup leave BullMQ: this worker's share of the
  // due-sets is taken here (watch-loop.ts).
  const watchLoop = ctx.watching
    ? startWatchLoop(ctx, ctx.watching, {
        concurrency: WATCH_CONCURRENCY,
        lifecycleSlots: LIFECYCLE_SLOTS,
        batch: WATCH_BATCH,
        // A claim outlives the longest call a poll may make (a hung call, then a log read).
        leaseMs: 2 * options.azureCallTimeoutMs + 10_000,
        idleMs: 1000,
        minGapMs: 250,
        outage: options.outage,
      })
    : undefined;

  // A kill published by any API process aborts the step (or watch poll) this worker is making for that run.
  const signals = options.connection.duplicate();
  signals.on('error', () => undefined);
  signals.on('message', (_channel: string, runId: string) => {
    for (const worker of workers) worker.cancelJob(runId, 'kill');
    watchLoop?.abort(runId);
  });
  const subscribed = signals
    .subscribe(...options.prefixes.map(runSignalChannel))
    .catch((err: unknown) => ctx.log.error({ err }, 'cannot hear kills'));

  /**
   * Every unfinished run has a job or a due entry of the loop: a job lost to a bug or a Redis restart
   * is put back. A run the loop holds needs no look at its job: the loop wakes the job when it hands
   * the run back, and waking a run whose job is gone makes it a new one (queue.ts). The other runs are
   * checked in chunks whose commands go out together (pipelined), not one round trip after another.
   */
  async function reconcile(freshMs = options.reconcileIntervalMs): Promise<number> {
    let requeued = 0;
    // Runs past their retention leave the index, and their jobs go with them.
    for (const id of await store.purgeExpired()) await forgetRun(queue, id);
    const watched = await watchedRuns();
    const ids = (await store.activeIds()).filter((id) => !watched?.has(id));
    for (let i = 0; i < ids.length; i += RECONCILE_CHUNK) {
      // A PENDING run submitted within the last interval is most likely on its way to its job (the
      // intake adds it within milliseconds; a queue of thousands takes a while to start): its job is
      // looked at from the next pass on (two reads now instead of BullMQ's state script).
      const slice = ids.slice(i, i + RECONCILE_CHUNK);
      const fresh = freshMs > 0 ? await store.freshPending(slice, Date.now() - freshMs) : new Set<string>();
      const chunk = slice.filter((id) => !fresh.has(id));
      const states = await Promise.all(chunk.map((id) => queue.forRun(id).getJobState(id)));
      const lost = chunk.filter((_, j) => ['completed', 'failed', 'unknown'].includes(states[j]));
      if (watched) requeued += await unheld(chunk.filter((_, j) => states[j] === 'delayed'));
      await Promise.all(
        lost.map(async (id) => {
          await queue.forRun(id).remove(id).catch(() => undefined);
          await enqueueRun(queue, id);
        }),
      );
      requeued += lost.length;
    }
    if (requeued) ctx.log.warn({ requeued }, 'reconciler requeued runs without a job');
    return requeued;
  }

  /** Every run in a due-set of the loop, with its kind (undefined without a loop). */
  async function watchedRuns(): Promise<Map<string, DueKind> | undefined> {
    if (!ctx.watching) return undefined;
    const watching = ctx.watching;
    const members = await Promise.all((await watching.principals()).map((p) => watching.members(p)));
    return new Map(members.flatMap((m) => [...m]));
  }

  /**
   * Runs whose job sleeps while no due-set of the loop has them: a run whose state is the loop's to
   * follow (provisioning, running, a cleanup of two DELETEs) but which never got to its due-set (a
   * crash in between) is woken, and its job's step puts it back.
   */
  async function unheld(candidates: string[]): Promise<number> {
    if (candidates.length === 0) return 0;
    const runs = await store.getMany(candidates);
    // A waiting submission's job sleeps on purpose (a pool slot, a backoff): only later steps are the loop's.
    const lost = candidates.filter((_, j) => runs[j] && ![undefined, 'submit'].includes(loopKindOf(runs[j]!)));
    await Promise.all(lost.map((id) => ctx.wake(id)));
    return lost.length;
  }

  const housekeeper = startHousekeeper(options.connection, options.keyPrefix, options.housekeepingLeaseMs, [
    { name: 'reconcile', intervalMs: options.reconcileIntervalMs, run: reconcile },
    { name: 'orphan sweep', intervalMs: options.sweepIntervalMs, run: options.sweep },
  ], ctx.log);

  return {
    workers,
    watchLoop,
    reconcile,
    sweep: options.sweep,
    housekeeper,
    /** Stops taking steps; running steps get `shutdownMs` to finish, then their Azure calls are aborted. */
    async close() {
      await housekeeper.close();
      const abort = setTimeout(() => workers.forEach((w) => w.cancelAllJobs('shutdown')), options.shutdownMs);
      try {
        await Promise.all([...workers.map((w) => w.close()), watchLoop?.close(options.shutdownMs)]);
      } finally {
        clearTimeout(abort);
        await subscribed;
        signals.disconnect();
      }
    },
  };
}
