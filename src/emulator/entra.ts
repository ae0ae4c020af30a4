// Microsoft Entra ID, as far as ClientSecretCredential (with disableInstanceDiscovery) needs it,
// and the bearer-token check every ARM call goes through.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Faults } from './faults.js';
import { ArmError, json, route, type EmulatorRequest, type EmulatorResponse, type Principal, type Route } from './http.js';

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

  private readonly principals: ServicePrincipal[];

  /** With no principals registered, any client id with a non-empty secret gets a token. */
  constructor(
    principals: ServicePrincipal[] = [],
    private readonly faults?: Faults,
    /** Real seconds a token lives (expires_in); under 300 s clients fetch a new one for every call. */
    private readonly tokenLifetimeSeconds = 3599,
  ) {
    this.principals = [...principals];
  }

  /** Registers (or replaces) a principal; from then on only registered principals get tokens. */
  register(principal: ServicePrincipal): void {
    const i = this.principals.findIndex((p) => p.tenantId === principal.tenantId && p.clientId === principal.clientId);
    if (i >= 0) this.principals.splice(i, 1);
    this.principals.push(principal);
  }

  clearPrincipals(): void {
    this.principals.length = 0;
  }

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

  /** Entra's refusal of a client-credentials request, or undefined when a token is due. */
  private refusal(tenantId: string, clientId: string, secret: string): EmulatorResponse | undefined {
    const trace = `Trace ID: ${randomBytes(16).toString('hex')} Timestamp: ${new Date().toISOString()}`;
    const answer = (status: number, error: string, code: number, text: string) =>
      json(status, { error, error_description: `AADSTS${code}: ${text} ${trace}`, error_codes: [code], timestamp: new Date().toISOString() });
    const fault = this.faults?.drawEvent('credential', (rule) => rule.clientId === clientId);
    if (fault?.reason === 'expired') return answer(401, 'invalid_client', 7000222, `The client secret keys of application '${clientId}' have expired; add new keys to the app registration.`);
    if (fault) return answer(401, 'invalid_client', 7000215, `The client secret sent for application '${clientId}' is not valid (send the secret's value, not its id).`);
    if (!clientId || !secret) return answer(401, 'invalid_client', 7000215, `The client secret sent for application '${clientId}' is not valid.`);
    if (this.principals.length === 0) return undefined;
    const known = this.principals.find((p) => p.tenantId === tenantId && p.clientId === clientId);
    if (!known) return answer(400, 'unauthorized_client', 700016, `Application '${clientId}' was not found in the directory '${tenantId}'.`);
    if (known.clientSecret !== secret) return answer(401, 'invalid_client', 7000215, `The client secret sent for application '${clientId}' is not valid (send the secret's value, not its id).`);
    return undefined;
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
          if (form.get('grant_type') !== 'client_credentials') {
            return json(400, { error: 'unsupported_grant_type', error_description: 'AADSTS70003: The emulator supports only client_credentials.', error_codes: [70003] });
          }
          const refused = this.refusal(req.params.tenant, clientId, form.get('client_secret') ?? '');
          if (refused) return refused;
          return json(200, {
            token_type: 'Bearer',
            expires_in: this.tokenLifetimeSeconds,
            ext_expires_in: this.tokenLifetimeSeconds,
            access_token: this.issue({ tenantId: req.params.tenant, clientId }, this.tokenLifetimeSeconds),
          });
        },
        false,
      ),
    ];
  }
}
