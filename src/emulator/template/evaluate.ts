// Evaluating a deployment's template: parameters, variables and every `[...]` string in resources.
import { callFunction, type EvaluationScope } from './functions.js';
import { isObject } from '../http.js';
import { ExpressionError, parseExpression, type Node } from './expression.js';

export class TemplateError extends Error {}


function evaluateNode(node: Node, scope: EvaluationScope): unknown {
  switch (node.kind) {
    case 'string':
    case 'number':
      return node.value;
    case 'call': {
      // if() evaluates both branches in ARM too; keeping it simple keeps it faithful.
      const args = node.args.map((arg) => evaluateNode(arg, scope));
      return callFunction(node.name, args, scope);
    }
    case 'property': {
      const target = evaluateNode(node.target, scope);
      if (!isObject(target)) throw new ExpressionError(`The language expression property '${node.name}' can't be evaluated.`);
      const key = Object.keys(target).find((k) => k.toLowerCase() === node.name.toLowerCase());
      if (key === undefined) throw new ExpressionError(`The language expression property '${node.name}' doesn't exist, available properties are '${Object.keys(target).join(', ')}'.`);
      return target[key];
    }
    case 'index': {
      const target = evaluateNode(node.target, scope);
      const index = evaluateNode(node.index, scope);
      if (Array.isArray(target) && typeof index === 'number') {
        if (index < 0 || index >= target.length) throw new ExpressionError(`The language expression index '${index}' is out of bounds.`);
        return target[index];
      }
      if (isObject(target) && typeof index === 'string') {
        const key = Object.keys(target).find((k) => k.toLowerCase() === index.toLowerCase());
        if (key === undefined) throw new ExpressionError(`The language expression property '${index}' doesn't exist.`);
        return target[key];
      }
      throw new ExpressionError('The language expression index is not valid for the value.');
    }
  }
}

/** A string is an expression when it starts with `[` and ends with `]`; `[[` starts a literal. */
export function evaluateString(text: string, scope: EvaluationScope): unknown {
  if (!(text.startsWith('[') && text.endsWith(']'))) return text;
  if (text.startsWith('[[')) return text.slice(1);
  return evaluateNode(parseExpression(text.slice(1, -1)), scope);
}

export function evaluateValue(value: unknown, scope: EvaluationScope): unknown {
  if (typeof value === 'string') return evaluateString(value, scope);
  if (Array.isArray(value)) return value.map((item) => evaluateValue(item, scope));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const evaluated = evaluateValue(v, scope);
      // A property evaluating to null is treated as absent.
      if (evaluated !== null) out[k] = evaluated;
    }
    return out;
  }
  return value;
}

export interface TemplateContext {
  subscriptionId: string;
  tenantId: string;
  resourceGroup: string;
  location: string;
  deploymentName: string;
}

export interface EvaluatedResource {
  type: string;
  apiVersion: string;
  name: string;
  body: Record<string, unknown>;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'String', securestring: 'SecureString', int: 'Int', bool: 'Bool', object: 'Object', secureobject: 'SecureObject', array: 'Array',
};

function checkType(name: string, declared: string, value: unknown): void {
  const t = declared.toLowerCase();
  const ok =
    ((t === 'string' || t === 'securestring') && typeof value === 'string') ||
    (t === 'int' && Number.isInteger(value)) ||
    (t === 'bool' && typeof value === 'boolean') ||
    ((t === 'object' || t === 'secureobject') && isObject(value)) ||
    (t === 'array' && Array.isArray(value));
  if (!ok) {
    throw new TemplateError(
      `Deployment template validation failed: 'Template parameter '${name}' was provided an invalid value. Expected a value of type '${TYPE_NAMES[t] ?? declared}'.'.`,
    );
  }
}

export interface EvaluatedTemplate {
  resources: EvaluatedResource[];
  /** Parameters as ARM echoes them: capitalised type; secure values left out. */
  parameters: Record<string, { type: string; value?: unknown }>;
}

