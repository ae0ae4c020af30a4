// What Azure would refuse minutes later (CRASHED), refused now with a 400 and the path, for any
// pool's template: checked on the rendered run, before anything is stored or deployed.
import { ACI_MAX_CPU, ACI_MAX_MEMORY_GB, ACI_MIN_MEMORY_GB, SUBSCRIPTION_ID, isResourceGroupName } from '../azure/aci-limits.js';
import { isArmExpression } from '../templating/arm-escape.js';
import { JobVariablesInvalid, type Problem } from '../templating/errors.js';
import { isObject } from '../templating/layering.js';
import { isValidContainerGroupName } from '../templating/naming.js';
import { CONTAINER_GROUP_TYPE, type PreparedRun } from '../templating/prepare.js';

const literal = (value: unknown): value is string => typeof value === 'string' && !isArmExpression(value);

function checkConfiguration(prepared: PreparedRun, problems: Problem[]): void {
  const config = prepared.jobConfiguration;
  if (!(config.cpu > 0 && config.cpu <= ACI_MAX_CPU)) {
    problems.push({ path: '/job_variables/cpu', message: `must be > 0 and <= ${ACI_MAX_CPU} (ACI's most vCPUs per container group)` });
  }
  if (!(config.memory >= ACI_MIN_MEMORY_GB && config.memory <= ACI_MAX_MEMORY_GB)) {
    problems.push({ path: '/job_variables/memory', message: `must be >= ${ACI_MIN_MEMORY_GB} and <= ${ACI_MAX_MEMORY_GB} (GB per container group in ACI)` });
  }
  if (config.image.trim() === '' || /\s/.test(config.image)) {
    problems.push({ path: '/job_variables/image', message: 'must be a non-empty image reference without spaces' });
  }
  // The value is a secret of the pool: the message never repeats it.
  if (!SUBSCRIPTION_ID.test(config.subscription_id)) {
    problems.push({ path: '/job_variables/subscription_id', message: 'must be an Azure subscription id (a GUID)' });
  }
  if (!isResourceGroupName(config.resource_group_name)) {
    problems.push({
      path: '/job_variables/resource_group_name',
      message: 'must be 1-90 letters, digits, _ - . ( ) and not end with a period',
    });
  }
}

/** The container group resource as it will be sent: literal names and numeric requests. */
function checkArmResource(prepared: PreparedRun, problems: Problem[], configFlagged: { cpu: boolean; memory: boolean }): void {
  const resources = prepared.deployment.properties.template.resources;
  if (!Array.isArray(resources)) return;
  resources.forEach((resource, r) => {
    if (!isObject(resource) || typeof resource.type !== 'string' || resource.type.toLowerCase() !== CONTAINER_GROUP_TYPE) return;
    const base = `/job_configuration/arm_template/resources/${r}`;
    if (literal(resource.name) && !isValidContainerGroupName(resource.name)) {
      problems.push({ path: `${base}/name`, message: 'must be 1-63 lowercase letters, digits or single hyphens (ACI container group name)' });
    }
    const containers = isObject(resource.properties) && Array.isArray(resource.properties.containers) ? resource.properties.containers : [];
    let cpu = 0;
    let memory = 0;
    containers.forEach((container, c) => {
      if (!isObject(container)) return;
      if (literal(container.name) && !isValidContainerGroupName(container.name)) {
        problems.push({ path: `${base}/properties/containers/${c}/name`, message: 'must be 1-63 lowercase letters, digits or single hyphens (ACI container name)' });
      }
      const requests = isObject(container.properties) && isObject(container.properties.resources) ? container.properties.resources.requests : undefined;
      if (!isObject(requests)) return;
      const at = `${base}/properties/containers/${c}/properties/resources/requests`;
      if (typeof requests.cpu === 'number') {
        cpu += requests.cpu;
        if (requests.cpu <= 0 && !configFlagged.cpu) problems.push({ path: `${at}/cpu`, message: 'must be > 0' });
      }
      if (typeof requests.memoryInGB === 'number') {
        memory += requests.memoryInGB;
        if (requests.memoryInGB < ACI_MIN_MEMORY_GB && !configFlagged.memory) {
          problems.push({ path: `${at}/memoryInGB`, message: `must be >= ${ACI_MIN_MEMORY_GB}` });
        }
      }
    });
    if (cpu > ACI_MAX_CPU && !configFlagged.cpu) {
      problems.push({ path: `${base}/properties/containers`, message: `request ${cpu} vCPUs in total; ACI allows at most ${ACI_MAX_CPU} per container group` });
    }
    if (memory > ACI_MAX_MEMORY_GB && !configFlagged.memory) {
      problems.push({ path: `${base}/properties/containers`, message: `request ${memory} GB in total; ACI allows at most ${ACI_MAX_MEMORY_GB} per container group` });
    }
  });
}

export function checkAzureAcceptance(prepared: PreparedRun): void {
  const problems: Problem[] = [];
  checkConfiguration(prepared, problems);
  const flagged = (path: string) => problems.some((p) => p.path === path);
  checkArmResource(prepared, problems, { cpu: flagged('/job_variables/cpu'), memory: flagged('/job_variables/memory') });
  if (problems.length > 0) throw new JobVariablesInvalid(problems);
}
