// Values for a JSON schema of the OpenAPI document: a plausible instance, and hostile replacements.
import type { Random } from './random.js';

export type Schema = Record<string, unknown>;
export type Resolve = (schema: Schema) => Schema;

/** Strings a hostile client sends: unicode of every kind, lone surrogates (kept as JSON escapes), NUL, ARM and Jinja syntax. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '🦊🚀',
  'Ωμέγα ключ 名前 اسم',
  '\u202Eevil\u202C',
  'e\u0301\u0301\u0301',
  '\u0000',
  '\uFEFFbom',
  '\uD800',
  '\uDFFFx\uD83D',
  "[concat('a','b')]",
  '[[escaped]',
  '{{ flow_run.id }}',
  '{{ $HOME }}',
  '${HOME}',
  '../../etc/passwd',
  '%00%ZZ',
  '<script>alert(1)</script>',
  "'; DROP TABLE runs; --",
  '********',
  'a'.repeat(5000),
];

export const HOSTILE_NUMBERS = [0, -1, -0.0001, 0.05, 1e308, -1e308, 2 ** 53 + 1, 3.5, 1e-300, 65, 1_000_000];

const typesOf = (schema: Schema): string[] => (Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : []);

function stringFor(schema: Schema, random: Random): string {
  if (Array.isArray(schema.enum)) return String(random.pick(schema.enum));
  if (schema.format === 'uuid') return random.uuid();
  if (schema.format === 'date-time') return new Date(Date.UTC(2026, 0, random.int(1, 28))).toISOString();
  if (typeof schema.pattern === 'string') return `p${random.int(0, 9999)}`;
  const max = typeof schema.maxLength === 'number' ? Math.min(schema.maxLength, 24) : 24;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 1;
  return `v${random.int(0, 1e6)}`.padEnd(min, 'x').slice(0, Math.max(min, max));
}

/** A plausible instance of the schema (the starting point of every mutation). */
export function instanceOf(input: Schema, random: Random, resolve: Resolve, depth = 0): unknown {
  const schema = resolve(input);
  if (depth > 8) return null;
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[key])) return instanceOf(random.pick(schema[key] as Schema[]), random, resolve, depth + 1);
  }
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return random.pick(schema.enum);
  const type = random.pick(typesOf(schema).length ? typesOf(schema) : ['object']);
  switch (type) {
    case 'string':
      return stringFor(schema, random);
    case 'integer': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : 0;
      const max = typeof schema.maximum === 'number' ? schema.maximum : min + 100;
      return random.int(min, max);
    }
    case 'number':
      return random.int(0, 1000) / 10;
    case 'boolean':
      return random.chance(0.5);
    case 'null':
      return null;
    case 'array': {
      const items = (schema.items as Schema | undefined) ?? {};
      return Array.from({ length: random.int(0, 2) }, () => instanceOf(items, random, resolve, depth + 1));
    }
    default: {
      const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const result: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(properties)) {
        if (required.has(name) || random.chance(0.6)) result[name] = instanceOf(property, random, resolve, depth + 1);
      }
      return result;
    }
  }
}

/** A value of another type than `value`, or a hostile one of the same type. */
export function hostileValue(random: Random): unknown {
  switch (random.int(0, 7)) {
    case 0:
      return random.pick(HOSTILE_STRINGS);
    case 1:
      return random.pick(HOSTILE_NUMBERS);
    case 2:
      return random.pick([true, false, null]);
    case 3:
      return [];
    case 4:
      return {};
    case 5:
      return [random.pick(HOSTILE_STRINGS), random.pick(HOSTILE_NUMBERS), null, {}];
    case 6:
      return { [random.pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])]: random.pick(HOSTILE_STRINGS) };
    default:
      return random.pick(['true', '1', 'null', '[]', '{}', 'NaN', 'Infinity']);
  }
}
