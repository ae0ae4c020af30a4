// Requests generated from openapi.yaml: each operation with a plausible body, then mutated the way a
// hostile client would (wrong types, missing and extra fields, huge and deep values, unicode and lone
// surrogates, prototype keys, bad encodings, wrong methods and content types, malformed pids).
import { defaultBaseJobTemplate } from '../templating/base-job-template.js';
import type { Random } from './random.js';
import { HOSTILE_NUMBERS, HOSTILE_STRINGS, hostileValue, instanceOf, type Schema } from './schema-values.js';

export interface Operation {
  method: string;
  /** e.g. /runs/{id} */
  path: string;
  parameters: { name: string; in: string; schema: Schema }[];
  body?: Schema;
  public: boolean;
}

export interface FuzzRequest {
  kind: string;
  method: string;
  /** Raw request target, sent as is (bad percent-encoding included). */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface Keys {
  admin: string;
  reader: string;
  scoped: string;
}

/** What earlier answers revealed: ids and pids of real runs, names of real pools. */
export interface Known {
  runIds: string[];
  pids: string[];
  pools: string[];
}

type OpenApi = { paths: Record<string, Record<string, { parameters?: Operation['parameters']; requestBody?: { content?: Record<string, { schema?: Schema }> }; security?: unknown[] }>>; components?: { schemas?: Record<string, Schema> } };

export function operationsOf(document: OpenApi): { operations: Operation[]; resolve: (s: Schema) => Schema } {
  const schemas = document.components?.schemas ?? {};
  const resolve = (schema: Schema): Schema => {
    let current = schema;
    for (let i = 0; i < 10 && typeof current.$ref === 'string'; i++) current = schemas[(current.$ref as string).split('/').pop() ?? ''] ?? {};
    return current;
  };
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: operation.parameters ?? [],
        body: operation.requestBody?.content?.['application/json']?.schema,
        public: Array.isArray(operation.security) && operation.security.length === 0,
      });
    }
  }
  return { operations, resolve };
}

const JOB_VARIABLES = Object.keys((defaultBaseJobTemplate().variables.properties ?? {}) as Record<string, unknown>);
const SUBSCRIPTION = '00000000-0000-0000-0000-00000000f022';

/** Job variables that render: the starting point for submissions, so mutations reach the deeper layers. */
function goodJobVariables(random: Random): Record<string, unknown> {
  return {
    resource_group_name: random.pick(['fuzz-rg', 'rg-β', 'rg_(1)']),
    subscription_id: SUBSCRIPTION,
    image: random.pick(['python:3.12-slim', 'busybox', 'emulator/oom']),
    command: random.pick(['sh -c "echo hi; exit 0"', 'echo "unterminated', 'python -c "print(1)"']),
    entrypoint: null,
    cpu: random.pick([0.5, 1, 2]),
    memory: random.pick([0.5, 1, 4]),
    task_watch_poll_interval: 0.05,
    env: { FUZZ: 'yes', PREFECT_API_KEY: 'pnu_fuzz' },
  };
}

const MALFORMED_PIDS = ['', ':', '::', 'a:b:c', ':group', 'id:', ' : ', 'x'.repeat(300), `${'y'.repeat(150)}:${'z'.repeat(60)}`, '%3A', '..%2F..', '🦊:🦊', '%00:%00', 'a%2Fb:c', '%ZZ:x'];
const BAD_PATH_SEGMENTS = ['%ZZ', '%', '%E0%A4%A', '%C3%28', '%00', '%FF%FE', '..', '%2e%2e', '%25', 'a'.repeat(3000)];
const CONTENT_TYPES = ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', '', 'garbage', 'application/json;;;', 'APPLICATION/JSON'];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE'];

/** Every object and array in a value, with a way to replace what it holds. */
function containers(value: unknown): (Record<string, unknown> | unknown[])[] {
  const found: (Record<string, unknown> | unknown[])[] = [];
  const walk = (node: unknown) => {
    if (node && typeof node === 'object') {
      found.push(node as Record<string, unknown>);
      for (const child of Object.values(node)) walk(child);
    }
  };
  walk(value);
  return found;
}

