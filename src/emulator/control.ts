// The control endpoint (outside ARM's paths): faults, counters, vanishing groups, resource groups.
import type { FaultRule } from './faults.js';
import { ArmError, isObject, json, route, type Route } from './http.js';
import { resourceKey } from './store.js';
import type { World } from './world.js';

const KINDS = ['throttle', 'server-error', 'reset', 'latency', 'hang'];

export function controlRoutes(world: World): Route[] {
  const control = (method: string, path: string, handler: Route['handler']) => route(method, `/_emulator${path}`, 'Control', 'none', handler, false);
  return [
    control('GET', '/counters', () => json(200, world.faults.snapshot())),
    control('POST', '/counters/reset', () => {
      world.faults.resetCounters();
      return json(204);
    }),
    control('POST', '/faults', (req) => {
      const rule = req.body as FaultRule;
      if (!isObject(rule) || !KINDS.includes(String(rule.kind)) || typeof rule.share !== 'number' || rule.share < 0 || rule.share > 1) {
        throw new ArmError(400, 'InvalidFault', `A fault needs kind (${KINDS.join(', ')}) and share between 0 and 1.`);
      }
      return json(201, { id: world.faults.add(rule) });
    }),
    control('DELETE', '/faults', () => {
      world.faults.clear();
      return json(204);
    }),
    control('POST', '/container-groups/{sub}/{rg}/{name}/vanish', (req) => {
      const { sub, rg, name } = req.params;
      const removed = world.store.deleteGroup(resourceKey(sub, rg, name));
      return removed ? json(204) : json(404, { error: { code: 'ResourceNotFound', message: `No container group '${name}'.` } });
    }),
    control('PUT', '/resource-groups/{sub}/{rg}', (req) => {
      const location = isObject(req.body) && typeof req.body.location === 'string' ? req.body.location : world.settings.defaultLocation;
      world.store.putResourceGroup({ subscriptionId: req.params.sub, name: req.params.rg, location });
      return json(204);
    }),
    control('PUT', '/template-links', (req) => {
      if (!isObject(req.body) || typeof req.body.uri !== 'string' || !isObject(req.body.template)) {
        throw new ArmError(400, 'InvalidTemplateLink', 'Send {"uri": "...", "template": {...}}.');
      }
      world.templateLinks.set(req.body.uri, req.body.template);
      return json(204);
    }),
    control('GET', '/state', () =>
      json(200, {
        containerGroups: world.store.groups().map((g) => ({ subscriptionId: g.subscriptionId, resourceGroup: g.resourceGroup, name: g.name, tags: g.tags })),
        deployments: world.store.deployments().map((d) => ({ subscriptionId: d.subscriptionId, resourceGroup: d.resourceGroup, name: d.name, state: d.state })),
      }),
    ),
  ];
}
