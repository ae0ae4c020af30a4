// Hostile and malformed requests: every answer is a 4xx in the one envelope, never a 5xx.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.js';
import { auth } from '../helpers/config.js';

const t = useTestApp();

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';

function body(jobVariables: Record<string, unknown> = {}) {
  return {
    flow_run: { id: crypto.randomUUID(), name: 'hostile' },
    flow: { name: 'probe' },
    job_variables: { resource_group_name: 'flows-rg', subscription_id: SUBSCRIPTION, ...jobVariables },
  };
}

/** `{"a":{"a":…1…}}` nested `levels` deep, built as text (JSON.stringify itself would recurse). */
function nested(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

function expectEnvelope(res: { statusCode: number; json: () => any }, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  expect(res.json()).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
}

describe('deep nesting', () => {
  for (const url of ['/runs', '/runs/preview']) {
    it(`refuses env nested 20,000 levels on ${url} with 400, before any recursive work`, async () => {
      const payload = JSON.stringify(body()).replace('"job_variables":{', `"job_variables":{"env":${nested(20_000)},`);
      const res = await t.app.inject({ method: 'POST', url, headers: { ...auth(), 'content-type': 'application/json' }, payload });
      expectEnvelope(res, 400, 'BODY_TOO_DEEP');
    });
  }
  it('refuses 65 levels and accepts 64', async () => {
    const at = (levels: number) => `{"flow_run":{"name":"x","deep":${nested(levels - 2)}}}`;
    const deep = await t.app.inject({ method: 'POST', url: '/runs/preview', headers: { ...auth(), 'content-type': 'application/json' }, payload: at(65) });
    expectEnvelope(deep, 400, 'BODY_TOO_DEEP');
    const fine = await t.app.inject({ method: 'POST', url: '/runs/preview', headers: { ...auth(), 'content-type': 'application/json' }, payload: at(64) });
    expect(fine.json().error?.code).not.toBe('BODY_TOO_DEEP');
    expect(fine.statusCode).toBeLessThan(500);
  });
  it('counts brackets inside strings as text', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/runs/preview', headers: auth(), payload: body({ command: `echo ${'['.repeat(5000)}` }) });
    expect(res.statusCode).toBe(200);
  });
  it('refuses deep work-pool templates too', async () => {
    const payload = `{"base_job_template":{"job_configuration":${nested(500)},"variables":{}}}`;
    const res = await t.app.inject({ method: 'PUT', url: '/work-pools/deep', headers: { ...auth(), 'content-type': 'application/json' }, payload });
    expectEnvelope(res, 400, 'BODY_TOO_DEEP');
  });
});

describe('long strings', () => {
  it('takes a command as long as the body limit allows', async () => {
    const command = `echo ${'x'.repeat(900_000)}`;
    const preview = await t.app.inject({ method: 'POST', url: '/runs/preview', headers: auth(), payload: body({ command }) });
    expect(preview.statusCode).toBe(200);
    const submit = await t.app.inject({ method: 'POST', url: '/runs', headers: auth(), payload: body({ command }) });
    expect(submit.statusCode).toBe(202);
  });
  it('answers 413 past the body limit', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/runs', headers: auth(), payload: body({ command: 'x'.repeat(1_100_000) }) });
    expectEnvelope(res, 413, 'PAYLOAD_TOO_LARGE');
  });
});

