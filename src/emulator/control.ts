// The control endpoint (outside ARM's paths): faults, counters, vanishing groups, resource groups.
import type { Entra } from './entra.js';
import { UNHEALTHY_SECONDS, REPAIRING_SECONDS } from './aci/lifecycle.js';
import { checkFault } from './fault-rules.js';
import type { FaultRule } from './faults.js';
import { ArmError, isObject, json, route, type Route } from './http.js';
import { resourceKey } from './store.js';
import type { World } from './world.js';

export function controlRoutes(world: World, entra: Entra): Route[] {
  const control = (method: string, path: string, handler: Route['handler']) => route(method, `/_emulator${path}`, 'Control', 'none', handler, false);
  return [
    control('GET', '/counters', () => json(200, world.faults.snapshot())),
    control('POST', '/counters/reset', () => {
      world.faults.resetCounters();
      return json(204);
    }),
    control('POST', '/faults', (req) => {
      const rule = checkFault(req.body);
      if (rule.kind === 'repair') return json(201, { id: startRepair(world, rule) });
      return json(201, { id: world.faults.add(rule) });
    }),
    control('PUT', '/principals', (req) => {
      const p = req.body;
      if (!isObject(p) || typeof p.tenantId !== 'string' || typeof p.clientId !== 'string' || typeof p.clientSecret !== 'string' || !p.clientSecret) {
        throw new ArmError(400, 'InvalidPrincipal', 'Send {"tenantId": "...", "clientId": "...", "clientSecret": "..."}.');
      }
      entra.register({ tenantId: p.tenantId, clientId: p.clientId, clientSecret: p.clientSecret });
      return json(204);
    }),
    control('DELETE', '/principals', () => {
      entra.clearPrincipals();
      return json(204);
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

/** A repair applies at once to the named group: Unhealthy, then Repairing, then its outcome. */
function startRepair(world: World, rule: FaultRule): number {
  const { group: name = '', outcome = 'running', resourceGroup } = rule;
  const group = world.store
    .groups()
    .find((g) => g.name.toLowerCase() === name.toLowerCase() && (!resourceGroup || g.resourceGroup.toLowerCase() === resourceGroup.toLowerCase()));
  if (!group) throw new ArmError(404, 'ResourceNotFound', `No container group '${name}' to repair.`);
  group.lifecycle.repair = { at: world.clock.now(), outcome, unhealthySeconds: rule.unhealthySeconds ?? UNHEALTHY_SECONDS, repairingSeconds: rule.repairingSeconds ?? REPAIRING_SECONDS };
  world.faults.applied('repair');
  return 0;
}
