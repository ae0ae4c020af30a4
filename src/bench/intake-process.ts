// A child of `npm run bench:api`: a worker's intake alone (no steps), adding the BullMQ jobs of the runs
// the API creates, so that the benchmark can also measure POST /runs with that work going on beside it.
import pino from 'pino';
import { loadConfig } from '../config.js';
import { startIntake } from '../execution/intake.js';
import { createRunsQueue } from '../execution/queue.js';
import { closeConnection, workerConnection } from '../redis.js';
import { runStore } from '../services.js';

export async function startIntakeProcess(): Promise<void> {
  const config = loadConfig();
  const connection = workerConnection(config.redisUrl, config.redisClusterNodes);
  const store = runStore(config, connection);
  const queue = createRunsQueue(connection, store.keys, config.runRetentionSeconds);
  const intake = startIntake(store, queue, () => workerConnection(config.redisUrl, config.redisClusterNodes), pino({ level: 'warn' }));
  process.on('SIGTERM', () => {
    void (async () => {
      await intake.close();
      await queue.close();
      await closeConnection(connection);
      process.exit(0);
    })();
  });
}
