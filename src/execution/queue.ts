// The run queues: QUEUE_SHARDS BullMQ queues, each under the hash tag of its shard (see
// src/runs/keys.ts), so that on a Redis Cluster every queue stays in one slot and the shards spread
// over the masters. A run's job goes to the queue of its shard.
import { Queue } from 'bullmq';
import type { RedisClient } from '../redis.js';
import type { KeyLayout } from '../runs/keys.js';

export const RUNS_QUEUE = 'runs';

export interface RunsQueue {
  readonly shards: Queue[];
  forRun(runId: string): Queue;
  close(): Promise<void>;
}

/**
 * The queue objects of a process, on the fail-fast producer connection. `writesMeta: false` keeps BullMQ
 * from writing its queue meta hash (for tools that only read the routes, e.g. the OpenAPI render).
 */
export function createRunsQueue(connection: RedisClient, layout: KeyLayout, retentionSeconds: number, writesMeta = true): RunsQueue {
  const shards = layout.allShards().map((shard) => {
    const queue = new Queue(RUNS_QUEUE, {
      connection,
      prefix: layout.queuePrefix(shard),
      skipMetasUpdate: !writesMeta,
      // A run's job completes when its cleanup is done; it goes with the run's retention.
      defaultJobOptions: { removeOnComplete: { age: retentionSeconds }, removeOnFail: { age: retentionSeconds } },
    });
    queue.on('error', () => {
      // Surfaced through /readyz and the failing request; BullMQ reconnects.
    });
    return queue;
  });
  return {
    shards,
    forRun: (runId) => shards[layout.shardOf(runId)],
    close: async () => {
      await Promise.all(shards.map((q) => q.close()));
    },
  };
}

/** Adds the job of a run; a job with that id already there makes this a no-op. */
export async function enqueueRun(queue: RunsQueue, runId: string): Promise<void> {
  await queue.forRun(runId).add('run', { runId }, { jobId: runId });
}

/** The channel on which a kill reaches the worker that is in the middle of the run's step. */
export const runSignalChannel = (prefix: string) => `${prefix}:run-signals`;

/**
 * Makes a waiting run job run now (e.g. after a kill request), or gives the run a new job when its job
 * ended (the loop of watch-loop.ts took the run over); a step in progress is told to abort its Azure
 * calls, so the next step, which sees the kill, follows at once.
 */
export async function wakeRun(queue: RunsQueue, runId: string, options: { retryWhileActive?: boolean } = {}): Promise<void> {
  const shard = queue.forRun(runId);
  // The queue was made on our own ioredis connection (createRunsQueue), which publishes the signal.
  if (!options.retryWhileActive) await (shard.opts.connection as RedisClient).publish(runSignalChannel(shard.opts.prefix ?? 'bull'), runId);
  // A job still active is about to delay itself: try again shortly so the wake is not lost.
  for (let attempt = 0; attempt < (options.retryWhileActive ? 20 : 1); attempt++) {
    const job = await shard.getJob(runId);
    if (!job) return enqueueRun(queue, runId);
    const state = await job.getState();
    if (state === 'delayed') {
      await job.promote().catch(() => undefined);
      return;
    }
    if (state === 'completed' || state === 'failed') {
      // The job ended (a run the loop took over needs none): the run gets a new one.
      await shard.remove(runId).catch(() => undefined);
      return enqueueRun(queue, runId);
    }
    if (state !== 'active') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Removes the job of a run whose retention ended (BullMQ would only age it out on later completions). */
export async function forgetRun(queue: RunsQueue, runId: string): Promise<void> {
  await queue.forRun(runId).remove(runId).catch(() => undefined);
}
