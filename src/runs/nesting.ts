// Nesting depth of a submission, measured without recursion (so that the measuring itself cannot
// overflow the stack). Deeper values are refused before anything recursive touches them: rendering,
// hashing and storing all walk the value.
import { AppError } from '../errors.js';

export const MAX_NESTING = 64;

export function refuseDeepNesting(value: unknown, limit = MAX_NESTING): void {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { value: current, depth, path } = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limit) {
      throw new AppError('VALIDATION_FAILED', 400, `The body nests deeper than ${limit} levels.`, [{ path, message: `nests deeper than ${limit} levels` }]);
    }
    for (const [key, child] of Object.entries(current)) stack.push({ value: child, depth: depth + 1, path: `${path}/${key}` });
  }
}
