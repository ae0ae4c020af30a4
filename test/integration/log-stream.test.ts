// Logs as a Redis Stream per run: capped, cut long lines, appended with their cursor in one script,
// and followed by stream id so a follower never stalls at the cap.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transition, type Run } from '../../src/runs/model.js';
import { CUT_MARKER, MAX_LINE_BYTES } from '../../src/runs/store.js';
import { auth, startService, type Harness } from '../helpers/service.js';

let h: Harness;
let redis: Redis;
beforeAll(async () => {
  h = await startService({ worker: false, env: { LOG_HEARTBEAT_MS: '200' } });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  redis = new Redis(h.config.redisUrl);
});
afterAll(async () => {
  redis.disconnect();
  await h.close();
});

/** A RUNNING run in the store (no worker: the test plays the worker's part). */
async function runningRun(): Promise<Run> {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  const run: Run = {
    id, work_pool: 'default', state: 'RUNNING', history: [], infrastructure_pid: `${id}:g`, container_group_name: 'g', deployment_name: 'd',
    resource_group_name: 'rg', flow_run: { id, name: 'n' }, concurrency_limit: null, keep_container_group: false, stream_output: true,
    poll_interval_seconds: 1, start_timeout_seconds: 60, submitted_at: now, updated_at: now, azure: {}, log_lines: 0, submission_hash: 'x', version: 0,
  };
  const spec = { subscription_id: 's', resource_group_name: 'rg', credentials: {}, deployment_name: 'd', container_group_name: 'g', deployment_body: {} };
  expect((await h.services.store.create(run, spec)).kind).toBe('created');
  return run;
}

const finish = (id: string) =>
  h.services.store.update(id, (r) => ({ ...transition(r, 'COMPLETED', 'done'), result: { identifier: r.infrastructure_pid, status_code: 0 }, cleanup: { state: 'done', attempts: 1 } }));

interface Follower {
  lines: { id: string; line: string }[];
  heartbeats: number;
  ended: Promise<{ data: any } | undefined>;
  close(): void;
}

function follow(id: string, headers: Record<string, string> = {}): Follower {
  const { port } = h.app.server.address() as AddressInfo;
  const follower: Follower = { lines: [], heartbeats: 0, ended: Promise.resolve(undefined), close: () => undefined };
  follower.ended = new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/runs/${id}/logs?follow=true`, headers: { ...auth, ...headers } }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          if (block.startsWith(':')) {
            follower.heartbeats++;
            continue;
          }
          const fields = Object.fromEntries(block.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
          if (fields.event === 'log') follower.lines.push({ id: fields.id, line: JSON.parse(fields.data).line });
          if (fields.event === 'end') resolve({ data: JSON.parse(fields.data) });
        }
      });
      res.on('end', () => resolve(undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('error', reject);
    follower.close = () => req.destroy();
    req.end();
  });
  return follower;
}

/** Appends lines as the worker does: each batch after the cursor of the one before. */
async function writeLines(run: Run, from: number, count: number, cursor: { ts: string; atTs: number } | undefined) {
  const ts = new Date().toISOString();
  const lines = Array.from({ length: count }, (_, i) => ({ ts, line: `line ${from + i}` }));
  const next = { ts, atTs: (cursor?.ts === ts ? cursor.atTs : 0) + count };
  await h.services.store.appendLogs(run.id, lines, cursor, next);
  return next;
}

describe('a log follower', () => {
  it('receives every one of 50,000 lines, far past LOG_MAX_LINES, while it keeps up', async () => {
    const run = await runningRun();
    const follower = follow(run.id);
    const total = 50_000;
    let cursor: { ts: string; atTs: number } | undefined;
    for (let written = 0; written < total; written += 500) {
      // The writer never runs more than half the cap ahead of the follower: "a follower that keeps up".
      while (written - follower.lines.length > 5000) await new Promise((r) => setTimeout(r, 5));
      cursor = await writeLines(run, written, 500, cursor);
    }
    await finish(run.id);
    const end = await follower.ended;
    expect(end?.data.state).toBe('COMPLETED');
    expect(follower.lines.length).toBe(total);
    expect(follower.lines.every((l, i) => l.line === `line ${i}`)).toBe(true);
    // The stream itself keeps only the newest LOG_MAX_LINES.
    expect(await redis.xlen(h.services.store.keys.run(run.id).logs)).toBe(h.config.logMaxLines);
    const stored = await h.services.store.get(run.id);
    expect(stored?.log_lines).toBe(total);
  }, 120_000);

  it('resumes after Last-Event-ID without a gap or a repeat, and gets heartbeats while nothing is printed', async () => {
    const run = await runningRun();
    let cursor = await writeLines(run, 0, 30, undefined);
    const first = follow(run.id);
    await waitUntil(() => first.lines.length === 30);
    first.close();
    cursor = await writeLines(run, 30, 20, cursor);
    const second = follow(run.id, { 'last-event-id': first.lines[29].id });
    await waitUntil(() => second.lines.length === 20 && second.heartbeats >= 1);
    await finish(run.id);
    await second.ended;
    expect([...first.lines, ...second.lines].map((l) => l.line)).toEqual(Array.from({ length: 50 }, (_, i) => `line ${i}`));
    void cursor;
  });
});

describe('log storage', () => {
  it('adds nothing when the same read is appended twice (lines and cursor move together)', async () => {
    const run = await runningRun();
    const ts = new Date().toISOString();
    const lines = [{ ts, line: 'once' }];
    expect(await h.services.store.appendLogs(run.id, lines, undefined, { ts, atTs: 1 })).toBe(1);
    expect(await h.services.store.appendLogs(run.id, lines, undefined, { ts, atTs: 1 })).toBeUndefined();
    expect((await h.services.store.logs(run.id)).map((l) => l.line)).toEqual(['once']);
  });

  it('cuts lines over 16 KB and says so', async () => {
    const run = await runningRun();
    const ts = new Date().toISOString();
    await h.services.store.appendLogs(run.id, [{ ts, line: 'é'.repeat(20_000) }, { ts, line: 'short' }], undefined, { ts, atTs: 2 });
    const [long, short] = await h.services.store.logs(run.id);
    expect(Buffer.byteLength(long.line)).toBeLessThanOrEqual(MAX_LINE_BYTES);
    expect(long.line.endsWith(CUT_MARKER)).toBe(true);
    expect(long.line.startsWith('éé')).toBe(true);
    expect(short.line).toBe('short');
    const res = await h.app.inject({ url: `/runs/${run.id}/logs?after=${long.id}`, headers: auth });
    expect(res.json().lines.map((l: { line: string }) => l.line)).toEqual(['short']);
  });
});

async function waitUntil(done: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
