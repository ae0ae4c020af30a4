// Service roles started while nothing answers at REDIS_URL (issue 12, item 6): they say so once (then at most
// once a minute), answer /readyz with 503, and stop on the first SIGTERM.
import { afterEach, describe, expect, it } from 'vitest';
import { startPrivateRedis } from '../../src/demo-redis.js';
import { ADMIN_KEY } from '../helpers/config.js';
import { freePort, spawnMain, type Spawned } from '../helpers/process.js';
import { waitFor } from '../helpers/service.js';

const REPORTED = /"level":50.*Redis is not answering at redis:\/\/127\.0\.0\.1:\d+; waiting for it/;
const REPORTED_AGAIN = /"level":50.*Redis is still not answering/;
const SUPPRESSED = /"level":20.*Redis did not answer again/;
/** The bound on shutdown the issue asks for; a bound, not a measure of speed. */
const SIGTERM_BOUND_MS = 10_000;

let spawned: Spawned | undefined;
afterEach(() => spawned?.kill());

async function status(url: string): Promise<number | undefined> {
  try {
    return (await fetch(url)).status;
  } catch {
    return undefined; // not listening yet
  }
}

describe.each(['api', 'all', 'worker'] as const)('the %s role with Redis down', (role) => {
  it('says so once, is not ready, and exits on the first SIGTERM', async () => {
    const closed = await freePort(); // nothing listens there
    const port = await freePort();
    spawned = spawnMain([role], {
      PATH: process.env.PATH ?? '',
      REDIS_URL: `redis://127.0.0.1:${closed}`,
      API_KEYS: ADMIN_KEY,
      HOST: '127.0.0.1',
      // The worker has no API: its readiness is on its metrics port.
      ...(role === 'worker' ? { METRICS_PORT: String(port), PORT: '0' } : { PORT: String(port) }),
      LOG_LEVEL: 'debug',
    });
    await spawned.line(REPORTED);
    expect(await waitFor(() => status(`http://127.0.0.1:${port}/readyz`), (s) => s === 503)).toBe(503);
    expect(await status(`http://127.0.0.1:${port}/healthz`)).toBe(200);
    if (role !== 'worker') {
      const runs = await fetch(`http://127.0.0.1:${port}/runs`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(runs.status).toBe(503);
      expect((await runs.json()).error.code).toBe('STORE_UNAVAILABLE');
    }
    // The window: three more failed attempts after the first report, each only logged at debug level.
    await waitFor(async () => spawned!.count(SUPPRESSED), (n) => n >= 3, 30_000);
    expect(spawned.count(REPORTED)).toBe(1);
    expect(spawned.count(REPORTED_AGAIN)).toBe(0);

    spawned.child.kill('SIGTERM');
    expect(await spawned.exited(SIGTERM_BOUND_MS)).toBe(0);
    expect(spawned.count(/"msg":"shutting down"/)).toBe(1);
  });
});

describe('Redis going away after start', () => {
  it('is said once (not on every reconnection attempt), makes the API not ready, and the first SIGTERM still exits', async () => {
    // A Redis of the test's own, so that it can be stopped.
    const redis = await startPrivateRedis('the test');
    try {
      const port = await freePort();
      spawned = spawnMain(['all'], { PATH: process.env.PATH ?? '', REDIS_URL: redis.url, API_KEYS: ADMIN_KEY, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'debug' });
      await spawned.line(/aci-flow-runner started/);
      expect(await status(`http://127.0.0.1:${port}/readyz`)).toBe(200);
      await redis.stop();
      await spawned.line(REPORTED);
      expect(await waitFor(() => status(`http://127.0.0.1:${port}/readyz`), (s) => s === 503)).toBe(503);
      // The worker's reconnection attempts after the report: at debug level only.
      await waitFor(async () => spawned!.count(SUPPRESSED), (n) => n >= 3, 30_000);
      expect(spawned.count(REPORTED)).toBe(1);
      expect(spawned.count(REPORTED_AGAIN)).toBe(0);
      expect(spawned.count(/"level":50.*worker error/)).toBe(0);

      spawned.child.kill('SIGTERM');
      expect(await spawned.exited(SIGTERM_BOUND_MS)).toBe(0);
    } finally {
      await redis.stop();
    }
  });
});
