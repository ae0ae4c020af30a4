import { describe, expect, it } from 'vitest';
import { expandDotKeys, layerValues, mergeJobVariables, variableDefaults } from '../../src/templating/layering.js';

describe('job variable layering', () => {
  it('puts flow-run values over deployment values, merging env per key', () => {
    expect(
      mergeJobVariables({ cpu: 1, env: { A: '1', B: '2' }, labels: { x: 'd' } }, { cpu: 2, env: { B: 'run' }, labels: { y: 'r' } }),
    ).toEqual({ cpu: 2, env: { A: '1', B: 'run' }, labels: { y: 'r' } });
  });
  it('lets a flow-run env replace a non-object deployment env', () => {
    expect(mergeJobVariables({}, { env: { A: '1' } })).toEqual({ env: { A: '1' } });
  });
  it.each([
    [{ 'env.FOO': 'x' }, { env: { FOO: 'x' } }],
    [{ 'a.b.c': 1 }, { a: { b: { c: 1 } } }],
    [{ 'lst[0]': 'v' }, { 'lst[0]': 'v' }],
    [{ 'env.FOO': 'x', env: { BAR: 'y' } }, { env: { FOO: 'x', BAR: 'y' } }],
    [{ 'env.FOO': 'x', env: { FOO: 'plain wins' } }, { env: { FOO: 'plain wins' } }],
    [{ 'env.FOO': 'x', env: 'text' }, { env: 'text' }],
  ])('expands dot keys %j', (input, expected) => {
    expect(expandDotKeys(input)).toEqual(expected);
  });
  it('refuses a dot key that runs into a scalar', () => {
    expect(() => expandDotKeys({ 'a.b': 3, 'a.b.c': 2 })).toThrow(/not an object/);
  });
  it('drops null defaults and keeps falsy ones', () => {
    expect(
      variableDefaults({ properties: { a: { default: null }, b: { default: false }, c: { default: 0 }, d: { default: '' }, e: {} } }),
    ).toEqual({ b: false, c: 0, d: '' });
  });
  it('layers defaults < values, env merged into the configuration (reference §2.2 example)', () => {
    const { configuration, values } = layerValues(
      { env: '{{ env }}', cpu: '{{ cpu }}' },
      { properties: { env: { default: { DEF: 'd', FOO: 'default' } }, cpu: { default: 1 } } },
      { resource_group_name: 'rg1', env: { FOO: 'bar' }, 'env.BAZ': 'q', cpu: 2 },
    );
    expect(configuration.env).toEqual({ DEF: 'd', FOO: 'bar', BAZ: 'q' });
    expect(values).toEqual({ cpu: 2, env: { FOO: 'bar', BAZ: 'q' }, resource_group_name: 'rg1' });
  });
});
