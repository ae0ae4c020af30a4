// What a person reads (issue 12, item 5): error wording, request ids, cleanup status apart from errors,
// one timestamp format.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_STATES } from '../../src/runs/model.js';
import { call } from '../helpers/emulator.js';
import { auth, getRun, settled, startService, submission, waitFor, type Harness } from '../helpers/service.js';

let h: Harness;
beforeAll(async () => {
  h = await startService();
});
afterAll(async () => h?.close());

const ISO_MILLIS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('validation messages', () => {
  it('an unknown state gives one problem that lists the allowed states', async () => {
    const res = await h.app.inject({ url: '/runs?state=DONE', headers: auth });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toHaveLength(1);
    expect(error.details[0].path).toBe('/state');
    for (const state of RUN_STATES) expect(error.details[0].message).toContain(`"${state}"`);
    expect(error.message).toBe(`The query string is invalid. /state ${error.details[0].message}.`);
  });

  it('says "the path parameters are invalid", in grammar', async () => {
    const res = await h.app.inject({ url: `/runs/${'a'.repeat(201)}`, headers: auth });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^The path parameters are invalid\./);
    expect(res.json().error.details[0].in).toBe('params');
  });

  it('a missing job variable is named with the object that lacks it', async () => {
    const body = submission();
    delete (body.job_variables as Record<string, unknown>).resource_group_name;
    const res = await h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.details).toEqual([{ path: '/job_variables/resource_group_name', message: 'is missing: /job_variables must have the property "resource_group_name"' }]);
    expect(error.message).toBe('The job variables are invalid: /job_variables/resource_group_name is missing: /job_variables must have the property "resource_group_name"');
    expect(error.message).not.toContain('must have required property');
  });

  it('a missing body property is named with the body as its holder', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: { flow: { name: 'x' } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([{ in: 'body', path: '/flow_run', message: 'is missing: the body must have the property "flow_run"' }]);
  });

  it('415 says that JSON is expected, for text/plain too', async () => {
    for (const type of ['application/xml', 'text/plain']) {
      const res = await h.app.inject({ method: 'POST', url: '/runs', headers: { ...auth, 'content-type': type }, payload: '{}' });
      expect(res.statusCode).toBe(415);
      expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(res.json().error.message).toContain('application/json');
    }
  });
});

describe('request ids', () => {
  it("keeps a client's x-request-id and echoes it, on success and on error", async () => {
    const ok = await h.app.inject({ url: '/healthz', headers: { 'x-request-id': 'client-chosen-42' } });
    expect(ok.headers['x-request-id']).toBe('client-chosen-42');
    const missing = await h.app.inject({ url: '/runs/no-such-run', headers: { ...auth, 'x-request-id': 'client-chosen-43' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['x-request-id']).toBe('client-chosen-43');
    const unrouted = await h.app.inject({ url: '/nowhere', headers: { 'x-request-id': 'client-chosen-44' } });
    expect(unrouted.headers['x-request-id']).toBe('client-chosen-44');
    const badUrl = await h.app.inject({ url: '/runs/%E0%A4%A', headers: { ...auth, 'x-request-id': 'client-chosen-45' } });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.headers['x-request-id']).toBe('client-chosen-45');
  });

  it('makes a UUID when the client gives none (or one unfit for logs) and echoes it', async () => {
    const first = await h.app.inject({ url: '/healthz' });
    const second = await h.app.inject({ url: '/healthz' });
    expect(first.headers['x-request-id']).toMatch(UUID);
    expect(second.headers['x-request-id']).toMatch(UUID);
    expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
    const unfit = await h.app.inject({ url: '/healthz', headers: { 'x-request-id': 'x'.repeat(201) } });
    expect(unfit.headers['x-request-id']).toMatch(UUID);
  });
});

describe('one timestamp format', () => {
  it('run history, log lines (Azure gives 7 fraction digits) and cleanup times are ISO 8601 with milliseconds', async () => {
    const body = submission({ command: 'sh -c "echo first; echo second; exit 0"', stream_output: true });
    await h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
    const run = await settled(h, body.flow_run.id);
    expect(run.state).toBe('COMPLETED');
    for (const entry of run.history) expect(entry.at).toMatch(ISO_MILLIS);
    expect(run.updated_at).toMatch(ISO_MILLIS);
    if (run.cleanup.started_at) expect(run.cleanup.started_at).toMatch(ISO_MILLIS);
    const logs = (await h.app.inject({ url: `/runs/${run.id}/logs`, headers: auth })).json();
    expect(logs.lines.map((l: { line: string }) => l.line)).toEqual(['first', 'second']);
    for (const line of logs.lines) expect(line.ts).toMatch(ISO_MILLIS);
  });
});

describe('cleanup status and last error', () => {
  it('a wait for a late container group is a status, never a last error', async () => {
    // ARM dispatched the create before the cancel: cleanup waits (bounded) for the group to appear.
    await call(h.emulator, 'POST', '/_emulator/faults', { kind: 'late-create', share: 1, limit: 1, delaySeconds: 40 });
    try {
      const body = submission({ command: 'sh -c "sleep 100000"' });
      const pid = (await h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body })).json().infrastructure_pid;
      await waitFor(() => getRun(h, body.flow_run.id), (r) => r.state === 'PROVISIONING');
      await h.app.inject({ method: 'DELETE', url: `/runs/${pid}`, headers: auth });
      const waiting = await waitFor(() => getRun(h, body.flow_run.id), (r) => r.cleanup?.status !== undefined || r.cleanup?.state === 'done');
      expect(waiting.cleanup.status).toMatch(/^Waiting for a container group/);
      expect(waiting.cleanup.last_error).toBeUndefined();
      const run = await settled(h, body.flow_run.id);
      expect(run.cleanup).toEqual(expect.objectContaining({ state: 'done' }));
      expect(run.cleanup.status).toBeUndefined();
      expect(run.cleanup.last_error).toBeUndefined();
    } finally {
      await call(h.emulator, 'DELETE', '/_emulator/faults');
    }
  });
});
