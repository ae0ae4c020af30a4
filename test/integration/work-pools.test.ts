import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultBaseJobTemplate } from '../../src/templating/base-job-template.js';
import { startTestApp } from '../helpers/app.js';
import { cleanPrefix } from '../helpers/redis-keys.js';
import { READER_KEY, auth, testConfig } from '../helpers/config.js';

const config = testConfig({ FLOW_RUN_BASE_ENV: JSON.stringify({ PREFECT_API_URL: 'https://p/api', PREFECT_API_KEY: 'pnu_x' }) });
let harness: Awaited<ReturnType<typeof startTestApp>>;

function poolWithDefaults(defaults: Record<string, unknown>) {
  const template = defaultBaseJobTemplate();
  const properties = template.variables.properties as Record<string, Record<string, unknown>>;
  for (const [name, value] of Object.entries(defaults)) properties[name].default = value;
  return template;
}

beforeAll(async () => {
  harness = await startTestApp(config);
});
afterAll(async () => {
  await harness.close();
  await cleanPrefix(config.redisUrl, config.queuePrefix);
});

describe('work pools', () => {
  it('has a default pool from the start', async () => {
    const res = await harness.app.inject({ url: '/work-pools/default', headers: auth() });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json().base_job_template.variables.properties)).toHaveLength(21);
    const list = await harness.app.inject({ url: '/work-pools', headers: auth() });
    expect(list.json().items.map((p: { name: string }) => p.name)).toContain('default');
  });

  it('creates, replaces, reads and deletes a pool; secrets are masked and kept', async () => {
    const template = poolWithDefaults({
      resource_group_name: 'rg-team',
      subscription_id: '5ec2e7a1-0000-4000-8000-000000000001',
      aci_credentials: { client_id: 'c', tenant_id: 't', client_secret: 'sp-secret' },
    });
    const created = await harness.app.inject({
      method: 'PUT',
      url: '/work-pools/team-a',
      headers: auth(),
      payload: { base_job_template: template, description: 'Team A', concurrency_limit: 5 },
    });
    expect(created.statusCode).toBe(201);
    expect(created.body).not.toContain('5ec2e7a1-0000-4000-8000-000000000001');
    expect(created.body).not.toContain('sp-secret');

    const read = await harness.app.inject({ url: '/work-pools/team-a', headers: auth() });
    const pool = read.json();
    expect(pool).toMatchObject({ name: 'team-a', description: 'Team A', concurrency_limit: 5 });
    expect(pool.base_job_template.variables.properties.subscription_id.default).toBe('********');
    expect(pool.base_job_template.variables.properties.aci_credentials.default).toEqual({
      client_id: 'c',
      tenant_id: 't',
      client_secret: '********',
    });

    // Sending the masked template back keeps the real secrets: the preview renders with them.
    const replaced = await harness.app.inject({
      method: 'PUT',
      url: '/work-pools/team-a',
      headers: auth(),
      payload: { base_job_template: pool.base_job_template, description: 'Team A v2' },
    });
    expect(replaced.statusCode).toBe(200);
    const preview = await harness.app.inject({
      method: 'POST',
      url: '/runs/preview',
      headers: auth(),
      payload: { flow_run: { name: 'r' }, flow: { name: 'f' }, work_pool: 'team-a' },
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.json().resource_group_name).toBe('rg-team');

    expect((await harness.app.inject({ method: 'DELETE', url: '/work-pools/team-a', headers: auth() })).statusCode).toBe(204);
    const gone = await harness.app.inject({ url: '/work-pools/team-a', headers: auth() });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('WORK_POOL_NOT_FOUND');
  });

  it('refuses broken templates with paths and stores nothing', async () => {
    const template = defaultBaseJobTemplate();
    (template.job_configuration.arm_template as { resources: unknown[] }).resources = [];
    template.variables = { type: 'object', properties: { cpu: { type: 'bogus' } } };
    const res = await harness.app.inject({ method: 'PUT', url: '/work-pools/broken', headers: auth(), payload: { base_job_template: template } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(res.json().error.details.map((d: { path: string }) => d.path)).toEqual([
      '/base_job_template/variables',
      '/base_job_template/job_configuration/arm_template/resources',
    ]);
    expect((await harness.app.inject({ url: '/work-pools/broken', headers: auth() })).statusCode).toBe(404);
  });

  it('protects the default pool and checks names and scopes', async () => {
    expect((await harness.app.inject({ method: 'DELETE', url: '/work-pools/default', headers: auth() })).json().error.code).toBe(
      'WORK_POOL_PROTECTED',
    );
    const badName = await harness.app.inject({ url: '/work-pools/-bad', headers: auth() });
    expect(badName.statusCode).toBe(400);
    const forbidden = await harness.app.inject({
      method: 'PUT',
      url: '/work-pools/x',
      headers: auth(READER_KEY),
      payload: { base_job_template: defaultBaseJobTemplate() },
    });
    expect(forbidden.statusCode).toBe(403);
  });

  it('keeps pools across a service restart', async () => {
    await harness.app.inject({ method: 'PUT', url: '/work-pools/durable', headers: auth(), payload: { base_job_template: defaultBaseJobTemplate() } });
    const second = await startTestApp(config);
    try {
      const res = await second.app.inject({ url: '/work-pools/durable', headers: auth() });
      expect(res.statusCode).toBe(200);
      expect(res.json().name).toBe('durable');
    } finally {
      await second.close();
    }
  });
});

describe('POST /runs/preview', () => {
  const body = {
    flow_run: { id: '0B7C4B7E-3A5E-4C6F-9A2B-1D2E3F4A5B6C', name: 'gentle-fox' },
    flow: { name: 'Nightly ETL' },
    job_variables: {
      resource_group_name: 'rg1',
      subscription_id: '5ec2e7a1-0000-4000-8000-000000000123',
      env: { TOKEN: 'abc' },
      image_registry: { registry_url: 'r.io', username: 'u', password: 'reg-secret' },
    },
  };

  it('returns the job configuration and the exact deployment body, secrets masked', async () => {
    const res = await harness.app.inject({ method: 'POST', url: '/runs/preview', headers: auth(), payload: body });
    expect(res.statusCode).toBe(200);
    const preview = res.json();
    const id = '0b7c4b7e-3a5e-4c6f-9a2b-1d2e3f4a5b6c';
    expect(preview).toMatchObject({
      flow_run_id: id,
      work_pool: 'default',
      container_group_name: `nightly-etl-${id}`,
      deployment_name: `prefect-nightly-etl-${id}`,
      infrastructure_pid: `${id}:nightly-etl-${id}`,
      resource_group_name: 'rg1',
    });
    expect(preview.job_configuration.subscription_id).toBe('********');
    expect(preview.job_configuration.env.PREFECT_API_KEY).toBe('********');
    expect(preview.job_configuration.env.TOKEN).toBe('abc');
    expect(preview.deployment.properties.mode).toBe('Incremental');
    expect(preview.deployment.properties.parameters.container_group_name.value).toBe(`nightly-etl-${id}`);
    for (const secret of ['5ec2e7a1-0000-4000-8000-000000000123', 'reg-secret', 'pnu_x']) expect(res.body).not.toContain(secret);
  });

  it('gives 400 with the path of every job-variable problem', async () => {
    const res = await harness.app.inject({
      method: 'POST',
      url: '/runs/preview',
      headers: auth(),
      payload: { ...body, job_variables: { subscription_id: 's', memory: 'big', nonsense: 1 } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(res.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      '/job_variables/memory',
      '/job_variables/nonsense',
      '/job_variables/resource_group_name',
    ]);
  });

  it('gives 400 for a malformed submission body', async () => {
    const res = await harness.app.inject({ method: 'POST', url: '/runs/preview', headers: auth(), payload: { flow_run: { id: 'not-a-uuid', name: 'x' } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ in: 'body', path: '/flow_run/id' });
  });

  it('gives 422 naming what a pool template lacks', async () => {
    const template = defaultBaseJobTemplate();
    delete (template.job_configuration.arm_template as { parameters?: unknown }).parameters;
    await harness.app.inject({ method: 'PUT', url: '/work-pools/no-params', headers: auth(), payload: { base_job_template: template } });
    const res = await harness.app.inject({ method: 'POST', url: '/runs/preview', headers: auth(), payload: { ...body, work_pool: 'no-params' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'TEMPLATE_NOT_RENDERABLE', message: expect.stringContaining('container_group_name') });
  });

  it('gives 404 for an unknown pool', async () => {
    const res = await harness.app.inject({ method: 'POST', url: '/runs/preview', headers: auth(), payload: { ...body, work_pool: 'nope' } });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('WORK_POOL_NOT_FOUND');
  });
});
