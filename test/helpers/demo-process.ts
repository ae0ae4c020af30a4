// `node dist/main.js demo` as a child process, on a port, queue prefix and API key of the test's choosing.
// Where it listens and which key works come from the environment given here, never from its banner.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort as freePort } from '../../src/free-port.js';
import { cleanPrefix } from './redis-keys.js';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export interface DemoProcess {
  url: string;
  key: string;
  prefix: string;
  output(): string;
  /** SIGTERM, wait for the exit (SIGKILL after `graceMs`), then delete the prefix's Redis keys. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Starts the demo and resolves once its /readyz answers 200 (fails with its output if it exits or never gets ready). */
export async function startDemoProcess(options: { redisUrl: string; env?: Record<string, string>; readyWithinMs?: number }): Promise<DemoProcess> {
  const port = await freePort();
  const prefix = `t-demo-${randomUUID().slice(0, 8)}`;
  const key = `demo-test-key-${randomUUID().slice(0, 8)}`;
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [MAIN, 'demo'], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), QUEUE_PREFIX: prefix, API_KEYS: key, REDIS_URL: options.redisUrl, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const stop = async (graceMs = 15_000) => {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited(child);
    clearTimeout(timer);
    await cleanPrefix(options.redisUrl, prefix);
    return code;
  };

  const deadline = Date.now() + (options.readyWithinMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await cleanPrefix(options.redisUrl, prefix);
      throw new Error(`the demo exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`);
    }
    const status = await fetch(`${url}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) break;
    if (Date.now() > deadline) {
      await stop(2000);
      throw new Error(`the demo was not ready on ${url} within ${options.readyWithinMs ?? 30_000} ms (last /readyz: ${status}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, key, prefix, output: () => output, stop };
}
