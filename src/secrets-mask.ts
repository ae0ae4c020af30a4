// Masking secrets in what we return, and keeping stored secrets when a client sends the mask back.

export const MASK = '********';

type Json = unknown;

/** Replaces `next` values equal to MASK with the value at the same place in `stored`. */
export function restoreMasked(next: Json, stored: Json): Json {
  if (next === MASK) return stored === undefined ? next : stored;
  if (Array.isArray(next)) return next.map((item, i) => restoreMasked(item, Array.isArray(stored) ? stored[i] : undefined));
  if (next && typeof next === 'object') {
    const old = stored && typeof stored === 'object' && !Array.isArray(stored) ? (stored as Record<string, Json>) : {};
    return Object.fromEntries(Object.entries(next).map(([k, v]) => [k, restoreMasked(v, old[k])]));
  }
  return next;
}
