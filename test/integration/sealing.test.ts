// SECRETS_KEY seals work pools, run specs and scopes; SECRETS_KEY_PREVIOUS opens what the old key sealed,
// and every write seals with the current key.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { Sealer } from '../../src/runs/seal.js';
import { defaultBaseJobTemplate } from '../../src/templating/base-job-template.js';
import { startTestApp } from '../helpers/app.js';
import { auth, testConfig } from '../helpers/config.js';
import { dropKeys, dumpPrefix } from '../helpers/redis-keys.js';
import { KeyLayout } from '../../src/runs/keys.js';

const OLD_KEY = 'old-secrets-key-1';
const NEW_KEY = 'new-secrets-key-2';
const SECRET = 'pool-5ecret-sealed-7';
const SUBSCRIPTION = '5ec2e7a1-0000-4000-8000-0000000000aa';

const first = testConfig({ SECRETS_KEY: OLD_KEY });
const prefix = first.queuePrefix;
const POOLS = new KeyLayout(prefix).workPools;
const redis = new Redis(first.redisUrl);
afterAll(async () => {
  await dropKeys(first.redisUrl, prefix);
  redis.disconnect();
});

function poolTemplate() {
  const template = defaultBaseJobTemplate();
  const properties = template.variables.properties as Record<string, Record<string, unknown>>;
  properties.env.default = { DB_PASSWORD: SECRET };
  properties.subscription_id.default = SUBSCRIPTION;
  return template;
}

/** Every key and value under the prefix, as text. */
async function dump(): Promise<string> {
  return dumpPrefix(redis, prefix);
}

describe('sealing at rest', () => {
  const runId = crypto.randomUUID();

  it('keeps pool secrets, run specs and scopes out of Redis in clear', async () => {
    const t = await startTestApp(first);
    try {
      const put = await t.app.inject({ method: 'PUT', url: '/work-pools/sealed', headers: auth(), payload: { base_job_template: poolTemplate(), secret_env_names: ['DB_PASSWORD'] } });
      expect(put.statusCode).toBe(201);
      const run = await t.app.inject({
        method: 'POST',
        url: '/runs',
        headers: auth(),
        payload: { flow_run: { id: runId, name: 'sealed' }, work_pool: 'sealed', job_variables: { resource_group_name: 'rg-sealed' } },
      });
      expect(run.statusCode).toBe(202);
      const raw = await redis.hget(POOLS, 'sealed');
      expect(raw).toMatch(/^gcm:/);
      const everything = await dump();
      expect(everything).toContain('rg-sealed');
      expect(everything).not.toContain(SECRET);
      expect(everything).not.toContain(SUBSCRIPTION);
    } finally {
      await t.close();
    }
  });

  it('reads with SECRETS_KEY_PREVIOUS after a rotation and re-seals with the new key on write', async () => {
    const rotated = { ...testConfig({ SECRETS_KEY: NEW_KEY, SECRETS_KEY_PREVIOUS: OLD_KEY }), queuePrefix: prefix };
    const t = await startTestApp(rotated);
    try {
      const pool = await t.app.inject({ url: '/work-pools/sealed', headers: auth() });
      expect(pool.statusCode).toBe(200);
      expect((await t.services.store.spec(runId))?.subscription_id).toBe(SUBSCRIPTION);
      expect(await t.services.store.scopes()).toContainEqual(expect.objectContaining({ subscription_id: SUBSCRIPTION }));

      const before = String(await redis.hget(POOLS, 'sealed'));
      expect(new Sealer(OLD_KEY).open(before)).toMatchObject({ name: 'sealed' });
      const again = await t.app.inject({ method: 'PUT', url: '/work-pools/sealed', headers: auth(), payload: { base_job_template: pool.json().base_job_template, secret_env_names: ['DB_PASSWORD'] } });
      expect(again.statusCode).toBe(200);
      const after = String(await redis.hget(POOLS, 'sealed'));
      expect(() => new Sealer(OLD_KEY).open(after)).toThrow();
      const reopened = new Sealer(NEW_KEY).open<{ base_job_template: { variables: { properties: { env: { default: Record<string, string> } } } } }>(after);
      expect(reopened.base_job_template.variables.properties.env.default.DB_PASSWORD).toBe(SECRET);
    } finally {
      await t.close();
    }
    // Once everything was written again, the old key can go.
    const t2 = await startTestApp({ ...testConfig({ SECRETS_KEY: NEW_KEY }), queuePrefix: prefix });
    try {
      expect((await t2.app.inject({ url: '/work-pools/sealed', headers: auth() })).statusCode).toBe(200);
    } finally {
      await t2.close();
    }
  });

  it('reads pools stored in clear before a key was set, and seals them on their next write', async () => {
    const legacy = { name: 'legacy', description: null, concurrency_limit: null, base_job_template: poolTemplate(), secret_env_names: ['DB_PASSWORD'], created: new Date().toISOString(), updated: new Date().toISOString() };
    await redis.hset(POOLS, 'legacy', JSON.stringify(legacy));
    const t = await startTestApp({ ...testConfig({ SECRETS_KEY: NEW_KEY }), queuePrefix: prefix });
    try {
      const read = await t.app.inject({ url: '/work-pools/legacy', headers: auth() });
      expect(read.statusCode).toBe(200);
      expect(read.body).not.toContain(SECRET);
      await t.app.inject({ method: 'PUT', url: '/work-pools/legacy', headers: auth(), payload: { base_job_template: read.json().base_job_template, secret_env_names: ['DB_PASSWORD'] } });
      expect(await redis.hget(POOLS, 'legacy')).toMatch(/^gcm:/);
    } finally {
      await t.close();
    }
  });

  it('refuses SECRETS_KEY_PREVIOUS without a new SECRETS_KEY', () => {
    expect(() => loadConfig({ API_KEYS: 'k-12345678', SECRETS_KEY_PREVIOUS: OLD_KEY })).toThrow(ConfigError);
  });
});
