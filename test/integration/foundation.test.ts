import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { Type } from '@sinclair/typebox';
import { Redis } from 'ioredis';
import { validate } from '@readme/openapi-parser';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { OPENAPI_PATH, renderOpenApi } from '../../src/openapi-file.js';
import { closeConnection, producerConnection } from '../../src/redis.js';
import { createServices } from '../../src/services.js';
import { ADMIN_KEY, READER_KEY, auth, testConfig } from '../helpers/config.js';
import { cleanPrefix } from '../helpers/redis-keys.js';

describe('HTTP foundation', () => {
  const config = testConfig({ BODY_LIMIT_BYTES: '2048' });
  const redis = producerConnection(config.redisUrl);
  const services = createServices(config, redis);
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    app = await buildApp({ config, redis, ...services });
    // Routes that exist only to exercise the shared plugins.
    app.post(
      '/test/echo',
      { config: { scope: 'runs:write' }, schema: { body: Type.Object({ n: Type.Integer({ minimum: 0 }) }) } },
      async (req) => req.body,
    );
    app.get('/test/boom', { config: { scope: 'runs:read' } }, async () => {
      throw new Error('secret internals at /srv/db');
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await services.queue.close();
    await closeConnection(redis);
    await cleanPrefix(config.redisUrl, config.queuePrefix);
  });

  describe('auth', () => {
    it('answers 401 without a key, in the envelope', async () => {
      const res = await app.inject({ method: 'POST', url: '/test/echo', payload: { n: 1 } });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.stringContaining('Bearer') } });
    });
    it('answers 401 for a wrong key', async () => {
      const res = await app.inject({ method: 'POST', url: '/test/echo', headers: auth('not-a-real-key'), payload: { n: 1 } });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
    });
    it('answers 403 for a key lacking the scope', async () => {
      const res = await app.inject({ method: 'POST', url: '/test/echo', headers: auth(READER_KEY), payload: { n: 1 } });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'This API key lacks the scope runs:write.' } });
    });
    it('lets the right key through', async () => {
      const res = await app.inject({ method: 'POST', url: '/test/echo', headers: auth(ADMIN_KEY), payload: { n: 7 } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ n: 7 });
    });
    it('leaves health, docs and the document public', async () => {
      for (const url of ['/healthz', '/readyz', '/docs/', '/openapi.json']) {
        const res = await app.inject({ url });
        expect(res.statusCode, url).toBe(200);
      }
    });
  });

  describe('error envelope', () => {
    it('wraps schema validation with paths', async () => {
      const res = await app.inject({ method: 'POST', url: '/test/echo', headers: auth(), payload: { n: -1 } });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ path: '/n', message: 'must be >= 0' }],
      });
    });
    it('wraps unknown routes', async () => {
      const res = await app.inject({ url: '/nowhere?x=1', headers: auth() });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { code: 'ROUTE_NOT_FOUND', message: 'No route GET /nowhere.' } });
    });
    it('wraps oversized bodies', async () => {
      const res = await app.inject({ method: 'POST', url: '/test/echo', headers: auth(), payload: { n: 1, pad: 'x'.repeat(4096) } });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    });
    it('wraps wrong content types', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/test/echo',
        headers: { ...auth(), 'content-type': 'text/csv' },
        payload: 'n\n1',
      });
      expect(res.statusCode).toBe(415);
      expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });
    it('wraps malformed JSON', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/test/echo',
        headers: { ...auth(), 'content-type': 'application/json' },
        payload: '{"n":',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('MALFORMED_BODY');
    });
    it('hides internals of 5xx and names the request id', async () => {
      const res = await app.inject({ url: '/test/boom', headers: { ...auth(), 'x-request-id': 'req-42' } });
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toContain('secret internals');
      expect(res.json()).toEqual({ error: { code: 'INTERNAL_ERROR', message: expect.stringContaining('req-42') } });
    });
  });

  it('serves over a real socket too (supertest)', async () => {
    await request(app.server).get('/healthz').expect(200, { status: 'ok' });
  });
});

describe('/readyz', () => {
  it('answers 503 when Redis does not answer', async () => {
    const config = testConfig({ REDIS_URL: 'redis://127.0.0.1:1' });
    const redis = producerConnection(config.redisUrl);
    const services = createServices(config, redis);
    const app = await buildApp({ config, redis, ...services });
    try {
      const res = await app.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'unavailable', redis: 'down' });
      expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await app.close();
      await services.queue.close();
      await closeConnection(redis);
    }
  });
});

describe('openapi.yaml', () => {
  it('is valid OpenAPI and matches the routes (run `npm run openapi` when this fails)', async () => {
    // Rendering writes nothing to the Redis at the default address (it used to leave BullMQ's queue meta there).
    const redis = new Redis(loadConfig({ AUTH_DISABLED: 'true' }).redisUrl);
    const keysOfDefaultPrefix = async () => (await redis.keys('{acifr*')).sort();
    const before = await keysOfDefaultPrefix();
    const generated = await renderOpenApi();
    expect(await keysOfDefaultPrefix()).toEqual(before);
    redis.disconnect();
    const committed = await readFile(OPENAPI_PATH, 'utf8');
    const result = await validate(OPENAPI_PATH);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(committed).toBe(generated);
  });
});

describe('process lifecycle', () => {
  it('closes everything on SIGTERM and exits on its own', async () => {
    const config = testConfig();
    const child = spawn(process.execPath, ['dist/main.js', 'all'], {
      env: { ...process.env, PORT: '0', API_KEYS: ADMIN_KEY, REDIS_URL: config.redisUrl, QUEUE_PREFIX: config.queuePrefix, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('aci-flow-runner started') && !child.killed) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // 'close' (not 'exit') waits until stdout is drained, so the last lines are in `output`.
    const [code] = await once(child, 'close');
    await cleanPrefix(config.redisUrl, config.queuePrefix);
    expect(output).toContain('"msg":"stopped"');
    expect(code).toBe(0);
  });
});
