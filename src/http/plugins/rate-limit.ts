// Per-key request budget (RATE_LIMIT_PER_MINUTE), counted in Redis so every API process shares it.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { RedisClient } from '../../redis.js';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';

/** Must be registered after the auth hook (it counts per key) and before the routes (it hooks each route). */
export async function registerRateLimit(app: FastifyInstance, redis: RedisClient, config: Config): Promise<void> {
  if (config.rateLimitPerMinute <= 0) return;
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    // The plugin's types name a single Redis; it only uses commands a Cluster client has too.
    redis: redis as Redis,
    nameSpace: `${config.queuePrefix}:rate-limit:`,
    // Redis being away is answered by the routes themselves (503); the budget is not a reason to fail.
    skipOnError: true,
    keyGenerator: (request) => request.access?.actor ?? `ip:${request.ip}`,
    // Public routes (health, docs, the OpenAPI document) carry no key and are not counted.
    allowList: (request) => request.access === undefined,
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', 429, `This API key made more than ${context.max} requests in a minute; retry in ${context.after}.`),
  });
}
