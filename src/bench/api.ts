// `npm run bench:api`: POST /runs of an API-only process against a bare Fastify route (one Redis SET
// and one BullMQ add) in the same run, alternated round by round so both see the same machine.
// Prints req/s, p50/p99 of each, the ratio, each serving process's CPU per request (Linux /proc: a
// second view of the same ratio that what else the machine runs moves less), and Redis memory per
// active and per finished run. The
// API's create stores the run only (its job is added by a worker's intake): a third series measures
// POST /runs while an intake process adds those jobs, so the whole cost of a submission shows too.
// A benchmark, not a test: it asserts nothing. Needs REDIS_URL (a local Redis).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { loadApiBenchConfig, loadConfig } from '../config.js';
import { transition } from '../runs/model.js';
import { runStore } from '../services.js';
import { writeCost } from './write-cost.js';
import { freeLoopbackPort as freePort } from '../free-port.js';

const KEY = 'bench-api-key-0000';

function body(id: string) {
  return JSON.stringify({
    flow_run: { id, name: 'bench' },
    flow: { name: 'bench-flow' },
    job_variables: { resource_group_name: 'bench-rg', subscription_id: '00000000-0000-0000-0000-00000000beef', command: 'sh -c "echo hi"', entrypoint: null },
  });
}


/** Starts `node dist/main.js <args>` and waits until `readyUrl` answers (when it serves one). */
async function startChild(args: string[], env: Record<string, string>, readyUrl?: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['dist/main.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  if (!readyUrl) return child;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args[0]} exited with ${child.exitCode}`);
    try {
      if ((await fetch(readyUrl)).status < 500) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${args[0]} did not answer at ${readyUrl}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Round {
  requests: number;
  seconds: number;
  latencies: { p50: number; p99: number };
  non2xx: number;
  /** CPU seconds the serving process used in the round (Linux /proc; undefined elsewhere). */
  cpuSeconds?: number;
}

/** CPU time (user + system) a process has used, in seconds, from /proc (Linux); undefined elsewhere. */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return undefined;
  }
}

/** A round of load, with the CPU the serving process spent on it. */
async function measured(server: ChildProcess, url: string, connections: number, seconds: number, headers: Record<string, string>): Promise<Round> {
  const before = cpuSecondsOf(server.pid);
  const round = await load(url, connections, seconds, headers);
  const after = cpuSecondsOf(server.pid);
  return before !== undefined && after !== undefined ? { ...round, cpuSeconds: after - before } : round;
}

/** Microseconds of the serving process's CPU per request over the rounds (undefined without /proc). */
function cpuPerRequest(rounds: Round[]): number | undefined {
  if (rounds.some((r) => r.cpuSeconds === undefined)) return undefined;
  return (rounds.reduce((a, r) => a + r.cpuSeconds!, 0) / rounds.reduce((a, r) => a + r.requests, 0)) * 1e6;
}

async function load(url: string, connections: number, seconds: number, headers: Record<string, string>): Promise<Round> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    requests: [{ setupRequest: (req) => ({ ...req, body: body(randomUUID()) }) }],
  });
  return { requests: result.requests.total, seconds, latencies: { p50: result.latency.p50, p99: result.latency.p99 }, non2xx: result.non2xx };
}

const perSecond = (rounds: Round[]) => rounds.reduce((a, r) => a + r.requests, 0) / rounds.reduce((a, r) => a + r.seconds, 0);
const worstP99 = (rounds: Round[]) => Math.max(...rounds.map((r) => r.latencies.p99));
const medianP99 = (rounds: Round[]) => [...rounds.map((r) => r.latencies.p99)].sort((a, b) => a - b)[Math.floor(rounds.length / 2)];

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

async function deleteKeys(redis: Redis, prefix: string) {
  // The bare route keeps its keys under `{<prefix>-bare}`.
  for (const pattern of [`{${prefix}}*`, `{${prefix}:*`, `${prefix}:*`, `{${prefix}-bare}*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  }
}

/** Redis memory of `count` runs created through the API, then of the same runs once finished. */
async function memoryPerRun(redisUrl: string, count: number) {
  const prefix = `bench-mem-${randomUUID().slice(0, 8)}`;
  const config = loadConfig({ REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, API_KEYS: KEY });
  const redis = new Redis(redisUrl);
  const port = await freePort();
  const api = await startChild(['api'], { REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, API_KEYS: KEY, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' }, `http://127.0.0.1:${port}/healthz`);
  try {
    const before = await usedMemory(redis);
    const ids: string[] = [];
    for (let i = 0; i < count; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          const id = randomUUID();
          const res = await fetch(`http://127.0.0.1:${port}/runs`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: body(id) });
          if (res.status !== 202) throw new Error(`POST /runs answered ${res.status}`);
          ids.push(id);
        }),
      );
    }
    // The jobs of the runs, as a worker's intake adds them (an API-only process adds none).
    const intake = await startChild(['bench-intake'], { REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, API_KEYS: KEY, LOG_LEVEL: 'warn' });
    const intakeKey = runStore(config, redis).keys.shardKeys(0).intake;
    while ((await redis.llen(intakeKey)) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    intake.kill('SIGTERM');
    await once(intake, 'exit');
    const active = await usedMemory(redis);
    // Finish them as a worker would: final, cleaned up (spec deleted, tombstone written), 5 log lines each.
    const store = runStore(config, redis);
    for (const id of ids) {
      const ts = new Date().toISOString();
      await store.appendLogs(id, Array.from({ length: 5 }, (_, n) => ({ ts, line: `log line ${n} of a finished run` })), undefined, { ts, atTs: 5 });
      await store.update(id, (r) => ({ ...transition(r, 'COMPLETED', 'The container exited with code 0.'), result: { identifier: r.infrastructure_pid, status_code: 0 }, cleanup: { state: 'done', attempts: 1 } }));
    }
    const finished = await usedMemory(redis);
    return { active: (active - before) / ids.length, finished: (finished - before) / ids.length, count: ids.length };
  } finally {
    api.kill('SIGTERM');
    await once(api, 'exit');
    await deleteKeys(redis, prefix);
    redis.disconnect();
  }
}

