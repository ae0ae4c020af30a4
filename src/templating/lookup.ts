// Prefect's get_from_dict: `a.b[0]` walks objects and arrays; anything missing is NOT_SET.

export const NOT_SET: unique symbol = Symbol('NOT_SET');
export type NotSet = typeof NOT_SET;

/** Python's int() on a path segment: `1`, `-1`, `1_0` are integers. */
function asInteger(segment: string): number | undefined {
  if (!/^\s*[+-]?\d+(_\d+)*\s*$/.test(segment)) return undefined;
  return Number(segment.replace(/_/g, '').trim());
}

export function splitPath(path: string): string[] {
  return path.replace(/\[/g, '.').replace(/\]/g, '').split('.');
}

export function lookup(values: unknown, path: string): unknown | NotSet {
  let current: unknown = values;
  for (const segment of splitPath(path)) {
    const index = asInteger(segment);
    if (index !== undefined) {
      if (typeof current === 'string' || Array.isArray(current)) {
        const length = current.length;
        const at = index < 0 ? length + index : index;
        if (at < 0 || at >= length) return NOT_SET;
        current = current[at];
        continue;
      }
      // A dict keyed by the integer: JSON keys are strings, so it is never found (as in Python).
      return NOT_SET;
    }
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return NOT_SET;
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return NOT_SET;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
