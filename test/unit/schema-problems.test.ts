import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { schemaProblems } from '../../src/templating/schema-problems.js';

const ajv = new Ajv({ allErrors: true, strict: false });

function problemsOf(schema: object, value: unknown, prefix = '', root = 'the body') {
  const validate = ajv.compile(schema);
  expect(validate(value)).toBe(false);
  return schemaProblems(validate.errors ?? [], prefix, root);
}

describe('schema problems in plain English', () => {
  const cases: [string, object, unknown, { path: string; message: string }[]][] = [
    ['an enum lists its values once', { type: 'object', properties: { state: { enum: ['A', 'B'] } } }, { state: 'C' }, [{ path: '/state', message: 'must be one of: "A", "B"' }]],
    [
      'a union of constants reads as one enum, not one error per constant',
      { type: 'object', properties: { state: { anyOf: [{ const: 'pending' }, { const: 'done' }, { const: 'kept' }] } } },
      { state: 'gone' },
      [{ path: '/state', message: 'must be one of: "pending", "done", "kept"' }],
    ],
    [
      'a missing property: its own path, and which object lacks it',
      { type: 'object', required: ['inner'], properties: { inner: { type: 'object', required: ['name'] } } },
      { inner: {} },
      [{ path: '/inner/name', message: 'is missing: /inner must have the property "name"' }],
    ],
    ['a missing property at the root names the root', { type: 'object', required: ['flow_run'] }, {}, [{ path: '/flow_run', message: 'is missing: the body must have the property "flow_run"' }]],
    [
      'an extra property: its own path',
      { type: 'object', additionalProperties: false, properties: { a: {} } },
      { a: 1, b: 2 },
      [{ path: '/b', message: 'is not an allowed property of the body' }],
    ],
    [
      'a union of types keeps the branch errors, drops the summary',
      { type: 'object', properties: { n: { anyOf: [{ type: 'number' }, { type: 'null' }] } } },
      { n: 'x' },
      [
        { path: '/n', message: 'must be number' },
        { path: '/n', message: 'must be null' },
      ],
    ],
  ];
  for (const [name, schema, value, expected] of cases) {
    it(name, () => expect(problemsOf(schema, value)).toEqual(expected));
  }
  it('puts a prefix before every path', () => {
    expect(problemsOf({ type: 'object', required: ['rg'] }, {}, '/job_variables', '/job_variables')).toEqual([
      { path: '/job_variables/rg', message: 'is missing: /job_variables must have the property "rg"' },
    ]);
  });
});
