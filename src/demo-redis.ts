// The demo's own Redis, for a machine where nothing answers at REDIS_URL: `redis-server` from PATH on a
// free loopback port, with a temporary directory and no persistence, stopped (and its directory removed)
// with the demo.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from './free-port.js';

export const REDIS_INSTALL_HINT =
  'install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL to a Redis that runs';

/** redis-server is not on PATH: the demo says so in one line and exits 1. */
export class RedisServerMissing extends Error {
  constructor(url: string) {
    super(`Nothing answers at ${url} and redis-server is not on PATH: ${REDIS_INSTALL_HINT}.`);
    this.name = 'RedisServerMissing';
  }
}

export interface PrivateRedis {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;


/** Resolves once the server says it accepts connections; rejects when it cannot start. */
function whenReady(child: ChildProcess, missing: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`redis-server did not start within ${READY_TIMEOUT_MS / 1000} s: ${output.slice(-500)}`)), READY_TIMEOUT_MS);
    const settle = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('error', onError);
      child.off('exit', onExit);
    };
    const fail = (err: Error) => {
      settle();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        settle();
        resolve();
      }
    };
    const onError = (err: NodeJS.ErrnoException) => fail(err.code === 'ENOENT' ? missing() : err);
    const onExit = (code: number | null) => fail(new Error(`redis-server exited (code ${code}) before it was ready: ${output.slice(-500)}`));
    child.stdout?.on('data', onData);
    child.once('error', onError);
    child.once('exit', onExit);
  });
}

/** Starts a private redis-server; throws RedisServerMissing when there is none on PATH. */
export async function startPrivateRedis(missingFor: string): Promise<PrivateRedis> {
  const port = await freeLoopbackPort();
  const dir = await mkdtemp(join(tmpdir(), 'aci-demo-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--loglevel', 'notice'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.resume();
  // Whatever way the demo ends, its Redis does not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    await whenReady(child, () => new RedisServerMissing(missingFor));
  } catch (err) {
    process.off('exit', killOnExit);
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  child.stdout?.resume();
  let stopping: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          const forced = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(forced);
        }
        process.off('exit', killOnExit);
        await rm(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
