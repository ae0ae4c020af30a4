// RATE_LIMIT_PER_MINUTE: per key, shared by API processes through Redis, 429 in the envelope with Retry-After.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp } from '../helpers/app.js';
import { ADMIN_KEY, READER_KEY, auth, testConfig } from '../helpers/config.js';
import { dropKeys } from '../helpers/redis-keys.js';

const config = testConfig({ RATE_LIMIT_PER_MINUTE: '4' });
let one: Awaited<ReturnType<typeof startTestApp>>;
let two: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  one = await startTestApp(config);
  two = await startTestApp(config);
});
afterAll(async () => {
  await one.close();
  await two.close();
  await dropKeys(config.redisUrl, config.queuePrefix);
});

it('counts each key across API processes and answers 429 in the envelope with Retry-After', async () => {
  const statuses: number[] = [];
  for (const app of [one.app, two.app, one.app, two.app]) statuses.push((await app.inject({ url: '/runs', headers: auth(ADMIN_KEY) })).statusCode);
  expect(statuses).toEqual([200, 200, 200, 200]);
  const limited = await two.app.inject({ url: '/runs', headers: auth(ADMIN_KEY) });
  expect(limited.statusCode).toBe(429);
  expect(limited.json()).toEqual({ error: { code: 'RATE_LIMITED', message: expect.stringContaining('4 requests') } });
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);

  // Another key has its own budget; public routes are not counted.
  expect((await one.app.inject({ url: '/runs', headers: auth(READER_KEY) })).statusCode).toBe(200);
  for (let i = 0; i < 6; i++) expect((await one.app.inject({ url: '/healthz' })).statusCode).toBe(200);
});

it('is off by default', async () => {
  const plainConfig = testConfig();
  const plain = await startTestApp(plainConfig);
  try {
    for (let i = 0; i < 10; i++) expect((await plain.app.inject({ url: '/runs', headers: auth() })).statusCode).toBe(200);
  } finally {
    await plain.close();
    await dropKeys(plainConfig.redisUrl, plainConfig.queuePrefix);
  }
});
