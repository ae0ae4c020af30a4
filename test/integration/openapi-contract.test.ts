// The published contract is usable by tools and people: named operations, described responses, the
// error code enum, optional defaulted parameters, and a POST /runs example that works as it is.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { type Harness, auth, startService } from '../helpers/service.js';

let service: Harness;
let document: any;
beforeAll(async () => {
  service = await startService();
  document = (await service.app.inject({ url: '/openapi.json' })).json();
});
afterAll(async () => service.close());

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const operations = () =>
  Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] })),
  );

describe('OpenAPI contract', () => {
  it('names every operation once, with the names clients are built on', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.filter((id) => !id)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining([
        'submitRun', 'previewRun', 'listRuns', 'getRun', 'killRun', 'getRunLogs',
        'putWorkPool', 'getWorkPool', 'listWorkPools', 'deleteWorkPool', 'getHealth', 'getReadiness', 'getMetrics',
        'putWebhook', 'getWebhook', 'listWebhooks', 'deleteWebhook', 'listWebhookDeliveries',
      ]),
    );
    // README lists them for people generating clients: every one, and no other.
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const sentence = /Operation ids \(for generated clients\): ([^.]*)\./.exec(readme)?.[1] ?? '';
    expect([...sentence.matchAll(/`(\w+)`/g)].map((m) => m[1]).sort()).toEqual([...ids].sort());
  });

  it('describes every response, and has servers', () => {
    const vague = operations().flatMap(({ path, method, op }) =>
      Object.entries(op.responses).filter(([, r]: [string, any]) => !r.description || r.description === 'Default Response').map(([status]) => `${method} ${path} ${status}`),
    );
    expect(vague).toEqual([]);
    expect(document.servers?.length).toBeGreaterThan(0);
  });

  it('publishes the error codes as an enum, the streams and defaulted parameters as optional', () => {
    expect(document.components.schemas.ErrorEnvelope.properties.error.properties.code.enum).toEqual([...ERROR_CODES]);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(ERROR_CODES.filter((code) => !readme.includes(`\`${code}\``))).toEqual([]);
    const logs = document.paths['/runs/{id}/logs'].get;
    expect(Object.keys(logs.responses['200'].content)).toEqual(['application/json', 'text/event-stream']);
    expect(Object.keys(document.paths['/metrics'].get.responses['200'].content)).toEqual(['text/plain']);
    const required = (op: any, name: string) => op.parameters.find((p: any) => p.name === name).required;
    expect(required(logs, 'follow')).toBe(false);
    expect(required(document.paths['/runs'].get, 'limit')).toBe(false);
    expect(document.paths['/runs/{id}'].delete.parameters[0].description).toContain('<flow_run_id>:<container_group_name>');
  });

  it('POST /runs example, sent as it is, makes a new run each time that completes', async () => {
    const example = document.paths['/runs'].post.requestBody.content['application/json'].example;
    expect(example.flow_run.id).toBeUndefined();
    const first = await service.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: example });
    const second = await service.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: example });
    expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
    expect(first.json().id).not.toBe(second.json().id);
    const deadline = Date.now() + 20_000;
    let state = '';
    while (Date.now() < deadline) {
      state = (await service.app.inject({ url: `/runs/${first.json().id}`, headers: auth })).json().state;
      if (state === 'COMPLETED' || state === 'FAILED' || state === 'CRASHED') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state).toBe('COMPLETED');
  });
});
