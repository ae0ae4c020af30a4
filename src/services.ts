// The service objects of one process, built once from config and the fail-fast connection.
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { RunService } from './runs/service.js';
import { WorkPoolService } from './work-pools/service.js';
import { WorkPoolStore } from './work-pools/store.js';

export function createServices(config: Config, redis: Redis) {
  const workPools = new WorkPoolService(new WorkPoolStore(redis, config.queuePrefix));
  const runs = new RunService(config, workPools);
  return { workPools, runs };
}
