// Wires the process: connections, queue, HTTP app and workers, and closes them in order.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { buildApp } from './app.js';
import type { Config, Role } from './config.js';
import { createRunsQueue, type RunsQueue } from './execution/queue.js';
import { closeConnection, producerConnection, workerConnection } from './redis.js';
import { createServices } from './services.js';

export interface Runtime {
  app?: FastifyInstance;
  queue: RunsQueue;
  close(): Promise<void>;
}

export async function startRuntime(config: Config, role: Role): Promise<Runtime> {
  const producer: Redis = producerConnection(config.redisUrl);
  const queue = createRunsQueue(producer, config.queuePrefix);
  const workerRedis: Redis | undefined = role === 'api' ? undefined : workerConnection(config.redisUrl);

  let app: FastifyInstance | undefined;
  if (role !== 'worker') {
    app = await buildApp({ config, redis: producer, ...createServices(config, producer) });
    await app.listen({ port: config.port, host: config.host });
  }

  let closed = false;
  return {
    app,
    queue,
    async close() {
      if (closed) return;
      closed = true;
      // Order: stop taking requests, stop taking jobs, then drop the connections they used.
      if (app) await app.close();
      await queue.close();
      if (workerRedis) await closeConnection(workerRedis);
      await closeConnection(producer);
    },
  };
}
