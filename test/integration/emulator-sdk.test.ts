import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server.js';
import { defaultBaseJobTemplate } from '../../src/templating/base-job-template.js';
import { renderFlowRun } from '../../src/templating/render.js';
import { SUBSCRIPTION, call, sdkClients, withEmulator } from '../helpers/emulator.js';

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await withEmulator();
});
afterAll(async () => emulator.close());

function deploymentFor(command: string, image = 'python:3.12-slim', name = 'cycle') {
  return renderFlowRun({
    baseJobTemplate: defaultBaseJobTemplate(),
    flowRunJobVariables: { resource_group_name: 'rg-sdk', subscription_id: SUBSCRIPTION, command, image, entrypoint: null, env: { SECRET_TOKEN: 's3cr3t' } },
    defaultImage: 'unused',
    context: {
      flowRun: { id: crypto.randomUUID(), name: 'r' },
      flow: { name },
      workPoolName: 'default',
      serviceInstance: 'test',
      baseEnv: { PREFECT_API_KEY: 'pnu_key' },
      secretEnvNames: ['SECRET_TOKEN'],
    },
  });
}

const poll = { updateIntervalInMs: 20 };

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the real SDKs against the emulator', () => {
  it('run a full cycle: deploy → running → terminated → logs → delete', async () => {
    const { resources, aci } = sdkClients(emulator);
    const run = deploymentFor('sh -c "echo starting; sleep 100; echo done; exit 0"');
    const deployment = await resources.deployments.beginCreateOrUpdateAndWait('rg-sdk', run.deploymentName, run.deployment, poll);
    expect(deployment.properties?.provisioningState).toBe('Succeeded');

    const running = await aci.containerGroups.get('rg-sdk', run.containerGroupName);
    expect(running.provisioningState).toBe('Succeeded');
    expect(running.containers[0].instanceView?.currentState?.state).toBe('Running');
    const secure = running.containers[0].environmentVariables?.find((e) => e.name === 'PREFECT_API_KEY');
    expect(secure).toEqual({ name: 'PREFECT_API_KEY' });
    expect(JSON.stringify(running)).not.toContain('pnu_key');
    expect(running.tags?.['aci-flow-runner.instance']).toBe('test');

    const finished = await until(
      () => aci.containerGroups.get('rg-sdk', run.containerGroupName),
      (g) => g.containers[0].instanceView?.currentState?.state === 'Terminated',
    );
    expect(finished.containers[0].instanceView?.currentState?.exitCode).toBe(0);
    expect(finished.instanceView?.state).toBe('Succeeded');
    expect(finished.containers[0].instanceView?.currentState?.finishTime).toBeInstanceOf(Date);

    const logs = await aci.containers.listLogs('rg-sdk', run.containerGroupName, finished.containers[0].name, { tail: 100, timestamps: true });
    const lines = (logs.content ?? '').trim().split('\n');
    expect(lines.map((l) => l.split(' ').slice(1).join(' '))).toEqual(['starting', 'done']);
    expect(lines[0].split(' ')[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);

    await aci.containerGroups.beginDeleteAndWait('rg-sdk', run.containerGroupName, poll);
    await expect(aci.containerGroups.get('rg-sdk', run.containerGroupName)).rejects.toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
    await resources.deployments.beginDeleteAndWait('rg-sdk', run.deploymentName, poll);
  });

  it('surface DeploymentFailed with the nested cause for an inaccessible image', async () => {
    const { resources } = sdkClients(emulator);
    const run = deploymentFor('echo hi', 'registry.example/inaccessible:1', 'pullfail');
    await expect(resources.deployments.beginCreateOrUpdateAndWait('rg-sdk', run.deploymentName, run.deployment, poll)).rejects.toThrow(
      /DeploymentFailed/,
    );
    const failed = await resources.deployments.get('rg-sdk', run.deploymentName);
    expect(failed.properties?.error?.details?.[0]?.details?.[0]?.code).toBe('InaccessibleImage');
    const operations = [];
    for await (const op of resources.deploymentOperations.list('rg-sdk', run.deploymentName)) operations.push(op);
    expect(operations[0].properties?.statusMessage).toMatchObject({ error: { code: 'InaccessibleImage' } });
  });

  it('answer stop and cancel with exactly 204', async () => {
    const { resources, aci } = sdkClients(emulator);
    const run = deploymentFor('sh -c "sleep 600"', 'python:3.12-slim', 'stopper');
    // The create is dispatched but lands later, so the deployment is still running when cancelled
    // however slow this machine is; the group still appears afterwards, as on Azure.
    await call(emulator, 'POST', '/_emulator/faults', { kind: 'late-create', share: 1, limit: 1, delaySeconds: 100 });
    const poller = await resources.deployments.beginCreateOrUpdate('rg-sdk', run.deploymentName, run.deployment, poll);
    await resources.deployments.cancel('rg-sdk', run.deploymentName);
    expect((await resources.deployments.get('rg-sdk', run.deploymentName)).properties?.provisioningState).toBe('Canceled');
    await expect(poller.pollUntilDone()).rejects.toThrow(/canceled/i);
    await until(
      () => aci.containerGroups.get('rg-sdk', run.containerGroupName).catch(() => undefined),
      (g) => g?.containers[0].instanceView?.currentState?.state === 'Running',
    );
    await aci.containerGroups.stop('rg-sdk', run.containerGroupName);
    expect((await aci.containerGroups.get('rg-sdk', run.containerGroupName)).instanceView?.state).toBe('Stopped');
  });

  it('retry a 429 with Retry-After inside the SDK, and count it', async () => {
    const { aci } = sdkClients(emulator, 'throttled-client');
    await call(emulator, 'POST', '/_emulator/counters/reset');
    await call(emulator, 'POST', '/_emulator/faults', { kind: 'throttle', share: 1, retryAfterSeconds: 0, limit: 1, operation: 'ContainerGroups_ListByResourceGroup' });
    const groups = [];
    for await (const g of aci.containerGroups.listByResourceGroup('rg-sdk')) groups.push(g);
    expect(groups.length).toBeGreaterThan(0);
    const counters = (await call(emulator, 'GET', '/_emulator/counters')).body;
    expect(counters.operations.ContainerGroups_ListByResourceGroup).toBe(2);
    expect(counters.injected.throttle).toBe(1);
    await call(emulator, 'DELETE', '/_emulator/faults');
  });
});

