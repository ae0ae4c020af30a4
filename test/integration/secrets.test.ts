// Every kind of secret, with a distinctive value, through the whole service run as its own process
// (API + worker, LOG_LEVEL=debug, SECRETS_KEY set) against the emulator: never in an API response, a log
// line, a Redis key or value, or the ARM deployment record the emulator keeps.
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server.js';
import { defaultBaseJobTemplate } from '../../src/templating/base-job-template.js';
import { dropKeys, dumpPrefix } from '../helpers/redis-keys.js';
import { call as armCall, SUBSCRIPTION, withEmulator } from '../helpers/emulator.js';

const SECRETS = {
  flowRunApiKey: 'S1-flowrun-pnu-7c41e9',
  poolSecretEnv: 'S2-pool-dbpass-5b20aa',
  registryPassword: 'S3-registry-pw-91d3f0',
  servicePrincipal: 'S4-pool-sp-secret-3e8c12',
  defaultServicePrincipal: 'S4b-default-sp-secret-66f0',
  deploymentJobVariable: 'S5-deploy-auth-0d77b3',
  baseEnv: 'S6-base-env-pnu-a19c4e',
};
const ADMIN = 'secrets-admin-key-0001';
const prefix = `secrets-${crypto.randomUUID().slice(0, 8)}`;
const redisUrl = inject('redisUrl');

let emulator: RunningEmulator;
let service: ChildProcess;
let output = '';
let base = '';
const responses: string[] = [];

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  responses.push(`${method} ${path} ${res.status} ${JSON.stringify([...res.headers])} ${text}`);
  return { status: res.status, json: () => JSON.parse(text) };
}

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 25_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met: ${JSON.stringify(value).slice(0, 500)}\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  emulator = await withEmulator();
  service = spawn(process.execPath, ['dist/main.js', 'all'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      API_KEYS: ADMIN,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'debug',
      SECRETS_KEY: 'secrets-test-sealing-key',
      FLOW_RUN_BASE_ENV: JSON.stringify({ PREFECT_API_URL: 'https://prefect.invalid/api', PREFECT_API_KEY: SECRETS.baseEnv }),
      AZURE_ARM_ENDPOINT: emulator.url,
      AZURE_AUTHORITY_HOST: emulator.url,
      AZURE_CA_CERT_FILE: emulator.caPath,
      AZURE_TENANT_ID: 'secrets-tenant',
      AZURE_CLIENT_ID: 'secrets-default-client',
      AZURE_CLIENT_SECRET: SECRETS.defaultServicePrincipal,
      MIN_POLL_INTERVAL_SECONDS: '0.02',
      ARM_READS_PER_SECOND: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  service.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  service.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await until(async () => /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1], Boolean, 15_000).then((url) => (base = url!));
});

afterAll(async () => {
  if (service && service.exitCode === null) {
    const exited = new Promise((resolve) => service.once('exit', resolve));
    service.kill('SIGTERM');
    await exited;
  }
  await emulator?.close();
  await dropKeys(redisUrl, prefix);
});

function secretPool() {
  const template = defaultBaseJobTemplate();
  const properties = template.variables.properties as Record<string, Record<string, unknown>>;
  properties.env.default = { DB_PASSWORD: SECRETS.poolSecretEnv };
  properties.image_registry.default = { registry_url: 'registry.example', username: 'puller', password: SECRETS.registryPassword };
  properties.aci_credentials.default = { client_id: 'pool-client', tenant_id: 'pool-tenant', client_secret: SECRETS.servicePrincipal };
  return { base_job_template: template, secret_env_names: ['DB_PASSWORD'] };
}

const jobVariables = (command: string) => ({
  resource_group_name: 'rg-secrets',
  subscription_id: SUBSCRIPTION,
  image: 'python:3.12-slim',
  entrypoint: null,
  command,
  stream_output: true,
  task_watch_poll_interval: 0.05,
});

