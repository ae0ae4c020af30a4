// Container groups: creation (direct or from a deployment), quotas, and the wire form ACI returns.
import { randomUUID } from 'node:crypto';
import { iso } from '../clock.js';
import { scopedTo } from '../faults.js';
import { ArmError, isObject } from '../http.js';
import { resourceKey, type GroupRecord } from '../store.js';
import { requireResourceGroup, type World } from '../world.js';
import { scriptFor } from './behaviour.js';
import { viewAt, type GroupView } from './lifecycle.js';
import { requestedCores, validateGroupBody } from './validation.js';

export const groupId = (sub: string, rg: string, name: string) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ContainerInstance/containerGroups/${name}`;

export function notFound(rg: string, name: string): ArmError {
  return new ArmError(
    404,
    'ResourceNotFound',
    `The Resource 'Microsoft.ContainerInstance/containerGroups/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

export function findGroup(world: World, sub: string, rg: string, name: string): GroupRecord {
  requireResourceGroup(world, sub, rg);
  const group = world.store.group(resourceKey(sub, rg, name));
  if (!group) throw notFound(rg, name);
  return group;
}

function environmentOf(container: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {};
  const entries = Array.isArray(container.environmentVariables) ? container.environmentVariables : [];
  for (const e of entries) {
    if (isObject(e) && typeof e.name === 'string') env[e.name] = String(e.value ?? e.secureValue ?? '');
  }
  return env;
}

function lifecycleFor(properties: Record<string, unknown>, now: number) {
  const first = (properties.containers as Record<string, unknown>[])[0].properties as Record<string, unknown>;
  return {
    startedAt: now,
    image: String(first.image),
    restartPolicy: properties.restartPolicy as 'Always' | 'OnFailure' | 'Never',
    script: scriptFor({ image: String(first.image), command: first.command as string[] | undefined, environment: environmentOf(first) }),
  };
}

export function viewOf(world: World, group: GroupRecord): GroupView {
  const lc = group.lifecycle;
  const view = viewAt(lc, group.name, world.clock, world.clock.now());
  if (lc.exitDrawn || lc.restartPolicy !== 'Never' || view.current?.state !== 'Terminated' || !view.current.exitCode) return view;
  // The event a restart-after-exit rule is drawn on: this container's non-zero exit, seen once.
  lc.exitDrawn = true;
  const rule = world.faults.drawEvent('restart-after-exit', scopedTo(group.resourceGroup, group.name));
  if (!rule) return view;
  lc.platformRestart = { afterSeconds: rule.afterSeconds ?? 10, exitCode: rule.exitCode ?? 0, runSeconds: rule.runSeconds };
  return viewAt(lc, group.name, world.clock, world.clock.now());
}

const isFinished = (view: GroupView) => ['Succeeded', 'Failed', 'Stopped'].includes(view.groupState);

function checkQuotas(world: World, sub: string, location: string, cores: number, replacing?: GroupRecord): void {
  const inRegion = world.store
    .groups()
    .filter((g) => g.subscriptionId === sub && g.location === location && g !== replacing && !isFinished(viewOf(world, g)));
  if (inRegion.length + 1 > world.settings.containerGroupQuota) {
    throw new ArmError(
      409,
      'ContainerGroupQuotaReached',
      `Resource type 'Microsoft.ContainerInstance/containerGroups' container group quota 'StandardContainerGroups' exceeded in region '${location}'. Limit: '${world.settings.containerGroupQuota}', Usage: '${inRegion.length}' Requested: '1'.`,
    );
  }
  const used = inRegion.reduce((sum, g) => sum + requestedCores(g.properties), 0);
  if (used + cores > world.settings.coreQuota) {
    throw new ArmError(
      409,
      'ContainerGroupQuotaReached',
      `Resource type 'Microsoft.ContainerInstance/containerGroups' container group quota 'StandardCores' exceeded in region '${location}'. Limit: '${world.settings.coreQuota}', Usage: '${used}' Requested: '${cores}'.`,
    );
  }
  takeRate(world, world.creates, sub, world.settings.createsPer5Minutes, world.settings.createsPerHour, 'write');
}

/** ACI's create and delete quotas: so many per 5 minutes and per hour and subscription (429 + Retry-After 60). */
function takeRate(world: World, times: Map<string, number[]>, sub: string, per5Minutes: number, perHour: number, action: 'write' | 'delete'): void {
  const now = world.clock.now();
  const recent = (times.get(sub) ?? []).filter((t) => now - t < 3600_000);
  times.set(sub, recent);
  const inFive = recent.filter((t) => now - t < 300_000).length >= per5Minutes;
  if (inFive || recent.length >= perHour) {
    throw new ArmError(
      429,
      'ResourceRequestsThrottled',
      `Number of requests for action 'Microsoft.ContainerInstance/containerGroups/${action}' exceeded the limit of '${inFive ? per5Minutes : perHour}' for time interval '${inFive ? '00:05:00' : '01:00:00'}'. Please try again after '60' seconds.`,
      {},
      { 'Retry-After': '60' },
    );
  }
  recent.push(now);
}

export function checkDeleteQuota(world: World, sub: string): void {
  takeRate(world, world.deletes, sub, world.settings.deletesPer5Minutes, world.settings.deletesPerHour, 'delete');
}

