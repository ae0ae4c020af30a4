// ARM reads a string that starts with `[` and ends with `]` as an expression; `[[` makes it literal.

export function isArmExpression(text: string): boolean {
  return text.startsWith('[') && text.endsWith(']') && !text.startsWith('[[');
}

/** A user-supplied string as ARM must see it: literally. */
export function escapeArmString(text: string): string {
  return text.startsWith('[') && text.endsWith(']') ? `[${text}` : text;
}

/** Every string inside a user-supplied value, escaped. */
export function escapeArmValue(value: unknown): unknown {
  if (typeof value === 'string') return escapeArmString(value);
  if (Array.isArray(value)) return value.map(escapeArmValue);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeArmValue(v)]));
  }
  return value;
}

/** A value placed inside a string literal of an ARM expression: quotes doubled so it cannot end the literal. */
export const quoteForExpression = (text: string) => text.replace(/'/g, "''");
