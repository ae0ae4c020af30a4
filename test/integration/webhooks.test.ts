// Webhooks end to end: real runs (API + worker + emulator), a real HTTP receiver that fails, hangs and
// recovers, signatures checked the way the README tells receivers to check them.
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeConnection, workerConnection } from '../../src/redis.js';
import { startWorker } from '../../src/runtime.js';
import { verify } from '../../src/webhooks/signature.js';
import { useTestApp } from '../helpers/app.js';
import { auth as authFor } from '../helpers/config.js';
import { sample } from '../helpers/metrics.js';
import { keysContaining } from '../helpers/redis-keys.js';
import { startReceiver } from '../helpers/receiver.js';
import { auth, settled, startService, submission, waitFor, type Harness } from '../helpers/service.js';

const SECRET = 'whsec-test-0123456789abcdef';
const ALL_STATES = ['PENDING', 'SUBMITTING', 'PROVISIONING', 'RUNNING', 'COMPLETED'];
const FAST = {
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_RETRY_BASE_MS: '100',
  WEBHOOK_TIMEOUT_MS: '400',
  WEBHOOK_POLL_MS: '20',
  SECRETS_KEY: 'webhook-test-sealing-key',
};

async function putWebhook(h: Harness, name: string, body: Record<string, unknown>) {
  return h.app.inject({ method: 'PUT', url: `/webhooks/${name}`, headers: auth, payload: { secret: SECRET, events: ['*'], ...body } });
}

async function submitRun(h: Harness, command = 'sh -c "echo hi; exit 0"') {
  const res = await h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: submission({ command }) });
  expect(res.statusCode).toBe(202);
  return res.json().id as string;
}

