import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { closeConnection, producerConnection } from '../../src/redis.js';
import { createServices } from '../../src/services.js';

/** A ready app on real Redis; close() releases everything it opened. */
export async function startTestApp(config: Config): Promise<{ app: FastifyInstance; close: () => Promise<void> }> {
  const redis = producerConnection(config.redisUrl);
  const app = await buildApp({ config, redis, ...createServices(config, redis) });
  await app.ready();
  return {
    app,
    close: async () => {
      await app.close();
      await closeConnection(redis);
    },
  };
}
