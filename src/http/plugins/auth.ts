import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKey, Scope } from '../../config.js';
import type { Access } from '../../access.js';
import { AppError } from '../../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Scope a key needs for this route; routes marked `public` need no key. */
    scope?: Scope;
    public?: boolean;
    /** The route reports on every pool at once, so keys limited to some pools may not use it. */
    allPools?: boolean;
  }
  interface FastifyRequest {
    /** Who acts and which pools they see; set by the auth hook on authenticated routes. */
    access?: Access;
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Finds the key entry in constant time with respect to the key material. */
function matchKey(presented: string, keys: { digest: Buffer; entry: ApiKey }[]): ApiKey | undefined {
  const candidate = digest(presented);
  let found: ApiKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(candidate, key.digest)) found = key.entry;
  }
  return found;
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function registerAuth(app: FastifyInstance, keys: ApiKey[], disabled: boolean): void {
  const digests = keys.map((entry) => ({ digest: digest(entry.key), entry }));
  app.decorateRequest('access', undefined);
  app.addHook('onRequest', async (request) => {
    if (request.is404 || request.routeOptions.config?.public) return;
    if (disabled) {
      request.access = { actor: 'anonymous' };
      return;
    }
    if (request.url === '/docs' || request.url.startsWith('/docs/')) return;
    const presented = bearer(request);
    if (!presented) {
      throw new AppError('UNAUTHENTICATED', 401, 'Send an API key as "Authorization: Bearer <key>".');
    }
    const key = matchKey(presented, digests);
    if (!key) throw new AppError('UNAUTHENTICATED', 401, 'The API key is not valid.');
    const scope = request.routeOptions.config?.scope;
    if (scope && !key.scopes.has(scope)) {
      throw new AppError('FORBIDDEN', 403, `This API key lacks the scope ${scope}.`);
    }
    if (key.pools && request.routeOptions.config?.allPools) {
      throw new AppError('FORBIDDEN', 403, 'This API key is limited to some work pools; this route reports on all of them.');
    }
    request.access = { actor: key.id, ...(key.pools ? { pools: key.pools } : {}) };
  });
}
