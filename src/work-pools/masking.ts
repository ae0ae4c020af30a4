// What of a work pool is secret: defaults of write-only/password variables, block secret_fields,
// and literal credentials written into the job configuration.
import { MASK } from '../secrets-mask.js';
import { isObject, type JsonObject } from '../templating/layering.js';
import { findPlaceholders } from '../templating/placeholders.js';
import { secretEnvNames } from '../templating/prepare.js';
import type { WorkPool } from './model.js';

const SECRET_KEYS = new Set(['subscription_id', 'client_secret', 'password', 'secureValue']);

function isSecretSchema(schema: JsonObject): boolean {
  return schema.writeOnly === true || schema.format === 'password';
}

function secretFieldsOf(schema: JsonObject, definitions: JsonObject): string[] {
  const refs = [schema, ...(Array.isArray(schema.anyOf) ? schema.anyOf : []), ...(Array.isArray(schema.allOf) ? schema.allOf : [])];
  const fields: string[] = [];
  for (const entry of refs) {
    if (!isObject(entry) || typeof entry.$ref !== 'string') continue;
    const definition = definitions[entry.$ref.split('/').pop() ?? ''];
    if (!isObject(definition)) continue;
    if (Array.isArray(definition.secret_fields)) fields.push(...(definition.secret_fields as string[]));
    if (isObject(definition.properties)) {
      for (const [name, property] of Object.entries(definition.properties)) {
        if (isObject(property) && (isSecretSchema(property) || (Array.isArray(property.anyOf) && property.anyOf.some((b) => isObject(b) && isSecretSchema(b))))) {
          fields.push(name);
        }
      }
    }
  }
  return fields;
}

function maskVariables(variables: JsonObject): void {
  const definitions = isObject(variables.definitions) ? variables.definitions : isObject(variables.$defs) ? variables.$defs : {};
  if (!isObject(variables.properties)) return;
  for (const property of Object.values(variables.properties)) {
    if (!isObject(property) || !('default' in property) || property.default === null) continue;
    if (isSecretSchema(property)) {
      property.default = MASK;
      continue;
    }
    if (isObject(property.default)) {
      for (const field of secretFieldsOf(property, definitions)) {
        if (typeof property.default[field] === 'string') property.default[field] = MASK;
      }
    }
  }
}

function maskLiterals(node: unknown, secretEnv: ReadonlySet<string>): unknown {
  if (Array.isArray(node)) return node.map((item) => maskLiterals(item, secretEnv));
  if (!isObject(node)) return node;
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    const literal = typeof value === 'string' && value !== '' && findPlaceholders(value).length === 0;
    if (literal && SECRET_KEYS.has(key)) result[key] = MASK;
    else if (key === 'env' && isObject(value)) {
      result[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secretEnv.has(k) && typeof v === 'string' ? MASK : v]));
    } else result[key] = maskLiterals(value, secretEnv);
  }
  return result;
}

export function maskWorkPool(pool: WorkPool): WorkPool {
  const template = structuredClone(pool.base_job_template);
  maskVariables(template.variables);
  const secretEnv = secretEnvNames(pool.secret_env_names);
  if (isObject(template.variables.properties) && isObject(template.variables.properties.env)) {
    const envDefault = template.variables.properties.env.default;
    if (isObject(envDefault)) for (const name of Object.keys(envDefault)) if (secretEnv.has(name)) envDefault[name] = MASK;
  }
  template.job_configuration = maskLiterals(template.job_configuration, secretEnv) as JsonObject;
  return { ...pool, base_job_template: template };
}
