// The template functions the emulator evaluates. Names are case-insensitive, as in ARM.
import { randomUUID } from 'node:crypto';
import { isObject } from '../http.js';
import { ExpressionError } from './expression.js';
import { armGuid, uniqueString } from './unique-string.js';

export interface EvaluationScope {
  parameter(name: string): unknown;
  variable(name: string): unknown;
  resourceGroup: Record<string, unknown>;
  subscription: Record<string, unknown>;
  deployment: Record<string, unknown>;
  /** utcNow/newGuid are only valid in parameter defaults. */
  inParameterDefault: boolean;
}

type Fn = (args: unknown[], scope: EvaluationScope) => unknown;

const str = (v: unknown, fn: string): string => {
  if (typeof v !== 'string') throw new ExpressionError(`The template function '${fn}' expects a string argument.`);
  return v;
};
const num = (v: unknown, fn: string): number => {
  if (typeof v !== 'number') throw new ExpressionError(`The template function '${fn}' expects an integer argument.`);
  return v;
};
const toText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function arity(name: string, args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    throw new ExpressionError(
      `Unable to evaluate template language function '${name}': function requires ${min === max ? min : `${min} to ${max}`} argument(s) while ${args.length} were provided.`,
    );
  }
}

/** .NET composite formatting: {0}, {1:format ignored}, {{ and }}. */
function format(template: string, values: unknown[]): string {
  return template.replace(/\{\{|\}\}|\{(\d+)(?:[,:][^}]*)?\}/g, (m, index: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const value = values[Number(index)];
    if (value === undefined) throw new ExpressionError(`The template function 'format' has no argument for '{${index}}'.`);
    return typeof value === 'boolean' ? (value ? 'True' : 'False') : toText(value);
  });
}

