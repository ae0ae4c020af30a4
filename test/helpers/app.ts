import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { closeConnection, producerConnection } from '../../src/redis.js';
import { createServices, type Services } from '../../src/services.js';

/** A ready app on real Redis; close() releases everything it opened. */
export async function startTestApp(config: Config): Promise<{ app: FastifyInstance; services: Services; close: () => Promise<void> }> {
  const redis = producerConnection(config.redisUrl, config.redisClusterNodes);
  const services = createServices(config, redis);
  const app = await buildApp({ config, redis, ...services });
  await app.ready();
  return {
    app,
    services,
    close: async () => {
      await app.close();
      await services.queue.close();
      await closeConnection(redis);
    },
  };
}
