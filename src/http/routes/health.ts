import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Redis } from 'ioredis';
import { redisAnswers } from '../../redis.js';

const Health = Type.Object({ status: Type.String(), redis: Type.Optional(Type.String()) });

export const healthRoutes: FastifyPluginAsyncTypebox<{ redis: Redis }> = async (app, { redis }) => {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: { tags: ['health'], summary: 'Liveness: the process answers', security: [], response: { 200: Health } },
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
        security: [],
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      const up = await redisAnswers(redis);
      return reply.status(up ? 200 : 503).send({ status: up ? 'ready' : 'unavailable', redis: up ? 'up' : 'down' });
    },
  );
};