describe('webhook definitions', () => {
  const api = useTestApp({ SECRETS_KEY: 'webhook-test-sealing-key' });
  const { config } = api;

  it('refuses private and loopback targets unless WEBHOOK_ALLOW_PRIVATE=true', async () => {
    for (const url of ['http://127.0.0.1:9/x', 'http://10.1.2.3/x', 'http://[::1]/x', 'http://169.254.169.254/latest', 'http://localhost/x', 'http://192.168.0.10/']) {
      const res = await api.app.inject({ method: 'PUT', url: '/webhooks/private', headers: authFor(), payload: { url, events: ['*'], secret: SECRET } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code).toBe('WEBHOOK_TARGET_REFUSED');
    }
    const ftp = await api.app.inject({ method: 'PUT', url: '/webhooks/ftp', headers: authFor(), payload: { url: 'ftp://93.184.216.34/', events: ['*'], secret: SECRET } });
    expect(ftp.json().error.code).toBe('WEBHOOK_TARGET_REFUSED');
  });

  it('checks events and never returns the secret, which is sealed at rest', async () => {
    const bad = await api.app.inject({ method: 'PUT', url: '/webhooks/w1', headers: authFor(), payload: { url: 'https://93.184.216.34/h', events: ['DONE'], secret: SECRET } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0]).toMatchObject({ path: '/events' });
    const put = await api.app.inject({ method: 'PUT', url: '/webhooks/w1', headers: authFor(), payload: { url: 'https://93.184.216.34/h', events: ['COMPLETED', 'FAILED'], secret: SECRET } });
    expect(put.statusCode).toBe(201);
    const again = await api.app.inject({ method: 'PUT', url: '/webhooks/w1', headers: authFor(), payload: { url: 'https://93.184.216.34/h2', events: ['COMPLETED'], secret: SECRET } });
    expect(again.statusCode).toBe(200);
    expect(again.json().created_at).toBe(put.json().created_at);
    const one = await api.app.inject({ url: '/webhooks/w1', headers: authFor() });
    const list = await api.app.inject({ url: '/webhooks', headers: authFor() });
    for (const res of [put, again, one, list]) expect(res.body).not.toContain(SECRET);
    expect(one.json()).toMatchObject({ name: 'w1', url: 'https://93.184.216.34/h2', events: ['COMPLETED'] });
    const redis = new Redis(config.redisUrl);
    try {
      const stored = await redis.hget(`{${config.queuePrefix}}:webhooks`, 'w1');
      expect(stored).toBeTruthy();
      expect(stored).not.toContain(SECRET);
    } finally {
      redis.disconnect();
    }
    expect((await api.app.inject({ method: 'DELETE', url: '/webhooks/w1', headers: authFor() })).statusCode).toBe(204);
    expect((await api.app.inject({ url: '/webhooks/w1', headers: authFor() })).json().error.code).toBe('WEBHOOK_NOT_FOUND');
  });
});

describe('webhook deliveries', () => {
  let h: Harness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    h = await startService({ env: FAST });
  });
  afterEach(async () => {
    await receiver?.close();
  });
  afterAll(async () => {
    await h.close();
  });

  it('delivers every state change of a run, in order, signed, with stable ids', async () => {
    receiver = await startReceiver();
    expect((await putWebhook(h, 'all-states', { url: receiver.url })).statusCode).toBe(201);
    expect((await putWebhook(h, 'other-pool', { url: receiver.url, pools: ['some-other-pool'] })).statusCode).toBe(201);
    const id = await submitRun(h);
    await settled(h, id);
    const events = await waitFor(
      async () => receiver.accepted().filter((e) => e.run.id === id),
      (list) => list.some((e) => e.run.state === 'COMPLETED'),
    );
    expect(events.map((e) => e.run.state)).toEqual(ALL_STATES);
    expect(events.map((e) => e.id)).toEqual(ALL_STATES.map((_, i) => `${id}.${i + 1}`));
    expect(events.every((e) => e.type === 'run.state_changed')).toBe(true);
    expect(events[4].run).toMatchObject({ previous_state: 'RUNNING', result: { status_code: 0 } });
    expect(events[0].run.result).toBeNull();
    for (const r of receiver.received) {
      expect(verify(SECRET, r.body, r.headers['webhook-signature'] as string)).toBe(true);
      expect(r.headers['webhook-id']).toBe(JSON.parse(r.body).id);
      // One changed byte, or another secret, and the signature no longer holds.
      expect(verify(SECRET, r.body.replace('"run.state_changed"', '"run.state_changeD"'), r.headers['webhook-signature'] as string)).toBe(false);
      expect(verify('another-secret-0123456789', r.body, r.headers['webhook-signature'] as string)).toBe(false);
    }
    const deliveries = (await h.app.inject({ url: '/webhooks/all-states/deliveries', headers: auth })).json().items;
    expect(deliveries.filter((d: { run_id: string }) => d.run_id === id)).toHaveLength(5);
    expect(deliveries[0]).toMatchObject({ outcome: 'delivered', status_code: 204, attempt: 1 });
    expect((await h.app.inject({ url: '/webhooks/other-pool/deliveries', headers: auth })).json().items).toEqual([]);
    const redis = new Redis(h.config.redisUrl);
    try {
      expect(await keysContaining(redis, h.config.queuePrefix, `:webhook:all-states:cursor:${id}`)).toHaveLength(1);
      expect((await h.app.inject({ method: 'DELETE', url: '/webhooks/all-states', headers: auth })).statusCode).toBe(204);
      // Its cursors and deliveries go with it.
      expect(await keysContaining(redis, h.config.queuePrefix, ':webhook:all-states')).toEqual([]);
    } finally {
      redis.disconnect();
    }
    await h.app.inject({ method: 'DELETE', url: '/webhooks/other-pool', headers: auth });
  });

  it('retries a receiver that fails and times out, with backoff, and keeps the order', async () => {
    receiver = await startReceiver();
    receiver.respond('fail', 'fail', 'hang', 'fail');
    expect((await putWebhook(h, 'flaky', { url: receiver.url })).statusCode).toBe(201);
    const id = await submitRun(h);
    await settled(h, id);
    const events = await waitFor(
      async () => receiver.accepted().filter((e) => e.run.id === id),
      (list) => list.some((e) => e.run.state === 'COMPLETED'),
    );
    // Nothing later was delivered before an earlier state got through.
    expect(events.map((e) => e.run.state)).toEqual(ALL_STATES);
    const first = receiver.received.slice(0, 5).map((r) => JSON.parse(r.body).id);
    expect(first).toEqual([`${id}.1`, `${id}.1`, `${id}.1`, `${id}.1`, `${id}.1`]);
    const attempts = (await h.app.inject({ url: '/webhooks/flaky/deliveries?limit=100', headers: auth })).json().items.reverse();
    expect(attempts.slice(0, 5).map((a: { outcome: string }) => a.outcome)).toEqual(['retrying', 'retrying', 'retrying', 'retrying', 'delivered']);
    expect(attempts[0]).toMatchObject({ status_code: 500, response: 'receiver is down', attempt: 1 });
    expect(attempts[2]).toMatchObject({ status_code: null, attempt: 3 });
    expect(attempts[2].error).toContain('no answer within 400 ms');
    // Backoff: each wait at least as long as the one before (jitter aside), the first ≤ 5 s.
    const waits = attempts.slice(0, 4).map((a: { at: string; next_attempt_at: string }) => Date.parse(a.next_attempt_at) - Date.parse(a.at));
    expect(waits[0]).toBeLessThanOrEqual(5000);
    expect(waits[3]).toBeGreaterThan(waits[0]);
    await h.app.inject({ method: 'DELETE', url: '/webhooks/flaky', headers: auth });
  });

  it('keeps the order per run while several runs change at once', async () => {
    receiver = await startReceiver();
    receiver.respond('fail', 'fail', 'fail');
    expect((await putWebhook(h, 'many', { url: receiver.url })).statusCode).toBe(201);
    const ids = await Promise.all([1, 2, 3, 4].map(() => submitRun(h)));
    await Promise.all(ids.map((id) => settled(h, id)));
    await waitFor(
      async () => receiver.accepted(),
      (list) => ids.every((id) => list.some((e) => e.run.id === id && e.run.state === 'COMPLETED')),
    );
    for (const id of ids) {
      // At least once: a repeat is allowed, going back is not.
      const sequence = receiver.received.map((r) => JSON.parse(r.body)).filter((e) => e.run.id === id).map((e) => Number(e.id.split('.')[1]));
      expect(sequence.every((n, i) => i === 0 || n >= sequence[i - 1])).toBe(true);
      const accepted = receiver.accepted().filter((e) => e.run.id === id).map((e) => Number(e.id.split('.')[1]));
      expect([...new Set(accepted)]).toEqual([1, 2, 3, 4, 5]);
    }
    await h.app.inject({ method: 'DELETE', url: '/webhooks/many', headers: auth });
  });

  it('shows deliveries by outcome, their latency and the runs still pending in /metrics', async () => {
    const metrics = async () => (await h.app.inject({ url: '/metrics', headers: auth })).body;
    const attempts = (text: string, outcome: string) => sample(text, 'aci_flow_runner_webhook_deliveries_total', { outcome }) ?? 0;
    const timed = (text: string, result: string) => sample(text, 'aci_flow_runner_webhook_delivery_duration_seconds_count', { result }) ?? 0;
    const pending = (text: string, state: string) => sample(text, 'aci_flow_runner_webhook_pending_runs', { state });
    const before = await metrics();
    expect(attempts(before, 'abandoned')).toBeGreaterThanOrEqual(0); // every outcome is there from the start
    expect(pending(before, 'due')).toBeDefined();

    receiver = await startReceiver();
    receiver.fallback = 'fail';
    expect((await putWebhook(h, 'metered', { url: receiver.url, events: ['COMPLETED'] })).statusCode).toBe(201);
    const id = await submitRun(h);
    await settled(h, id);
    // While the receiver fails, the run stays in the outbox between retries.
    const failing = await waitFor(metrics, (text) => attempts(text, 'retrying') >= attempts(before, 'retrying') + 2 && pending(text, 'due')! + pending(text, 'waiting')! >= 1);
    expect(timed(failing, 'http_error')).toBeGreaterThanOrEqual(timed(before, 'http_error') + 2);
    expect(attempts(failing, 'delivered')).toBe(attempts(before, 'delivered'));

    receiver.fallback = 'accept';
    const after = await waitFor(metrics, (text) => attempts(text, 'delivered') === attempts(before, 'delivered') + 1 && pending(text, 'due')! + pending(text, 'waiting')! === 0);
    expect(receiver.accepted().map((e) => e.id)).toEqual([`${id}.5`]);
    expect(timed(after, 'success')).toBe(timed(before, 'success') + 1);
    expect(sample(after, 'aci_flow_runner_webhook_delivery_duration_seconds_sum', { result: 'success' })).toBeGreaterThan(0);
    expect(attempts(after, 'abandoned')).toBe(attempts(before, 'abandoned'));
    await h.app.inject({ method: 'DELETE', url: '/webhooks/metered', headers: auth });
  });
});

