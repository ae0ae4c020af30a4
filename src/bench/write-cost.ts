// Redis time per store write, for a small run and for the largest run a request can carry: measured on a
// private redis-server (from PATH) so that `INFO commandstats` counts nothing but these writes.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freeLoopbackPort as freePort } from '../free-port.js';
import { transition, type Run, type RunSpec } from '../runs/model.js';
import { Sealer } from '../runs/seal.js';
import { RunStore } from '../runs/store.js';


function run(id: string, flowRunBytes: number): Run {
  const now = new Date().toISOString();
  return {
    id, work_pool: 'default', state: 'PENDING', history: [{ state: 'PENDING', at: now, reason: 'Submitted and queued.' }],
    infrastructure_pid: `${id}:g`, container_group_name: 'g', deployment_name: 'prefect-g', resource_group_name: 'rg',
    flow_run: { id, name: 'big', parameters: { blob: 'x'.repeat(flowRunBytes) } }, concurrency_limit: null, keep_container_group: false,
    stream_output: false, poll_interval_seconds: 5, start_timeout_seconds: 240, submitted_at: now, updated_at: now,
    azure: {}, log_lines: 0, submission_hash: 'h', version: 0,
  };
}

const spec: RunSpec = { subscription_id: 's', resource_group_name: 'rg', credentials: {}, deployment_name: 'd', container_group_name: 'g', deployment_body: {} };

/** Microseconds of Redis time per call of each script, from commandstats. */
async function scriptMicros(redis: Redis): Promise<{ calls: number; usec: number }> {
  const line = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(await redis.info('commandstats'));
  return line ? { calls: Number(line[1]), usec: Number(line[2]) } : { calls: 0, usec: 0 };
}

async function measure(redis: Redis, flowRunBytes: number, writes: number) {
  const store = new RunStore(redis, `write-cost-${flowRunBytes}`, new Sealer(undefined));
  const id = crypto.randomUUID();
  await store.create(run(id, flowRunBytes), spec);
  await redis.config('RESETSTAT');
  for (let i = 0; i < writes; i++) {
    await store.update(id, (r) => ({ ...r, azure: { ...r.azure, provisioning_state: `step ${i}` } }));
  }
  await store.update(id, (r) => transition(r, 'CANCELLED', 'Done measuring.'));
  const { calls, usec } = await scriptMicros(redis);
  return usec / calls;
}

/** Undefined when no redis-server is on PATH. */
export async function writeCost(): Promise<{ small: number; large: number; largeBytes: number } | undefined> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'aci-write-cost-'));
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const started = await Promise.race([once(server, 'spawn').then(() => true), once(server, 'error').then(() => false)]);
  if (!started) return undefined;
  const redis = new Redis({ port, host: '127.0.0.1', retryStrategy: (n) => (n > 50 ? null : 100) });
  redis.on('error', () => {
    // Refused until the server listens; ioredis retries.
  });
  try {
    await redis.ping();
    const largeBytes = 900 * 1024; // just under the default 1 MiB body limit
    return { small: await measure(redis, 100, 200), large: await measure(redis, largeBytes, 50), largeBytes };
  } finally {
    redis.disconnect();
    server.kill('SIGTERM');
    await once(server, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
}
