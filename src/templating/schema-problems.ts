// Ajv's errors in plain English, one problem per place: used for job variables and for every request part.
import type { ErrorObject } from 'ajv';
import type { Problem } from './errors.js';

const quoteAll = (values: unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');

/** Where a missing property should have been: the object's path, or "the body" etc. at the root. */
const holder = (path: string, root: string) => (path === '' ? root : path);

/**
 * One error → one problem. The path names the offending place itself: a missing property's own
 * path (with the object that lacks it in the message), an extra property's own path.
 */
function toProblem(error: ErrorObject, prefix: string, root: string): Problem {
  const at = `${prefix}${error.instancePath}`;
  const params = error.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[]; allowedValue?: unknown };
  switch (error.keyword) {
    case 'required':
      return { path: `${at}/${params.missingProperty}`, message: `is missing: ${holder(at, root)} must have the property "${params.missingProperty}"` };
    case 'additionalProperties':
      return { path: `${at}/${params.additionalProperty}`, message: `is not an allowed property of ${holder(at, root)}` };
    case 'enum':
      return { path: at || '/', message: `must be one of: ${quoteAll(params.allowedValues ?? [])}` };
    case 'const':
      return { path: at || '/', message: `must be ${JSON.stringify(params.allowedValue)}` };
    default:
      return { path: at || '/', message: error.message ?? 'is invalid' };
  }
}

/**
 * Ajv (allErrors) reports each branch of an `anyOf`/`oneOf` and then the summary. Branches that are all
 * constants at one path become a single "must be one of" problem; other branch errors say more than the
 * summary line, which is dropped unless it is all there is.
 */
export function schemaProblems(errors: readonly ErrorObject[], prefix = '', root = 'the object'): Problem[] {
  const constsByPath = new Map<string, unknown[]>();
  for (const error of errors) {
    if (error.keyword !== 'const') continue;
    const values = constsByPath.get(error.instancePath) ?? [];
    values.push((error.params as { allowedValue?: unknown }).allowedValue);
    constsByPath.set(error.instancePath, values);
  }
  const unions = new Set(errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath));
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const add = (problem: Problem) => {
    const id = `${problem.path} ${problem.message}`;
    if (seen.has(id)) return;
    seen.add(id);
    problems.push(problem);
  };
  for (const error of errors) {
    const consts = constsByPath.get(error.instancePath);
    const enumLike = consts !== undefined && consts.length > 1 && unions.has(error.instancePath);
    if (enumLike && (error.keyword === 'const' || error.keyword === 'anyOf' || error.keyword === 'oneOf')) {
      add({ path: `${prefix}${error.instancePath}` || '/', message: `must be one of: ${quoteAll([...new Set(consts)])}` });
      continue;
    }
    if ((error.keyword === 'anyOf' || error.keyword === 'oneOf') && errors.length > 1) continue;
    add(toProblem(error, prefix, root));
  }
  return problems;
}
