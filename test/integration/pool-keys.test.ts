// Keys limited to work pools see and act on those pools' runs only; history names the acting key by a short id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyId, parseApiKeys } from '../../src/config.js';
import { defaultBaseJobTemplate } from '../../src/templating/base-job-template.js';
import { startTestApp } from '../helpers/app.js';
import { ADMIN_KEY, auth, testConfig } from '../helpers/config.js';
import { dropKeys } from '../helpers/redis-keys.js';

const TEAM_KEY = 'team-a-key-00000003';
const config = testConfig({ API_KEYS: `${ADMIN_KEY},${TEAM_KEY}=runs:read|runs:write|pools:read|pools:admin@team-a+team-c` });
let t: Awaited<ReturnType<typeof startTestApp>>;
const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';
const submission = (pool?: string) => ({
  flow_run: { id: crypto.randomUUID(), name: 'scoped' },
  flow: { name: 'scoped' },
  ...(pool ? { work_pool: pool } : {}),
  job_variables: { resource_group_name: 'flows-rg', subscription_id: SUBSCRIPTION },
});
let foreign: { id: string; infrastructure_pid: string };

beforeAll(async () => {
  t = await startTestApp(config);
  for (const pool of ['team-a', 'team-b']) {
    const res = await t.app.inject({ method: 'PUT', url: `/work-pools/${pool}`, headers: auth(), payload: { base_job_template: defaultBaseJobTemplate() } });
    expect(res.statusCode).toBe(201);
  }
  const res = await t.app.inject({ method: 'POST', url: '/runs', headers: auth(), payload: submission('team-b') });
  expect(res.statusCode).toBe(202);
  foreign = res.json();
});
afterAll(async () => {
  await t.close();
  await dropKeys(config.redisUrl, config.queuePrefix);
});

const team = auth(TEAM_KEY);
/** The answer with the id it names blanked, to compare a hidden run with an absent one. */
const shape = (res: { statusCode: number; body: string }, id: string) => ({ status: res.statusCode, body: res.body.split(id).join('<id>') });

describe('API_KEYS with @pools', () => {
  it('parses scopes and pools, and names keys by a short id', () => {
    const [key] = parseApiKeys('k-12345678=runs:read|runs:write@pool-a+pool-b');
    expect([...key.scopes]).toEqual(['runs:read', 'runs:write']);
    expect([...key.pools!]).toEqual(['pool-a', 'pool-b']);
    expect(key.id).toMatch(/^key-[0-9a-f]{8}$/);
    expect(key.id).not.toContain('12345678');
    expect(() => parseApiKeys('k-12345678=runs:read@bad/pool')).toThrow(/API_KEYS/);
  });

  it('answers another pool’s run exactly like a run that does not exist', async () => {
    const absent = crypto.randomUUID();
    for (const path of ['', '/logs', '/logs?follow=true']) {
      const hidden = await t.app.inject({ url: `/runs/${foreign.id}${path}`, headers: team });
      const missing = await t.app.inject({ url: `/runs/${absent}${path}`, headers: team });
      expect(hidden.statusCode).toBe(404);
      expect(shape(hidden, foreign.id)).toEqual(shape(missing, absent));
    }
    const kill = await t.app.inject({ method: 'DELETE', url: `/runs/${foreign.infrastructure_pid}`, headers: team });
    const killAbsent = await t.app.inject({ method: 'DELETE', url: `/runs/${absent}:scoped-${absent}`, headers: team });
    expect(kill.statusCode).toBe(404);
    expect(shape(kill, foreign.id)).toEqual(shape(killAbsent, absent));
    expect((await t.app.inject({ url: `/runs/${foreign.id}`, headers: auth() })).json().state).toBe('PENDING');
  });

  it('lists only its pools’ runs', async () => {
    const own = await t.app.inject({ method: 'POST', url: '/runs', headers: team, payload: submission('team-a') });
    expect(own.statusCode).toBe(202);
    const list = await t.app.inject({ url: '/runs?limit=200', headers: team });
    const pools = new Set(list.json().items.map((r: { work_pool: string }) => r.work_pool));
    expect([...pools]).toEqual(['team-a']);
    const filtered = await t.app.inject({ url: '/runs?work_pool=team-b', headers: team });
    expect(filtered.json().items).toEqual([]);
  });

  it('cannot submit to, preview with, or see other pools (as if they did not exist)', async () => {
    for (const pool of ['team-b', undefined]) {
      for (const url of ['/runs', '/runs/preview']) {
        const res = await t.app.inject({ method: 'POST', url, headers: team, payload: submission(pool) });
        const none = await t.app.inject({ method: 'POST', url, headers: team, payload: submission('no-such-pool') });
        expect(res.statusCode).toBe(404);
        expect(res.json().error.code).toBe('WORK_POOL_NOT_FOUND');
        expect(none.json().error.code).toBe('WORK_POOL_NOT_FOUND');
      }
    }
    const pools = await t.app.inject({ url: '/work-pools', headers: team });
    expect(pools.json().items.map((p: { name: string }) => p.name)).toEqual(['team-a']);
    expect((await t.app.inject({ url: '/work-pools/team-b', headers: team })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: '/work-pools/team-b', headers: team })).statusCode).toBe(404);
    const replace = await t.app.inject({ method: 'PUT', url: '/work-pools/team-b', headers: team, payload: { base_job_template: defaultBaseJobTemplate() } });
    expect(replace.statusCode).toBe(404);
    expect((await t.app.inject({ url: '/work-pools/team-b', headers: auth() })).json().history).toHaveLength(1);
  });

  it('does not answer a reused id of another pool’s run with that run', async () => {
    const reuse = { ...submission('team-a'), flow_run: { id: foreign.id, name: 'scoped' } };
    const res = await t.app.inject({ method: 'POST', url: '/runs', headers: team, payload: reuse });
    expect(res.statusCode).toBe(409);
    expect(res.body).not.toContain('team-b');
  });

  it('may not read metrics over every pool', async () => {
    const res = await t.app.inject({ url: '/metrics', headers: team });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
  });

  it('names the acting key in run and pool history, never the key itself', async () => {
    const teamId = apiKeyId(TEAM_KEY);
    const submitted = await t.app.inject({ method: 'POST', url: '/runs', headers: team, payload: submission('team-a') });
    expect(submitted.json().history[0]).toMatchObject({ state: 'PENDING', by: teamId });
    const killed = await t.app.inject({ method: 'DELETE', url: `/runs/${submitted.json().infrastructure_pid}`, headers: auth() });
    expect(killed.statusCode).toBe(202);
    expect(killed.json().history.at(-1)).toMatchObject({ state: 'CANCELLING', by: apiKeyId(ADMIN_KEY) });

    const put = await t.app.inject({ method: 'PUT', url: '/work-pools/team-c', headers: team, payload: { base_job_template: defaultBaseJobTemplate() } });
    expect(put.statusCode).toBe(201);
    const replaced = await t.app.inject({ method: 'PUT', url: '/work-pools/team-c', headers: auth(), payload: { base_job_template: defaultBaseJobTemplate() } });
    expect(replaced.json().history).toEqual([
      { at: expect.any(String), action: 'created', by: teamId },
      { at: expect.any(String), action: 'replaced', by: apiKeyId(ADMIN_KEY) },
    ]);
    for (const body of [submitted.body, killed.body, replaced.body]) {
      expect(body).not.toContain(TEAM_KEY);
      expect(body).not.toContain(ADMIN_KEY);
    }
  });
});
