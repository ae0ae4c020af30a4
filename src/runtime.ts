// Wires the process: connections, queue, HTTP app and workers, and closes them in order.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import { AzureClientCache } from './azure/clients.js';
import type { Config, Role } from './config.js';
import { PoolAdmission } from './execution/admission.js';
import { ArmBudget, budgetsFrom } from './execution/pacing.js';
import { enqueueRun, wakeRun } from './execution/queue.js';
import { sweepOrphans } from './execution/sweeper.js';
import { startRunWorker } from './execution/worker.js';
import { DeploymentRenderer } from './execution/deployment-body.js';
import { startIntake } from './execution/intake.js';
import { WatchSchedule } from './execution/watch-schedule.js';
import { startMetricsListener } from './metrics/listener.js';
import { jobCounts } from './metrics/queue-depth.js';
import { readFrom } from './metrics/registry.js';
import { closeConnection, producerConnection, redisAnswers, waitForReady, workerConnection, type RedisClient } from './redis.js';
import { RedisOutageReport } from './redis-outage.js';
import { untilRedisAnswers } from './redis-wait.js';
import { upgradeLayout } from './runs/upgrade.js';
import { withInstanceIdentity } from './instance-identity.js';
import { createServices, runStore, webhookStore, workPoolService, type Services } from './services.js';
import { RunChanges } from './runs/changes.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';

/** How long each closing stage may wait when Redis does not answer. */
const CLOSE_WITHOUT_REDIS_MS = 2000;

/** Settles when the promise does, or after `ms` (the promise is left to itself). */
function within(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise.catch(() => undefined), bound]).finally(() => clearTimeout(timer));
}

export interface Runtime {
  app?: FastifyInstance;
  services: Services;
  worker?: ReturnType<typeof startWorker>;
  close(): Promise<void>;
  /** True once close() gave up waiting for a Redis that did not answer: clients may still be retrying. */
  readonly abandonedRedis: boolean;
}

export function startWorker(config: Config, services: Services, connection: RedisClient, log: Logger, outage = new RedisOutageReport(log, config.redisUrl)) {
  // The worker's own store waits for Redis instead of failing fast: a Redis blip delays runs, never fails them.
  const store = runStore(config, connection);
  const ctx = {
    store,
    clients: new AzureClientCache(config.azure, config.defaultServicePrincipal),
    pacer: new ArmBudget(connection, config.queuePrefix, budgetsFrom(config)),
    log,
    minPollIntervalSeconds: config.minPollIntervalSeconds,
    azureCallTimeoutMs: config.azureCallTimeoutMs,
    credentialFailureGraceSeconds: config.credentialFailureGraceSeconds,
    admission: new PoolAdmission(connection, store.keys),
    deployments: new DeploymentRenderer(workPoolService(config, connection, store), config),
    wake: (runId: string) => wakeRun(services.queue, runId, { retryWhileActive: true }),
    watching: new WatchSchedule(connection, config.queuePrefix, store.keys, budgetsFrom(config)),
  };
  const sweep = () =>
    sweepOrphans({
      ...ctx,
      serviceInstance: config.serviceInstance,
      redis: connection,
      prefix: config.queuePrefix,
      minAgeMs: config.sweepMinAgeMs,
      follow: (runId) => enqueueRun(services.queue, runId),
    });
  const dispatcher = new WebhookDispatcher(
    new RunChanges(connection, store.keys),
    store,
    webhookStore(config, connection, store),
    { ...config.webhooks, concurrency: 16 },
    log.child({ component: 'webhooks' }),
  );
  connection.on('ready', () => outage.answered());
  const runWorker = startRunWorker(ctx, services.queue, {
    sweep,
    sweepIntervalMs: config.sweepIntervalMs,
    connection,
    prefixes: store.keys.allShards().map((shard) => store.keys.queuePrefix(shard)),
    concurrency: config.workerConcurrency,
    lockDurationMs: config.workerLockMs,
    stalledIntervalMs: config.workerStalledIntervalMs,
    reconcileIntervalMs: config.reconcileIntervalMs,
    shutdownMs: config.workerShutdownMs,
    housekeepingLeaseMs: config.housekeepingLeaseMs,
    keyPrefix: config.queuePrefix,
    outage,
    azureCallTimeoutMs: config.azureCallTimeoutMs,
  });
  dispatcher.start();
  // New runs' ids become BullMQ jobs here (the API's create only stores the run).
  const intake = startIntake(store, services.queue, () => workerConnection(config.redisUrl, config.redisClusterNodes), log);
  return {
    ...runWorker,
    async close() {
      await intake.close();
      await dispatcher.close();
      await runWorker.close();
    },
  };
}

