import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKey, Scope } from '../../config.js';
import { AppError } from '../../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Scope a key needs for this route; routes marked `public` need no key. */
    scope?: Scope;
    public?: boolean;
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
  app.addHook('onRequest', async (request) => {
    if (disabled || request.is404 || request.routeOptions.config?.public) return;
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
  });
}