export async function runApiBench(): Promise<void> {
  const { redisUrl, connections, roundSeconds, rounds, memoryRuns } = loadApiBenchConfig();
  const prefix = `bench-api-${randomUUID().slice(0, 8)}`;
  const [apiPort, barePort] = [await freePort(), await freePort()];
  const env = { REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, API_KEYS: KEY, HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  const api = await startChild(['api'], { ...env, PORT: String(apiPort) }, `http://127.0.0.1:${apiPort}/healthz`);
  const bare = await startChild(['bench-bare'], { ...env, PORT: String(barePort) }, `http://127.0.0.1:${barePort}/healthz`);
  const redis = new Redis(redisUrl);
  const apiRounds: Round[] = [];
  const bareRounds: Round[] = [];
  /** POST /runs while a worker's intake (another process) adds the jobs of the runs it creates. */
  const withIntakeRounds: Round[] = [];
  try {
    const apiUrl = `http://127.0.0.1:${apiPort}/runs`;
    const bareUrl = `http://127.0.0.1:${barePort}/bare`;
    // Warm-up (JIT, connections, script cache), not counted.
    await load(apiUrl, connections, 2, { authorization: `Bearer ${KEY}` });
    await load(bareUrl, connections, 2, {});
    for (let i = 0; i < rounds; i++) {
      apiRounds.push(await measured(api, apiUrl, connections, roundSeconds, { authorization: `Bearer ${KEY}` }));
      bareRounds.push(await measured(bare, bareUrl, connections, roundSeconds, {}));
      const intake = await startChild(['bench-intake'], env);
      try {
        withIntakeRounds.push(await load(apiUrl, connections, roundSeconds, { authorization: `Bearer ${KEY}` }));
      } finally {
        intake.kill('SIGTERM');
        await once(intake, 'exit');
      }
    }
  } finally {
    for (const child of [api, bare]) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await deleteKeys(redis, prefix);
    redis.disconnect();
  }
  const memory = await memoryPerRun(redisUrl, memoryRuns);
  const cost = await writeCost();
  const apiRate = perSecond(apiRounds);
  const bareRate = perSecond(bareRounds);
  const errors = [...apiRounds, ...bareRounds, ...withIntakeRounds].reduce((a, r) => a + r.non2xx, 0);
  const [apiCpu, bareCpu] = [cpuPerRequest(apiRounds), cpuPerRequest(bareRounds)];
  // The same ratio by the serving processes' own CPU: less moved by what else the machine runs meanwhile.
  const cpuLine =
    apiCpu !== undefined && bareCpu !== undefined
      ? `CPU per request of the serving process: POST /runs ${apiCpu.toFixed(0)} µs, bare ${bareCpu.toFixed(0)} µs; ratio bare / POST /runs ${(bareCpu / apiCpu).toFixed(2)}`
      : 'CPU per request: not measured (no /proc)';
  process.stdout.write(
    [
      `connections: ${connections}, ${rounds} alternating rounds of ${roundSeconds} s each (after a 2 s warm-up of each)`,
      `POST /runs (API-only process):       ${apiRate.toFixed(0)} req/s, p50 ${medianOf(apiRounds, 'p50')} ms, p99 ${medianP99(apiRounds)} ms (worst round ${worstP99(apiRounds)} ms)`,
      `bare route (1 SET + 1 BullMQ add):   ${bareRate.toFixed(0)} req/s, p50 ${medianOf(bareRounds, 'p50')} ms, p99 ${medianP99(bareRounds)} ms (worst round ${worstP99(bareRounds)} ms)`,
      `ratio POST /runs / bare: ${(apiRate / bareRate).toFixed(2)}`,
      cpuLine,
      `POST /runs with a worker's intake adding the jobs meanwhile (another process, same machine and Redis): ${perSecond(withIntakeRounds).toFixed(0)} req/s, p50 ${medianOf(withIntakeRounds, 'p50')} ms, p99 ${medianP99(withIntakeRounds)} ms; ratio to bare ${(perSecond(withIntakeRounds) / bareRate).toFixed(2)}`,
      `non-2xx answers: ${errors}`,
      `Redis memory per run (${memory.count} runs through the API): active ${(memory.active / 1024).toFixed(2)} KiB (record, spec, index, active set, queued job); finished and cleaned up ${(memory.finished / 1024).toFixed(2)} KiB (record, 5 log lines, index, tombstone, job; spec deleted)`,
      cost
        ? `Redis time per run update (private redis-server, INFO commandstats): ${(cost.small / 1000).toFixed(3)} ms for a small run, ${(cost.large / 1000).toFixed(3)} ms for a run carrying ${Math.round(cost.largeBytes / 1024)} KiB of client JSON`
        : 'Redis time per run update: not measured (no redis-server on PATH)',
      '',
    ].join('\n'),
  );
}

function medianOf(rounds: Round[], key: 'p50' | 'p99') {
  return [...rounds.map((r) => r.latencies[key])].sort((a, b) => a - b)[Math.floor(rounds.length / 2)];
}
