// The service objects of one process, built once from config and the fail-fast connection.
import type { Config } from './config.js';
import { createRunsQueue } from './execution/queue.js';
import type { RedisClient } from './redis.js';
import { RunService } from './runs/service.js';
import { Sealer } from './runs/seal.js';
import { RunStore, type StoreOptions } from './runs/store.js';
import { WorkPoolService } from './work-pools/service.js';
import { WorkPoolStore } from './work-pools/store.js';

export function storeOptions(config: Config): StoreOptions {
  return {
    retentionSeconds: config.runRetentionSeconds,
    tombstoneRetentionSeconds: config.tombstoneRetentionSeconds,
    logMaxLines: config.logMaxLines,
    shards: config.queueShards,
    cluster: config.redisClusterNodes !== undefined,
  };
}

const sealerOf = (config: Config) => new Sealer(config.secretsKey, config.secretsKeyPrevious);

/** A run store on `redis` (the API's fail-fast connection or a worker's patient one). */
export function runStore(config: Config, redis: RedisClient): RunStore {
  return new RunStore(redis, config.queuePrefix, sealerOf(config), storeOptions(config));
}

export function createServices(config: Config, redis: RedisClient) {
  const store = runStore(config, redis);
  const workPools = new WorkPoolService(new WorkPoolStore(redis, store.keys, sealerOf(config)));
  const queue = createRunsQueue(redis, store.keys, config.runRetentionSeconds);
  const runs = new RunService(config, workPools, store, queue);
  return { workPools, runs, store, queue };
}

export type Services = ReturnType<typeof createServices>;
