import type { RunsQueue } from '../execution/queue.js';

/** Run jobs by state, summed over the queue's shards. */
export async function jobCounts(queue: RunsQueue): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  for (const counts of await Promise.all(queue.shards.map((shard) => shard.getJobCounts()))) {
    for (const [state, n] of Object.entries(counts)) totals[state] = (totals[state] ?? 0) + n;
  }
  return totals;
}
