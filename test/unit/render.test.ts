import { describe, expect, it } from 'vitest';
import { defaultBaseJobTemplate, checkBaseJobTemplate } from '../../src/templating/base-job-template.js';
import { JobVariablesInvalid, TemplateNotRenderable, BaseJobTemplateInvalid } from '../../src/templating/errors.js';
import { renderFlowRun, type RenderInput } from '../../src/templating/render.js';

const RUN_ID = '0b7c4b7e-3a5e-4c6f-9a2b-1d2e3f4a5b6c';
const required = { resource_group_name: 'rg1', subscription_id: 'sub-1' };

function render(jobVariables: Record<string, unknown>, overrides: Partial<RenderInput> = {}) {
  return renderFlowRun({
    baseJobTemplate: defaultBaseJobTemplate(),
    flowRunJobVariables: { ...required, ...jobVariables },
    defaultImage: 'prefecthq/prefect:3-python3.12',
    context: {
      flowRun: { id: RUN_ID, name: 'gentle-fox', flow_id: 'flow-1' },
      flow: { name: 'My ETL' },
      deployment: { id: 'dep-1', name: 'nightly' },
      workPoolName: 'default',
      serviceInstance: 'svc-a',
      baseEnv: { PREFECT_API_URL: 'https://prefect.example/api', PREFECT_API_KEY: 'pnu_secret' },
      secretEnvNames: ['DB_PASSWORD'],
    },
    ...overrides,
  });
}

const groupOf = (run: ReturnType<typeof render>) =>
  (run.deployment.properties.template.resources as any[])[0] as any;
const containerOf = (run: ReturnType<typeof render>) => groupOf(run).properties.containers[0].properties;