/**
 * Creates a group, restarts a finished one (an Incremental redeploy of the same name), or leaves a
 * running one as it is. Throws ArmError for what ACI refuses.
 */
export function createOrUpdateGroup(world: World, sub: string, rg: string, name: string, body: unknown, failure?: { code: string; message: string; recoversAt?: number }) {
  const resourceGroup = requireResourceGroup(world, sub, rg);
  const valid = validateGroupBody(name, body, world.settings);
  const key = resourceKey(sub, rg, name);
  const existing = world.store.group(key);
  const now = world.clock.now();
  if (existing && !isFinished(viewOf(world, existing))) {
    // A running group is updated in place; its containers keep running.
    Object.assign(existing, { tags: valid.tags, identity: valid.identity, zones: valid.zones, properties: valid.properties });
    return { group: existing, created: false };
  }
  const location = valid.location ?? resourceGroup.location;
  checkQuotas(world, sub, location, requestedCores(valid.properties), existing);
  const group: GroupRecord = {
    subscriptionId: sub,
    resourceGroup: existing?.resourceGroup ?? rg,
    name: existing?.name ?? name,
    location,
    tags: valid.tags,
    identity: valid.identity,
    zones: valid.zones,
    properties: valid.properties,
    lifecycle: { ...lifecycleFor(valid.properties, now), ...(failure ? { failure } : {}) },
    createdAt: existing?.createdAt ?? now,
  };
  world.store.putGroup(key, group);
  return { group, created: !existing };
}

function stripSecrets(properties: Record<string, unknown>) {
  const containers = (properties.containers as Record<string, unknown>[]).map((c) => {
    const p = c.properties as Record<string, unknown>;
    const env = Array.isArray(p.environmentVariables)
      ? p.environmentVariables.map((e: Record<string, unknown>) => ('secureValue' in e ? { name: e.name } : { name: e.name, value: e.value }))
      : [];
    return { name: c.name, properties: { ...p, environmentVariables: env, ports: p.ports ?? [] } };
  });
  const credentials = Array.isArray(properties.imageRegistryCredentials)
    ? properties.imageRegistryCredentials.map((c: Record<string, unknown>) => {
        const { password: _password, ...rest } = c;
        return rest;
      })
    : undefined;
  return { containers, credentials };
}

function identityView(identity: Record<string, unknown> | undefined) {
  if (!identity) return undefined;
  const assigned = isObject(identity.userAssignedIdentities) ? identity.userAssignedIdentities : undefined;
  return {
    ...identity,
    ...(assigned
      ? { userAssignedIdentities: Object.fromEntries(Object.keys(assigned).map((id) => [id, { principalId: randomUUID(), clientId: randomUUID() }])) }
      : {}),
  };
}

/** The wire form of GET; `withInstanceView` false gives the list form (provisioning state only). */
export function serializeGroup(world: World, group: GroupRecord, withInstanceView = true) {
  const view = viewOf(world, group);
  const { containers, credentials } = stripSecrets(group.properties);
  const properties: Record<string, unknown> = {
    ...group.properties,
    sku: group.properties.sku ?? 'Standard',
    provisioningState: view.provisioningState,
    containers: containers.map((c) =>
      withInstanceView
        ? {
            ...c,
            properties: {
              ...c.properties,
              instanceView: {
                restartCount: view.restartCount,
                ...(view.current ? { currentState: view.current } : {}),
                ...(view.previous ? { previousState: view.previous } : {}),
                events: view.events,
              },
            },
          }
        : c,
    ),
    initContainers: group.properties.initContainers ?? [],
  };
  if (credentials) properties.imageRegistryCredentials = credentials;
  if (withInstanceView) properties.instanceView = { events: [], state: view.groupState };
  const identity = identityView(group.identity);
  return {
    id: groupId(group.subscriptionId, group.resourceGroup, group.name),
    name: group.name,
    type: 'Microsoft.ContainerInstance/containerGroups',
    location: group.location,
    tags: group.tags,
    ...(group.zones ? { zones: group.zones } : {}),
    ...(identity ? { identity } : {}),
    properties,
  };
}

/** The newest lines that fit both caps (a line counts with its new line). */
function newestWithin<T extends { line: string }>(lines: T[], maxBytes: number, maxLines: number): T[] {
  let bytes = 0;
  let i = lines.length;
  while (i > 0 && lines.length - i < maxLines) {
    const size = Buffer.byteLength(lines[i - 1].line) + 1;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i--;
  }
  return lines.slice(i);
}

/**
 * Log content as ACI returns it: RFC 3339 timestamps with 7 fractional digits when asked. ACI keeps
 * only the newest 4 MB of a running container and 16 KB or 1,000 lines of one that stopped.
 */
export function logContent(world: World, group: GroupRecord, tail: number | undefined, timestamps: boolean): string {
  const view = viewOf(world, group);
  const settings = world.settings;
  const ended = view.current?.state === 'Terminated' || view.groupState === 'Stopped';
  let lines = ended ? newestWithin(view.logs, settings.stoppedLogBytes, settings.stoppedLogLines) : newestWithin(view.logs, settings.runningLogBytes, Infinity);
  if (tail !== undefined) lines = tail > 0 ? lines.slice(-tail) : [];
  return lines.map((l) => (timestamps ? `${iso(l.at).replace('Z', '0000Z')} ${l.line}` : l.line)).join('\n') + (lines.length ? '\n' : '');
}
