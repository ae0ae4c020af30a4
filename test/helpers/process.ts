// A service process started from dist/ for tests: its output as lines, waited on by events with a bound.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface Spawned {
  child: ChildProcess;
  /** Every line so far, stdout and stderr together, in order of arrival. */
  lines: string[];
  stdout(): string;
  stderr(): string;
  /** Resolves with the first line (past or future) matching; fails after the bound. */
  line(match: RegExp, timeoutMs?: number): Promise<string>;
  /** Lines matching, so far. */
  count(match: RegExp): number;
  /** Resolves with the exit code once the process ended and its output is read; fails after the bound. */
  exited(timeoutMs: number): Promise<number | null>;
  kill(): void;
}

export { freeLoopbackPort as freePort } from '../../src/free-port.js';

export function spawnMain(args: string[], env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, ['dist/main.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const feed = (chunk: Buffer, into: 'out' | 'err') => {
    const text = chunk.toString();
    if (into === 'out') out += text;
    else err += text;
    lines.push(...text.split('\n').filter((l) => l.length > 0));
    for (const wake of waiters) wake();
  };
  child.stdout!.on('data', (chunk: Buffer) => feed(chunk, 'out'));
  child.stderr!.on('data', (chunk: Buffer) => feed(chunk, 'err'));
  const closed = once(child, 'close').then(([code]) => code as number | null);
  closed.then(() => {
    for (const wake of waiters) wake();
  });
  let ended = false;
  closed.then(() => (ended = true));

  const bounded = <T>(what: string, timeoutMs: number, attempt: () => T | undefined): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = attempt();
        if (found !== undefined) return finish(() => resolve(found));
        if (ended) finish(() => reject(new Error(`process ended before ${what}; output:\n${lines.join('\n').slice(-3000)}`)));
      };
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no ${what} within ${timeoutMs} ms; output:\n${lines.join('\n').slice(-3000)}`))), timeoutMs);
      waiters.add(check);
      check();
    });

  return {
    child,
    lines,
    stdout: () => out,
    stderr: () => err,
    line: (match, timeoutMs = 20_000) => bounded(`line matching ${match}`, timeoutMs, () => lines.find((l) => match.test(l))),
    count: (match) => lines.filter((l) => match.test(l)).length,
    exited: (timeoutMs) =>
      Promise.race([
        closed,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`process still running after ${timeoutMs} ms`)), timeoutMs).unref()),
      ]),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