/** Every Redis key of the prefix and its value, of every type, as text. */
async function redisDump(): Promise<string> {
  const redis = new Redis(redisUrl);
  try {
    return await dumpPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

it('keeps every kind of secret out of responses, debug logs, Redis and the ARM deployment record', async () => {
  expect((await call('PUT', '/work-pools/secret-pool', secretPool())).status).toBe(201);
  await call('GET', '/work-pools/secret-pool');
  await call('GET', '/work-pools');

  const withPool = {
    flow_run: { id: crypto.randomUUID(), name: 'secret-run' },
    flow: { name: 'secret-flow' },
    work_pool: 'secret-pool',
    deployment: { id: 'dep-1', name: 'nightly', job_variables: { env: { PREFECT_API_AUTH_STRING: SECRETS.deploymentJobVariable } } },
    job_variables: { ...jobVariables('sh -c "echo working; sleep 1500; exit 0"'), env: { PREFECT_API_KEY: SECRETS.flowRunApiKey } },
  };
  const withBase = { flow_run: { id: crypto.randomUUID(), name: 'base-run' }, flow: { name: 'base-flow' }, job_variables: jobVariables('sh -c "echo base; sleep 1500; exit 0"') };

  expect((await call('POST', '/runs/preview', withPool)).status).toBe(200);
  expect((await call('POST', '/runs/preview', withBase)).status).toBe(200);
  expect((await call('POST', '/runs/preview', { ...withPool, job_variables: { ...withPool.job_variables, memory: -1 } })).status).toBe(400);
  expect((await call('POST', '/runs', withPool)).status).toBe(202);
  expect((await call('POST', '/runs', withBase)).status).toBe(202);
  expect((await call('POST', '/runs', withPool)).status).toBe(200);
  expect((await call('POST', '/runs', { ...withPool, flow: { name: 'other' } })).status).toBe(409);

  // While both run (15 s of real time at this time scale), their deployments are on record in the emulator: read
  // those first (in memory), then Redis while the run specs still exist.
  for (const id of [withPool.flow_run.id, withBase.flow_run.id]) {
    await until(() => call('GET', `/runs/${id}`).then((r) => r.json()), (run) => run.state === 'RUNNING');
  }
  const records = JSON.stringify(emulator.world.store.deployments());
  expect(records).toContain('secure_env');
  // And as ARM shows them to whoever reads the deployment.
  const armViews: string[] = [];
  for (const d of emulator.world.store.deployments()) {
    const view = await armCall(emulator, 'GET', `/subscriptions/${d.subscriptionId}/resourcegroups/${d.resourceGroup}/providers/Microsoft.Resources/deployments/${d.name}?api-version=2025-03-01`);
    expect(view.status).toBe(200);
    armViews.push(JSON.stringify(view.body));
  }
  expect(armViews).toHaveLength(2);
  // Run specs live only until cleanup: Redis is read while the runs are on, and again at the end.
  const redisWhileRunning = await redisDump();
  expect(redisWhileRunning).toContain(withBase.flow_run.id);
  const deploymentRecords = `${records}\n${armViews.join('\n')}`;

  for (const id of [withPool.flow_run.id, withBase.flow_run.id]) {
    const run = await until(() => call('GET', `/runs/${id}`).then((r) => r.json()), (r) => r.state === 'COMPLETED' && r.cleanup?.state !== 'pending');
    expect(run.result.status_code).toBe(0);
    await call('GET', `/runs/${id}/logs`);
    await call('DELETE', `/runs/${run.infrastructure_pid}`);
  }
  await call('GET', '/runs?limit=200');
  await call('GET', '/metrics');

  const redis = await redisDump();
  expect(redis).toContain('secret-pool');
  expect(redis).toContain(withPool.flow_run.id); // the run's own keys were read too
  const places = { responses: responses.join('\n'), logs: output, redis: `${redisWhileRunning}\n${redis}`, deploymentRecords };
  expect(output).toContain('"msg":"incoming request"'); // the debug-level process logged every request
  for (const [place, text] of Object.entries(places)) {
    for (const [kind, secret] of Object.entries(SECRETS)) {
      expect(text.includes(secret), `${kind} found in ${place}`).toBe(false);
    }
  }
}, 90_000);
