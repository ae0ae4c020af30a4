import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.js';
import { lazyRequestLogger, loggerOptions } from './logger.js';
import { redisAnswers, waitForReady, type RedisClient } from './redis.js';
import { registerAuth } from './http/plugins/auth.js';
import { clientErrorHandler, frameworkErrorHandler, MAX_PARAM_LENGTH, registerErrorHandling } from './http/plugins/errors.js';
import { registerJsonBody } from './http/plugins/json-body.js';
import { registerOpenApi } from './http/plugins/openapi.js';
import { registerRequestId, requestIdOf } from './http/plugins/request-id.js';
import { registerRateLimit } from './http/plugins/rate-limit.js';
import { healthRoutes } from './http/routes/health.js';
import { registerMetrics } from './http/routes/metrics.js';
import { queuesBoard } from './http/pages/queues-board.js';
import { uiPages } from './http/pages/ui.js';
import { runRoutes } from './http/routes/runs.js';
import { webhookRoutes } from './http/routes/webhooks.js';
import { workPoolRoutes } from './http/routes/work-pools.js';
import type { RunsQueue } from './execution/queue.js';
import { jobCounts } from './metrics/queue-depth.js';
import { readFrom } from './metrics/registry.js';
import type { RunService } from './runs/service.js';
import type { WebhookService } from './webhooks/service.js';
import type { WorkPoolService } from './work-pools/service.js';

export interface AppDeps {
  config: Config;
  /** Fail-fast connection for request handling. */
  redis: RedisClient;
  workPools: WorkPoolService;
  runs: RunService;
  webhooks: WebhookService;
  /** Read for the queue-depth gauge, and shown to operators at /admin/queues (one queue per shard). */
  queue?: RunsQueue;
}

/** Builds the HTTP app without listening: main.ts listens, tests inject. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger: loggerOptions(config.logLevel),
    // A request's pino child only when it logs (most requests log nothing at warn).
    childLoggerFactory: lazyRequestLogger as never,
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: false,
    genReqId: requestIdOf,
    connectionTimeout: 30_000,
    requestTimeout: 60_000,
    keepAliveTimeout: 5_000,
    forceCloseConnections: true,
    ajv: { customOptions: { removeAdditional: false } },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Give a fresh Redis connection a moment, so the first requests do not fail fast for nothing.
  app.addHook('onReady', () => waitForReady(deps.redis, 2000));
  registerRequestId(app);
  registerErrorHandling(app);
  registerJsonBody(app);
  registerAuth(app, config.apiKeys, config.authDisabled);
  await registerRateLimit(app, deps.redis, config);
  await registerOpenApi(app);
  await app.register(healthRoutes, { redis: deps.redis });
  await app.register(workPoolRoutes, { workPools: deps.workPools });
  await app.register(runRoutes, { runs: deps.runs, heartbeatMs: config.logHeartbeatMs });
  await app.register(webhookRoutes, { webhooks: deps.webhooks });
  registerMetrics(app, { public: config.metricsPublic });
  const withdraw = readFrom({
    counts: () => deps.runs.counts(),
    jobCounts: async () => (deps.queue ? jobCounts(deps.queue) : {}),
    redisUp: () => redisAnswers(deps.redis, 500),
    webhookPending: () => deps.webhooks.pending(),
  });
  app.addHook('onClose', async () => withdraw());
  await app.register(uiPages);
  if (deps.queue) await app.register(queuesBoard, { queues: deps.queue.shards });
  return app;
}
