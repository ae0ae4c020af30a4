import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/emulator.js';
import { ADMIN_KEY } from '../helpers/config.js';
import { auth, getRun, settled, startService, submission, waitFor, type Harness } from '../helpers/service.js';

describe('Azure faults delay runs but do not fail them', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startService();
  });
  afterAll(async () => h.close());

  it.each([
    ['a 429 storm with Retry-After', { kind: 'throttle', share: 0.5, retryAfterSeconds: 0 }],
    ['a 429 storm without Retry-After', { kind: 'throttle', share: 0.5, retryAfterSeconds: null }],
    ['5xx errors', { kind: 'server-error', share: 0.4, status: 503 }],
    ['connection resets', { kind: 'reset', share: 0.3 }],
  ])('%s', async (_name, fault) => {
    await call(h.emulator, 'DELETE', '/_emulator/faults');
    await call(h.emulator, 'POST', '/_emulator/counters/reset');
    await call(h.emulator, 'POST', '/_emulator/faults', fault);
    const body = submission({ command: 'sh -c "echo hello; sleep 30; echo bye; exit 0"', stream_output: true });
    await h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
    // Backoff without Retry-After doubles up to 60 s: seven unlucky draws in a row (share 0.5, two
    // reads a step) legitimately take over a minute, so the bound leaves room for that.
    const run = await settled(h, body.flow_run.id, 150_000);
    await call(h.emulator, 'DELETE', '/_emulator/faults');
    expect(run.state).toBe('COMPLETED');
    expect(run.result.status_code).toBe(0);
    // A reset read is sent again at once (reset-retry.ts), so with resets the run may never have seen one.
    if (fault.kind !== 'reset') expect(run.azure.last_transient_error).toBeTruthy();
    const counters = (await call(h.emulator, 'GET', '/_emulator/counters')).body;
    expect(counters.injected[fault.kind]).toBeGreaterThan(0);
    expect(counters.operations.Deployments_CreateOrUpdate).toBeLessThanOrEqual(counters.injected[fault.kind] + 1);
    const logs = (await h.app.inject({ url: `/runs/${body.flow_run.id}/logs`, headers: auth })).json();
    expect(logs.lines.map((l: { line: string }) => l.line)).toEqual(['hello', 'bye']);
  }, 180_000);
});

describe('a worker killed mid-run', () => {
  let h: Harness;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    h = await startService({ worker: false, env: { WORKER_LOCK_MS: '1000', WORKER_STALLED_INTERVAL_MS: '500' } });
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await h.close();
  });

  function worker(): ChildProcess {
    const child = spawn(process.execPath, ['dist/main.js', 'worker'], {
      env: {
        ...process.env,
        REDIS_URL: h.config.redisUrl,
        QUEUE_PREFIX: h.config.queuePrefix,
        API_KEYS: ADMIN_KEY,
        LOG_LEVEL: 'warn',
        AZURE_ARM_ENDPOINT: h.emulator.url,
        AZURE_AUTHORITY_HOST: h.emulator.url,
        AZURE_CA_CERT_FILE: h.emulator.caPath,
        AZURE_TENANT_ID: 'test-tenant',
        AZURE_CLIENT_ID: 'flow-runner',
        AZURE_CLIENT_SECRET: 'emulator-secret',
        MIN_POLL_INTERVAL_SECONDS: '0.02',
        WORKER_LOCK_MS: '1000',
        WORKER_STALLED_INTERVAL_MS: '500',
      },
      stdio: 'ignore',
    });
    children.push(child);
    return child;
  }

  it('is replaced by another that finishes the run with exactly one container group', async () => {
    await call(h.emulator, 'POST', '/_emulator/counters/reset');
    const first = worker();
    const body = submission({ command: 'sh -c "echo before; sleep 300; echo after; exit 0"' });
    await h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
    await waitFor(() => getRun(h, body.flow_run.id), (r) => r.state === 'RUNNING');
    first.kill('SIGKILL');
    await once(first, 'exit');
    worker();
    const run = await settled(h, body.flow_run.id, 60_000);
    expect(run.state).toBe('COMPLETED');
    expect(run.result.status_code).toBe(0);
    const counters = (await call(h.emulator, 'GET', '/_emulator/counters')).body;
    expect(counters.operations.Deployments_CreateOrUpdate).toBe(1);
    const state = (await call(h.emulator, 'GET', '/_emulator/state')).body;
    expect(state.containerGroups).toEqual([]);
    const logs = (await h.app.inject({ url: `/runs/${body.flow_run.id}/logs`, headers: auth })).json();
    expect(logs.lines.map((l: { line: string }) => l.line)).toEqual(['before', 'after']);
  }, 90_000);
});

