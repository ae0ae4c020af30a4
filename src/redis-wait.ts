// Start-up before Redis answers: the process waits for it instead of failing, says so (without flooding
// the log), answers /healthz and /readyz (503) on its port meanwhile, and stops at once on a signal.
import { createServer, type Server } from 'node:http';
import type { RedisClient } from './redis.js';
import { redisAnswers } from './redis.js';
import type { RedisOutageReport } from './redis-outage.js';
import { AppError } from './errors.js';

/** Thrown by start-up when it was asked to stop while still waiting for Redis. */
export class StartupStopped extends Error {
  constructor() {
    super('stopped before Redis answered');
    this.name = 'StartupStopped';
  }
}

const RETRY_MS = 1000;

/** What the port answers while the service waits for Redis: alive, not ready, every other route 503. */
async function listenWhileWaiting(port: number, host: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const send = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    if (path === '/healthz') return send(200, { status: 'ok' });
    if (path === '/readyz') return send(503, { status: 'unavailable', redis: 'down' });
    send(503, new AppError('STORE_UNAVAILABLE', 503, 'The service is starting: the run store (Redis) is not answering yet; try again shortly.').toJSON());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** Resolves false when the signal fires (at once if it has). */
const aborted = (signal: AbortSignal) =>
  new Promise<false>((resolve) => (signal.aborted ? resolve(false) : signal.addEventListener('abort', () => resolve(false), { once: true })));

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Resolves when Redis answers PING. Until then reports the outage (once, then at most once a minute) and,
 * given a port, serves /healthz (200) and /readyz (503) on it. Throws StartupStopped when the signal fires.
 */
export async function untilRedisAnswers(
  redis: RedisClient,
  options: { report: RedisOutageReport; signal: AbortSignal; listen?: { port: number; host: string } },
): Promise<void> {
  let server: Server | undefined;
  const stopped = aborted(options.signal);
  try {
    while (!options.signal.aborted) {
      if (await Promise.race([redisAnswers(redis, 2000), stopped])) {
        options.report.answered();
        return;
      }
      options.report.noAnswer();
      if (options.listen && !server && !options.signal.aborted) server = await listenWhileWaiting(options.listen.port, options.listen.host);
      await pause(RETRY_MS, options.signal);
    }
    throw new StartupStopped();
  } finally {
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server!.close(resolve));
    }
  }
}