describe('special images', () => {
  const groupBody = (image: string, restartPolicy: string) => ({
    location: 'eastus',
    osType: 'Linux',
    restartPolicy,
    containers: [{ name: 'main', image, resources: { requests: { cpu: 1, memoryInGB: 1 } } }],
  });

  it('emulator/oom is killed with exit 137 (OOMKilled)', async () => {
    const { aci } = sdkClients(emulator);
    await aci.containerGroups.beginCreateOrUpdateAndWait('rg-sdk', 'oom-group', groupBody('emulator/oom:1', 'Never'), poll);
    const g = await until(() => aci.containerGroups.get('rg-sdk', 'oom-group'), (x) => x.containers[0].instanceView?.currentState?.state === 'Terminated');
    expect(g.containers[0].instanceView?.currentState).toMatchObject({ exitCode: 137, detailStatus: 'OOMKilled' });
    expect(g.instanceView?.state).toBe('Failed');
  });

  it('emulator/crashloop restarts under Always and shows CrashLoopBackOff', async () => {
    const { aci } = sdkClients(emulator);
    await aci.containerGroups.beginCreateOrUpdateAndWait('rg-sdk', 'loop-group', groupBody('emulator/crashloop:1', 'Always'), poll);
    const g = await until(() => aci.containerGroups.get('rg-sdk', 'loop-group'), (x) => (x.containers[0].instanceView?.restartCount ?? 0) >= 1);
    const view = g.containers[0].instanceView!;
    expect(view.previousState).toMatchObject({ state: 'Terminated', exitCode: 1 });
    expect(['Running', 'Waiting']).toContain(view.currentState?.state);
    expect(g.instanceView?.state).toBe('Running');
  });
});