export function evaluateTemplate(
  template: Record<string, unknown>,
  supplied: Record<string, { value?: unknown }>,
  ctx: TemplateContext,
): EvaluatedTemplate {
  for (const section of ['$schema', 'contentVersion', 'resources']) {
    if (!(section in template)) {
      throw new TemplateError(`Deployment template validation failed: 'Required property '${section}' not found in JSON.'.`);
    }
  }
  if (!Array.isArray(template.resources)) throw new TemplateError("Deployment template validation failed: 'The template 'resources' must be an array.'.");
  const declared = isObject(template.parameters) ? template.parameters : {};
  const variables = isObject(template.variables) ? template.variables : {};
  const unknown = Object.keys(supplied).filter((name) => !(name in declared));
  if (unknown.length > 0) {
    throw new TemplateError(
      `Deployment template validation failed: 'The template parameters '${unknown.join(', ')}' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time. The only supported parameters for this template are '${Object.keys(declared).join(', ')}'.'.`,
    );
  }

  const resourceGroupId = `/subscriptions/${ctx.subscriptionId}/resourceGroups/${ctx.resourceGroup}`;
  const values = new Map<string, unknown>();
  const variableValues = new Map<string, unknown>();
  const resolving = new Set<string>();
  const scope: EvaluationScope = {
    inParameterDefault: false,
    resourceGroup: {
      id: resourceGroupId,
      name: ctx.resourceGroup,
      type: 'Microsoft.Resources/resourceGroups',
      location: ctx.location,
      tags: {},
      properties: { provisioningState: 'Succeeded' },
    },
    subscription: { id: `/subscriptions/${ctx.subscriptionId}`, subscriptionId: ctx.subscriptionId, tenantId: ctx.tenantId, displayName: 'Emulated subscription' },
    deployment: { name: ctx.deploymentName, properties: { templateLink: null, mode: 'Incremental' } },
    parameter(name) {
      const key = Object.keys(declared).find((k) => k.toLowerCase() === name.toLowerCase());
      if (key === undefined) throw new ExpressionError(`The template parameter '${name}' is not found.`);
      if (values.has(key)) return values.get(key);
      const definition = declared[key] as Record<string, unknown>;
      let value: unknown;
      if (key in supplied) value = supplied[key].value; // supplied values are never evaluated
      else if ('defaultValue' in definition) {
        if (resolving.has(key)) throw new ExpressionError(`The template parameter '${key}' refers to itself.`);
        resolving.add(key);
        value = evaluateValue(definition.defaultValue, { ...scope, inParameterDefault: true });
        resolving.delete(key);
      } else {
        throw new ExpressionError(
          `The value for the template parameter '${key}' at line '1' and column '1' is not provided. Please see https://aka.ms/arm-create-parameter-file for usage details.`,
        );
      }
      checkType(key, String(definition.type ?? 'string'), value);
      if (Array.isArray(definition.allowedValues) && !definition.allowedValues.some((v) => JSON.stringify(v) === JSON.stringify(value))) {
        throw new ExpressionError(`The provided value for the template parameter '${key}' is not valid. The value must be one of: ${JSON.stringify(definition.allowedValues)}.`);
      }
      values.set(key, value);
      return value;
    },
    variable(name) {
      const key = Object.keys(variables).find((k) => k.toLowerCase() === name.toLowerCase());
      if (key === undefined) throw new ExpressionError(`The template variable '${name}' is not found.`);
      if (!variableValues.has(key)) variableValues.set(key, evaluateValue(variables[key], scope));
      return variableValues.get(key);
    },
  };

  try {
    for (const name of Object.keys(declared)) scope.parameter(name);
    const resources: EvaluatedResource[] = [];
    for (const raw of template.resources) {
      if (!isObject(raw)) throw new TemplateError("Deployment template validation failed: 'Each resource must be an object.'.");
      if ('condition' in raw && !evaluateValue(raw.condition, scope)) continue;
      const evaluated = evaluateValue(raw, scope) as Record<string, unknown>;
      for (const field of ['type', 'apiVersion', 'name']) {
        if (typeof evaluated[field] !== 'string') {
          throw new TemplateError(`Deployment template validation failed: 'The template resource is missing the required property '${field}'.'.`);
        }
      }
      const { type, apiVersion, name, dependsOn: _d, condition: _c, ...body } = evaluated;
      resources.push({ type: type as string, apiVersion: apiVersion as string, name: name as string, body });
    }
    const parameters: EvaluatedTemplate['parameters'] = {};
    for (const [name, definition] of Object.entries(declared)) {
      const type = String((definition as Record<string, unknown>).type ?? 'string');
      const echoed = TYPE_NAMES[type.toLowerCase()] ?? type;
      parameters[name] = echoed.startsWith('Secure') ? { type: echoed } : { type: echoed, value: values.get(name) };
    }
    return { resources, parameters };
  } catch (err) {
    if (err instanceof ExpressionError) {
      throw new TemplateError(`Deployment template validation failed: '${err.message}'.`);
    }
    throw err;
  }
}