function nestedText(levels: number, random: Random): string {
  const open = random.chance(0.5) ? '[' : '{"a":';
  const close = open === '[' ? ']' : '}';
  return `${open.repeat(levels)}1${close.repeat(levels)}`;
}

function mutate(body: unknown, kind: string, random: Random): string {
  const nodes = containers(body);
  const node = random.pick(nodes.length ? nodes : [{}]);
  const keys = Object.keys(node);
  const key = keys.length ? random.pick(keys) : 'x';
  const set = (value: unknown) => {
    if (Array.isArray(node)) node[random.int(0, node.length)] = value;
    else node[key] = value;
  };
  switch (kind) {
    case 'wrong-type':
      set(hostileValue(random));
      break;
    case 'missing':
      if (!Array.isArray(node)) delete node[key];
      break;
    case 'extra':
      (node as Record<string, unknown>)[random.pick(['extra', 'id', 'version', 'state', `k${random.int(0, 99)}`, 'env.X', 'a.b.c'])] = hostileValue(random);
      break;
    case 'huge-string':
      set('h'.repeat(random.pick([10_000, 200_000, 900_000, 1_200_000])));
      break;
    case 'unicode':
      set(random.pick(HOSTILE_STRINGS));
      if (!Array.isArray(node)) node[random.pick(HOSTILE_STRINGS).slice(0, 50) || 'empty'] = random.pick(HOSTILE_STRINGS);
      break;
    case 'proto':
      if (!Array.isArray(node)) {
        const name = random.pick(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__proto__.polluted', 'env.__proto__.polluted', 'constructor.prototype.polluted']);
        Object.defineProperty(node, name, { value: random.pick([{ polluted: true }, 'x', 1]), enumerable: true, configurable: true, writable: true });
      }
      break;
    case 'deep': {
      const marker = `@@deep${random.int(0, 1e9)}@@`;
      set(marker);
      return JSON.stringify(body).replace(`"${marker}"`, nestedText(random.pick([30, 63, 65, 100, 3000, 20_000]), random));
    }
    default:
      break;
  }
  return JSON.stringify(body);
}

function hostileJobVariables(random: Random): Record<string, unknown> {
  const values = goodJobVariables(random);
  for (let i = random.int(1, 3); i > 0; i--) {
    const name = random.chance(0.85) ? random.pick(JOB_VARIABLES) : random.pick(['env.X', 'env.__proto__.x', 'toString', 'labels.a', 'nope']);
    values[name] = random.chance(0.5) ? random.pick([...HOSTILE_NUMBERS, ...HOSTILE_STRINGS.slice(0, 12)]) : hostileValue(random);
  }
  return values;
}

function fillPath(operation: Operation, random: Random, known: Known, kind: string): string {
  return operation.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    if (kind === 'bad-encoding' && random.chance(0.7)) return random.pick(BAD_PATH_SEGMENTS);
    if (name === 'name') return random.chance(0.7) && known.pools.length ? random.pick(known.pools) : random.pick(['default', 'fuzz-pool', '-bad', 'a'.repeat(70), '%F0%9F%A6%8A', 'p.q_r-s']);
    if (kind === 'malformed-pid') return encodeURIComponent(random.pick(MALFORMED_PIDS)).replace(/%25/g, '%');
    if (operation.method === 'DELETE') return random.chance(0.6) && known.pids.length ? random.pick(known.pids) : `${random.uuid()}:flow-${random.uuid()}`;
    return random.chance(0.6) && known.runIds.length ? random.pick(known.runIds) : random.pick([random.uuid(), 'not-a-uuid', 'A'.repeat(200), 'A'.repeat(201)]);
  });
}

