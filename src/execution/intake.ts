// The intake: POST /runs stores a run with one script, which also puts the run's id on its shard's
// intake list; here a worker turns those ids into the runs' BullMQ jobs, many per addBulk. The API's
// create is one round trip; the job add (BullMQ's scripts, the heavier part) is the worker's.
// Nothing is lost: ids whose add failed go back on the list, and a worker that dies between taking
// ids and adding their jobs leaves runs without a job, which the reconciler requeues (worker.ts).
import type { Logger } from 'pino';
import type { RedisClient } from '../redis.js';
import type { RunStore } from '../runs/store.js';
import type { RunsQueue } from './queue.js';

/** Most ids turned into jobs by one addBulk. */
const INTAKE_BATCH = 200;
/** How long one blocking wait lasts: a closing worker stops within about this long. */
const WAIT_SECONDS = 1;
const RETRY_MS = 1_000;
/** After the first id, how long to let more come before adding their jobs together. */
const GATHER_MS = 10;

export interface Intake {
  close(): Promise<void>;
}

export function startIntake(store: RunStore, queue: RunsQueue, connect: () => RedisClient, log: Logger): Intake {
  let closing = false;
  const connections: RedisClient[] = [];

  async function drain(shard: number): Promise<void> {
    const blocking = connect();
    blocking.on('error', () => undefined);
    connections.push(blocking);
    while (!closing) {
      let ids: string[] = [];
      try {
        const first = await store.waitForIntake(blocking, shard, WAIT_SECONDS);
        if (first === undefined) continue;
        ids = [first];
        // Under load more ids come within a few milliseconds: taken together they make fewer, larger adds.
        await new Promise((resolve) => setTimeout(resolve, GATHER_MS));
        ids.push(...(await store.takeIntake(shard, INTAKE_BATCH - 1)));
        // A job with that id already there is left as it is (BullMQ answers the existing job).
        await queue.shards[shard].addBulk(ids.map((runId) => ({ name: 'run', data: { runId }, opts: { jobId: runId } })));
      } catch (err) {
        if (closing) break;
        log.warn({ err, runs: ids.length }, 'intake: could not add the jobs of new runs; trying again');
        await store.returnIntake(shard, ids).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  const loops = store.keys.allShards().map((shard) => drain(shard));
  return {
    async close() {
      closing = true;
      for (const connection of connections) connection.disconnect();
      await Promise.all(loops);
    },
  };
}
