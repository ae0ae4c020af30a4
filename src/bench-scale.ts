// `npm run bench:scale`: many runs on one principal against the emulator with ARM's real request
// budgets (ACI's create and delete quotas raised). The API runs here, the worker in its own process
// (so its RSS is its own), Azure is the in-process emulator. Prints measured numbers; asserts nothing.
//
//   npm run bench:scale -- --runs 1000          end detection, submit → PUT, Redis and ARM costs
//   npm run bench:scale -- --active 10000       worker RSS and Redis memory with that many runs watched
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pino from 'pino';
import { loadConfigWith, type Config } from './config.js';
import { emulatorEnv } from './embedded.js';
import { startEmulator, type RunningEmulator } from './emulator/server.js';
import { isTerminal, type Run } from './runs/model.js';
import { Sealer } from './runs/seal.js';
import { RunStore } from './runs/store.js';
import { startRuntime } from './runtime.js';

const SUBSCRIPTION = '00000000-0000-0000-0000-00000000beef';
const RESOURCE_GROUP = 'bench-rg';
const LONG = 'sh -c "echo start; sleep 100000000"';

interface Options {
  runs: number;
  active?: number;
  probes: number;
  readsPerSecond: number;
  pollSeconds: number;
  timeScale: number;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  const runs = value('runs') ?? 1000;
  return {
    runs,
    active: value('active'),
    probes: value('probes') ?? Math.max(10, Math.min(100, Math.round(runs / 10))),
    readsPerSecond: value('reads-per-second') ?? 20,
    pollSeconds: value('poll') ?? 5,
    timeScale: value('time-scale') ?? 0.1,
  };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Commands Redis executed by name, scripts' inner commands included (INFO commandstats). */
async function commandStats(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const counts = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts.set(match[1], Number(match[2]));
  return counts;
}

const sum = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

/** The commands most used between two snapshots. */
function topCommands(before: Map<string, number>, after: Map<string, number>, n: number): string {
  const diff = [...after].map(([name, calls]) => [name, calls - (before.get(name) ?? 0)] as const).filter(([, d]) => d > 0);
  return diff
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, d]) => `${name} ${d}`)
    .join(', ');
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

/** The containers of every listed group end together at `at` (real ms): the emulator's lifecycle is a function of time. */
function endTogether(emulator: RunningEmulator, at: number): void {
  const unit = emulator.world.clock.ms(1);
  for (const group of emulator.world.store.groups()) {
    const lc = group.lifecycle;
    const runStart = lc.startedAt + emulator.world.clock.ms(3); // pending 1 s + pull 2 s (aci/lifecycle.ts)
    lc.script = { ...lc.script, durationSeconds: Math.max(0, (at - runStart) / unit) };
  }
}

