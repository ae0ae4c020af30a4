// `node dist/main.js demo` on a machine where nothing answers at REDIS_URL (issue 12, item 6): it runs its own
// private redis-server and serves a run; without redis-server on PATH it says how to get one and exits 1.
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { DEMO_KEY } from '../../src/demo.js';
import { freePort, spawnMain, type Spawned } from '../helpers/process.js';
import { deletePrefixKeys } from '../helpers/redis-keys.js';
import { waitFor } from '../helpers/service.js';

const SIGTERM_BOUND_MS = 10_000;
let spawned: Spawned | undefined;
afterEach(() => spawned?.kill());
const BANNER_PREFIX = `demo-banner-${process.pid}`;
afterAll(async () => {
  const redis = new Redis(inject('redisUrl'));
  await deletePrefixKeys(redis, BANNER_PREFIX);
  await redis.quit();
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the demo', () => {
  it('starts its own redis-server when nothing answers at REDIS_URL, serves a run, and stops it on exit', async () => {
    const closed = await freePort();
    const port = await freePort();
    spawned = spawnMain(['demo'], { PATH: process.env.PATH ?? '', REDIS_URL: `redis://127.0.0.1:${closed}`, PORT: String(port), EMULATOR_PORT: '0' });
    const banner = await spawned.line(/the demo runs its own redis-server/, 30_000);
    const [, ownUrl, pid] = banner.match(/own redis-server at (redis:\/\/127\.0\.0\.1:\d+) \(pid (\d+)/)!;
    expect(ownUrl).not.toBe(`redis://127.0.0.1:${closed}`);
    expect(alive(Number(pid))).toBe(true);
    expect(await spawned.line(/emulated time runs 10× faster/)).toBeTruthy();
    expect(spawned.stdout()).not.toContain('x0.1');

    const base = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Bearer ${DEMO_KEY}`, 'content-type': 'application/json' };
    const submitted = await fetch(`${base}/runs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        flow_run: { name: 'demo-test' },
        flow: { name: 'hello-flow' },
        job_variables: {
          resource_group_name: 'demo-rg',
          subscription_id: '00000000-0000-0000-0000-000000000000',
          command: 'sh -c "echo hello from the demo test; sleep 5; exit 0"',
          entrypoint: null,
          stream_output: true,
          task_watch_poll_interval: 0.2,
        },
      }),
    });
    expect(submitted.status).toBe(202);
    const { id } = await submitted.json();
    const run = await waitFor(
      async () => (await fetch(`${base}/runs/${id}`, { headers })).json(),
      (r) => ['COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED'].includes(r.state),
      60_000,
    );
    expect(run.state).toBe('COMPLETED');
    const logs = await (await fetch(`${base}/runs/${id}/logs`, { headers })).json();
    expect(logs.lines.map((l: { line: string }) => l.line)).toContain('hello from the demo test');

    spawned.child.kill('SIGTERM');
    expect(await spawned.exited(SIGTERM_BOUND_MS)).toBe(0);
    expect(alive(Number(pid))).toBe(false);
  });

  it('without redis-server on PATH says in one line how to get it and exits 1', async () => {
    const closed = await freePort();
    // A PATH without redis-server (node itself is started by its full path).
    spawned = spawnMain(['demo'], { PATH: '/nonexistent', REDIS_URL: `redis://127.0.0.1:${closed}`, PORT: '0', EMULATOR_PORT: '0' });
    expect(await spawned.exited(SIGTERM_BOUND_MS)).toBe(1);
    const lines = spawned.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Nothing answers at redis:\/\/127\.0\.0\.1:\d+ and redis-server is not on PATH: install it \(Debian\/Ubuntu: apt-get install redis-server/);
    expect(spawned.stdout()).not.toContain('curl');
  });

  it('prints the address it really listens on and never a key it does not accept', async () => {
    spawned = spawnMain(['demo'], { PATH: process.env.PATH ?? '', PORT: '0', EMULATOR_PORT: '0', API_KEYS: 'a-key-of-the-operator', REDIS_URL: inject('redisUrl'), QUEUE_PREFIX: BANNER_PREFIX });
    const line = await spawned.line(/aci-flow-runner demo on http:\/\/127\.0\.0\.1:\d+/, 30_000);
    const port = Number(line.match(/127\.0\.0\.1:(\d+)/)![1]);
    expect(port).toBeGreaterThan(0);
    const submit = await spawned.line(/curl -s -X POST/);
    expect(submit).toContain(`http://127.0.0.1:${port}/runs`);
    expect(submit).toContain('Bearer <a key of API_KEYS>');
    expect(spawned.stdout()).not.toContain(DEMO_KEY);
    expect(spawned.stdout()).not.toContain('a-key-of-the-operator');
    // The printed address answers.
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    spawned.child.kill('SIGTERM');
    expect(await spawned.exited(SIGTERM_BOUND_MS)).toBe(0);
  });
});