describe('workers SIGKILLed again and again under a pool limit', () => {
  let h: Harness;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    h = await startService({ worker: false, env: { WORKER_LOCK_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000', RECONCILE_INTERVAL_MS: '2000' } });
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await h.close();
  });

  const worker = () => {
    const child = spawn(process.execPath, ['dist/main.js', 'worker'], {
      env: {
        ...process.env,
        REDIS_URL: h.config.redisUrl,
        QUEUE_PREFIX: h.config.queuePrefix,
        API_KEYS: ADMIN_KEY,
        LOG_LEVEL: process.env.CHILD_LOG_LEVEL ?? 'silent',
        AZURE_ARM_ENDPOINT: h.emulator.url,
        AZURE_AUTHORITY_HOST: h.emulator.url,
        AZURE_CA_CERT_FILE: h.emulator.caPath,
        AZURE_TENANT_ID: 'test-tenant',
        AZURE_CLIENT_ID: 'flow-runner',
        AZURE_CLIENT_SECRET: 'emulator-secret',
        MIN_POLL_INTERVAL_SECONDS: '0.02',
        ARM_READS_PER_SECOND: '1000',
        // 100 runs at once: just what the emulator's ACI allows in 5 minutes; the pacer's margin below it is not under test here.
        ACI_CREATES_PER_5_MINUTES: '100000',
        ACI_CREATES_PER_HOUR: '100000',
        ACI_DELETES_PER_5_MINUTES: '100000',
        ACI_DELETES_PER_HOUR: '100000',
        WORKER_LOCK_MS: '2000',
        WORKER_STALLED_INTERVAL_MS: '1000',
        RECONCILE_INTERVAL_MS: '2000',
      },
      stdio: process.env.CHILD_LOG_LEVEL ? ['ignore', 'inherit', 'inherit'] : 'ignore',
    });
    children.push(child);
    return child;
  };

  it('leaks no pool slot over 100 runs', async () => {
    const pool = (await h.app.inject({ url: '/work-pools/default', headers: auth })).json();
    await h.app.inject({ method: 'PUT', url: '/work-pools/limited', headers: auth, payload: { base_job_template: pool.base_job_template, concurrency_limit: 20 } });
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const body = { ...submission({ command: 'sh -c "echo x; sleep 10; exit 0"' }), work_pool: 'limited' };
      expect((await h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body })).statusCode).toBe(202);
      ids.push(body.flow_run.id);
    }
    let live = [worker(), worker()];
    const unsettled = async () => {
      const runs = await h.services.store.getMany(ids);
      return runs.filter((r) => !r || !['COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED'].includes(r.state) || r.cleanup?.state === 'pending').length;
    };
    let kills = 0;
    const deadline = Date.now() + 240_000;
    // Kill a worker whenever a few more runs have moved, so that kills land in every step.
    while ((await unsettled()) > 0) {
      expect(Date.now()).toBeLessThan(deadline);
      const before = await unsettled();
      await waitFor(unsettled, (n) => n === 0 || n <= before - 20, 90_000);
      if ((await unsettled()) === 0) break;
      const victim = live[kills % live.length];
      victim.kill('SIGKILL');
      await once(victim, 'exit');
      kills++;
      live = [...live.filter((c) => c !== victim), worker()];
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    const runs = await h.services.store.getMany(ids);
    expect(runs.map((r) => r!.state).filter((s) => s !== 'COMPLETED')).toEqual([]);
    const redis = (h.services.store as unknown as { redis: import('ioredis').Redis }).redis;
    expect(await redis.scard(h.services.store.keys.poolSlots('limited').key)).toBe(0);
    expect(await h.services.store.unfinishedCount()).toBe(0);
  }, 300_000);
});
