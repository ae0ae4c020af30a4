// POST /runs answers a new run from the JSON text its create stored (src/runs/run-json.ts), not
// through the response serializer: that answer must be exactly the run GET /runs/{id} shows (no
// worker runs here, so the run stays as it was created), and never a field the API keeps to itself.
import { describe, expect, it } from 'vitest';
import { defaultBaseJobTemplate } from '../../src/templating/base-job-template.js';
import { useTestApp } from '../helpers/app.js';
import { auth } from '../helpers/config.js';

const t = useTestApp();

function body(extra: Record<string, unknown> = {}) {
  return {
    flow_run: { id: crypto.randomUUID(), name: 'gentle-fox', tags: ['a', 'b'], parameters: { n: 1, text: 'quote " and \\ and \u2028' } },
    flow: { name: 'answer-flow', id: 'f-1' },
    job_variables: { resource_group_name: 'rg-answer', subscription_id: '00000000-0000-0000-0000-0000000000aa', command: 'sh -c "echo hi"' },
    ...extra,
  };
}

async function postAndGet(payload: Record<string, unknown>) {
  const posted = await t.app.inject({ method: 'POST', url: '/runs', headers: auth(), payload });
  expect(posted.statusCode).toBe(202);
  expect(posted.headers['content-type']).toBe('application/json; charset=utf-8');
  const id = (payload.flow_run as { id: string }).id;
  expect(posted.headers.location).toBe(`/runs/${id}`);
  const got = await t.app.inject({ url: `/runs/${id}`, headers: auth() });
  expect(got.statusCode).toBe(200);
  return { answer: posted.json(), shown: got.json(), text: posted.body };
}

describe('the answer to a new run', () => {
  it('is the run as GET shows it: flow, deployment without its job variables, links', async () => {
    const { answer, shown } = await postAndGet(
      body({ deployment: { id: 'd-1', name: 'nightly', job_variables: { cpu: 2 } }, job_variables: { resource_group_name: 'rg-answer', subscription_id: '00000000-0000-0000-0000-0000000000aa' } }),
    );
    expect(answer).toEqual(shown);
    expect(answer.state).toBe('PENDING');
    expect(answer.deployment).toEqual({ id: 'd-1', name: 'nightly' });
    expect(answer.links).toEqual({ self: `/runs/${answer.id}`, logs: `/runs/${answer.id}/logs`, kill: `/runs/${answer.infrastructure_pid}` });
  });

  it('keeps what the API never shows to itself, also on a pool that fails on quota', async () => {
    const put = await t.app.inject({ method: 'PUT', url: '/work-pools/answer-impatient', headers: auth(), payload: { base_job_template: defaultBaseJobTemplate(), on_quota: 'fail' } });
    expect(put.statusCode).toBe(201);
    const { answer, shown, text } = await postAndGet(body({ work_pool: 'answer-impatient' }));
    expect(answer).toEqual(shown);
    expect(answer.work_pool).toBe('answer-impatient');
    for (const hidden of ['principal', 'on_quota', 'submission_hash', 'version', 'log_cursor', 'outcome']) expect(text).not.toContain(`"${hidden}"`);
    // The store still has them.
    const stored = await t.services.store.get(answer.id);
    expect(stored).toMatchObject({ on_quota: 'fail', version: 0 });
    expect(stored?.principal).toMatch(/^p-/);
  });

  it('is the same submission whatever the order of many keys (the hash sorts large objects too)', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `p${String(i).padStart(2, '0')}`);
    const parameters = (order: string[]) => Object.fromEntries(order.map((name) => [name, name.length]));
    const base = body();
    const first = { ...base, flow_run: { ...base.flow_run, parameters: parameters([...names].reverse()) } };
    expect((await t.app.inject({ method: 'POST', url: '/runs', headers: auth(), payload: first })).statusCode).toBe(202);
    const again = { ...first, flow_run: { ...first.flow_run, parameters: parameters(names) } };
    expect(Object.keys(again.flow_run.parameters)).not.toEqual(Object.keys(first.flow_run.parameters));
    expect((await t.app.inject({ method: 'POST', url: '/runs', headers: auth(), payload: again })).statusCode).toBe(200);
    const changed = { ...first, flow_run: { ...first.flow_run, parameters: { ...parameters(names), p39: 0 } } };
    expect((await t.app.inject({ method: 'POST', url: '/runs', headers: auth(), payload: changed })).statusCode).toBe(409);
  });
});
