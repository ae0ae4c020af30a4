import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export const RUNS_QUEUE = 'runs';

export type RunsQueue = Queue;

/** The one queue object of a process, on the fail-fast producer connection. */
export function createRunsQueue(connection: Redis, prefix: string): RunsQueue {
  const queue = new Queue(RUNS_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } },
  });
  queue.on('error', () => {
    // Surfaced through /readyz and the failing request; BullMQ reconnects.
  });
  return queue;
}

/** Adds the job of a run; a job with that id already there makes this a no-op. */
export async function enqueueRun(queue: RunsQueue, runId: string): Promise<void> {
  await queue.add('run', { runId }, { jobId: runId });
}

/** The channel on which a kill reaches the worker that is in the middle of the run's step. */
export const runSignalChannel = (prefix: string) => `${prefix}:run-signals`;

/**
 * Makes a waiting run job run now (e.g. after a kill request); a step in progress is told to abort
 * its Azure calls, so the next step, which sees the kill, follows at once.
 */
export async function wakeRun(queue: RunsQueue, runId: string): Promise<void> {
  // The queue was made on our own ioredis connection (createRunsQueue), which publishes the signal.
  await (queue.opts.connection as Redis).publish(runSignalChannel(queue.opts.prefix ?? 'bull'), runId);
  const job = await queue.getJob(runId);
  if (!job) return enqueueRun(queue, runId);
  if ((await job.getState()) === 'delayed') await job.promote().catch(() => undefined);
}
