import type { TestProject } from 'vitest/node';
import { Redis } from 'ioredis';

declare module 'vitest' {
  interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Tests need a real Redis at ${redisUrl} (set REDIS_URL): ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
  project.provide('redisUrl', redisUrl);
}
