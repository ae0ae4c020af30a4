// The default base job template and the checks a pool's template must pass before it is stored.
import { readFileSync } from 'node:fs';
import { BaseJobTemplateInvalid, type Problem } from './errors.js';
import { isObject } from './layering.js';
import { CONTAINER_GROUP_TYPE } from './prepare.js';
import type { BaseJobTemplate } from './render.js';
import { compileVariablesSchema } from './variables.js';

const DEFAULT_PATH = new URL('../../templates/base-job-template.json', import.meta.url);

let cached: BaseJobTemplate | undefined;

/** Prefect's default ACI base job template (templates/base-job-template.json), a fresh copy each call. */
export function defaultBaseJobTemplate(): BaseJobTemplate {
  cached ??= JSON.parse(readFileSync(DEFAULT_PATH, 'utf8')) as BaseJobTemplate;
  return structuredClone(cached);
}

/** Refuses a template that could never render a run; returns it typed when it is fine. */
export function checkBaseJobTemplate(candidate: unknown): BaseJobTemplate {
  const problems: Problem[] = [];
  if (!isObject(candidate)) throw new BaseJobTemplateInvalid([{ path: '/base_job_template', message: 'must be an object' }]);
  const { job_configuration: configuration, variables } = candidate;
  if (!isObject(variables)) {
    problems.push({ path: '/base_job_template/variables', message: 'must be a JSON schema object' });
  } else {
    if (variables.type !== undefined && variables.type !== 'object') {
      problems.push({ path: '/base_job_template/variables/type', message: 'must be "object"' });
    }
    if (variables.properties !== undefined && !isObject(variables.properties)) {
      problems.push({ path: '/base_job_template/variables/properties', message: 'must be an object' });
    }
    try {
      compileVariablesSchema(variables);
    } catch (err) {
      problems.push({ path: '/base_job_template/variables', message: `is not a valid JSON schema: ${(err as Error).message}` });
    }
  }
  if (!isObject(configuration)) {
    problems.push({ path: '/base_job_template/job_configuration', message: 'must be an object' });
  } else if (!isObject(configuration.arm_template)) {
    problems.push({ path: '/base_job_template/job_configuration/arm_template', message: 'must be an ARM template object' });
  } else {
    const resources = configuration.arm_template.resources;
    const hasGroup =
      Array.isArray(resources) &&
      resources.some((r) => isObject(r) && typeof r.type === 'string' && r.type.toLowerCase() === CONTAINER_GROUP_TYPE);
    if (!hasGroup) {
      problems.push({
        path: '/base_job_template/job_configuration/arm_template/resources',
        message: 'must contain a resource of type Microsoft.ContainerInstance/containerGroups',
      });
    }
    // ARM refuses a parameter without a type (InvalidTemplate): refused here, not when a run is deployed.
    const parameters = configuration.arm_template.parameters;
    if (parameters !== undefined && !isObject(parameters)) {
      problems.push({ path: '/base_job_template/job_configuration/arm_template/parameters', message: 'must be an object' });
    } else if (parameters !== undefined) {
      for (const [name, definition] of Object.entries(parameters)) {
        if (!isObject(definition) || typeof definition.type !== 'string') {
          problems.push({ path: `/base_job_template/job_configuration/arm_template/parameters/${name}`, message: 'must be an object with a "type"' });
        }
      }
    }
  }
  if (problems.length > 0) throw new BaseJobTemplateInvalid(problems);
  return candidate as unknown as BaseJobTemplate;
}
