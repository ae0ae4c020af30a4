// Every body the emulator sends for the operations we use validates against the facts of Microsoft's
// OpenAPI files (contract/azure-arm.json, made by `npm run contract:extract`), and the official
// example requests are accepted with the example responses' shape.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Contract } from '../../src/contract/extract.js';
import type { RunningEmulator } from '../../src/emulator/server.js';
import { SUBSCRIPTION, call, withEmulator } from '../helpers/emulator.js';

const contract: Contract = JSON.parse(readFileSync(new URL('../../contract/azure-arm.json', import.meta.url), 'utf8'));
// Each document gets an id shaped like its original path, so the relative $refs between them resolve.
const idOf = (file: string) => `https://contract.invalid/${file}`;

const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
for (const [file, doc] of Object.entries(contract.documents)) ajv.addSchema({ $id: idOf(file), definitions: doc.definitions, parameters: doc.parameters }, idOf(file));

/** Asserts the status is one the spec lists and the body matches that response's schema. */
function conforms(operationId: string, status: number, body: unknown) {
  const op = contract.operations[operationId];
  expect(op, `no operation ${operationId}`).toBeDefined();
  const response = op.responses[String(status)] ?? (status >= 400 ? op.responses.default : undefined);
  expect(response, `${operationId} does not list status ${status}`).toBeDefined();
  if (!response?.schema) return;
  const validate = ajv.getSchema(`${idOf(op.file)}${response.schema.$ref}`)!;
  const ok = validate(body);
  expect(ok ? [] : validate.errors, `${operationId} ${status}`).toEqual([]);
}

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await withEmulator();
});
afterAll(async () => emulator.close());

const rg = `/subscriptions/${SUBSCRIPTION}/resourceGroups/conf`;
const deploymentPath = (name: string) => `/subscriptions/${SUBSCRIPTION}/resourcegroups/conf/providers/Microsoft.Resources/deployments/${name}`;

function groupTemplate(image: string, command: string[]) {
  return {
    properties: {
      mode: 'Incremental',
      parameters: { name: { value: 'conf-group' } },
      template: {
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        contentVersion: '1.0.0.0',
        parameters: { name: { type: 'string' }, secret: { type: 'securestring', defaultValue: 'hidden' } },
        resources: [
          {
            type: 'Microsoft.ContainerInstance/containerGroups',
            apiVersion: '2022-09-01',
            name: "[parameters('name')]",
            location: '[resourceGroup().location]',
            properties: {
              osType: 'Linux',
              restartPolicy: 'Never',
              containers: [
                {
                  name: '[uniqueString(resourceGroup().id)]',
                  properties: {
                    image,
                    command,
                    resources: { requests: { cpu: 1, memoryInGB: 1 } },
                    environmentVariables: [{ name: 'S', secureValue: "[parameters('secret')]" }],
                  },
                },
              ],
            },
          },
        ],
      },
    },
  };
}

