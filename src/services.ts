// The service objects of one process, built once from config and the fail-fast connection.
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { createRunsQueue } from './execution/queue.js';
import { RunService } from './runs/service.js';
import { Sealer } from './runs/seal.js';
import { RunStore } from './runs/store.js';
import { WorkPoolService } from './work-pools/service.js';
import { WorkPoolStore } from './work-pools/store.js';

export function createServices(config: Config, redis: Redis) {
  const sealer = new Sealer(config.secretsKey, config.secretsKeyPrevious);
  const workPools = new WorkPoolService(new WorkPoolStore(redis, config.queuePrefix, sealer));
  const store = new RunStore(redis, config.queuePrefix, sealer);
  const queue = createRunsQueue(redis, config.queuePrefix);
  const runs = new RunService(config, workPools, store, queue);
  return { workPools, runs, store, queue };
}

export type Services = ReturnType<typeof createServices>;
