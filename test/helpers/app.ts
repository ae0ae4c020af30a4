import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { withInstanceIdentity } from '../../src/instance-identity.js';
import { closeConnection, producerConnection } from '../../src/redis.js';
import { createServices, type Services } from '../../src/services.js';

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