function union(args: unknown[]): unknown {
  if (args.every(Array.isArray)) return [...new Set((args as unknown[][]).flat().map((v) => JSON.stringify(v)))].map((v) => JSON.parse(v));
  if (args.every(isObject)) {
    const merge = (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> => {
      const out = { ...a };
      for (const [k, v] of Object.entries(b)) out[k] = isObject(out[k]) && isObject(v) ? merge(out[k] as Record<string, unknown>, v) : v;
      return out;
    };
    return (args as Record<string, unknown>[]).reduce(merge, {});
  }
  throw new ExpressionError("The template function 'union' expects all arguments to be arrays or all to be objects.");
}

function equals(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const FUNCTIONS: Record<string, Fn> = {
  parameters: (a, s) => (arity('parameters', a, 1), s.parameter(str(a[0], 'parameters'))),
  variables: (a, s) => (arity('variables', a, 1), s.variable(str(a[0], 'variables'))),
  resourcegroup: (a, s) => (arity('resourceGroup', a, 0), s.resourceGroup),
  subscription: (a, s) => (arity('subscription', a, 0), s.subscription),
  deployment: (a, s) => (arity('deployment', a, 0), s.deployment),
  concat: (a) => (a.length > 0 && a.every(Array.isArray) ? (a as unknown[][]).flat() : a.map(toText).join('')),
  format: (a) => (arity('format', a, 1, 64), format(str(a[0], 'format'), a.slice(1))),
  tolower: (a) => (arity('toLower', a, 1), str(a[0], 'toLower').toLowerCase()),
  toupper: (a) => (arity('toUpper', a, 1), str(a[0], 'toUpper').toUpperCase()),
  trim: (a) => (arity('trim', a, 1), str(a[0], 'trim').trim()),
  replace: (a) => (arity('replace', a, 3), str(a[0], 'replace').split(str(a[1], 'replace')).join(str(a[2], 'replace'))),
  substring: (a) => {
    arity('substring', a, 2, 3);
    const s = str(a[0], 'substring');
    const start = num(a[1], 'substring');
    return a.length === 3 ? s.substr(start, num(a[2], 'substring')) : s.slice(start);
  },
  length: (a) => {
    arity('length', a, 1);
    const v = a[0];
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (isObject(v)) return Object.keys(v).length;
    throw new ExpressionError("The template function 'length' expects a string, array or object.");
  },
  empty: (a) => {
    arity('empty', a, 1);
    const v = a[0];
    if (v === null || v === undefined) return true;
    if (typeof v === 'string' || Array.isArray(v)) return v.length === 0;
    if (isObject(v)) return Object.keys(v).length === 0;
    return false;
  },
  contains: (a) => {
    arity('contains', a, 2);
    const [c, v] = a;
    if (typeof c === 'string') return c.toLowerCase().includes(toText(v).toLowerCase());
    if (Array.isArray(c)) return c.some((item) => equals(item, v));
    if (isObject(c)) return Object.keys(c).some((k) => k.toLowerCase() === toText(v).toLowerCase());
    return false;
  },
  startswith: (a) => (arity('startsWith', a, 2), str(a[0], 'startsWith').toLowerCase().startsWith(str(a[1], 'startsWith').toLowerCase())),
  endswith: (a) => (arity('endsWith', a, 2), str(a[0], 'endsWith').toLowerCase().endsWith(str(a[1], 'endsWith').toLowerCase())),
  indexof: (a) => (arity('indexOf', a, 2), str(a[0], 'indexOf').toLowerCase().indexOf(str(a[1], 'indexOf').toLowerCase())),
  split: (a) => (arity('split', a, 2), str(a[0], 'split').split(str(a[1], 'split'))),
  join: (a) => (arity('join', a, 2), (a[0] as unknown[]).map(toText).join(str(a[1], 'join'))),
  string: (a) => (arity('string', a, 1), toText(a[0])),
  int: (a) => {
    arity('int', a, 1);
    const n = typeof a[0] === 'string' ? Number(a[0]) : a[0];
    if (typeof n !== 'number' || !Number.isInteger(n)) throw new ExpressionError(`The template function 'int' cannot convert '${toText(a[0])}'.`);
    return n;
  },
  bool: (a) => (arity('bool', a, 1), typeof a[0] === 'string' ? a[0].toLowerCase() === 'true' : Boolean(a[0])),
  json: (a) => {
    arity('json', a, 1);
    try {
      return JSON.parse(str(a[0], 'json'));
    } catch {
      throw new ExpressionError(`The template function 'json' received invalid JSON '${toText(a[0])}'.`);
    }
  },
  true: (a) => (arity('true', a, 0), true),
  false: (a) => (arity('false', a, 0), false),
  null: (a) => (arity('null', a, 0), null),
  if: (a) => (arity('if', a, 3), a[0] ? a[1] : a[2]),
  equals: (a) => (arity('equals', a, 2), equals(a[0], a[1])),
  not: (a) => (arity('not', a, 1), !a[0]),
  and: (a) => (arity('and', a, 2, 64), a.every(Boolean)),
  or: (a) => (arity('or', a, 2, 64), a.some(Boolean)),
  coalesce: (a) => a.find((v) => v !== null && v !== undefined) ?? null,
  createarray: (a) => [...a],
  createobject: (a) => {
    if (a.length % 2 !== 0) throw new ExpressionError("The template function 'createObject' expects an even number of arguments.");
    const out: Record<string, unknown> = {};
    for (let i = 0; i < a.length; i += 2) out[str(a[i], 'createObject')] = a[i + 1];
    return out;
  },
  union: (a) => (arity('union', a, 1, 64), union(a)),
  first: (a) => (arity('first', a, 1), typeof a[0] === 'string' ? a[0][0] ?? '' : (a[0] as unknown[])[0]),
  last: (a) => (arity('last', a, 1), typeof a[0] === 'string' ? a[0].slice(-1) : (a[0] as unknown[]).at(-1)),
  take: (a) => (arity('take', a, 2), (a[0] as string | unknown[]).slice(0, num(a[1], 'take'))),
  skip: (a) => (arity('skip', a, 2), (a[0] as string | unknown[]).slice(num(a[1], 'skip'))),
  min: (a) => Math.min(...(a.length === 1 && Array.isArray(a[0]) ? (a[0] as number[]) : (a as number[]))),
  max: (a) => Math.max(...(a.length === 1 && Array.isArray(a[0]) ? (a[0] as number[]) : (a as number[]))),
  add: (a) => (arity('add', a, 2), num(a[0], 'add') + num(a[1], 'add')),
  sub: (a) => (arity('sub', a, 2), num(a[0], 'sub') - num(a[1], 'sub')),
  mul: (a) => (arity('mul', a, 2), num(a[0], 'mul') * num(a[1], 'mul')),
  div: (a) => (arity('div', a, 2), Math.trunc(num(a[0], 'div') / num(a[1], 'div'))),
  mod: (a) => (arity('mod', a, 2), num(a[0], 'mod') % num(a[1], 'mod')),
  base64: (a) => (arity('base64', a, 1), Buffer.from(str(a[0], 'base64'), 'utf8').toString('base64')),
  base64tostring: (a) => (arity('base64ToString', a, 1), Buffer.from(str(a[0], 'base64ToString'), 'base64').toString('utf8')),
  uniquestring: (a) => {
    if (a.length === 0) arity('uniqueString', a, 1, 64);
    return uniqueString(...a.map((v) => str(v, 'uniqueString')));
  },
  guid: (a) => {
    if (a.length === 0) arity('guid', a, 1, 64);
    return armGuid(...a.map((v) => str(v, 'guid')));
  },
  resourceid: (a, s) => {
    const parts = a.map((v) => str(v, 'resourceId'));
    const typeAt = parts.findIndex((p) => p.includes('/'));
    if (typeAt < 0) throw new ExpressionError("The template function 'resourceId' needs a resource type such as 'Microsoft.Ns/type'.");
    const [subscriptionId, group] =
      typeAt === 2 ? parts : typeAt === 1 ? [s.subscription.subscriptionId as string, parts[0]] : [s.subscription.subscriptionId as string, s.resourceGroup.name as string];
    const [namespace, ...types] = parts[typeAt].split('/');
    const names = parts.slice(typeAt + 1);
    const segments = types.map((t, i) => `${t}/${names[i] ?? ''}`).join('/');
    return `/subscriptions/${subscriptionId}/resourceGroups/${group}/providers/${namespace}/${segments}`;
  },
  utcnow: (a, s) => {
    if (!s.inParameterDefault) throw new ExpressionError("The template function 'utcNow' is only valid within the default value of a parameter.");
    return new Date().toISOString();
  },
  newguid: (a, s) => {
    if (!s.inParameterDefault) throw new ExpressionError("The template function 'newGuid' is only valid within the default value of a parameter.");
    return randomUUID();
  },
};

export function callFunction(name: string, args: unknown[], scope: EvaluationScope): unknown {
  const fn = FUNCTIONS[name.toLowerCase()];
  if (!fn) {
    throw new ExpressionError(`The template function '${name}' is not valid. Please see https://aka.ms/arm-functions for usage details.`);
  }
  return fn(args, scope);
}
