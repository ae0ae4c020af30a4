// The service objects of one process, built once from config and the fail-fast connection.
import type { Config } from './config.js';
import { createRunsQueue } from './execution/queue.js';
import type { RedisClient } from './redis.js';
import { RunChanges } from './runs/changes.js';
import { RunService } from './runs/service.js';
import { Sealer } from './runs/seal.js';
import { RunStore, type StoreOptions } from './runs/store.js';
import { WebhookService } from './webhooks/service.js';
import { WebhookStore } from './webhooks/store.js';
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

/** Webhooks live under the prefix's shared tag, like work pools: one slot on a cluster. */
export function webhookStore(config: Config, redis: RedisClient, store: RunStore): WebhookStore {
  return new WebhookStore(redis, store.keys.shared, sealerOf(config));
}

/** Work pools live under the prefix's shared tag: one slot on a cluster. */
export function workPoolService(config: Config, redis: RedisClient, store: RunStore): WorkPoolService {
  return new WorkPoolService(new WorkPoolStore(redis, store.keys, sealerOf(config)));
}

/** `writesQueueMeta: false` for a process that serves no run (see createRunsQueue). */
export function createServices(config: Config, redis: RedisClient, { writesQueueMeta = true } = {}) {
  const store = runStore(config, redis);
  const workPools = workPoolService(config, redis, store);
  const queue = createRunsQueue(redis, store.keys, config.runRetentionSeconds, writesQueueMeta);
  const runs = new RunService(config, workPools, store, queue);
  const webhooks = new WebhookService(webhookStore(config, redis, store), config.webhooks.allowPrivate, new RunChanges(redis, store.keys));
  return { workPools, runs, store, queue, webhooks };
}

export type Services = ReturnType<typeof createServices>;