describe('ARM errors for bad requests', () => {
  it('refuses a template with an unknown function with InvalidTemplate, and stores nothing', async () => {
    const run = deploymentFor('echo');
    (run.deployment.properties.template.resources as any[])[0].location = "[nosuchfunction('x')]";
    const res = await call(emulator, 'PUT', `/subscriptions/${SUBSCRIPTION}/resourcegroups/rg-sdk/providers/Microsoft.Resources/deployments/bad1?api-version=2025-03-01`, run.deployment);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('InvalidTemplate');
    expect(res.body.error.message).toContain("The template function 'nosuchfunction' is not valid");
    const get = await call(emulator, 'GET', `/subscriptions/${SUBSCRIPTION}/resourcegroups/rg-sdk/providers/Microsoft.Resources/deployments/bad1?api-version=2025-03-01`);
    expect(get.status).toBe(404);
  });

  it.each([
    ['a'.repeat(65), 'DeploymentNameLengthLimitExceeded'],
    ['bad name!', 'DeploymentNameInvalidCharacters'],
  ])('refuses deployment name %s', async (name, code) => {
    const res = await call(emulator, 'PUT', `/subscriptions/${SUBSCRIPTION}/resourcegroups/rg-sdk/providers/Microsoft.Resources/deployments/${encodeURIComponent(name)}`, deploymentFor('x').deployment);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
  });

  it('answers 409 DeploymentActive for a running deployment name', async () => {
    const run = deploymentFor('sh -c "sleep 600"', 'python:3.12-slim', 'active');
    const path = `/subscriptions/${SUBSCRIPTION}/resourcegroups/rg-sdk/providers/Microsoft.Resources/deployments/${run.deploymentName}`;
    // The group lands late, so the deployment is surely still active at the second PUT on a slow machine.
    await call(emulator, 'POST', '/_emulator/faults', { kind: 'late-create', share: 1, limit: 1, delaySeconds: 100 });
    expect((await call(emulator, 'PUT', path, run.deployment)).status).toBe(201);
    const again = await call(emulator, 'PUT', path, run.deployment);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('DeploymentActive');
  });

  it('answers 401 without a token, and malformed JSON with InvalidRequestContent', async () => {
    const path = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-sdk/providers/Microsoft.ContainerInstance/containerGroups/x`;
    const anonymous = await call(emulator, 'GET', path, undefined, '');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toMatch(/AuthenticationFailed|InvalidAuthenticationToken/);
    const { request } = await import('node:https');
    const status = await new Promise<number>((resolve) => {
      const req = request(new URL(path, emulator.url), { method: 'PUT', ca: emulator.caCert, headers: { authorization: 'Bearer aci-emulator-static-token', 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.end('{"properties":');
    });
    expect(status).toBe(400);
  });

  it.each([
    [{ gpu: { count: 1, sku: 'V100' } }, 'GpuSkuNotAvailable'],
    [{ cpu: 32 }, 'ResourceRequestsExceedLimit'],
    [{ memoryInGB: 241 }, 'ResourceRequestsExceedLimit'],
  ])('validates ACI resource requests %j', async (requests, code) => {
    const body = {
      location: 'eastus',
      properties: {
        osType: 'Linux',
        containers: [{ name: 'c', properties: { image: 'x', resources: { requests: { cpu: 1, memoryInGB: 1, ...requests } } } }],
      },
    };
    const res = await call(emulator, 'PUT', `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-sdk/providers/Microsoft.ContainerInstance/containerGroups/val-${code.toLowerCase()}`, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
  });
});
