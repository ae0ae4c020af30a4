// Reduces Microsoft's Azure OpenAPI files to the facts our conformance tests check: operations,
// status codes and schemas (types, required fields, enums, formats, patterns, bounds). Prose
// (descriptions, summaries, titles) is dropped, so the result can live in this repository while the
// spec files themselves stay outside it.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** The spec files, relative to the azure-specs folder; their relative `$ref`s keep working between them. */
export const SPEC_FILES = [
  'containerinstance/resource-manager/Microsoft.ContainerInstance/stable/2023-05-01/containerInstance.json',
  'resources/resource-manager/Microsoft.Resources/deployments/stable/2025-03-01/deployments.json',
  'common-types/resource-management/v1/types.json',
  'common-types/resource-management/v6/types.json',
  'common-types/resource-management/v6/managedidentity.json',
];

/** Folders of official examples whose requests we replay against the emulator. */
export const EXAMPLE_DIRS = [
  'containerinstance/resource-manager/Microsoft.ContainerInstance/stable/2023-05-01/examples',
  'containerinstance/resource-manager/Microsoft.ContainerInstance/ContainerInstance/stable/2023-05-01/examples',
  'containerinstance/resource-manager/Microsoft.ContainerInstance/ContainerInstance/examples/2025-09-01',
  'resources/resource-manager/Microsoft.Resources/deployments/stable/2025-03-01/examples',
];

/** Schema keywords that state facts a validator checks; everything else (prose, x-ms-* hints) goes. */
const SCHEMA_FACTS = new Set([
  '$ref', 'type', 'format', 'pattern', 'enum', 'required', 'default', 'readOnly', 'x-nullable',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength',
  'minItems', 'maxItems', 'uniqueItems', 'discriminator', 'x-ms-discriminator-value',
]);
const PARAMETER_FACTS = new Set(['name', 'in', 'required', 'type', 'format', 'pattern', 'enum', 'default', 'minimum', 'maximum', 'minLength', 'maxLength', '$ref']);
const PROSE = new Set(['description', 'summary', 'title']);
const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];

type Json = any;

export interface Contract {
  /** Per spec file: its api-version and schema definitions, facts only. */
  documents: Record<string, { apiVersion?: string; definitions: Record<string, Json>; parameters: Record<string, Json> }>;
  /** By operationId. */
  operations: Record<string, { file: string; method: string; path: string; parameters: Json[]; responses: Record<string, { schema?: Json }> }>;
  /** Official examples: the request values we replay, and each response's status and key layout. */
  examples: { dir: string; file: string; parameters: Json; responses: Record<string, { keys?: string[]; propertyKeys?: string[] }> }[];
}

function schemaFacts(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(schemaFacts);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (SCHEMA_FACTS.has(key)) out[key] = value;
    else if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as object).map(([name, s]) => [name, schemaFacts(s)]));
    } else if (key === 'items' || key === 'additionalProperties' || key === 'not') {
      out[key] = typeof value === 'object' ? schemaFacts(value) : value;
    } else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') out[key] = (value as Json[]).map(schemaFacts);
  }
  return out;
}

function parameterFacts(parameter: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(parameter)) {
    if (PARAMETER_FACTS.has(key)) out[key] = value;
    else if (key === 'schema') out.schema = schemaFacts(value);
    else if (key === 'items') out.items = schemaFacts(value);
  }
  return out;
}

/** Example values are wire data; any prose keys in them are removed all the same. */
function withoutProse(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutProse);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !PROSE.has(k)).map(([k, v]) => [k, withoutProse(v)]));
}

function responseLayout(body: Json): { keys?: string[]; propertyKeys?: string[] } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  const layout: { keys?: string[]; propertyKeys?: string[] } = { keys: Object.keys(body) };
  if (body.properties && typeof body.properties === 'object') layout.propertyKeys = Object.keys(body.properties);
  return layout;
}

export function extractContract(specsDir: string): Contract {
  const contract: Contract = { documents: {}, operations: {}, examples: [] };
  for (const file of SPEC_FILES) {
    const doc = JSON.parse(readFileSync(join(specsDir, file), 'utf8'));
    const definitions = Object.fromEntries(Object.entries(doc.definitions ?? {}).map(([name, s]) => [name, schemaFacts(s)]));
    const parameters = Object.fromEntries(Object.entries(doc.parameters ?? {}).map(([name, p]) => [name, parameterFacts(p)]));
    contract.documents[file] = { apiVersion: doc.info?.version, definitions, parameters };
    for (const [path, item] of Object.entries({ ...doc.paths, ...doc['x-ms-paths'] }) as [string, Json][]) {
      const shared = (item.parameters ?? []).map(parameterFacts);
      for (const method of METHODS) {
        const op = item[method];
        if (!op?.operationId) continue;
        const responses = Object.fromEntries(
          Object.entries(op.responses ?? {}).map(([status, r]: [string, Json]) => [status, r.schema ? { schema: schemaFacts(r.schema) } : {}]),
        );
        contract.operations[op.operationId] = { file, method, path, parameters: [...shared, ...(op.parameters ?? []).map(parameterFacts)], responses };
      }
    }
  }
  for (const dir of EXAMPLE_DIRS) {
    if (!existsSync(join(specsDir, dir))) continue;
    for (const file of readdirSync(join(specsDir, dir)).sort()) {
      const example = JSON.parse(readFileSync(join(specsDir, dir, file), 'utf8'));
      const responses = Object.fromEntries(Object.entries(example.responses ?? {}).map(([status, r]: [string, Json]) => [status, responseLayout(r?.body)]));
      contract.examples.push({ dir, file, parameters: withoutProse(example.parameters), responses });
    }
  }
  return contract;
}

/** The committed form: stable key order from the sources, two-space indent, trailing newline. */
export function contractText(contract: Contract): string {
  return `${JSON.stringify(contract, null, 2)}\n`;
}
