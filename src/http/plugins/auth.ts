import { hash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
    /** Pages a browser navigates to: the key may also come as the password of HTTP Basic auth. */
    basicAuth?: boolean;
  }
  interface FastifyRequest {
    /** Who acts and which pools they see; set by the auth hook on authenticated routes. */
    access?: Access;
  }
}

// One-shot hashing: no Hash object per request.
const digest = (value: string) => hash('sha256', value, 'buffer');

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
  if (match) return match[1];
  if (!request.routeOptions.config?.basicAuth) return undefined;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1) || undefined;
}

function unauthenticated(request: FastifyRequest, reply: FastifyReply, message: string): AppError {
  // Makes a browser ask for the key (as a password) on pages that accept Basic auth.
  if (request.routeOptions.config?.basicAuth) reply.header('www-authenticate', 'Basic realm="aci-flow-runner", charset="UTF-8"');
  return new AppError('UNAUTHENTICATED', 401, message);
}

export function registerAuth(app: FastifyInstance, keys: ApiKey[], disabled: boolean): void {
  const digests = keys.map((entry) => ({ digest: digest(entry.key), entry }));
  app.decorateRequest('access', undefined);
  /** Sets request.access, or throws the 401 / 403 to answer. */
  const authenticate = (request: FastifyRequest, reply: FastifyReply): void => {
    if (request.is404 || request.routeOptions.config?.public) return;
    if (disabled) {
      request.access = { actor: 'anonymous' };
      return;
    }
    if (request.url === '/docs' || request.url.startsWith('/docs/')) return;
    const presented = bearer(request);
    if (!presented) throw unauthenticated(request, reply, 'Send an API key as "Authorization: Bearer <key>".');
    const key = matchKey(presented, digests);
    if (!key) throw unauthenticated(request, reply, 'The API key is not valid.');
    const scope = request.routeOptions.config?.scope;
    if (scope && !key.scopes.has(scope)) {
      throw new AppError('FORBIDDEN', 403, `This API key lacks the scope ${scope}.`);
    }
    if (key.pools && request.routeOptions.config?.allPools) {
      throw new AppError('FORBIDDEN', 403, 'This API key is limited to some work pools; this route reports on all of them.');
    }
    request.access = { actor: key.id, ...(key.pools ? { pools: key.pools } : {}) };
  };
  // Callback style: an async hook costs a promise and a microtask on every request.
  app.addHook('onRequest', (request, reply, done) => {
    try {
      authenticate(request, reply);
    } catch (err) {
      return done(err as Error);
    }
    done();
  });
}