/**
 * Starts the role. Until Redis answers it waits (saying so once, then at most once a minute), with
 * /healthz and /readyz (503) served on the API port; `signal` stops that wait (StartupStopped).
 */
export async function startRuntime(settings: Config, role: Role, log: Logger, signal: AbortSignal = new AbortController().signal): Promise<Runtime> {
  const producer = producerConnection(settings.redisUrl, settings.redisClusterNodes);
  const outage = new RedisOutageReport(log, settings.redisUrl);
  try {
    const listen = role === 'worker' ? (settings.metricsPort > 0 ? settings.metricsPort : undefined) : settings.port;
    await untilRedisAnswers(producer, { report: outage, signal, listen: listen === undefined ? undefined : { port: listen, host: settings.host } });
  } catch (err) {
    await closeConnection(producer);
    throw err;
  }
  producer.on('ready', () => outage.answered());
  const config = await withInstanceIdentity(settings, producer);
  const services = createServices(config, producer);
  const workerRedis = role === 'api' ? undefined : workerConnection(config.redisUrl, config.redisClusterNodes);
  // Data written by version 1 is carried over before anything reads or writes runs.
  const upgrader = workerRedis ?? producer;
  await waitForReady(upgrader, 10_000);
  await upgradeLayout(upgrader, workerRedis ? runStore(config, workerRedis) : services.store, services.queue, log);
  const worker = workerRedis ? startWorker(config, services, workerRedis, log.child({ component: 'worker' }), outage) : undefined;
  const withdrawReadings = readFrom({
    counts: () => services.runs.counts(),
    // Runs on the intake have no job yet: counted as the state "intake".
    jobCounts: async () => ({ ...(await jobCounts(services.queue)), intake: await services.store.intakeLength() }),
    redisUp: () => redisAnswers(producer, 500),
    webhookPending: () => services.webhooks.pending(),
  });
  // Without an API, a worker-only process serves its metrics (and a liveness answer) on its own port.
  const metricsServer =
    role === 'worker' && config.metricsPort > 0 && worker
      ? await startMetricsListener(config.metricsPort, config.host, () => worker.workers.every((w) => w.isRunning()))
      : undefined;

  let app: FastifyInstance | undefined;
  if (role !== 'worker') {
    app = await buildApp({ config, redis: producer, ...services });
    await app.listen({ port: config.port, host: config.host });
  }

  let closed = false;
  let abandonedRedis = false;
  return {
    app,
    services,
    worker,
    get abandonedRedis() {
      return abandonedRedis;
    },
    async close() {
      if (closed) return;
      closed = true;
      // With Redis away, closing the worker and the queue would wait for it for ever (their last commands
      // queue up): they get a short bound instead, and nothing is lost (every step is repeated safely).
      const redisUp = await redisAnswers(producer, 500);
      const stage = (closing: Promise<unknown>) => (redisUp ? closing : within(closing, CLOSE_WITHOUT_REDIS_MS));
      if (!redisUp) {
        abandonedRedis = true;
        log.warn('Redis does not answer: closing without waiting for it');
      }
      // Order: stop taking requests, stop taking jobs, then drop the connections they used.
      if (app) await app.close();
      if (metricsServer) await new Promise((resolve) => metricsServer.close(resolve));
      if (worker) await stage(worker.close());
      await stage(services.queue.close());
      withdrawReadings();
      if (workerRedis) await closeConnection(workerRedis);
      await closeConnection(producer);
    },
  };
}
