// How job variables are layered before templating (reference §2.1–2.2, steps 1–6).
import { splitPath } from './lookup.js';

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Deployment job variables, then flow-run job variables on top; `env` merged per key. */
export function mergeJobVariables(deployment: JsonObject | undefined, flowRun: JsonObject | undefined): JsonObject {
  const merged: JsonObject = { ...(deployment ?? {}) };
  const runVariables: JsonObject = { ...(flowRun ?? {}) };
  if (isObject(merged.env) && isObject(runVariables.env)) {
    merged.env = { ...merged.env, ...runVariables.env };
    delete runVariables.env;
  }
  return { ...merged, ...runVariables };
}

function deepMerge(base: JsonObject, top: JsonObject): JsonObject {
  const result: JsonObject = { ...base };
  for (const [key, value] of Object.entries(top)) {
    result[key] = isObject(result[key]) && isObject(value) ? deepMerge(result[key] as JsonObject, value) : value;
  }
  return result;
}

export class DotKeyConflict extends Error {}

/** Segments that would walk into Object.prototype instead of a value (prototype pollution). */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** `{"env.FOO": "x"}` → `{env: {FOO: "x"}}`; plain keys are deep-merged on top and win at leaves. */
export function expandDotKeys(values: JsonObject): JsonObject {
  let expanded: JsonObject = {};
  for (const [key, value] of Object.entries(values)) {
    if (!key.includes('.')) continue;
    const segments = splitPath(key);
    const forbidden = segments.find((segment) => FORBIDDEN_SEGMENTS.has(segment));
    if (forbidden) throw new DotKeyConflict(`"${key}" uses "${forbidden}", which is not allowed in a dot key`);
    let node = expanded;
    segments.slice(0, -1).forEach((segment, i) => {
      if (!Object.hasOwn(node, segment)) node[segment] = {};
      if (!isObject(node[segment])) {
        throw new DotKeyConflict(`"${key}" runs into a value that is not an object at "${segments.slice(0, i + 1).join('.')}"`);
      }
      node = node[segment] as JsonObject;
    });
    node[segments[segments.length - 1]] = value;
  }
  for (const [key, value] of Object.entries(values)) {
    if (key.includes('.')) continue;
    expanded = deepMerge(expanded, { [key]: value });
  }
  return expanded;
}

/** Defaults per schema object: a cached work pool keeps its schema, so they are read once per pool version. */
const defaultsBySchema = new WeakMap<JsonObject, JsonObject>();

/**
 * Non-null defaults of the variables schema (null defaults are dropped on purpose, as in Prefect).
 * A new top-level object each call; the default values themselves are shared and never changed in place
 * (rendering copies every value it puts into the result).
 */
export function variableDefaults(variablesSchema: JsonObject): JsonObject {
  let cached = defaultsBySchema.get(variablesSchema);
  if (!cached) {
    cached = readDefaults(variablesSchema);
    defaultsBySchema.set(variablesSchema, cached);
  }
  return { ...cached };
}

function readDefaults(variablesSchema: JsonObject): JsonObject {
  const defaults: JsonObject = {};
  const properties = isObject(variablesSchema.properties) ? variablesSchema.properties : {};
  for (const [name, property] of Object.entries(properties)) {
    if (isObject(property) && 'default' in property && property.default !== null) defaults[name] = property.default;
  }
  return defaults;
}

/**
 * Steps 1–6 of Prefect's from_template_and_values: the job configuration (still with
 * placeholders) and the values that will fill it.
 */
export function layerValues(
  jobConfiguration: JsonObject,
  variablesSchema: JsonObject,
  values: JsonObject,
): { configuration: JsonObject; values: JsonObject } {
  // Only `env` is replaced below (never changed in place), and rendering builds new objects: a shallow
  // copy keeps the pool's template intact without cloning its whole ARM template per run.
  const configuration: JsonObject = { ...jobConfiguration };
  const variables = variableDefaults(variablesSchema);
  if (isObject(variables.env) && Object.keys(variables.env).length > 0) {
    configuration.env = isObject(configuration.env) ? { ...configuration.env, ...variables.env } : variables.env;
  }
  Object.assign(variables, expandDotKeys(values));
  if (isObject(configuration.env) && isObject(variables.env) && Object.keys(variables.env).length > 0) {
    configuration.env = { ...configuration.env, ...variables.env };
  }
  return { configuration, values: variables };
}
