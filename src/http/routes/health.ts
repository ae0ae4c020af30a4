import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { redisAnswers, type RedisClient } from '../../redis.js';

import { errorResponse } from '../schemas/error.js';

const Health = Type.Object({ status: Type.String(), redis: Type.Optional(Type.String()) });
/** Node's HTTP parser answers any route so when the request head is too large; the only 4xx here. */
const headersTooLarge = errorResponse('HEADERS_TOO_LARGE: the request line and headers exceed 16 KB.');

export const healthRoutes: FastifyPluginAsyncTypebox<{ redis: RedisClient }> = async (app, { redis }) => {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers',
        operationId: 'getHealth',
        security: [],
        response: { 200: { ...Health, description: 'The process answers.' }, 431: headersTooLarge },
      },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        summary: 'Readiness: Redis answers',
        operationId: 'getReadiness',
        security: [],
        response: {
          200: { ...Health, description: 'Ready: Redis answers.' },
          431: headersTooLarge,
          503: { ...Health, description: 'Not ready: Redis does not answer.' },
        },
      },
    },
    async (_request, reply) => {
      const up = await redisAnswers(redis);
      return reply.status(up ? 200 : 503).send({ status: up ? 'ready' : 'unavailable', redis: up ? 'up' : 'down' });
    },
  );
};
