// The Azure-AsyncOperation URL names the deployment in encoded form, whatever its characters.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server.js';
import { call, sdkClients, SUBSCRIPTION, withEmulator } from '../helpers/emulator.js';

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await withEmulator();
});
afterAll(async () => emulator.close());

const template = { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0', resources: [] };

it('re-encodes the resource group and deployment name it decoded from the path', async () => {
  // ARM allows unicode letters and parentheses in resource group names, parentheses in deployment names.
  const group = 'rg-flüsse-水(1)';
  const name = 'deploy(2).x';
  const path = `/subscriptions/${SUBSCRIPTION}/resourcegroups/${encodeURIComponent(group)}/providers/Microsoft.Resources/deployments/${encodeURIComponent(name)}?api-version=2025-03-01`;
  const res = await call(emulator, 'PUT', path, { properties: { mode: 'Incremental', template } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const operation = new URL(String(res.headers['azure-asyncoperation']));
  expect(operation.pathname).toBe(
    `/subscriptions/${SUBSCRIPTION}/resourcegroups/${encodeURIComponent(group)}/providers/Microsoft.Resources/deployments/${encodeURIComponent(name)}/operationStatuses/${operation.pathname.split('/').pop()}`,
  );
  const status = await call(emulator, 'GET', `${operation.pathname}${operation.search}`);
  expect(status.status).toBe(200);

  // The SDK follows the header to the end.
  const { resources } = sdkClients(emulator);
  const done = await resources.deployments.beginCreateOrUpdateAndWait(group, 'second(3)', { properties: { mode: 'Incremental', template } }, { updateIntervalInMs: 20 });
  expect(done.properties?.provisioningState).toBe('Succeeded');
});