describe('rendering the default template (reference §3.4)', () => {
  it('produces Prefect’s command, image, resources and names', () => {
    const run = render({ env: { FOO: 'bar' }, cpu: 2 });
    const container = containerOf(run);
    expect(container.command).toEqual(['/opt/prefect/entrypoint.sh', 'prefect', 'flow-run', 'execute']);
    expect(container.image).toBe('prefecthq/prefect:3-python3.12');
    expect(container.resources).toEqual({ requests: { cpu: 2, memoryInGB: 1 } });
    expect(run.containerGroupName).toBe(`my-etl-${RUN_ID}`);
    expect(run.deploymentName).toBe(`prefect-my-etl-${RUN_ID}`);
    expect(run.infrastructurePid).toBe(`${RUN_ID}:my-etl-${RUN_ID}`);
    expect(run.deployment.properties.mode).toBe('Incremental');
    expect(run.deployment.properties.parameters.container_group_name).toEqual({ value: `my-etl-${RUN_ID}` });
  });

  it('builds the environment in Prefect’s order, with secrets as secure parameters', () => {
    const run = render({ env: { FOO: 'bar', DB_PASSWORD: 'hunter2' } });
    const entries = containerOf(run).environmentVariables as any[];
    expect(entries.map((e) => e.name)).toEqual([
      'PREFECT_API_URL',
      'PREFECT_API_KEY',
      'PREFECT__FLOW_RUN_ID',
      'PREFECT__WORKER_NAME',
      'PREFECT__FLOW_ID',
      'PREFECT__FLOW_NAME',
      'PREFECT__DEPLOYMENT_NAME',
      'FOO',
      'DB_PASSWORD',
    ]);
    const apiKey = entries.find((e) => e.name === 'PREFECT_API_KEY');
    expect(apiKey).toEqual({ name: 'PREFECT_API_KEY', secureValue: "[parameters('secure_env_0')]" });
    expect(entries.find((e) => e.name === 'DB_PASSWORD').secureValue).toMatch(/^\[parameters\('secure_env_\d'\)\]$/);
    expect(JSON.stringify(run.deployment.properties.template)).not.toContain('pnu_secret');
    expect(JSON.stringify(run.deployment.properties.template)).not.toContain('hunter2');
    expect(run.deployment.properties.parameters.secure_env_0).toEqual({ value: 'pnu_secret' });
    expect(run.secretParameters).toEqual(['secure_env_0', 'secure_env_1']);
    expect(run.deployment.properties.template.parameters).toMatchObject({ secure_env_0: { type: 'securestring' } });
  });

  it('lets env null remove even a base setting (§7.2)', () => {
    const entries = containerOf(render({ env: { PREFECT_API_URL: null } })).environmentVariables as any[];
    expect(entries.map((e) => e.name)).not.toContain('PREFECT_API_URL');
  });

  it('escapes values ARM would read as expressions (§7.4)', () => {
    const run = render({
      env: { TRAP: "[concat('a','b')]" },
      command: `python -c "[print(1)]"`,
      image: '[parameters(1)]',
      labels: { team: '[subscription().id]' },
    });
    const container = containerOf(run);
    expect(container.environmentVariables.find((e: any) => e.name === 'TRAP').value).toBe("[[concat('a','b')]");
    expect(container.command).toEqual(['/opt/prefect/entrypoint.sh', 'python', '-c', '[[print(1)]']);
    expect(container.image).toBe('[[parameters(1)]');
    expect(groupOf(run).tags.team).toBe('[[subscription().id]');
  });

  it('escapes values put into a custom template’s placeholders', () => {
    const template = defaultBaseJobTemplate();
    const group = (template.job_configuration.arm_template as any).resources[0];
    group.properties.containers[0].properties.workingDir = '{{ name }}';
    group.properties.containers[0].properties.label = 'x-{{ name }}';
    group.properties.containers[0].properties.expr = "[concat('{{ name }}')]";
    const run = render({ name: "[evil')]" }, { baseJobTemplate: template });
    const container = containerOf(run);
    expect(container.workingDir).toBe("[[evil')]");
    expect(container.expr).toBe("[concat('[evil'')]')]");
  });

  it('refuses GPU requests: ACI retired its GPU offering (and never allowed GPU with subnets)', () => {
    expect(() => render({ gpu_count: 1, gpu_sku: 'V100' })).toThrow(/no longer offers GPUs \(retired on 2025-07-14\)/);
    try {
      render({ gpu_count: 1, gpu_sku: 'V100', subnet_ids: ['/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/a'] });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(JobVariablesInvalid);
      expect((err as JobVariablesInvalid).problems[0]).toMatchObject({ path: '/job_variables/gpu_count' });
    }
    expect(() => render({ gpu_count: 1 })).toThrow(/gpu_sku is required/);
  });

  it('applies registry credentials, identities, subnets and DNS', () => {
    const withPassword = render({ image_registry: { registry_url: 'reg.io', username: 'u', password: 'p4ss' } });
    expect(groupOf(withPassword).properties.imageRegistryCredentials).toEqual([
      { server: 'reg.io', username: 'u', password: "[parameters('secure_registry_password_1')]" },
    ]);
    expect(withPassword.deployment.properties.parameters.secure_registry_password_1).toEqual({ value: 'p4ss' });

    const acr = render({
      image_registry: { registry_url: 'me.azurecr.io', identity: '/id/acr' },
      identities: ['/id/other'],
      subnet_ids: ['/subnets/a', '/subnets/b'],
      dns_servers: ['10.0.0.4'],
    });
    const group = groupOf(acr);
    expect(group.properties.imageRegistryCredentials).toEqual([{ server: 'me.azurecr.io', identity: '/id/acr' }]);
    expect(group.identity).toEqual({ type: 'UserAssigned', userAssignedIdentities: { '/id/other': {}, '/id/acr': {} } });
    expect(group.properties.subnetIds).toEqual([{ id: '/subnets/a' }, { id: '/subnets/b' }]);
    expect(group.properties.dnsConfig).toEqual({ nameServers: ['10.0.0.4'] });
  });

  it('turns labels into tags with ownership tags', () => {
    const tags = groupOf(render({ labels: { team: 'data' } })).tags;
    expect(tags).toMatchObject({
      team: 'data',
      'prefect.io_flow-run-id': RUN_ID,
      'prefect.io_flow-name': 'My ETL',
      'aci-flow-runner.instance': 'svc-a',
      'aci-flow-runner.flow-run-id': RUN_ID,
    });
  });

  it('uses the command given, the entrypoint unsplit, and no entrypoint when null', () => {
    expect(containerOf(render({ command: 'sh -c "exit 3"', entrypoint: null })).command).toEqual(['sh', '-c', 'exit 3']);
    expect(containerOf(render({ entrypoint: '/bin/sh -c' })).command[0]).toBe('/bin/sh -c');
  });

  it('reads $VARS only through the allow-list function', () => {
    const template = defaultBaseJobTemplate();
    (template.job_configuration as any).image = '{{ $REGISTRY }}/flows:1';
    const allowed = render({}, { baseJobTemplate: template, env: (name) => (name === 'REGISTRY' ? 'reg.io' : undefined) });
    expect(containerOf(allowed).image).toBe('reg.io/flows:1');
    const denied = render({}, { baseJobTemplate: template, env: () => undefined });
    expect(containerOf(denied).image).toBe('/flows:1');
  });
});

