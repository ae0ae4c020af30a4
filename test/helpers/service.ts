// The whole service in-process: API + worker on real Redis, Azure = the emulator over HTTPS.
import pino from 'pino';
import type { Config } from '../../src/config.js';
import type { EmulatorOptions, RunningEmulator } from '../../src/emulator/server.js';
import { closeConnection, workerConnection } from '../../src/redis.js';
import { startWorker } from '../../src/runtime.js';
import { startTestApp } from './app.js';
import { deletePrefixKeys } from './redis-keys.js';
import { ADMIN_KEY, testConfig } from './config.js';
import { SUBSCRIPTION, withEmulator } from './emulator.js';

export const RESOURCE_GROUP = 'flows-rg';

/** Removes every key a test made under its own queue prefix. */
export async function dropKeys(redis: import('ioredis').Redis | import('ioredis').Cluster, prefix: string): Promise<void> {
  await deletePrefixKeys(redis, prefix);
}

export interface Harness {
  emulator: RunningEmulator;
  config: Config;
  app: Awaited<ReturnType<typeof startTestApp>>['app'];
  services: Awaited<ReturnType<typeof startTestApp>>['services'];
  worker?: ReturnType<typeof startWorker>;
  close(): Promise<void>;
}

export function serviceConfig(emulator: RunningEmulator, env: Record<string, string> = {}): Config {
  const base = testConfig({ MIN_POLL_INTERVAL_SECONDS: '0.02', ARM_READS_PER_SECOND: '1000', ARM_WRITES_PER_SECOND: '1000', ARM_DELETES_PER_SECOND: '1000', ACI_CREATES_PER_5_MINUTES: '100000', ACI_CREATES_PER_HOUR: '100000', ACI_DELETES_PER_5_MINUTES: '100000', ACI_DELETES_PER_HOUR: '100000', SWEEP_MIN_AGE_MS: '0', ...env });
  return {
    ...base,
    azure: { armEndpoint: emulator.url, authorityHost: emulator.url, caCert: emulator.caCert },
    defaultServicePrincipal: { tenant_id: 'test-tenant', client_id: 'flow-runner', client_secret: 'emulator-secret' },
  };
}

export async function startService(
  options: { emulator?: EmulatorOptions; env?: Record<string, string>; worker?: boolean; /** No default service principal: DefaultAzureCredential. */ noPrincipal?: boolean } = {},
): Promise<Harness> {
  const emulator = await withEmulator(options.emulator);
  const settings = serviceConfig(emulator, options.env);
  // As on Azure, only a known principal with its secret gets tokens.
  const sp = settings.defaultServicePrincipal!;
  emulator.entra.register({ tenantId: sp.tenant_id, clientId: sp.client_id, clientSecret: sp.client_secret });
  if (options.noPrincipal) settings.defaultServicePrincipal = undefined;
  const api = await startTestApp(settings);
  const config = api.config;
  const connection = workerConnection(config.redisUrl, config.redisClusterNodes);
  const worker = options.worker === false ? undefined : startWorker(config, api.services, connection, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  return {
    emulator,
    config,
    app: api.app,
    services: api.services,
    worker,
    async close() {
      await worker?.close();
      await api.close();
      await dropKeys(connection, config.queuePrefix);
      await closeConnection(connection);
      await emulator.close();
    },
  };
}

export const auth = { authorization: `Bearer ${ADMIN_KEY}` };

/** Runs `check` with a worker started now on the harness's services (for a harness started with `worker: false`). */
export async function withWorker<T>(h: Harness, check: (worker: ReturnType<typeof startWorker>) => Promise<T>): Promise<T> {
  const connection = workerConnection(h.config.redisUrl, h.config.redisClusterNodes);
  const worker = startWorker(h.config, h.services, connection, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  try {
    return await check(worker);
  } finally {
    await worker.close();
    await closeConnection(connection);
  }
}

/** A POST /runs body for the default pool, pointed at the emulator; fast polling. */
export function submission(jobVariables: Record<string, unknown> = {}, flowName = 'nightly-etl', id: string = crypto.randomUUID()) {
  return {
    flow_run: { id, name: 'gentle-fox' },
    flow: { name: flowName },
    job_variables: {
      resource_group_name: RESOURCE_GROUP,
      subscription_id: SUBSCRIPTION,
      image: 'python:3.12-slim',
      entrypoint: null,
      task_watch_poll_interval: 0.05,
      ...jobVariables,
    },
  };
}

/** Polls until the predicate holds; fails with the last value after the timeout. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await read();
  }
  return value;
}

export async function getRun(h: Harness, id: string) {
  return (await h.app.inject({ url: `/runs/${id}`, headers: auth })).json();
}

export const TERMINAL = ['COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED'];

/** Waits until the run is final and its cleanup is over. */
export function settled(h: Harness, id: string, timeoutMs?: number) {
  return waitFor(() => getRun(h, id), (r) => TERMINAL.includes(r.state) && r.cleanup?.state !== 'pending', timeoutMs);
}
