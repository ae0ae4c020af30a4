// Masking secrets in what we return, and keeping stored secrets when a client sends the mask back.

export const MASK = '********';

type Json = unknown;

const child = (node: Json, key: string | number): Json => {
  if (Array.isArray(node)) return typeof key === 'number' ? node[key] : undefined;
  if (node && typeof node === 'object' && Object.hasOwn(node, key)) return (node as Record<string, Json>)[key];
  return undefined;
};

const pointer = (path: string, key: string | number) => `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

/**
 * Replaces `next` values equal to MASK with the stored value at the same place, but only where the
 * stored document was shown masked (`shown` is what a reader saw): a mask elsewhere stays as sent.
 * Each path restored is added to `restored` (JSON pointers), so the caller can check that the new
 * document still treats it as a secret.
 */
export function restoreMasked(next: Json, stored: Json, shown: Json, restored: string[], path = ''): Json {
  if (next === MASK) {
    if (shown !== MASK || stored === undefined || stored === MASK) return next;
    restored.push(path);
    return stored;
  }
  if (Array.isArray(next)) return next.map((item, i) => restoreMasked(item, child(stored, i), child(shown, i), restored, pointer(path, i)));
  if (next && typeof next === 'object') {
    return Object.fromEntries(
      Object.entries(next).map(([k, v]) => [k, restoreMasked(v, child(stored, k), child(shown, k), restored, pointer(path, k))]),
    );
  }
  return next;
}

/** The value at a JSON pointer made by restoreMasked. */
export function valueAt(document: Json, path: string): Json {
  let node = document;
  for (const raw of path.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = child(node, Array.isArray(node) ? Number(key) : key);
  }
  return node;
}
