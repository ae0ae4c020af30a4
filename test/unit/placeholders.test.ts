import { describe, expect, it } from 'vitest';
import { NOT_SET } from '../../src/templating/lookup.js';
import { applyValues, findPlaceholders } from '../../src/templating/placeholders.js';

const values = { x: 5, n: null, d: { k: [1] }, lst: [1, 2], s: 'abc', f: 1.5, b: true };
const env = (name: string) => ({ HOME: '/home/app' })[name];

describe('apply_values: the reference §2.7 table', () => {
  it.each([
    ['{{ x }}', 5],
    ['{{x}}', 5],
    ['{{\n x \n}}', 5],
    ['pre-{{ x }}', 'pre-5'],
    [' {{ x }}', ' 5'],
    ['{{x}}{{x}}', '55'],
    ['pre-{{missing}}-post', 'pre--post'],
    ['{{ n }}', null],
    ['v={{ n }}', 'v=None'],
    ['{{ f }}-{{ b }}', '1.5-True'],
    ['{{ d.k }}', [1]],
    ['{{ lst[1] }}', 2],
    ['{{ lst[-1] }}', 2],
    ['{{ s[0] }}', 'a'],
    ['{{ $HOME }}', '/home/app'],
    ['{{ $NOPE }}', ''],
    ['{{ prefect.blocks.secret.x }}', '{{ prefect.blocks.secret.x }}'],
    ['{{ a b }}', '{{ a b }}'],
    ['{{{ x }}}', '{5}'],
    ['d={{ d }}', "d={'k': [1]}"],
    [true, true],
    [3, 3],
    [null, null],
  ])('%j → %j', (template, expected) => {
    expect(applyValues({ v: template }, values, { env })).toEqual({ v: expected });
  });

  it('removes a key whose whole-string placeholder has no value', () => {
    expect(applyValues({ a: '{{ missing }}', b: '{{ x.y }}', c: 1 }, values)).toEqual({ c: 1 });
  });
  it('removes a list item whose placeholder has no value', () => {
    expect(applyValues(['{{ missing }}', '{{ x }}'], values)).toEqual([5]);
  });
  it('returns NOT_SET for a bare unresolvable string', () => {
    expect(applyValues('{{ missing }}', values)).toBe(NOT_SET);
  });
  it('keeps unresolved placeholders when removal is off', () => {
    expect(applyValues({ a: '{{ missing }}' }, values, { removeNotSet: false })).toEqual({ a: '{{ missing }}' });
  });
  it('never expands a substituted value again', () => {
    expect(applyValues({ a: 'x={{ v }}', b: '{{ v }}' }, { v: '{{ x }}', x: 5 })).toEqual({ a: 'x={{ x }}', b: '{{ x }}' });
  });
  it('never templates keys', () => {
    expect(applyValues({ '{{ x }}': 1 }, values)).toEqual({ '{{ x }}': 1 });
  });
  it('copies typed values instead of aliasing them', () => {
    const rendered = applyValues({ a: '{{ d }}' }, values) as { a: { k: number[] } };
    rendered.a.k.push(2);
    expect(values.d.k).toEqual([1]);
  });
  it('classifies placeholders by prefix', () => {
    expect(findPlaceholders('{{ a }} {{ $B }} {{ prefect.blocks.x.y }} {{ prefect.variables.z }}').map((p) => p.kind)).toEqual([
      'standard',
      'env',
      'block',
      'variable',
    ]);
  });
});
