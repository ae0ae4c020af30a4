// Microsoft Entra ID, as far as ClientSecretCredential (with disableInstanceDiscovery) needs it,
// and the bearer-token check every ARM call goes through.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ArmError, json, route, type EmulatorRequest, type Principal, type Route } from './http.js';

/** A token that always works, for clients that bring their own TokenCredential. */
export const STATIC_TOKEN = 'aci-emulator-static-token';
export const STATIC_PRINCIPAL: Principal = { tenantId: 'emulator-tenant', clientId: 'static' };

export interface ServicePrincipal {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export class Entra {
  private readonly key = randomBytes(32);

  /** With no principals registered, any client id with a non-empty secret gets a token. */
  constructor(private readonly principals: ServicePrincipal[] = []) {}

  issue(principal: Principal, lifetimeSeconds = 3600): string {
    const payload = Buffer.from(JSON.stringify({ tid: principal.tenantId, appid: principal.clientId, exp: Date.now() + lifetimeSeconds * 1000 })).toString('base64url');
    const signature = createHmac('sha256', this.key).update(payload).digest('base64url');
    return `emu.${payload}.${signature}`;
  }

  verify(token: string): Principal | undefined {
    if (token === STATIC_TOKEN) return STATIC_PRINCIPAL;
    const [prefix, payload, signature] = token.split('.');
    if (prefix !== 'emu' || !payload || !signature) return undefined;
    const expected = createHmac('sha256', this.key).update(payload).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { tid: string; appid: string; exp: number };
    if (claims.exp < Date.now()) return undefined;
    return { tenantId: claims.tid, clientId: claims.appid };
  }

  /** The principal behind an ARM request, or ARM's 401. */
  authenticate(req: EmulatorRequest): Principal {
    const header = req.headers.authorization;
    const challenge = { 'WWW-Authenticate': 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"' };
    if (typeof header !== 'string' || !/^Bearer\s+/i.test(header)) {
      throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.", {}, challenge);
    }
    const principal = this.verify(header.replace(/^Bearer\s+/i, '').trim());
    if (!principal) {
      throw new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.', {}, challenge);
    }
    return principal;
  }

  private accepts(tenantId: string, clientId: string, secret: string): boolean {
    if (!clientId || !secret) return false;
    if (this.principals.length === 0) return true;
    return this.principals.some((p) => p.tenantId === tenantId && p.clientId === clientId && p.clientSecret === secret);
  }

  routes(baseUrl: () => string): Route[] {
    return [
      route(
        'GET',
        '/{tenant}/v2.0/.well-known/openid-configuration',
        'Entra_OpenIdConfiguration',
        'none',
        (req) => {
          const base = `${baseUrl()}/${req.params.tenant}`;
          return json(200, {
            token_endpoint: `${base}/oauth2/v2.0/token`,
            authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
            end_session_endpoint: `${base}/oauth2/v2.0/logout`,
            jwks_uri: `${base}/discovery/v2.0/keys`,
            issuer: `${base}/v2.0`,
            response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
            token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
            tenant_region_scope: 'NA',
          });
        },
        false,
      ),
      route(
        'POST',
        '/{tenant}/oauth2/v2.0/token',
        'Entra_Token',
        'none',
        (req) => {
          const form = new URLSearchParams(req.rawBody);
          const clientId = form.get('client_id') ?? '';
          if (form.get('grant_type') !== 'client_credentials' || !this.accepts(req.params.tenant, clientId, form.get('client_secret') ?? '')) {
            return json(401, {
              error: 'invalid_client',
              error_description: `AADSTS7000215: Invalid client secret provided for application '${clientId}'.`,
              error_codes: [7000215],
            });
          }
          return json(200, {
            token_type: 'Bearer',
            expires_in: 3599,
            ext_expires_in: 3599,
            access_token: this.issue({ tenantId: req.params.tenant, clientId }),
          });
        },
        false,
      ),
    ];
  }
}