describe('refusals', () => {
  it('reports unknown variables, wrong types and missing required values with paths', () => {
    try {
      renderFlowRun({
        baseJobTemplate: defaultBaseJobTemplate(),
        flowRunJobVariables: { cpu: 'lots', colour: 'blue', subscription_id: 's' },
        defaultImage: 'img',
        context: { flowRun: { id: RUN_ID, name: 'r' }, workPoolName: 'p', serviceInstance: 's', baseEnv: {}, secretEnvNames: [] },
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(JobVariablesInvalid);
      const problems = (err as JobVariablesInvalid).problems;
      expect(problems).toEqual(
        expect.arrayContaining([
          { path: '/job_variables/colour', message: 'is not a variable of this work pool' },
          { path: '/job_variables/cpu', message: 'must be number' },
          { path: '/job_variables/resource_group_name', message: 'is missing: /job_variables must have the property "resource_group_name"' },
        ]),
      );
    }
  });

  it('refuses a template without a container group, naming what is missing', () => {
    const template = defaultBaseJobTemplate();
    (template.job_configuration.arm_template as any).resources = [{ type: 'Microsoft.Storage/storageAccounts' }];
    expect(() => render({}, { baseJobTemplate: template })).toThrow(TemplateNotRenderable);
    expect(() => render({}, { baseJobTemplate: template })).toThrow(/Microsoft.ContainerInstance\/containerGroups/);
  });

  it('refuses Prefect block references instead of silently dropping them', () => {
    const template = defaultBaseJobTemplate();
    (template.variables.properties as any).aci_credentials.default = { $ref: { block_document_id: 'abc' } };
    expect(() => render({}, { baseJobTemplate: template })).toThrow(/block document/);
  });

  it('checks base job templates on write', () => {
    expect(checkBaseJobTemplate(defaultBaseJobTemplate())).toBeTruthy();
    expect(() => checkBaseJobTemplate({ job_configuration: {}, variables: { type: 'object' } })).toThrow(BaseJobTemplateInvalid);
    expect(() => checkBaseJobTemplate({ ...defaultBaseJobTemplate(), variables: { type: 'object', properties: { a: { type: 'nonsense' } } } })).toThrow(
      /not a valid JSON schema/,
    );
  });

  it('has all 21 Prefect variables with the required list', () => {
    const { variables } = defaultBaseJobTemplate();
    expect(Object.keys(variables.properties as object)).toHaveLength(21);
    expect(variables.required).toEqual(['resource_group_name', 'subscription_id']);
  });
});
