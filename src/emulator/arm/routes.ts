// ARM deployment operations. Paths use `resourcegroups` as the SDK sends them; matching is case-insensitive.
import { randomUUID } from 'node:crypto';
import { ArmError, json, route, type Route } from '../http.js';
import { resourceKey } from '../store.js';
import { requireResourceGroup, type World } from '../world.js';
import {
  cancelDeployment,
  createDeployment,
  deploymentNotFound,
  refreshDeployment,
  serializeDeployment,
  serializeOperation,
} from './deployments.js';

const DEPLOYMENT_DELETE_SECONDS = 1;
const DEPLOYMENT = '/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft.Resources/deployments/{name}';

export function deploymentRoutes(world: World): Route[] {
  const find = (sub: string, rg: string, name: string) => {
    requireResourceGroup(world, sub, rg);
    const d = world.store.deployment(resourceKey(sub, rg, name));
    if (!d) throw deploymentNotFound(name);
    return d;
  };
  return [
    route('PUT', DEPLOYMENT, 'Deployments_CreateOrUpdate', 'write', (req) => {
      const { sub, rg, name } = req.params;
      const { deployment, created } = createDeployment(world, sub, rg, name, req.body, req.principal?.tenantId ?? 'emulator-tenant');
      const id = randomUUID();
      world.store.putOperation({ id, kind: 'deployment', target: resourceKey(sub, rg, name), createdAt: world.clock.now() });
      const apiVersion = req.url.searchParams.get('api-version') ?? '2025-03-01';
      const body = serializeDeployment(world, deployment);
      body.properties.provisioningState = 'Accepted';
      return json(created ? 201 : 200, body, {
        'Azure-AsyncOperation': `${world.baseUrl()}/subscriptions/${encodeURIComponent(sub)}/resourcegroups/${encodeURIComponent(rg)}/providers/Microsoft.Resources/deployments/${encodeURIComponent(name)}/operationStatuses/${id}?api-version=${encodeURIComponent(apiVersion)}`,
      });
    }),
    route('GET', DEPLOYMENT, 'Deployments_Get', 'read', (req) => {
      const { sub, rg, name } = req.params;
      return json(200, serializeDeployment(world, find(sub, rg, name)));
    }),
    route('POST', `${DEPLOYMENT}/cancel`, 'Deployments_Cancel', 'write', (req) => {
      const { sub, rg, name } = req.params;
      cancelDeployment(world, find(sub, rg, name));
      return json(204);
    }),
    route('DELETE', DEPLOYMENT, 'Deployments_Delete', 'delete', (req) => {
      const { sub, rg, name } = req.params;
      requireResourceGroup(world, sub, rg);
      const key = resourceKey(sub, rg, name);
      const d = world.store.deployment(key);
      if (!d) return json(204);
      if (refreshDeployment(world, d).state === 'Running' || d.state === 'Accepted') {
        throw new ArmError(409, 'DeploymentActive', `The deployment '${name}' is still active and cannot be deleted. Cancel it first.`);
      }
      // ARM deletes a deployment asynchronously: 202 and a Location that answers 202 until it is gone.
      world.store.deleteDeployment(key);
      const id = randomUUID();
      const now = world.clock.now();
      world.store.putOperation({ id, kind: 'deployment-delete', target: key, createdAt: now, doneAt: now + world.clock.ms(DEPLOYMENT_DELETE_SECONDS) });
      const apiVersion = req.url.searchParams.get('api-version') ?? '2025-03-01';
      return json(202, undefined, { Location: `${world.baseUrl()}/subscriptions/${sub}/operationresults/${id}?api-version=${apiVersion}`, 'Retry-After': '1' });
    }),
    route('GET', '/subscriptions/{sub}/operationresults/{id}', 'Deployments_DeleteOperationResult', 'read', (req) => {
      const op = world.store.operation(req.params.id);
      if (!op || op.kind !== 'deployment-delete') throw new ArmError(404, 'OperationNotFound', `The operation '${req.params.id}' could not be found.`);
      return world.clock.now() >= (op.doneAt ?? 0) ? json(204) : json(202, undefined, { Location: req.url.href, 'Retry-After': '1' });
    }),
    route('GET', '/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft.Resources/deployments', 'Deployments_ListByResourceGroup', 'read', (req) => {
      const { sub, rg } = req.params;
      requireResourceGroup(world, sub, rg);
      const top = Number(req.url.searchParams.get('$top') ?? 0);
      let value = world.store
        .deployments()
        .filter((d) => d.subscriptionId === sub && d.resourceGroup.toLowerCase() === rg.toLowerCase())
        .map((d) => serializeDeployment(world, d));
      if (top > 0) value = value.slice(0, top);
      return json(200, { value });
    }),
    route('GET', `${DEPLOYMENT}/operationStatuses/{id}`, 'Deployments_OperationStatus', 'read', (req) => {
      const { sub, rg, name } = req.params;
      const d = find(sub, rg, name);
      refreshDeployment(world, d);
      const status = d.state === 'Accepted' ? 'Running' : d.state;
      return json(200, { status, ...(d.error ? { error: d.error } : {}) });
    }),
    route('GET', '/subscriptions/{sub}/resourcegroups/{rg}/deployments/{name}/operations', 'DeploymentOperations_List', 'read', (req) => {
      const { sub, rg, name } = req.params;
      const d = refreshDeployment(world, find(sub, rg, name));
      const now = world.clock.now();
      return json(200, { value: d.operations.map((op) => serializeOperation(d, op, now)) });
    }),
    route('GET', '/subscriptions/{sub}/resourcegroups/{rg}/deployments/{name}/operations/{operationId}', 'DeploymentOperations_Get', 'read', (req) => {
      const { sub, rg, name, operationId } = req.params;
      const d = refreshDeployment(world, find(sub, rg, name));
      const op = d.operations.find((o) => o.operationId === operationId);
      if (!op) throw new ArmError(404, 'DeploymentOperationNotFound', `Deployment operation '${operationId}' could not be found.`);
      return json(200, serializeOperation(d, op, world.clock.now()));
    }),
  ];
}