async function until<T extends { body: any }>(read: () => Promise<T>, done: (body: any) => boolean): Promise<T> {
  for (;;) {
    const res = await read();
    if (done(res.body)) return res;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('emulator responses conform to the Azure specs', () => {
  it('for deployments, deployment operations and container groups', async () => {
    const put = await call(emulator, 'PUT', `${deploymentPath('conf-1')}?api-version=2025-03-01`, groupTemplate('python:3', ['sh', '-c', 'echo hi; sleep 5; exit 3']));
    conforms('Deployments_CreateOrUpdate', put.status, put.body);
    expect(put.headers['azure-asyncoperation']).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/.*operationStatuses/);

    const done = await until(() => call(emulator, 'GET', deploymentPath('conf-1')), (b) => b.properties.provisioningState === 'Succeeded');
    conforms('Deployments_Get', done.status, done.body);
    expect(done.body.properties.parameters.secret).toEqual({ type: 'SecureString' });

    const ops = await call(emulator, 'GET', `/subscriptions/${SUBSCRIPTION}/resourcegroups/conf/deployments/conf-1/operations`);
    conforms('DeploymentOperations_List', ops.status, ops.body);
    const op = await call(emulator, 'GET', `/subscriptions/${SUBSCRIPTION}/resourcegroups/conf/deployments/conf-1/operations/${ops.body.value[0].operationId}`);
    conforms('DeploymentOperations_Get', op.status, op.body);
    const list = await call(emulator, 'GET', `/subscriptions/${SUBSCRIPTION}/resourcegroups/conf/providers/Microsoft.Resources/deployments/`);
    conforms('Deployments_ListByResourceGroup', list.status, list.body);

    const groupPath = `${rg}/providers/Microsoft.ContainerInstance/containerGroups/conf-group`;
    const running = await call(emulator, 'GET', groupPath);
    conforms('ContainerGroups_Get', running.status, running.body);
    expect(JSON.stringify(running.body)).not.toContain('hidden');
    const finished = await until(() => call(emulator, 'GET', groupPath), (b) => b.properties.containers[0].properties.instanceView.currentState?.state === 'Terminated');
    conforms('ContainerGroups_Get', finished.status, finished.body);
    expect(finished.body.properties.containers[0].properties.instanceView.currentState.exitCode).toBe(3);

    const container = finished.body.properties.containers[0].name;
    const logs = await call(emulator, 'GET', `${groupPath}/containers/${container}/logs?tail=10&timestamps=true`);
    conforms('Containers_ListLogs', logs.status, logs.body);
    const byGroup = await call(emulator, 'GET', `${rg}/providers/Microsoft.ContainerInstance/containerGroups`);
    conforms('ContainerGroups_ListByResourceGroup', byGroup.status, byGroup.body);
    const all = await call(emulator, 'GET', `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.ContainerInstance/containerGroups`);
    conforms('ContainerGroups_List', all.status, all.body);
    const patched = await call(emulator, 'PATCH', groupPath, { tags: { a: 'b' } });
    conforms('ContainerGroups_Update', patched.status, patched.body);
    const stop = await call(emulator, 'POST', `${groupPath}/stop`);
    conforms('ContainerGroups_Stop', stop.status, stop.body);
    const deleted = await call(emulator, 'DELETE', groupPath);
    conforms('ContainerGroups_Delete', deleted.status, deleted.body);
    const missing = await call(emulator, 'GET', groupPath);
    conforms('ContainerGroups_Get', missing.status, missing.body);
    expect(missing.body.error.code).toBe('ResourceNotFound');
    const dropRecord = await call(emulator, 'DELETE', deploymentPath('conf-1'));
    conforms('Deployments_Delete', dropRecord.status, dropRecord.body);
  });

  it('for failures and refusals', async () => {
    const put = await call(emulator, 'PUT', deploymentPath('conf-2'), groupTemplate('example/does-not-exist:1', ['true']));
    conforms('Deployments_CreateOrUpdate', put.status, put.body);
    const failed = await until(() => call(emulator, 'GET', deploymentPath('conf-2')), (b) => b.properties.provisioningState === 'Failed');
    conforms('Deployments_Get', failed.status, failed.body);
    const ops = await call(emulator, 'GET', `/subscriptions/${SUBSCRIPTION}/resourcegroups/conf/deployments/conf-2/operations`);
    conforms('DeploymentOperations_List', ops.status, ops.body);
    const cancel = await call(emulator, 'POST', `${deploymentPath('conf-2')}/cancel`);
    expect(cancel.body.error.code).toBe('DeploymentCannotBeCancelled');
    conforms('Deployments_Cancel', cancel.status, cancel.body);
    const invalid = await call(emulator, 'PUT', deploymentPath('conf-3'), { properties: { mode: 'Incremental', template: { resources: [] } } });
    conforms('Deployments_CreateOrUpdate', invalid.status, invalid.body);
    expect(invalid.body.error.code).toBe('InvalidTemplate');
  });

  it('for what the control endpoint makes Azure do', async () => {
    const fault = (rule: Record<string, unknown>) => call(emulator, 'POST', '/_emulator/faults', { share: 1, limit: 1, ...rule });
    await fault({ kind: 'create-failure', code: 'InaccessibleImage', message: 'no such image', at: 'validation' });
    const preflight = await call(emulator, 'PUT', deploymentPath('conf-4'), groupTemplate('python:3', ['true']));
    expect(preflight.status).toBe(400);
    expect(preflight.body.error.details[0].code).toBe('InaccessibleImage');
    conforms('Deployments_CreateOrUpdate', preflight.status, preflight.body);

    await fault({ kind: 'policy-deny', policyName: 'allowed-locations' });
    const denied = await call(emulator, 'PUT', deploymentPath('conf-4'), groupTemplate('python:3', ['true']));
    expect(denied.status).toBe(403);
    conforms('Deployments_CreateOrUpdate', denied.status, denied.body);

    await fault({ kind: 'create-failure', code: 'ServiceUnavailable', at: 'deployment' });
    await call(emulator, 'PUT', deploymentPath('conf-4'), groupTemplate('python:3', ['sh', '-c', 'sleep 100']));
    const failed = await until(() => call(emulator, 'GET', deploymentPath('conf-4')), (b) => b.properties.provisioningState === 'Failed');
    conforms('Deployments_Get', failed.status, failed.body);
    const groupPath = `${rg}/providers/Microsoft.ContainerInstance/containerGroups/conf-group`;
    const failedGroup = await call(emulator, 'GET', groupPath);
    expect(failedGroup.body.properties.provisioningState).toBe('Failed');
    conforms('ContainerGroups_Get', failedGroup.status, failedGroup.body);
    await call(emulator, 'DELETE', groupPath);

    await call(emulator, 'PUT', deploymentPath('conf-5'), groupTemplate('python:3', ['sh', '-c', 'sleep 100']));
    await until(() => call(emulator, 'GET', groupPath), (b) => b.properties?.containers?.[0].properties.instanceView.currentState?.state === 'Running');
    // Long phases, so that a slow machine cannot poll past them.
    await fault({ kind: 'repair', group: 'conf-group', outcome: 'running', unhealthySeconds: 0, repairingSeconds: 100000 });
    const repairing = await until(() => call(emulator, 'GET', groupPath), (b) => b.properties.provisioningState === 'Repairing');
    conforms('ContainerGroups_Get', repairing.status, repairing.body);

    const drop = await call(emulator, 'DELETE', deploymentPath('conf-4'));
    expect(drop.status).toBe(202);
    conforms('Deployments_Delete', drop.status, drop.body);
    await call(emulator, 'DELETE', groupPath);
  });
});

describe('emulator responses conform to the Azure specs (issue 10 behaviours)', () => {
  const groupPath = (name: string) => `${rg}/providers/Microsoft.ContainerInstance/containerGroups/${name}`;
  const fault = (rule: Record<string, unknown>) => call(emulator, 'POST', '/_emulator/faults', { share: 1, limit: 1, ...rule });
  const container = (image: string, command: string[]) => ({
    location: 'eastus',
    properties: { osType: 'Linux', restartPolicy: 'Never', containers: [{ name: 'c', properties: { image, command, resources: { requests: { cpu: 1, memoryInGB: 1 } } } }] },
  });

  it('a container Azure restarted after its exit: restartCount and previousState', async () => {
    await fault({ kind: 'restart-after-exit', afterSeconds: 1, runSeconds: 100000, name: 'conf-restarted' });
    await call(emulator, 'PUT', groupPath('conf-restarted'), container('python:3', ['sh', '-c', 'sleep 2; exit 4']));
    const restarted = await until(() => call(emulator, 'GET', groupPath('conf-restarted')), (b) => b.properties.containers[0].properties.instanceView?.restartCount === 1);
    conforms('ContainerGroups_Get', restarted.status, restarted.body);
    const view = restarted.body.properties.containers[0].properties.instanceView;
    expect(view.previousState).toMatchObject({ state: 'Terminated', exitCode: 4 });
    expect(view.currentState.state).toBe('Running');
    await call(emulator, 'DELETE', groupPath('conf-restarted'));
  });

  it('a container stuck Waiting in a running group', async () => {
    await call(emulator, 'PUT', groupPath('conf-waiting'), container('example/emulator/stuck-waiting:1', ['true']));
    const waiting = await until(() => call(emulator, 'GET', groupPath('conf-waiting')), (b) => b.properties.provisioningState === 'Succeeded');
    conforms('ContainerGroups_Get', waiting.status, waiting.body);
    expect(waiting.body.properties.instanceView.state).toBe('Running');
    expect(waiting.body.properties.containers[0].properties.instanceView.currentState).toMatchObject({ state: 'Waiting', detailStatus: 'CreateContainerError' });
    expect(waiting.body.properties.containers[0].properties.instanceView.events.some((e: { type: string }) => e.type === 'Warning')).toBe(true);
    await call(emulator, 'DELETE', groupPath('conf-waiting'));
  });

  it('a lock refuses a delete (409 ScopeLocked); a throttled request (429)', async () => {
    await call(emulator, 'PUT', groupPath('conf-locked'), container('python:3', ['sh', '-c', 'sleep 100']));
    await fault({ kind: 'lock', resourceGroup: 'conf' });
    const locked = await call(emulator, 'DELETE', groupPath('conf-locked'));
    expect(locked.status).toBe(409);
    expect(locked.body.error.code).toBe('ScopeLocked');
    conforms('ContainerGroups_Delete', locked.status, locked.body);
    await fault({ kind: 'throttle', retryAfterSeconds: 1, operation: 'ContainerGroups_Get' });
    const throttled = await call(emulator, 'GET', groupPath('conf-locked'));
    expect(throttled.status).toBe(429);
    conforms('ContainerGroups_Get', throttled.status, throttled.body);
    await call(emulator, 'DELETE', groupPath('conf-locked'));
  });
});

const examples = contract.examples.filter((e) => e.dir.startsWith('containerinstance/')).map((e) => ({ name: e.file, example: structuredClone(e) as any }));
const PUT_EXAMPLES = examples.filter((e) => e.example.parameters.containerGroup);

/** The example response's keys (top level and under properties) must all be in ours. */
function sameShape(ours: any, theirs: { keys?: string[]; propertyKeys?: string[] }) {
  const missing = (theirs.keys ?? []).filter((k) => !(k in ours));
  missing.push(...(theirs.propertyKeys ?? []).filter((k) => !(k in ours.properties)).map((k) => `properties.${k}`));
  expect(missing).toEqual([]);
}

describe('official examples', () => {
  it.each(PUT_EXAMPLES.map((e) => [e.name, e.example]))('%s is accepted with the example response shape', async (_name, example: any) => {
    const p = example.parameters;
    const path = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.ContainerInstance/containerGroups/${p.containerGroupName}?api-version=2023-05-01`;
    // Some examples list zones as a parameter of their own; on the wire they are part of the body.
    if (p.zones && !p.containerGroup.zones) p.containerGroup.zones = p.zones;
    if (JSON.stringify(p.containerGroup).includes('"gpu"')) {
      // This example asks for a GPU, which ACI no longer offers (retired 2025-07-14); so the emulator
      // refuses it too, and the rest of the example is checked without it.
      const refused = await call(emulator, 'PUT', path, p.containerGroup);
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('GpuSkuNotAvailable');
      for (const c of p.containerGroup.properties.containers) delete c.properties.resources.requests.gpu;
    }
    const res = await call(emulator, 'PUT', path, p.containerGroup);
    expect(Object.keys(example.responses)).toContain(String(res.status));
    conforms('ContainerGroups_CreateOrUpdate', res.status, res.body);
    sameShape(res.body, example.responses[res.status]);
  });

  const OTHERS: [string, string, string, (p: any) => string][] = [
    ['ContainerGroupsGet_Succeeded.json', 'GET', 'ContainerGroups_Get', (p) => `containerGroups/${p.containerGroupName}`],
    ['ContainerGroupsStop.json', 'POST', 'ContainerGroups_Stop', (p) => `containerGroups/${p.containerGroupName}/stop`],
    ['ContainerGroupsStart.json', 'POST', 'ContainerGroups_Start', (p) => `containerGroups/${p.containerGroupName}/start`],
    ['ContainerListLogs.json', 'GET', 'Containers_ListLogs', (p) => `containerGroups/${p.containerGroupName}/containers/${p.containerName}/logs?tail=${p.tail}`],
    ['ContainerGroupsRestart.json', 'POST', 'ContainerGroups_Restart', (p) => `containerGroups/${p.containerGroupName}/restart`],
    ['ContainerGroupsDelete.json', 'DELETE', 'ContainerGroups_Delete', (p) => `containerGroups/${p.containerGroupName}`],
    ['ContainerGroupsListByResourceGroup.json', 'GET', 'ContainerGroups_ListByResourceGroup', () => 'containerGroups'],
  ];
  it.each(OTHERS)('%s', async (file, method, operationId, suffix) => {
    const example = examples.find((e) => e.name === file)!.example;
    const p = example.parameters;
    const base = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.ContainerInstance`;
    if (p.containerGroupName) {
      const body = {
        location: 'westus',
        properties: {
          osType: 'Linux',
          containers: [{ name: p.containerName ?? 'main', properties: { image: 'busybox', command: ['sh', '-c', 'echo ready; sleep 100000'], resources: { requests: { cpu: 1, memoryInGB: 1 } } } }],
        },
      };
      await call(emulator, 'PUT', `${base}/containerGroups/${p.containerGroupName}`, body);
      await until(() => call(emulator, 'GET', `${base}/containerGroups/${p.containerGroupName}`), (b) => b.properties.instanceView.state === 'Running');
    }
    const res = await call(emulator, method, `${base}/${suffix(p)}`);
    expect(Object.keys(example.responses)).toContain(String(res.status));
    conforms(operationId, res.status, res.body);
    const expected: { keys?: string[]; propertyKeys?: string[] } | undefined = example.responses[res.status];
    // The group here was made from a minimal body, so only the keys every group has are compared.
    const always = ['id', 'name', 'type', 'location', 'properties', 'content', 'value'];
    const alwaysInProperties = ['provisioningState', 'containers', 'osType', 'instanceView', 'restartPolicy'];
    const expectedShape = expected && {
      keys: expected.keys?.filter((k) => always.includes(k)),
      propertyKeys: expected.keys?.includes('properties') ? expected.propertyKeys?.filter((k) => alwaysInProperties.includes(k)) : undefined,
    };
    if (expectedShape && res.body) sameShape(res.body, expectedShape);
  });

  it('PutDeploymentResourceGroup.json is accepted once its linked template is registered', async () => {
    const example: any = contract.examples.find((e) => e.file === 'PutDeploymentResourceGroup.json')!;
    const p = example.parameters;
    const path = `/subscriptions/${p.subscriptionId}/resourcegroups/${p.resourceGroupName}/providers/Microsoft.Resources/deployments/${p.deploymentName}?api-version=2025-03-01`;
    const refused = await call(emulator, 'PUT', path, p.parameters);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('InvalidContentLink');
    await call(emulator, 'PUT', '/_emulator/template-links', {
      uri: p.parameters.properties.templateLink.uri,
      template: {
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        contentVersion: '1.0.0.0',
        resources: [{ type: 'Microsoft.Storage/storageAccounts', apiVersion: '2023-01-01', name: 'my-storage-account', location: 'eastus' }],
      },
    });
    const res = await call(emulator, 'PUT', path, p.parameters);
    expect(Object.keys(example.responses)).toContain(String(res.status));
    conforms('Deployments_CreateOrUpdate', res.status, res.body);
    sameShape(res.body, example.responses[res.status]);
  });
});