describe('framework errors in the envelope', () => {
  it('bad percent-encoding in the path', async () => {
    for (const url of ['/runs/%ZZ', '/%', '/runs/%E0%A4%A']) {
      const res = await t.app.inject({ url, headers: auth() });
      expectEnvelope(res, 400, 'MALFORMED_URL');
    }
  });
  it('ids up to the contract’s 200 characters reach the route', async () => {
    const res = await t.app.inject({ url: `/runs/${'a'.repeat(200)}`, headers: auth() });
    expectEnvelope(res, 404, 'RUN_NOT_FOUND');
    const kill = await t.app.inject({ method: 'DELETE', url: `/runs/${'a'.repeat(150)}:${'b'.repeat(49)}`, headers: auth() });
    expectEnvelope(kill, 404, 'INFRASTRUCTURE_NOT_FOUND');
  });
  it('longer ids fail validation, very long ones the router', async () => {
    const res = await t.app.inject({ url: `/runs/${'a'.repeat(201)}`, headers: auth() });
    expectEnvelope(res, 400, 'VALIDATION_FAILED');
    const huge = await t.app.inject({ url: `/runs/${'a'.repeat(5000)}`, headers: auth() });
    expectEnvelope(huge, 414, 'PARAMETER_TOO_LONG');
  });
  it('prototype keys', async () => {
    for (const payload of ['{"flow_run":{"name":"x"},"__proto__":{"admin":true}}', '{"flow_run":{"name":"x","constructor":{"prototype":{"a":1}}}}']) {
      const res = await t.app.inject({ method: 'POST', url: '/runs', headers: { ...auth(), 'content-type': 'application/json' }, payload });
      expectEnvelope(res, 400, 'MALFORMED_BODY');
    }
  });
  it('job variables named like Object.prototype members', async () => {
    for (const name of ['toString', 'constructor', 'hasOwnProperty', '__defineGetter__']) {
      const res = await t.app.inject({ method: 'POST', url: '/runs/preview', headers: auth(), payload: body({ [name]: 1 }) });
      expectEnvelope(res, 400, 'VALIDATION_FAILED');
    }
  });
  it('dot keys cannot reach Object.prototype', async () => {
    for (const key of ['__proto__.polluted', 'env.__proto__.polluted', 'constructor.prototype.polluted']) {
      const res = await t.app.inject({ method: 'POST', url: '/runs/preview', headers: auth(), payload: body({ [key]: 'yes' }) });
      expectEnvelope(res, 400, 'VALIDATION_FAILED');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('wrong methods and content types', async () => {
    expectEnvelope(await t.app.inject({ method: 'PATCH', url: '/runs', headers: auth() }), 404, 'ROUTE_NOT_FOUND');
    const csv = await t.app.inject({ method: 'POST', url: '/runs', headers: { ...auth(), 'content-type': 'text/csv' }, payload: 'a' });
    expectEnvelope(csv, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const text = await t.app.inject({ method: 'POST', url: '/runs', headers: { ...auth(), 'content-type': 'text/plain' }, payload: '{}' });
    expectEnvelope(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const bad = await t.app.inject({ method: 'POST', url: '/runs', headers: { ...auth(), 'content-type': '/' }, payload: '{}' });
    expect(bad.statusCode).toBeGreaterThanOrEqual(400);
    expect(bad.statusCode).toBeLessThan(500);
    expect(bad.json().error.code).toEqual(expect.any(String));
  });
  it('a body schema given per media type still requires a body of that type', async () => {
    expectEnvelope(await t.app.inject({ method: 'PUT', url: '/work-pools/bodiless', headers: auth() }), 400, 'VALIDATION_FAILED');
    const text = await t.app.inject({ method: 'PUT', url: '/work-pools/bodiless', headers: { ...auth(), 'content-type': 'text/plain' }, payload: 'hello' });
    expectEnvelope(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
  it('lone surrogates and unicode in strings', async () => {
    const payload = '{"flow_run":{"name":"\\ud800x\\udfff 🦊 \\u0000"},"flow":{"name":"\\udc00"},"job_variables":{"resource_group_name":"flows-rg","subscription_id":"' + SUBSCRIPTION + '","command":"echo \\ud83e"}}';
    const res = await t.app.inject({ method: 'POST', url: '/runs/preview', headers: { ...auth(), 'content-type': 'application/json' }, payload });
    expect(res.statusCode).toBeLessThan(500);
  });
});

/** Raw bytes on a real socket, for what the HTTP parser refuses before Fastify sees it. */
async function raw(request: string): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' }).catch(() => undefined);
  const { port } = t.app.server.address() as { port: number };
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write(request);
  });
}

describe('HTTP parser errors', () => {
  it('answers a malformed request line in the envelope', async () => {
    const answer = await raw('GET /runs HTTP/9.9 nonsense\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(JSON.parse(answer.split('\r\n\r\n')[1]).error.code).toBe('MALFORMED_REQUEST');
  });
  it('answers oversized headers in the envelope', async () => {
    const answer = await raw(`GET /runs HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431/);
    expect(JSON.parse(answer.split('\r\n\r\n')[1]).error.code).toBe('HEADERS_TOO_LARGE');
  });
});
