// prepare_for_flow_run (reference §3): job configuration → the ARM deployment to send.
import { escapeArmString } from './arm-escape.js';
import { CommandSyntaxError, splitCommand } from './command.js';
import { JobVariablesInvalid, TemplateNotRenderable, type Problem } from './errors.js';
import type { JobConfiguration } from './job-configuration.js';
import { isObject, type JsonObject } from './layering.js';
import { applyValues } from './placeholders.js';
import { containerGroupName, deploymentName, infrastructurePid } from './naming.js';
import { NOT_SET } from './lookup.js';

export const DEFAULT_COMMAND = 'prefect flow-run execute';
/** Environment variables sent as secureValue: Prefect's two, plus those the work pool names. */
export const secretEnvNames = (poolSecretEnv: readonly string[]): ReadonlySet<string> =>
  new Set(['PREFECT_API_KEY', 'PREFECT_API_AUTH_STRING', ...poolSecretEnv]);
export const CONTAINER_GROUP_TYPE = 'microsoft.containerinstance/containergroups';
/** Tags that tie every container group to the service installation and flow run that made it. */
export const OWNER_TAGS = { instance: 'aci-flow-runner.instance', flowRunId: 'aci-flow-runner.flow-run-id' } as const;

export interface FlowRunInfo {
  id: string;
  name: string;
  flow_id?: string;
  deployment_id?: string;
  [field: string]: unknown;
}

export interface PrepareContext {
  flowRun: FlowRunInfo;
  flow?: { name?: string; [field: string]: unknown };
  deployment?: { id?: string; name?: string; [field: string]: unknown };
  workPoolName: string;
  serviceInstance: string;
  /** The operator's base environment for flow-run containers (Prefect's _base_environment). */
  baseEnv: Record<string, string>;
  /** Environment variable names the pool treats as secret, beyond Prefect's two. */
  secretEnvNames: readonly string[];
}

export interface DeploymentBody {
  properties: {
    mode: 'Incremental';
    template: JsonObject;
    parameters: Record<string, { value: unknown }>;
  };
}

export interface PreparedRun {
  jobConfiguration: JobConfiguration;
  containerGroupName: string;
  deploymentName: string;
  infrastructurePid: string;
  deployment: DeploymentBody;
  /** Deployment parameters that carry secrets (never shown, never stored by ARM). */
  secretParameters: string[];
}

function environment(config: JobConfiguration, ctx: PrepareContext): Record<string, string> {
  const attribution: Record<string, string | undefined> = {
    PREFECT__FLOW_RUN_ID: ctx.flowRun.id,
    PREFECT__WORKER_NAME: ctx.serviceInstance,
    PREFECT__FLOW_ID: ctx.flowRun.flow_id,
    PREFECT__FLOW_NAME: ctx.flow?.name || undefined,
    PREFECT__DEPLOYMENT_ID: ctx.flowRun.deployment_id,
    PREFECT__DEPLOYMENT_NAME: ctx.deployment?.name,
  };
  const merged: Record<string, string | null | undefined> = { ...ctx.baseEnv, ...attribution, ...config.env };
  // Null removes a key, including a base setting (Prefect re-adds those: weakness §7.2).
  return Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function labels(config: JobConfiguration, ctx: PrepareContext): Record<string, string> {
  const defined = (entries: Record<string, string | undefined>) =>
    Object.fromEntries(Object.entries(entries).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return {
    ...defined({
      'prefect.io/flow-run-id': ctx.flowRun.id,
      'prefect.io/flow-run-name': ctx.flowRun.name,
      'prefect.io/work-pool-name': ctx.workPoolName,
      'prefect.io/worker-name': ctx.serviceInstance,
      'prefect.io/flow-id': ctx.flowRun.flow_id,
      'prefect.io/flow-name': ctx.flow?.name,
      'prefect.io/deployment-id': ctx.flowRun.deployment_id ?? ctx.deployment?.id,
      'prefect.io/deployment-name': ctx.deployment?.name,
    }),
    ...config.labels,
  };
}

/** Azure tag names may not contain < > % & \ ? / and are at most 512 characters; values at most 256. */
function toTags(labelMap: Record<string, string>, ctx: PrepareContext): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(labelMap)) {
    tags[key.replace(/[<>%&\\?/]/g, '_').slice(0, 512)] = escapeArmString(value.slice(0, 256));
  }
  tags[OWNER_TAGS.instance] = ctx.serviceInstance;
  tags[OWNER_TAGS.flowRunId] = ctx.flowRun.id;
  return tags;
}

