import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Run, RunSpec } from '../../src/runs/model.js';
import { Sealer } from '../../src/runs/seal.js';
import { RunStore } from '../../src/runs/store.js';
import { deletePrefixKeys } from '../helpers/redis-keys.js';

const redis = new Redis(inject('redisUrl'));
const FILE_PREFIX = `store-${crypto.randomUUID().slice(0, 8)}`;
let n = 0;
/** A fresh prefix per test, all under this file's, deleted at the end. */
const freshPrefix = () => `${FILE_PREFIX}-${n++}`;
afterAll(async () => {
  for (let i = 0; i < n; i++) await deletePrefixKeys(redis, `${FILE_PREFIX}-${i}`);
  await redis.quit();
});

function run(id: string, submittedAt: string): Run {
  return {
    id, work_pool: 'default', state: 'PENDING', history: [], infrastructure_pid: `${id}:g`, container_group_name: 'g',
    deployment_name: 'prefect-g', resource_group_name: 'rg', flow_run: { id }, concurrency_limit: null, keep_container_group: false,
    stream_output: false, poll_interval_seconds: 5, start_timeout_seconds: 240, submitted_at: submittedAt, updated_at: submittedAt,
    azure: {}, log_lines: 0, submission_hash: 'h', version: 0,
  };
}
const spec: RunSpec = { subscription_id: 'sub-secret', resource_group_name: 'rg', credentials: { client_secret: 'sp-secret' }, deployment_name: 'd', container_group_name: 'g', deployment_body: {} };

describe('the run store', () => {
  it('pages through runs submitted in the same millisecond without losing or repeating one', async () => {
    const store = new RunStore(redis, freshPrefix(), new Sealer(undefined));
    const same = new Date().toISOString();
    const ids = Array.from({ length: 7 }, () => crypto.randomUUID());
    for (const id of ids) await store.create(run(id, same), spec);
    const seen: string[] = [];
    let position: { score: number; id: string } | undefined;
    for (;;) {
      const page = await store.page(position, 2);
      if (page.length === 0) break;
      seen.push(...page.map((e) => e.id));
      position = page.at(-1);
    }
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it('refuses a second run with the same id and keeps the first', async () => {
    const store = new RunStore(redis, freshPrefix(), new Sealer(undefined));
    const id = crypto.randomUUID();
    expect((await store.create(run(id, new Date().toISOString()), spec)).kind).toBe('created');
    expect((await store.create({ ...run(id, new Date().toISOString()), work_pool: 'other' }, spec)).kind).toBe('exists');
    expect((await store.get(id))?.work_pool).toBe('default');
  });

  it('creates concurrent runs in one script call per shard: each answered for itself, a repeated id in the same batch refused', async () => {
    const store = new RunStore(redis, freshPrefix(), new Sealer(undefined), { shards: 3 });
    const now = new Date().toISOString();
    const ids = Array.from({ length: 30 }, () => crypto.randomUUID());
    const results = await Promise.all([...ids, ids[0]].map((id, i) => store.create({ ...run(id, now), work_pool: i === ids.length ? 'second' : 'default' }, spec)));
    expect(results.slice(0, ids.length).every((r) => r.kind === 'created')).toBe(true);
    expect(results[ids.length].kind).toBe('exists');
    const stored = await store.getMany(ids);
    expect(stored.map((r) => r?.id)).toEqual(ids);
    expect(stored[0]?.work_pool).toBe('default');
    expect(await store.unfinishedCount()).toBe(ids.length);
    expect(await store.spec(ids[29])).toEqual(spec);
  });

  it('writes every scope of a batch, each sent once, with the runs that use it', async () => {
    const store = new RunStore(redis, freshPrefix(), new Sealer(undefined));
    const now = new Date().toISOString();
    const places = ['rg-a', 'rg-b', 'rg-a', 'rg-c', 'rg-b', 'rg-a'];
    // One turn of the event loop: one batch, three scopes among six runs.
    const ids = places.map(() => crypto.randomUUID());
    const results = await Promise.all(ids.map((id, i) => store.create(run(id, now), { ...spec, resource_group_name: places[i] })));
    expect(results.map((r) => r.kind)).toEqual(places.map(() => 'created'));
    const scopes = await store.scopes();
    expect(scopes.map((s) => s.resource_group_name).sort()).toEqual(['rg-a', 'rg-b', 'rg-c']);
    for (const [i, id] of ids.entries()) expect((await store.spec(id))?.resource_group_name).toBe(places[i]);
  });

  it('never loses a concurrent update (compare-and-set on the version)', async () => {
    const store = new RunStore(redis, freshPrefix(), new Sealer(undefined));
    const id = crypto.randomUUID();
    await store.create(run(id, new Date().toISOString()), spec);
    await Promise.all(Array.from({ length: 20 }, () => store.update(id, (r) => ({ ...r, poll_interval_seconds: r.poll_interval_seconds + 1 }))));
    const stored = await store.get(id);
    expect(stored?.poll_interval_seconds).toBe(25);
    expect(stored?.version).toBe(20);
  });

  it('seals the spec at rest when a key is configured', async () => {
    const prefix = freshPrefix();
    const store = new RunStore(redis, prefix, new Sealer('a secrets key'));
    const id = crypto.randomUUID();
    await store.create(run(id, new Date().toISOString()), spec);
    const raw = await redis.get(store.keys.run(id).spec);
    expect(raw).not.toContain('sub-secret');
    expect(raw).not.toContain('sp-secret');
    expect(await store.spec(id)).toEqual(spec);
  });
});
