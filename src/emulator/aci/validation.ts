// What ACI checks in a container group body before it accepts it.
import { ArmError, isObject } from '../http.js';

import type { EmulatorSettings } from '../world.js';

type Limits = Pick<EmulatorSettings, 'maxCpu' | 'maxMemoryInGB' | 'gpuSkus'>;

const bad = (code: string, message: string) => new ArmError(400, code, message);

export const isValidGroupName = (name: string) =>
  /^[a-z0-9-]{1,63}$/.test(name) && !name.startsWith('-') && !name.endsWith('-') && !name.includes('--');

export interface ContainerGroupBody {
  location?: string;
  tags: Record<string, string>;
  identity?: Record<string, unknown>;
  zones?: string[];
  properties: Record<string, unknown>;
}

/** Case-insensitive property read, as ACI tolerates e.g. memoryInGb. */
function prop(obj: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : obj[key];
}

export function requestedCores(properties: Record<string, unknown>): number {
  const containers = Array.isArray(properties.containers) ? properties.containers : [];
  return containers.reduce((sum: number, c) => {
    const requests = isObject(c) && isObject(c.properties) && isObject(c.properties.resources) ? c.properties.resources.requests : undefined;
    return sum + (isObject(requests) && typeof requests.cpu === 'number' ? requests.cpu : 0);
  }, 0);
}

export function validateGroupBody(name: string, body: unknown, limits: Limits): ContainerGroupBody {
  if (!isValidGroupName(name)) {
    throw bad(
      'ContainerGroupNameInvalid',
      `The container group name '${name}' is invalid. A container group name must contain no more than 63 characters and must match the regex '[a-z0-9]([-a-z0-9]*[a-z0-9])?' (e.g. 'my-name'), without consecutive hyphens.`,
    );
  }
  if (!isObject(body) || !isObject(body.properties)) {
    throw bad('InvalidRequestContent', 'The request content was invalid and could not be deserialized: missing properties.');
  }
  const properties = body.properties;
  const containers = properties.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw bad('InvalidContainerGroupDefinition', 'The container group must have at least one container.');
  }
  if (containers.length > 60) throw bad('ContainerGroupContainerCountExceeded', 'A container group can have at most 60 containers.');
  const osType = prop(properties, 'osType');
  if (osType !== 'Linux' && osType !== 'Windows') {
    throw bad('InvalidOsType', `The 'osType' '${String(osType)}' is not valid. The valid values are 'Linux' and 'Windows'.`);
  }
  const restartPolicy = prop(properties, 'restartPolicy') ?? 'Always';
  if (!['Always', 'OnFailure', 'Never'].includes(String(restartPolicy))) {
    throw bad('InvalidRestartPolicy', `The restart policy '${String(restartPolicy)}' is not valid. The valid values are 'Always', 'OnFailure' and 'Never'.`);
  }
  let cpu = 0;
  let memory = 0;
  let gpu = false;
  for (const container of containers) {
    if (!isObject(container) || typeof container.name !== 'string' || !isObject(container.properties)) {
      throw bad('InvalidContainerDefinition', 'Each container needs a name and properties.');
    }
    if (!isValidGroupName(container.name)) {
      throw bad('InvalidContainerName', `The container name '${container.name}' is invalid. It must be 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen.`);
    }
    const p = container.properties;
    if (typeof p.image !== 'string' || p.image === '') throw bad('InvalidContainerImage', `The container '${container.name}' has no image.`);
    if (p.command !== undefined && (!Array.isArray(p.command) || !p.command.every((w) => typeof w === 'string'))) {
      throw bad('InvalidRequestContent', `The command of container '${container.name}' must be an array of strings.`);
    }
    const requests = isObject(p.resources) && isObject(p.resources.requests) ? p.resources.requests : undefined;
    const c = requests ? prop(requests, 'cpu') : undefined;
    const m = requests ? prop(requests, 'memoryInGB') : undefined;
    if (typeof c !== 'number' || c <= 0 || typeof m !== 'number' || m <= 0) {
      throw bad('InvalidContainerResourceRequests', `The container '${container.name}' must request cpu > 0 and memoryInGB > 0.`);
    }
    cpu += c;
    memory += m;
    const g = requests ? prop(requests, 'gpu') : undefined;
    if (g !== undefined) {
      gpu = true;
      if (limits.gpuSkus.length === 0) {
        throw bad('GpuSkuNotAvailable', `Container '${container.name}' requests a GPU, but GPU resources for container groups are no longer offered (retired on 2025-07-14).`);
      }
      if (!isObject(g) || !Number.isInteger(g.count) || (g.count as number) < 1 || !limits.gpuSkus.includes(String(g.sku))) {
        throw bad('InvalidGpuResource', `The GPU request of container '${container.name}' is invalid: count must be >= 1 and sku one of ${limits.gpuSkus.join(', ')}.`);
      }
    }
    for (const variable of Array.isArray(p.environmentVariables) ? p.environmentVariables : []) {
      if (!isObject(variable) || typeof variable.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(variable.name)) {
        throw bad('InvalidEnvironmentVariable', `An environment variable of container '${container.name}' has an invalid name.`);
      }
    }
  }
  if (cpu > limits.maxCpu || memory > limits.maxMemoryInGB) {
    throw bad(
      'ResourceRequestsExceedLimit',
      `The requested resource with '${cpu}' CPU and '${memory}' GB memory exceeds the limit of '${limits.maxCpu}' CPU and '${limits.maxMemoryInGB}' GB memory per container group.`,
    );
  }
  if (gpu && Array.isArray(properties.subnetIds) && properties.subnetIds.length > 0) {
    throw bad('GpuNotSupportedWithVirtualNetwork', 'Container groups with GPU resources cannot be deployed into a virtual network.');
  }
  const tags = isObject(body.tags) ? (body.tags as Record<string, string>) : {};
  return {
    location: typeof body.location === 'string' ? body.location : undefined,
    tags,
    identity: isObject(body.identity) ? body.identity : undefined,
    zones: Array.isArray(body.zones) ? (body.zones as string[]) : undefined,
    properties: { ...properties, restartPolicy },
  };
}
