// ACI REST operations (api-version 2023-05-01 as the SDK sends it; any version is accepted).
import { randomUUID } from 'node:crypto';
import { ArmError, json, route, type Route } from '../http.js';
import { resourceKey } from '../store.js';
import { requireResourceGroup, type World } from '../world.js';
import { checkDeleteQuota, createOrUpdateGroup, findGroup, logContent, serializeGroup, viewOf } from './groups.js';
import { PENDING_SECONDS, PULL_SECONDS } from './lifecycle.js';

const GROUP = '/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerInstance/containerGroups/{name}';
const DELETE_SECONDS = 1;

function asyncOperationUrl(world: World, sub: string, location: string, id: string) {
  return `${world.baseUrl()}/subscriptions/${sub}/providers/Microsoft.ContainerInstance/locations/${location}/operations/${id}?api-version=2018-06-01`;
}

export function aciRoutes(world: World): Route[] {
  return [
    route('GET', GROUP, 'ContainerGroups_Get', 'read', (req) => {
      const { sub, rg, name } = req.params;
      return json(200, serializeGroup(world, findGroup(world, sub, rg, name)));
    }),
    route('GET', '/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerInstance/containerGroups', 'ContainerGroups_ListByResourceGroup', 'read', (req) => {
      const { sub, rg } = req.params;
      requireResourceGroup(world, sub, rg);
      const value = world.store
        .groups()
        .filter((g) => g.subscriptionId === sub && g.resourceGroup.toLowerCase() === rg.toLowerCase())
        .map((g) => serializeGroup(world, g, false));
      return json(200, { value });
    }),
    route('GET', '/subscriptions/{sub}/providers/Microsoft.ContainerInstance/containerGroups', 'ContainerGroups_List', 'read', (req) => {
      const value = world.store.groups().filter((g) => g.subscriptionId === req.params.sub).map((g) => serializeGroup(world, g, false));
      return json(200, { value });
    }),
    route('PUT', GROUP, 'ContainerGroups_CreateOrUpdate', 'write', (req) => {
      const { sub, rg, name } = req.params;
      const { group, created } = createOrUpdateGroup(world, sub, rg, name, req.body);
      const id = randomUUID();
      world.store.putOperation({ id, kind: 'group-create', target: resourceKey(sub, rg, name), createdAt: world.clock.now() });
      return json(created ? 201 : 200, serializeGroup(world, group), {
        'Azure-AsyncOperation': asyncOperationUrl(world, sub, group.location, id),
      });
    }),
    route('PATCH', GROUP, 'ContainerGroups_Update', 'write', (req) => {
      const { sub, rg, name } = req.params;
      const group = findGroup(world, sub, rg, name);
      const body = req.body as { tags?: Record<string, string> } | undefined;
      if (body?.tags) group.tags = body.tags;
      return json(200, serializeGroup(world, group));
    }),
    route('DELETE', GROUP, 'ContainerGroups_Delete', 'delete', (req) => {
      const { sub, rg, name } = req.params;
      requireResourceGroup(world, sub, rg);
      const key = resourceKey(sub, rg, name);
      const group = world.store.group(key);
      if (!group) return json(204);
      checkDeleteQuota(world, sub);
      const body = serializeGroup(world, group);
      world.store.deleteGroup(key);
      const id = randomUUID();
      const now = world.clock.now();
      world.store.putOperation({ id, kind: 'group-delete', target: key, createdAt: now, doneAt: now + world.clock.ms(DELETE_SECONDS) });
      return json(202, body, { 'Azure-AsyncOperation': asyncOperationUrl(world, sub, group.location, id) });
    }),
    route('POST', `${GROUP}/stop`, 'ContainerGroups_Stop', 'write', (req) => {
      const { sub, rg, name } = req.params;
      const group = findGroup(world, sub, rg, name);
      const view = viewOf(world, group);
      // Stop has no effect on a group that already ended.
      if (view.groupState === 'Pending' || view.groupState === 'Running') group.lifecycle.stoppedAt = world.clock.now();
      return json(204);
    }),
    route('POST', `${GROUP}/start`, 'ContainerGroups_Start', 'write', (req) => {
      const { sub, rg, name } = req.params;
      const group = findGroup(world, sub, rg, name);
      const state = viewOf(world, group).groupState;
      if (state === 'Running' || state === 'Pending') return json(204);
      group.lifecycle = { ...group.lifecycle, startedAt: world.clock.now(), stoppedAt: undefined };
      const id = randomUUID();
      world.store.putOperation({ id, kind: 'group-start', target: resourceKey(sub, rg, name), createdAt: world.clock.now() });
      return json(202, undefined, { 'Azure-AsyncOperation': asyncOperationUrl(world, sub, group.location, id) });
    }),
    route('POST', `${GROUP}/restart`, 'ContainerGroups_Restart', 'write', (req) => {
      const { sub, rg, name } = req.params;
      const group = findGroup(world, sub, rg, name);
      if (viewOf(world, group).groupState !== 'Running') {
        throw new ArmError(409, 'ContainerGroupNotRunning', `The container group '${name}' is not running; restart works only on a running group.`);
      }
      // Restart re-runs the containers in place, skipping the pull.
      group.lifecycle = { ...group.lifecycle, startedAt: world.clock.now() - world.clock.ms(PENDING_SECONDS + PULL_SECONDS) };
      return json(204);
    }),
    route('GET', `${GROUP}/containers/{container}/logs`, 'Containers_ListLogs', 'read', (req) => {
      const { sub, rg, name, container } = req.params;
      const group = findGroup(world, sub, rg, name);
      const containers = group.properties.containers as { name: string }[];
      if (!containers.some((c) => c.name === container)) {
        throw new ArmError(404, 'ContainerNotFound', `The container '${container}' could not be found in container group '${name}'.`);
      }
      const tailParam = req.url.searchParams.get('tail');
      const tail = tailParam === null ? undefined : Number(tailParam);
      return json(200, { content: logContent(world, group, tail, req.url.searchParams.get('timestamps') === 'true') });
    }),
    route('GET', '/subscriptions/{sub}/providers/Microsoft.ContainerInstance/locations/{location}/operations/{id}', 'ContainerGroups_OperationStatus', 'read', (req) => {
      const op = world.store.operation(req.params.id);
      if (!op) throw new ArmError(404, 'OperationNotFound', `The operation '${req.params.id}' could not be found.`);
      const startTime = new Date(op.createdAt).toISOString();
      if (op.kind === 'group-delete') {
        const done = world.clock.now() >= (op.doneAt ?? 0);
        return json(200, { id: op.target, status: done ? 'Succeeded' : 'InProgress', startTime, properties: { events: [] } });
      }
      const group = world.store.group(op.target);
      if (!group) return json(200, { id: op.target, status: 'Failed', startTime, error: { code: 'ResourceNotFound', message: 'The container group was deleted.' } });
      const view = viewOf(world, group);
      const failure = view.failure ? { error: view.failure } : {};
      return json(200, { id: op.target, status: view.provisioningState, startTime, properties: { events: view.events }, ...failure });
    }),
  ];
}
