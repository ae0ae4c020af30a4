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