function renderName(config: JobConfiguration, ctx: PrepareContext): string {
  if (config.name) {
    const rendered = applyValues(config.name, { ctx: { flow: ctx.flow ?? {}, flow_run: ctx.flowRun } });
    const name = rendered === NOT_SET ? config.name : String(rendered);
    if (name) return name;
  }
  return ctx.flowRun.name;
}

function containerGroupOf(template: JsonObject): { group: JsonObject; container: JsonObject } {
  const resources = template.resources;
  if (!Array.isArray(resources)) {
    throw new TemplateNotRenderable('arm_template has no "resources" array; it needs one Microsoft.ContainerInstance/containerGroups resource.');
  }
  const group = resources.find((r) => isObject(r) && typeof r.type === 'string' && r.type.toLowerCase() === CONTAINER_GROUP_TYPE);
  if (!isObject(group)) {
    throw new TemplateNotRenderable('arm_template.resources has no resource of type Microsoft.ContainerInstance/containerGroups.');
  }
  const containers = isObject(group.properties) ? group.properties.containers : undefined;
  if (!Array.isArray(containers) || !isObject(containers[0]) || !isObject(containers[0].properties)) {
    throw new TemplateNotRenderable(
      'The container group resource in arm_template has no properties.containers[0].properties; the flow-run container goes there.',
    );
  }
  return { group, container: containers[0].properties as JsonObject };
}

/** Checks what Prefect's own model would refuse; gpu_count 0 means no GPU, as Prefect reads it. */
function checkRequests(config: JobConfiguration): void {
  const problems: Problem[] = [];
  const gpu = (config.gpu_count ?? 0) > 0;
  if (gpu) {
    // ACI retired its GPU offering on 2025-07-14: Azure refuses these container groups.
    problems.push({ path: '/job_variables/gpu_count', message: 'Azure Container Instances no longer offers GPUs (retired on 2025-07-14); remove gpu_count and gpu_sku' });
  }
  if (gpu && (config.subnet_ids?.length ?? 0) > 0) {
    problems.push({ path: '/job_variables/gpu_count', message: 'GPU container groups cannot join a virtual network; remove subnet_ids or the GPU' });
  }
  if (config.gpu_count !== null && config.gpu_count < 0) problems.push({ path: '/job_variables/gpu_count', message: 'must be >= 0' });
  if (gpu && !config.gpu_sku) problems.push({ path: '/job_variables/gpu_sku', message: 'is required when gpu_count is set' });
  if (!gpu && config.gpu_sku) problems.push({ path: '/job_variables/gpu_count', message: 'must be >= 1 when gpu_sku is set' });
  if (config.task_watch_poll_interval < 0) problems.push({ path: '/job_variables/task_watch_poll_interval', message: 'must be >= 0' });
  if (config.task_start_timeout_seconds < 0) problems.push({ path: '/job_variables/task_start_timeout_seconds', message: 'must be >= 0' });
  if (problems.length) throw new JobVariablesInvalid(problems);
}

/** The container group's restart policy as a deployment body sets it (undefined when it sets none). */
export function restartPolicyOfBody(body: unknown): string | undefined {
  const resources = (body as { properties?: { template?: { resources?: unknown } } } | null | undefined)?.properties?.template?.resources;
  if (!Array.isArray(resources)) return undefined;
  return (resources as { properties?: { restartPolicy?: string } }[]).find((r) => r?.properties?.restartPolicy)?.properties?.restartPolicy;
}

