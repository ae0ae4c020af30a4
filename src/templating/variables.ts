// Job variables checked against a work pool's variables schema before anything is stored.
import { Ajv, type ValidateFunction } from 'ajv';
import { JobVariablesInvalid, type Problem } from './errors.js';
import { isObject, type JsonObject } from './layering.js';
import { schemaProblems } from './schema-problems.js';

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, allowUnionTypes: true });

const compiled = new Map<string, ValidateFunction>();
const CACHE_LIMIT = 200;
/** Per schema object: a cached work pool keeps its schema object, so this skips even the stringify. */
const bySchemaObject = new WeakMap<JsonObject, ValidateFunction>();

/** Compiles (and caches) a variables schema; throws Ajv's error for an invalid schema. */
export function compileVariablesSchema(schema: JsonObject): ValidateFunction {
  const known = bySchemaObject.get(schema);
  if (known) return known;
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    if (compiled.size >= CACHE_LIMIT) compiled.delete(compiled.keys().next().value as string);
    compiled.set(key, validate);
  }
  bySchemaObject.set(schema, validate);
  return validate;
}

/**
 * Checks the values a run will be rendered with: every key a declared variable, every value of
 * the declared type, every required variable present (from a default or the values).
 */
export function checkJobVariables(schema: JsonObject, values: JsonObject, prefix = '/job_variables'): void {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const problems: Problem[] = Object.keys(values)
    .filter((name) => !Object.hasOwn(properties, name))
    .map((name) => ({ path: `${prefix}/${name}`, message: 'is not a variable of this work pool' }));
  const validate = compileVariablesSchema(schema);
  if (!validate(values)) problems.push(...schemaProblems(validate.errors ?? [], prefix, prefix || 'the job variables'));
  if (problems.length > 0) throw new JobVariablesInvalid(problems);
}
