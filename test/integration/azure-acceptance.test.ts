// Values Azure would refuse get 400 with the path at submission, for preview and submit, and nothing is stored.
import { describe, expect, it } from 'vitest';
import { ACI_MAX_CPU, ACI_MAX_MEMORY_GB } from '../../src/azure/aci-limits.js';
import { defaultBaseJobTemplate } from '../../src/templating/base-job-template.js';
import { useTestApp } from '../helpers/app.js';
import { auth } from '../helpers/config.js';

const t = useTestApp();

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';
const body = (jobVariables: Record<string, unknown>, workPool?: string) => ({
  flow_run: { id: crypto.randomUUID(), name: 'checked' },
  flow: { name: 'acceptance' },
  ...(workPool ? { work_pool: workPool } : {}),
  job_variables: { resource_group_name: 'flows-rg', subscription_id: SUBSCRIPTION, ...jobVariables },
});

const refused: [string, Record<string, unknown>, string][] = [
  ['negative memory', { memory: -5 }, '/job_variables/memory'],
  ['memory below 0.1 GB', { memory: 0.05 }, '/job_variables/memory'],
  ['memory above the maximum', { memory: ACI_MAX_MEMORY_GB + 1 }, '/job_variables/memory'],
  ['zero cpu', { cpu: 0 }, '/job_variables/cpu'],
  ['huge cpu', { cpu: 1e308 }, '/job_variables/cpu'],
  ['cpu above the maximum', { cpu: ACI_MAX_CPU + 0.5 }, '/job_variables/cpu'],
  ['empty image', { image: '' }, '/job_variables/image'],
  ['image with spaces', { image: 'python 3' }, '/job_variables/image'],
  ['a path as subscription id', { subscription_id: '../../x' }, '/job_variables/subscription_id'],
  ['resource group with a slash', { resource_group_name: 'rg/../other' }, '/job_variables/resource_group_name'],
  ['resource group ending in a period', { resource_group_name: 'rg.' }, '/job_variables/resource_group_name'],
  ['resource group too long', { resource_group_name: 'r'.repeat(91) }, '/job_variables/resource_group_name'],
  ['negative poll interval', { task_watch_poll_interval: -1 }, '/job_variables/task_watch_poll_interval'],
  ['negative start timeout', { task_start_timeout_seconds: -1 }, '/job_variables/task_start_timeout_seconds'],
  ['negative gpu count', { gpu_count: -1 }, '/job_variables/gpu_count'],
];

describe('submission-time checks', () => {
  for (const [what, variables, path] of refused) {
    it(`refuses ${what} with the path, on preview and submit, storing nothing`, async () => {
      const payload = body(variables);
      const preview = await t.app.inject({ method: 'POST', url: '/runs/preview', headers: auth(), payload });
      expect(preview.statusCode).toBe(400);
      expect(preview.json().error.code).toBe('VALIDATION_FAILED');
      expect(preview.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
      const submit = await t.app.inject({ method: 'POST', url: '/runs', headers: auth(), payload });
      expect(submit.statusCode).toBe(400);
      expect(submit.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
      expect((await t.app.inject({ url: `/runs/${payload.flow_run.id}`, headers: auth() })).statusCode).toBe(404);
    });
  }

  it('never repeats the subscription id in the message', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/runs/preview', headers: auth(), payload: body({ subscription_id: 'not-a-guid-5ecret' }) });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('5ecret');
  });

  it('accepts the edges: zero intervals, zero GPUs, the maxima, unicode resource groups', async () => {
    const payload = body({
      cpu: ACI_MAX_CPU,
      memory: ACI_MAX_MEMORY_GB,
      task_watch_poll_interval: 0,
      task_start_timeout_seconds: 0,
      gpu_count: 0,
      resource_group_name: 'rg-flüsse_(1).x',
    });
    const res = await t.app.inject({ method: 'POST', url: '/runs/preview', headers: auth(), payload });
    expect(res.json().error).toBeUndefined();
    expect(res.statusCode).toBe(200);
    expect(JSON.stringify(res.json().deployment)).not.toContain('"gpu"');
  });

  it('checks what any pool template sends to ARM, not only the default variables', async () => {
    const template = defaultBaseJobTemplate();
    const group = (template.job_configuration.arm_template as { resources: Record<string, any>[] }).resources[0];
    const container = group.properties.containers[0];
    // With the sidecar the group asks for more CPU than one container group may have.
    container.properties.resources.requests = { cpu: ACI_MAX_CPU - 1, memoryInGB: 12 };
    container.name = 'Main_Container';
    group.properties.containers.push({ name: 'sidecar', properties: { image: 'busybox', resources: { requests: { cpu: 2, memoryInGB: 0.01 } } } });
    const put = await t.app.inject({ method: 'PUT', url: '/work-pools/hardcoded', headers: auth(), payload: { base_job_template: template } });
    expect(put.statusCode).toBe(201);
    const res = await t.app.inject({ method: 'POST', url: '/runs/preview', headers: auth(), payload: body({}, 'hardcoded') });
    expect(res.statusCode).toBe(400);
    const containers = '/job_configuration/arm_template/resources/0/properties/containers';
    expect(res.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(
      [`${containers}`, `${containers}/0/name`, `${containers}/1/properties/resources/requests/memoryInGB`].sort(),
    );
  });
});

describe('pool templates ARM would refuse', () => {
  it('refuses ARM parameters without a type when the pool is written', async () => {
    const template = defaultBaseJobTemplate();
    (template.job_configuration.arm_template as { parameters: Record<string, unknown> }).parameters.broken = false;
    const res = await t.app.inject({ method: 'PUT', url: '/work-pools/typeless', headers: auth(), payload: { base_job_template: template } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.map((d: { path: string }) => d.path)).toEqual(['/base_job_template/job_configuration/arm_template/parameters/broken']);
  });
});
