import { describe, expect, it } from 'vitest';
import { evaluateString, evaluateTemplate, TemplateError } from '../../src/emulator/template/evaluate.js';
import type { EvaluationScope } from '../../src/emulator/template/functions.js';

const scope: EvaluationScope = {
  inParameterDefault: false,
  parameter: (name) => ({ name: 'grp', n: 3, flag: true, list: [1, 2] } as Record<string, unknown>)[name],
  variable: (name) => ({ prefix: 'pre' } as Record<string, unknown>)[name],
  resourceGroup: { id: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg', name: 'my-rg', location: 'eastus' },
  subscription: { id: '/subscriptions/s', subscriptionId: 's', tenantId: 't' },
  deployment: { name: 'd' },
};

describe('ARM expressions', () => {
  it.each([
    ["[concat('a', parameters('name'), 'b')]", 'agrpb'],
    ["[format('{0}-{1}', variables('prefix'), parameters('n'))]", 'pre-3'],
    ["[toLower('ABC')]", 'abc'],
    ["[toUpper(resourceGroup().name)]", 'MY-RG'],
    ['[uniqueString(resourceGroup().id)]', 'bmg7c6xu4tw46'],
    ["[if(parameters('flag'), 'yes', 'no')]", 'yes'],
    ["[equals(parameters('n'), 3)]", true],
    ["[empty('')]", true],
    ["[union(createObject('a', 1), createObject('b', 2))]", { a: 1, b: 2 }],
    ["[createArray(1, 'x')]", [1, 'x']],
    ["[concat(parameters('list'), createArray(3))]", [1, 2, 3]],
    ["[resourceGroup().location]", 'eastus'],
    ["[createObject('k', 'v').k]", 'v'],
    ["[parameters('list')[1]]", 2],
    ["['it''s']", "it's"],
    ['[[literal]', '[literal]'],
    ['[not an expression', '[not an expression'],
    ['plain', 'plain'],
    ["[resourceId('Microsoft.ContainerInstance/containerGroups', 'cg')]", '/subscriptions/s/resourceGroups/my-rg/providers/Microsoft.ContainerInstance/containerGroups/cg'],
  ])('%s → %j', (expression, expected) => {
    expect(evaluateString(expression, scope)).toEqual(expected);
  });

  it('fails unknown functions with ARM’s message, not a crash', () => {
    expect(() => evaluateString("[frobnicate('x')]", scope)).toThrow("The template function 'frobnicate' is not valid");
    expect(() => evaluateString('[concat(]', scope)).toThrow(/Unable to parse language expression/);
  });
});

describe('template evaluation', () => {
  const template = {
    $schema: 'x',
    contentVersion: '1.0.0.0',
    parameters: { name: { type: 'string' }, secret: { type: 'securestring' }, location: { type: 'string', defaultValue: '[resourceGroup().location]' } },
    resources: [{ type: 'T/t', apiVersion: '1', name: "[parameters('name')]", location: "[parameters('location')]", properties: { s: "[parameters('secret')]" } }],
  };
  const ctx = { subscriptionId: 's', tenantId: 't', resourceGroup: 'rg', location: 'westeurope', deploymentName: 'd' };

  it('evaluates resources and echoes parameters without secure values', () => {
    const result = evaluateTemplate(template, { name: { value: 'n1' }, secret: { value: 'shh' } }, ctx);
    expect(result.resources[0]).toEqual({ type: 'T/t', apiVersion: '1', name: 'n1', body: { location: 'westeurope', properties: { s: 'shh' } } });
    expect(result.parameters).toEqual({ name: { type: 'String', value: 'n1' }, secret: { type: 'SecureString' }, location: { type: 'String', value: 'westeurope' } });
  });
  it('never evaluates supplied parameter values', () => {
    const result = evaluateTemplate(template, { name: { value: "[concat('x')]" }, secret: { value: 's' } }, ctx);
    expect(result.resources[0].name).toBe("[concat('x')]");
  });
  it.each([
    [{}, /template parameter 'name'.*is not provided/],
    [{ name: { value: 1 }, secret: { value: 's' } }, /Expected a value of type 'String'/],
    [{ name: { value: 'n' }, secret: { value: 's' }, extra: { value: 1 } }, /'extra' in the parameters file are not valid/],
  ])('refuses bad parameters %j', (supplied, message) => {
    expect(() => evaluateTemplate(template, supplied, ctx)).toThrow(TemplateError);
    expect(() => evaluateTemplate(template, supplied, ctx)).toThrow(message);
  });
});