export function prepareForFlowRun(configuration: JobConfiguration, ctx: PrepareContext): PreparedRun {
  checkRequests(configuration);
  const env = environment(configuration, ctx);
  const name = renderName(configuration, ctx);
  const command = configuration.command || DEFAULT_COMMAND;
  const jobConfiguration: JobConfiguration = { ...configuration, env, name, command, labels: labels(configuration, ctx) };

  const template = structuredClone(configuration.arm_template);
  const { group, container } = containerGroupOf(template);
  const groupProperties = group.properties as JsonObject;
  const parameters: Record<string, { value: unknown }> = {};
  const secretParameters: string[] = [];
  const templateParameters: JsonObject = isObject(template.parameters) ? template.parameters : {};
  template.parameters = templateParameters;
  const secureParameter = (hint: string, value: string) => {
    const parameter = `secure_${hint}_${secretParameters.length}`.replace(/[^A-Za-z0-9_]/g, '_');
    templateParameters[parameter] = { type: 'securestring' };
    parameters[parameter] = { value };
    secretParameters.push(parameter);
    return `[parameters('${parameter}')]`;
  };

  // Environment: our entries replace same-named template entries; the others stay (§7.19).
  const secretNames = secretEnvNames(ctx.secretEnvNames);
  const templateEnv = Array.isArray(container.environmentVariables) ? container.environmentVariables : [];
  container.environmentVariables = [
    ...templateEnv.filter((entry) => !(isObject(entry) && typeof entry.name === 'string' && Object.hasOwn(env, entry.name))),
    ...Object.entries(env).map(([key, value]) =>
      secretNames.has(key) ? { name: key, secureValue: secureParameter('env', value) } : { name: key, value: escapeArmString(value) },
    ),
  ];

  try {
    container.command = splitCommand(command).map(escapeArmString);
  } catch (err) {
    if (err instanceof CommandSyntaxError) {
      throw new JobVariablesInvalid([{ path: '/job_variables/command', message: `cannot be split into arguments: ${err.message}` }]);
    }
    throw err;
  }
  container.image = escapeArmString(configuration.image);
  if (configuration.entrypoint) (container.command as string[]).unshift(escapeArmString(configuration.entrypoint));

  if ((configuration.gpu_count ?? 0) > 0) {
    const resources = isObject(container.resources) ? container.resources : (container.resources = {});
    const requests = isObject(resources.requests) ? resources.requests : (resources.requests = {});
    requests.gpu = { count: configuration.gpu_count, sku: escapeArmString(configuration.gpu_sku ?? '') };
  }

  const identities = new Set(configuration.identities ?? []);
  const registry = configuration.image_registry;
  if (registry) {
    if ('identity' in registry) {
      identities.add(registry.identity);
      groupProperties.imageRegistryCredentials = [{ server: escapeArmString(registry.registry_url), identity: escapeArmString(registry.identity) }];
    } else {
      groupProperties.imageRegistryCredentials = [
        {
          server: escapeArmString(registry.registry_url),
          username: escapeArmString(registry.username),
          password: secureParameter('registry_password', registry.password),
        },
      ];
    }
  }
  if (identities.size > 0) {
    group.identity = {
      type: 'UserAssigned',
      userAssignedIdentities: Object.fromEntries([...identities].map((id) => [escapeArmString(id), {}])),
    };
  }
  if (configuration.subnet_ids?.length) groupProperties.subnetIds = configuration.subnet_ids.map((id) => ({ id: escapeArmString(id) }));
  if (configuration.dns_servers?.length) groupProperties.dnsConfig = { nameServers: configuration.dns_servers.map(escapeArmString) };
  group.tags = { ...(isObject(group.tags) ? group.tags : {}), ...toTags(jobConfiguration.labels, ctx) };

  const groupName = containerGroupName(ctx.flow?.name ?? ctx.flowRun.name, ctx.flowRun.id);
  parameters.container_group_name = { value: groupName };
  if (!('container_group_name' in templateParameters)) {
    throw new TemplateNotRenderable('arm_template.parameters has no "container_group_name" parameter; the service passes the group name through it.');
  }
  return {
    jobConfiguration,
    containerGroupName: groupName,
    deploymentName: deploymentName(groupName),
    infrastructurePid: infrastructurePid(ctx.flowRun.id, groupName),
    deployment: { properties: { mode: 'Incremental', template, parameters } },
    secretParameters,
  };
}
