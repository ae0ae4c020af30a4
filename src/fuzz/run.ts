// `npm run fuzz -- --seed=1 --count=2000`: generated hostile requests against the whole service (API,
// worker, the emulator as Azure, real Redis at REDIS_URL) over real HTTP. Fails on any 5xx, any error
// body outside the envelope, any answer slower than 5 s, or a crash; prints the seed to replay.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import pino from 'pino';
import { parse } from 'yaml';
import { startWithEmulator } from '../embedded.js';
import { ERROR_CODES } from '../errors.js';
import { OPENAPI_PATH } from '../openapi-file.js';
import { defaultBaseJobTemplate } from '../templating/base-job-template.js';
import { generateRequest, operationsOf, type FuzzRequest, type Known } from './generate.js';
import { Random } from './random.js';

const SLOW_MS = 5_000;
const GIVE_UP_MS = 15_000;
const IN_FLIGHT = 4;

interface Answer {
  status: number;
  contentType: string;
  body: string;
  ms: number;
}

function argument(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer, got ${raw}`);
  return value;
}

function send(port: number, agent: Agent, req: FuzzRequest): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: '127.0.0.1', port, method: req.method, path: req.target, agent, headers: { ...req.headers, ...(req.body ? { 'content-length': String(req.body.length) } : {}) } },
      (res) => {
        const contentType = String(res.headers['content-type'] ?? '');
        // A log stream stays open until its run ends: its headers are the answer.
        if (contentType.startsWith('text/event-stream')) {
          res.destroy();
          resolve({ status: res.statusCode ?? 0, contentType, body: '', ms: performance.now() - started });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
        res.on('error', reject);
      },
    );
    outgoing.setTimeout(GIVE_UP_MS, () => outgoing.destroy(new Error(`no answer within ${GIVE_UP_MS} ms`)));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** What is wrong with an answer, or undefined. */
function judge(req: FuzzRequest, answer: Answer): string | undefined {
  if (answer.status >= 500) return `status ${answer.status}: ${answer.body.slice(0, 300)}`;
  if (answer.ms > SLOW_MS) return `answered in ${Math.round(answer.ms)} ms (limit ${SLOW_MS})`;
  if (answer.status < 400 || req.method === 'HEAD') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return `status ${answer.status} with a body that is not JSON: ${answer.body.slice(0, 200)}`;
  }
  const error = (parsed as { error?: Record<string, unknown> }).error;
  const envelope =
    parsed !== null &&
    typeof parsed === 'object' &&
    Object.keys(parsed).length === 1 &&
    error !== undefined &&
    typeof error.code === 'string' &&
    (ERROR_CODES as readonly string[]).includes(error.code) &&
    typeof error.message === 'string' &&
    (error.details === undefined || Array.isArray(error.details)) &&
    Object.keys(error).every((k) => ['code', 'message', 'details'].includes(k));
  return envelope ? undefined : `status ${answer.status} outside the envelope: ${answer.body.slice(0, 300)}`;
}

function learn(req: FuzzRequest, answer: Answer, known: Known): void {
  if (answer.status !== 202 || !req.target.startsWith('/runs')) return;
  try {
    const run = JSON.parse(answer.body) as { id?: string; infrastructure_pid?: string };
    if (run.id) known.runIds.push(run.id);
    if (run.infrastructure_pid) known.pids.push(run.infrastructure_pid);
  } catch {
    // not a run
  }
}

async function dropPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    // The store's hash-tagged keys ({prefix}…, {prefix:n}…) and the plain prefix:… ones.
    for (const pattern of [`{${prefix}}*`, `{${prefix}:*`, `${prefix}:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) await redis.unlink(key);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

export async function runFuzz(): Promise<number> {
  const seed = argument('seed', 1);
  const count = argument('count', 2000);
  const random = new Random(seed);
  const keys = { admin: 'fuzz-admin-key-0001', reader: 'fuzz-reader-key-0002', scoped: 'fuzz-scoped-key-0003' };
  const crashes: string[] = [];
  process.on('uncaughtException', (err) => crashes.push(`uncaught exception: ${err.stack ?? err}`));
  process.on('unhandledRejection', (err) => crashes.push(`unhandled rejection: ${(err as Error)?.stack ?? String(err)}`));

  const prefix = `fuzz-${seed}-${randomUUID().slice(0, 8)}`;
  const service = await startWithEmulator({
    emulator: { timeScale: 0.01 },
    env: {
      API_KEYS: `${keys.admin},${keys.reader}=runs:read|pools:read,${keys.scoped}=runs:read|runs:write|pools:read@fuzz-pool`,
      PORT: '0',
      HOST: '127.0.0.1',
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      FLOW_RUN_BASE_ENV: JSON.stringify({ PREFECT_API_URL: 'https://prefect.invalid/api' }),
      MIN_POLL_INTERVAL_SECONDS: '0.05',
    },
    defaults: {},
    log: pino({ level: 'silent' }),
  });
  const { port } = service.runtime.app!.server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const { operations, resolve } = operationsOf(parse(readFileSync(OPENAPI_PATH, 'utf8')));
  const known: Known = { runIds: [], pids: [], pools: ['default', 'fuzz-pool'] };
  await send(port, agent, {
    kind: 'setup',
    method: 'PUT',
    target: '/work-pools/fuzz-pool',
    headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ base_job_template: defaultBaseJobTemplate(), secret_env_names: ['FUZZ'] })),
  });

  const failures: string[] = [];
  const byKind = new Map<string, number>();
  const msByKind = new Map<string, number>();
  const byStatus = new Map<number, number>();
  let slowest = { ms: 0, what: '' };
  const started = performance.now();
  // Batches of a few requests in flight; each batch is generated before it is sent, so a seed replays.
  for (let first = 0; first < count; first += IN_FLIGHT) {
    const batch = Array.from({ length: Math.min(IN_FLIGHT, count - first) }, (_, j) => ({ i: first + j, req: generateRequest(operations, resolve, random, keys, known) }));
    const answers = await Promise.all(
      batch.map(({ req }) => send(port, agent, req).then((answer) => ({ answer }), (error: Error) => ({ error }))),
    );
    batch.forEach(({ i, req }, j) => {
      byKind.set(req.kind, (byKind.get(req.kind) ?? 0) + 1);
      const what = `#${i} ${req.kind} ${req.method} ${req.target.slice(0, 120)} (${req.body?.length ?? 0} bytes)`;
      const result = answers[j];
      if ('error' in result) {
        failures.push(`${what}: ${result.error.message}`);
        return;
      }
      const { answer } = result;
      byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
      if (answer.ms > slowest.ms) slowest = { ms: answer.ms, what };
      msByKind.set(req.kind, (msByKind.get(req.kind) ?? 0) + answer.ms);
      const problem = judge(req, answer);
      if (problem) failures.push(`${what}: ${problem}`);
      learn(req, answer, known);
    });
  }
  const elapsed = (performance.now() - started) / 1000;
  const health = await send(port, agent, { kind: 'health', method: 'GET', target: '/healthz', headers: {} }).catch((err: Error) => ({ status: 0, body: err.message }));
  if (health.status !== 200) failures.push(`the service no longer answers /healthz: ${health.status} ${health.body}`);
  agent.destroy();
  await service.close();
  await dropPrefix(service.config.redisUrl, prefix);
  failures.push(...crashes);

  const table = (map: Map<string | number, number>) => [...map].sort((a, b) => String(a[0]).localeCompare(String(b[0]))).map(([k, n]) => `${k}=${n}`).join(' ');
  process.stdout.write(
    `fuzz: seed ${seed}, ${count} requests in ${elapsed.toFixed(1)} s (${(count / elapsed).toFixed(0)}/s)\n` +
      `fuzz: kinds ${table(byKind)}\n` +
      `fuzz: statuses ${table(byStatus)}\n` +
      `fuzz: ms per kind ${table(new Map([...msByKind].map(([k, v]) => [k, Math.round(v)])))}\n` +
      `fuzz: slowest ${Math.round(slowest.ms)} ms: ${slowest.what}\n` +
      `fuzz: runs accepted ${known.runIds.length}\n`,
  );
  for (const failure of failures.slice(0, 30)) process.stdout.write(`FAIL ${failure.slice(0, 1500)}\n`);
  if (failures.length > 30) process.stdout.write(`… and ${failures.length - 30} more\n`);
  const failed = new Set(failures.map((f) => f.split(':')[0])).size;
  process.stdout.write(`fuzz: ${count - Math.min(count, failed)} passed, ${failed} failed\n`);
  return failures.length === 0 ? 0 : 1;
}

runFuzz().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fuzz: could not run: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(2);
  },
);
