// Who is acting, and which work pools they may see. Services take it from the HTTP layer; the
// worker and tests act with full access.

export interface Access {
  /** Short id of the API key (`key-…`), or `anonymous` when authentication is off. */
  actor: string;
  /** Work pools this caller may see and act on; undefined for every pool. */
  pools?: ReadonlySet<string>;
}

export const FULL_ACCESS: Access = { actor: 'service' };

export const seesPool = (access: Access, pool: string) => access.pools === undefined || access.pools.has(pool);
