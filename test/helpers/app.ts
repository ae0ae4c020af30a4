import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { withInstanceIdentity } from '../../src/instance-identity.js';
import { closeConnection, producerConnection } from '../../src/redis.js';
import { createServices, type Services } from '../../src/services.js';
import { testConfig } from './config.js';
import { dropKeys } from './redis-keys.js';

/** A ready app on real Redis; close() releases everything it opened. */
export async function startTestApp(settings: Config): Promise<{ app: FastifyInstance; services: Services; config: Config; close: () => Promise<void> }> {
  const redis = producerConnection(settings.redisUrl, settings.redisClusterNodes);
  // As startRuntime does: the installation identity comes from Redis unless SERVICE_INSTANCE names one.
  const config = await withInstanceIdentity(settings, redis);
  const services = createServices(config, redis);
  const app = await buildApp({ config, redis, ...services });
  await app.ready();
  return {
    app,
    services,
    config,
    close: async () => {
      await app.close();
      await services.queue.close();
      await closeConnection(redis);
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;

/**
 * The app of a test file or describe block: started before its tests, closed after them, and the Redis
 * keys of its queue prefix dropped. `app` and `services` are there once the tests run.
 */
export function useTestApp(env: Record<string, string> = {}) {
  const config = testConfig(env);
  let started: TestApp | undefined;
  beforeAll(async () => {
    started = await startTestApp(config);
  });
  afterAll(async () => {
    await started?.close();
    await dropKeys(config.redisUrl, config.queuePrefix);
  });
  const current = (): TestApp => {
    if (!started) throw new Error('useTestApp: the app is started in beforeAll; use it inside tests or hooks');
    return started;
  };
  return {
    config,
    get app() {
      return current().app;
    },
    get services() {
      return current().services;
    },
  };
}