export async function runScaleBench(argv = process.argv.slice(2)): Promise<void> {
  const o = parseArgs(argv);
  const total = o.active ?? o.runs + o.probes;
  const prefix = `scale-${randomUUID().slice(0, 8)}`;
  const key = 'bench-key-0000';
  const emulator = await startEmulator({
    timeScale: o.timeScale,
    // ARM's real budgets unless measuring memory; ACI's regional quotas raised to the run count.
    ...(o.active ? { throttle: { read: { capacity: 1e9, refillPerSecond: 1e9 }, write: { capacity: 1e9, refillPerSecond: 1e9 }, delete: { capacity: 1e9, refillPerSecond: 1e9 } } } : {}),
    settings: {
      containerGroupQuota: total * 2,
      coreQuota: total * 2,
      createsPer5Minutes: total * 20,
      createsPerHour: total * 20,
      deletesPer5Minutes: total * 20,
      deletesPerHour: total * 20,
    },
  });
  const env: Record<string, string> = {
    ...emulatorEnv(emulator),
    API_KEYS: key,
    PORT: '0',
    HOST: '127.0.0.1',
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'error',
    ARM_READS_PER_SECOND: String(o.active ? 100_000 : o.readsPerSecond),
    ...(o.active ? { ARM_WRITES_PER_SECOND: '100000', ARM_DELETES_PER_SECOND: '100000' } : {}),
    // ACI's create and delete limits raised with the emulator's, far enough that they never bind (the
    // service paces to 90 % of them, at most half of the hourly limit as a burst).
    ACI_CREATES_PER_5_MINUTES: String(total * 20),
    ACI_CREATES_PER_HOUR: String(total * 20),
    ACI_DELETES_PER_5_MINUTES: String(total * 20),
    ACI_DELETES_PER_HOUR: String(total * 20),
    MIN_POLL_INTERVAL_SECONDS: '0.1',
    WORKER_CONCURRENCY: '50',
    RATE_LIMIT_PER_MINUTE: '0',
  };
  const config: Config = loadConfigWith(env);
  const api = await startRuntime(config, 'api', pino({ level: 'error' }));
  // BENCH_WORKER_NODE_OPTIONS (e.g. --max-old-space-size=160) goes to the worker only, as a deployment would set it.
  const workerNodeOptions = process.env.BENCH_WORKER_NODE_OPTIONS;
  const worker: ChildProcess = spawn(process.execPath, [fileURLToPath(new URL('./main.js', import.meta.url)), 'worker'], {
    env: { ...process.env, ...env, ...(workerNodeOptions ? { NODE_OPTIONS: workerNodeOptions } : {}) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const redis = new Redis(config.redisUrl);
  const store = new RunStore(redis, prefix, new Sealer(config.secretsKey));
  let ownCommands = 0; // the benchmark's own Redis traffic, subtracted from the totals
  const { port } = api.app!.server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  let peakRss = 0;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, rssOf(worker.pid!));
    } catch {
      // the worker is gone
    }
  }, 250);

  const submit = async (command: string) => {
    const id = randomUUID();
    const body = {
      flow_run: { id, name: `scale-${id.slice(0, 6)}` },
      flow: { name: 'scale' },
      job_variables: { resource_group_name: RESOURCE_GROUP, subscription_id: SUBSCRIPTION, command, entrypoint: null, task_watch_poll_interval: o.pollSeconds },
    };
    // A connection the loaded machine dropped is sent again: the same flow run id never deploys twice.
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`${base}/runs`, { method: 'POST', headers, body: JSON.stringify(body) });
        if (res.status !== 202 && res.status !== 200) throw new Error(`POST /runs answered ${res.status}: ${await res.text()}`);
        return id;
      } catch (err) {
        if (attempt >= 5 || !(err instanceof TypeError)) throw err;
        await sleep(500 * attempt);
      }
    }
  };
  const submitMany = async (n: number, command: string) => {
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next++ < n) ids.push(await submit(command));
      }),
    );
    return ids;
  };
  const read = async (ids: string[]): Promise<Run[]> => {
    const runs: Run[] = [];
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      ownCommands += chunk.length; // one HMGET per run
      runs.push(...((await store.getMany(chunk)).filter(Boolean) as Run[]));
    }
    return runs;
  };
  const waitUntil = async (ids: string[], done: (r: Run) => boolean, label: string) => {
    const started = Date.now();
    for (;;) {
      const runs = await read(ids);
      const count = runs.filter(done).length;
      if (count === ids.length) return runs;
      if (Date.now() - started > 3_600_000) throw new Error(`${label}: only ${count}/${ids.length} after an hour`);
      await sleep(1000);
    }
  };
  const watched = (r: Run) => r.state === 'RUNNING' && r.azure.container_state === 'Running';

  try {
    ownCommands += 2;
    const memoryBefore = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
    const statsBefore = await commandStats(redis);
    const commandsBefore = sum(statsBefore);
    const t0 = Date.now();
    const ids = await submitMany(o.active ?? o.runs, LONG);
    // A run that ended instead (none should) is counted and named below rather than waited for.
    const ramp = await waitUntil(ids, (r) => watched(r) || isTerminal(r.state), 'runs watched');
    const rampSeconds = (Date.now() - t0) / 1000;
    const lines: string[] = [];
    const endedEarly = ramp.filter((r) => isTerminal(r.state));
    if (endedEarly.length > 0) {
      const reasons = new Map<string, number>();
      for (const r of endedEarly) reasons.set(`${r.state}: ${r.history.at(-1)?.reason}`, (reasons.get(`${r.state}: ${r.history.at(-1)?.reason}`) ?? 0) + 1);
      lines.push(`runs that ended before they were watched (should be none): ${endedEarly.length} — ${[...reasons].map(([why, n]) => `${n} × ${why}`).join('; ')}`);
    }
    if (o.active) {
      // Steady watching: sample the worker's RSS and Redis memory while all runs are followed.
      peakRss = 0;
      await sleep(Math.max(30_000, o.pollSeconds * 3000));
      ownCommands++;
      const memory = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
      lines.push(
        `mode: ${o.active} active runs on one worker (budgets raised), watch poll ${o.pollSeconds} s, emulator time ×${o.timeScale}${workerNodeOptions ? `, worker NODE_OPTIONS ${workerNodeOptions}` : ''}`,
        `all watched after ${rampSeconds.toFixed(0)} s`,
        `worker RSS while watching: peak ${(peakRss / 2 ** 20).toFixed(0)} MiB, now ${(rssOf(worker.pid!) / 2 ** 20).toFixed(0)} MiB`,
        `Redis used_memory: ${(memory / 2 ** 20).toFixed(0)} MiB total, ${((memory - memoryBefore) / o.active / 1024).toFixed(1)} KiB per active run (growth since before the runs ÷ runs)`,
      );
    } else {
      // Runs submitted while the others are watched: how long until their deployment is sent.
      const probeSubmitted = new Map<string, number>();
      for (let i = 0; i < o.probes; i++) {
        const at = Date.now();
        probeSubmitted.set(await submit(LONG), at);
        await sleep(250);
      }
      const probes = await waitUntil([...probeSubmitted.keys()], watched, 'probes watched');
      const toPut = probes.map((r) => Date.parse(r.history.find((t) => t.state === 'PROVISIONING')!.at) - probeSubmitted.get(r.id)!);
      // Every container ends at the same moment; how long until each run knows.
      const all = [...ids, ...probeSubmitted.keys()];
      const endAt = Date.now() + 2000;
      endTogether(emulator, endAt);
      const ended = await waitUntil(all, (r) => isTerminal(r.state) && r.cleanup?.state !== 'pending', 'runs ended');
      const detection = ended.map((r) => Date.parse(r.history.find((t) => isTerminal(t.state))!.at) - endAt);
      ownCommands++;
      const statsAfter = await commandStats(redis);
      const commands = sum(statsAfter) - commandsBefore - ownCommands;
      const counters = emulator.world.faults.snapshot();
      const perRun = Object.fromEntries(Object.entries(counters.operations as Record<string, number>).map(([op, n]) => [op, Number((n / all.length).toFixed(2))]));
      const optimal = (all.length * 2) / o.readsPerSecond;
      const states = ended.reduce<Record<string, number>>((acc, r) => ((acc[r.state] = (acc[r.state] ?? 0) + 1), acc), {});
      lines.push(
        `runs: ${o.runs} + ${o.probes} probes on one principal, ARM_READS_PER_SECOND ${o.readsPerSecond}, watch poll ${o.pollSeconds} s, emulator at ARM's budgets, time ×${o.timeScale}`,
        `final states: ${JSON.stringify(states)}; all watched after ${rampSeconds.toFixed(0)} s`,
        `Redis commands per ARM call: ${(commands / counters.total).toFixed(1)} (${commands} commands, scripts' inner commands included, for ${counters.total} ARM calls)`,
        `most used (the benchmark's own run reads, about ${ownCommands} HMGETs, included here): ${topCommands(statsBefore, statsAfter, 12)}`,
        `ARM calls per run: ${JSON.stringify(perRun)}`,
        `end detection (all containers end together): p50 ${seconds(percentile(detection, 50))}, p95 ${seconds(percentile(detection, 95))}, max ${seconds(Math.max(...detection))}; budget-optimal N×2÷R = ${optimal.toFixed(1)} s; p95 ratio ${(percentile(detection, 95) / 1000 / optimal).toFixed(2)}`,
        `submit → deployment PUT while ${o.runs} runs are watched: p50 ${seconds(percentile(toPut, 50))}, p99 ${seconds(percentile(toPut, 99))}`,
        `requests throttled by the emulator: ${counters.throttled}`,
        `worker RSS: peak ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    clearInterval(sampler);
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker.once('exit', resolve));
    // Every key of the prefix: the shared tag {p}, the shard tags {p:n} and plain p:… keys.
    for (const pattern of [`{${prefix}}*`, `{${prefix}:*`, `${prefix}:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        for (const key of keys) await redis.unlink(key);
        cursor = next;
      } while (cursor !== '0');
    }
    await redis.quit();
    await api.close();
    await emulator.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runScaleBench().catch((err: unknown) => {
    process.stderr.write(`bench:scale failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
