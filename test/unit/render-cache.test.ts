import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { renderSubmission } from '../../src/runs/render.js';
import { defaultBaseJobTemplate } from '../../src/templating/base-job-template.js';
import type { WorkPool } from '../../src/work-pools/model.js';

const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', API_KEYS: 'render-cache-key' });
const variables = { resource_group_name: 'rg1', subscription_id: '00000000-0000-0000-0000-0000000000aa', command: 'echo hi' };

function pool(cpu: number): WorkPool {
  const template = defaultBaseJobTemplate();
  (template.variables.properties as Record<string, { default?: unknown }>).cpu.default = cpu;
  return { name: 'p', description: '', created: '2026-11-29T00:00:00.000Z', updated: '2026-11-29T00:00:00.000Z', concurrency_limit: null, on_quota: 'wait', base_job_template: template, secret_env_names: [] };
}

const submission = (id: string, name: string) => ({ flow_run: { id, name }, flow: { name: 'etl' }, job_variables: { ...variables } });
const containerOf = (prepared: ReturnType<typeof renderSubmission>) =>
  ((prepared.deployment.properties.template.resources as any[])[0] as any).properties.containers[0].properties;

describe('rendering once per set of job variables', () => {
  it('gives each run its own names and labels from the same job variables', () => {
    const p = pool(1);
    const a = renderSubmission(submission('00000000-0000-4000-8000-00000000000a', 'first-run'), p, config);
    const b = renderSubmission(submission('00000000-0000-4000-8000-00000000000b', 'second-run'), p, config);
    expect(a.containerGroupName).not.toBe(b.containerGroupName);
    expect(a.jobConfiguration.labels['prefect.io/flow-run-name']).toBe('first-run');
    expect(b.jobConfiguration.labels['prefect.io/flow-run-name']).toBe('second-run');
    expect(JSON.stringify(b.deployment)).not.toContain('first-run');
  });

  it('renders a changed pool (a new template object) with its own defaults', () => {
    const one = renderSubmission(submission('00000000-0000-4000-8000-00000000000c', 'run'), pool(1), config);
    const two = renderSubmission(submission('00000000-0000-4000-8000-00000000000d', 'run'), pool(2), config);
    expect(containerOf(one).resources.requests.cpu).toBe(1);
    expect(containerOf(two).resources.requests.cpu).toBe(2);
  });

  it('leaves the shared rendering untouched when a run is masked for preview', () => {
    const p = pool(1);
    const first = renderSubmission(submission('00000000-0000-4000-8000-00000000000e', 'run'), p, config);
    expect(Object.isFrozen(first.jobConfiguration.aci_credentials)).toBe(true);
    const again = renderSubmission(submission('00000000-0000-4000-8000-00000000000f', 'run'), p, config);
    expect(again.jobConfiguration.subscription_id).toBe('00000000-0000-0000-0000-0000000000aa');
  });
});