function query(operation: Operation, random: Random, kind: string): string {
  const names = operation.parameters.filter((p) => p.in === 'query').map((p) => p.name);
  if (names.length === 0) return random.chance(0.05) ? '?x=%ZZ&&=&y' : '';
  const pairs: string[] = [];
  for (const name of names) {
    if (!random.chance(0.5)) continue;
    const hostile = kind !== 'valid' && random.chance(0.5);
    const values: Record<string, string[]> = {
      limit: hostile ? ['-1', '0', '201', 'abc', '1e999', '1.5', ''] : ['1', '10', '200'],
      state: hostile ? ['pending', 'X', '', '%ZZ'] : ['PENDING', 'RUNNING', 'COMPLETED'],
      work_pool: hostile ? ['%00', '%F0%9F%A6%8A', 'a'.repeat(500)] : ['default', 'fuzz-pool'],
      cursor: hostile ? ['!!!', 'MTIzfA', Buffer.from('1e999|x').toString('base64url'), '%ZZ'] : [Buffer.from(`${Date.now()}|z`).toString('base64url')],
      follow: hostile ? ['maybe', '2', ''] : ['false'],
    };
    pairs.push(`${name}=${random.pick(values[name] ?? ['x'])}`);
  }
  return pairs.length ? `?${pairs.join('&')}` : '';
}

export const KINDS = ['valid', 'wrong-type', 'missing', 'extra', 'huge-string', 'deep', 'unicode', 'proto', 'bad-encoding', 'wrong-method', 'content-type', 'malformed-pid', 'job-variables', 'auth'] as const;

export function generateRequest(operations: Operation[], resolve: (s: Schema) => Schema, random: Random, keys: Keys, known: Known): FuzzRequest {
  const operation = random.pick(operations);
  const kind = random.pick(KINDS);
  let method = operation.method;
  if (kind === 'wrong-method') method = random.pick(METHODS.filter((m) => m !== operation.method));
  const target = `${fillPath(operation, random, known, kind)}${query(operation, random, kind)}`;

  const headers: Record<string, string> = {};
  const key = kind === 'auth' ? random.pick([keys.reader, keys.scoped, 'wrong-key-0000', '']) : random.chance(0.85) ? keys.admin : random.pick([keys.reader, keys.scoped]);
  if (key) headers.authorization = random.chance(0.9) ? `Bearer ${key}` : random.pick([`bearer  ${key}`, `Basic ${key}`, 'Bearer', `Bearer ${key} extra`]);

  let body: Buffer | undefined;
  if (operation.body || (kind === 'content-type' && random.chance(0.5))) {
    const value = operation.body ? instanceOf(operation.body, random, resolve) : {};
    if (operation.path === '/runs' || operation.path === '/runs/preview') {
      const submission = value as Record<string, unknown>;
      submission.work_pool = random.chance(0.6) ? undefined : random.pick([...known.pools, 'default', 'nope']);
      submission.job_variables = kind === 'job-variables' ? hostileJobVariables(random) : goodJobVariables(random);
    }
    if (operation.path === '/work-pools/{name}' && random.chance(0.7)) {
      (value as Record<string, unknown>).base_job_template = defaultBaseJobTemplate();
    }
    let text = mutate(value, kind, random);
    if (kind === 'bad-encoding' && random.chance(0.6)) {
      // Invalid UTF-8 inside a string value.
      const at = text.indexOf('"', 1);
      body = Buffer.concat([Buffer.from(text.slice(0, at + 1)), Buffer.from(random.pick([[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xe2, 0x28, 0xa1]])), Buffer.from(text.slice(at + 1))]);
    } else {
      if (kind === 'bad-encoding') text = random.pick([text.slice(0, Math.max(1, text.length / 2)), `${text}}`, text.replace(/"/, "'"), '']);
      body = Buffer.from(text);
    }
    headers['content-type'] = kind === 'content-type' ? random.pick(CONTENT_TYPES) : 'application/json';
    if (headers['content-type'] === '') delete headers['content-type'];
  }
  return { kind, method, target, headers, body };
}
