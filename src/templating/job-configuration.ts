// The rendered job configuration as a typed model: Prefect's AzureContainerJobConfiguration,
// with its defaults for absent keys and its coercions (reference §1.3, §2.2 step 10).
import { TemplateNotRenderable } from './errors.js';
import { isObject, type JsonObject } from './layering.js';
import { pythonStr } from './python-str.js';

export interface AcrManagedIdentity {
  registry_url: string;
  identity: string;
}
export interface DockerRegistryCredentials {
  registry_url: string;
  username: string;
  password: string;
}
export interface AciCredentials {
  client_id?: string | null;
  tenant_id?: string | null;
  client_secret?: string | null;
}

export interface JobConfiguration {
  command: string | null;
  env: Record<string, string | null>;
  labels: Record<string, string>;
  name: string | null;
  image: string;
  resource_group_name: string;
  subscription_id: string;
  identities: string[] | null;
  entrypoint: string | null;
  image_registry: AcrManagedIdentity | DockerRegistryCredentials | null;
  cpu: number;
  gpu_count: number | null;
  gpu_sku: string | null;
  memory: number;
  subnet_ids: string[] | null;
  dns_servers: string[] | null;
  stream_output: boolean;
  aci_credentials: AciCredentials;
  task_start_timeout_seconds: number;
  task_watch_poll_interval: number;
  keep_container_group: boolean;
  arm_template: JsonObject;
}

function fail(field: string, expected: string, value: unknown): never {
  throw new TemplateNotRenderable(
    `The rendered job configuration has ${field} = ${JSON.stringify(value)}; expected ${expected}. Check the work pool's job_configuration.`,
  );
}

const optional = <T>(raw: JsonObject, field: string, check: (v: unknown) => v is T, expected: string, fallback: T | null) => {
  if (!(field in raw) || raw[field] === null) return fallback;
  const value = raw[field];
  return check(value) ? value : fail(field, expected, value);
};

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

function registry(value: unknown): AcrManagedIdentity | DockerRegistryCredentials | null {
  if (value === undefined || value === null) return null;
  if (isObject(value) && isString(value.registry_url)) {
    if (isString(value.identity)) return { registry_url: value.registry_url, identity: value.identity };
    if (isString(value.username) && isString(value.password)) {
      return { registry_url: value.registry_url, username: value.username, password: value.password };
    }
  }
  return fail('image_registry', 'registry_url with identity, or registry_url with username and password', '<object>');
}

function credentials(value: unknown): AciCredentials {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) fail('aci_credentials', 'an object', value);
  const c = value as JsonObject;
  const fields = ['client_id', 'tenant_id', 'client_secret'] as const;
  const given = fields.filter((f) => c[f] !== undefined && c[f] !== null);
  if (given.length !== 0 && given.length !== 3) {
    throw new TemplateNotRenderable(
      'If any of `client_id`, `tenant_id`, or `client_secret` are provided, all must be provided (aci_credentials).',
    );
  }
  for (const f of given) if (!isString(c[f])) fail(`aci_credentials.${f}`, 'a string', '<value>');
  return given.length ? { client_id: c.client_id as string, tenant_id: c.tenant_id as string, client_secret: c.client_secret as string } : {};
}

/** Builds the model from the templated configuration; absent keys take Prefect's model defaults. */
export function toJobConfiguration(raw: JsonObject, defaultImage: string): JobConfiguration {
  if (!isObject(raw.arm_template)) {
    throw new TemplateNotRenderable('The job configuration has no arm_template object; a work pool template must contain one.');
  }
  const env: Record<string, string | null> = {};
  if (raw.env !== undefined && raw.env !== null) {
    if (!isObject(raw.env)) fail('env', 'an object', raw.env);
    for (const [k, v] of Object.entries(raw.env as JsonObject)) env[k] = v === null ? null : pythonStr(v);
  }
  const labels: Record<string, string> = {};
  if (isObject(raw.labels)) for (const [k, v] of Object.entries(raw.labels)) labels[k] = pythonStr(v);
  const command = optional(raw, 'command', isString, 'a string', null);
  const gpuCount = optional(raw, 'gpu_count', (v): v is number => Number.isInteger(v), 'an integer', null);
  return {
    command: command === '' ? null : command,
    env,
    labels,
    name: optional(raw, 'name', isString, 'a string', null),
    image: raw.image === undefined ? defaultImage : isString(raw.image) ? raw.image : fail('image', 'a string', raw.image),
    resource_group_name: isString(raw.resource_group_name) && raw.resource_group_name
      ? raw.resource_group_name
      : fail('resource_group_name', 'a non-empty string', raw.resource_group_name),
    subscription_id: isString(raw.subscription_id) && raw.subscription_id
      ? raw.subscription_id
      : fail('subscription_id', 'a non-empty string', raw.subscription_id === undefined ? undefined : '<hidden>'),
    identities: optional(raw, 'identities', isStringList, 'a list of strings', null),
    entrypoint: 'entrypoint' in raw ? optional(raw, 'entrypoint', isString, 'a string', null) : '/opt/prefect/entrypoint.sh',
    image_registry: registry(raw.image_registry),
    cpu: optional(raw, 'cpu', isNumber, 'a number', 1) as number,
    gpu_count: gpuCount,
    gpu_sku: optional(raw, 'gpu_sku', isString, 'a string', null),
    memory: optional(raw, 'memory', isNumber, 'a number', 1) as number,
    subnet_ids: optional(raw, 'subnet_ids', isStringList, 'a list of strings', null),
    dns_servers: optional(raw, 'dns_servers', isStringList, 'a list of strings', null),
    stream_output: optional(raw, 'stream_output', isBoolean, 'true or false', false) as boolean,
    aci_credentials: credentials(raw.aci_credentials),
    task_start_timeout_seconds: optional(raw, 'task_start_timeout_seconds', isNumber, 'a number', 240) as number,
    task_watch_poll_interval: optional(raw, 'task_watch_poll_interval', isNumber, 'a number', 5) as number,
    keep_container_group: optional(raw, 'keep_container_group', isBoolean, 'true or false', false) as boolean,
    arm_template: raw.arm_template as JsonObject,
  };
}