describe('webhook deliveries across a worker restart', () => {
  let h: Harness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const extra: { connection?: ReturnType<typeof workerConnection>; worker?: ReturnType<typeof startWorker> } = {};
  beforeAll(async () => {
    h = await startService({ env: { ...FAST, WEBHOOK_RETRY_BASE_MS: '300' } });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await extra.worker?.close();
    if (extra.connection) await closeConnection(extra.connection);
    await receiver.close();
    await h.close();
  });

  it('are carried on by the next worker', async () => {
    receiver.fallback = 'fail';
    expect((await putWebhook(h, 'restart', { url: receiver.url, events: ['COMPLETED'] })).statusCode).toBe(201);
    const id = await submitRun(h);
    await settled(h, id);
    await waitFor(async () => receiver.received.length, (n) => n >= 2);
    await h.worker!.close();
    const failedBefore = receiver.received.length;
    receiver.fallback = 'accept';
    extra.connection = workerConnection(h.config.redisUrl);
    extra.worker = startWorker(h.config, h.services, extra.connection, pino({ level: 'silent' }));
    const delivered = await waitFor(async () => receiver.accepted(), (list) => list.length > 0);
    expect(delivered.map((e) => e.id)).toEqual([`${id}.5`]);
    expect(delivered[0].run).toMatchObject({ state: 'COMPLETED', result: { status_code: 0 } });
    expect(receiver.received.slice(0, failedBefore).every((r) => r.answeredWith === 500)).toBe(true);
  });
});
