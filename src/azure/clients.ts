// SDK clients per principal and subscription, built once and reused (each holds a token cache).
import { armMetricsPolicy } from '../metrics/arm-policy.js';
import { resetReadRetryPolicy } from './reset-retry.js';
import { createHash } from 'node:crypto';
import { ContainerInstanceManagementClient } from '@azure/arm-containerinstance';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import type { AzureConfig } from '../config.js';

export interface ServicePrincipal {
  client_id?: string | null;
  tenant_id?: string | null;
  client_secret?: string | null;
}

export interface AzureClients {
  resources: ResourceManagementClient;
  aci: ContainerInstanceManagementClient;
  /** Who the calls are made as, readable (tenant/client@subscription; never the secret). */
  principal: string;
  /** The key of their ARM budget: a fingerprint of the same (principalId). */
  budgetKey: string;
  /** ARM's base URL, for the writes sent without the SDK's poller (raw-write.ts). */
  endpoint: string;
}

const PUBLIC_AUTHORITY = 'https://login.microsoftonline.com';

const chosen = (principal: ServicePrincipal, fallback?: ServicePrincipal) =>
  principal.client_id && principal.tenant_id && principal.client_secret ? principal : fallback;

/**
 * Who calls made with these credentials are made as: the key of their ARM budget, kept in clear on
 * the run so that pacing needs no spec read. A fingerprint of tenant, client and subscription, so
 * neither it nor Redis shows the subscription or the client in clear (they are sealed with the spec).
 */
const readable = (principal: ServicePrincipal, fallback?: ServicePrincipal) => {
  const sp = chosen(principal, fallback);
  return sp?.client_id && sp.tenant_id && sp.client_secret ? `${sp.tenant_id}/${sp.client_id}` : 'default-credential';
};

export function principalId(principal: ServicePrincipal, subscriptionId: string, fallback?: ServicePrincipal): string {
  const sp = chosen(principal, fallback);
  const who = sp?.client_id && sp.tenant_id && sp.client_secret ? [sp.tenant_id, sp.client_id] : ['default-credential'];
  return `p-${createHash('sha256').update(JSON.stringify([...who, subscriptionId])).digest('hex').slice(0, 24)}`;
}

export class AzureClientCache {
  private readonly cache = new Map<string, AzureClients>();

  constructor(
    private readonly config: AzureConfig,
    /** Used when a pool names no service principal: the operator's own (e.g. AZURE_CLIENT_ID...). */
    private readonly fallback?: Required<{ [K in keyof ServicePrincipal]: string }>,
  ) {}

  private credential(principal: ServicePrincipal): TokenCredential {
    const sp = chosen(principal, this.fallback);
    const tlsOptions = this.config.caCert ? { ca: this.config.caCert } : undefined;
    if (sp?.client_id && sp.tenant_id && sp.client_secret) {
      return new ClientSecretCredential(sp.tenant_id, sp.client_id, sp.client_secret, {
        authorityHost: this.config.authorityHost,
        disableInstanceDiscovery: this.config.authorityHost !== PUBLIC_AUTHORITY,
        tlsOptions,
      });
    }
    return new DefaultAzureCredential({ authorityHost: this.config.authorityHost });
  }

  for(principal: ServicePrincipal, subscriptionId: string): AzureClients {
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([principal.tenant_id, principal.client_id, principal.client_secret, subscriptionId]))
      .digest('hex');
    let clients = this.cache.get(fingerprint);
    if (!clients) {
      const credential = this.credential(principal);
      const options = {
        endpoint: this.config.armEndpoint,
        credentialScopes: ['https://management.azure.com/.default'],
        // Our steps retry transient errors by rescheduling; the SDK must not sleep inside a worker slot.
        retryOptions: { maxRetries: 0 },
        additionalPolicies: [
          { policy: armMetricsPolicy, position: 'perCall' as const },
          // A read whose kept-alive connection was reset goes again at once (reset-retry.ts).
          { policy: resetReadRetryPolicy, position: 'perCall' as const },
        ],
        ...(this.config.caCert ? { tlsOptions: { ca: this.config.caCert } } : {}),
      };
      clients = {
        resources: new ResourceManagementClient(credential, subscriptionId, options),
        aci: new ContainerInstanceManagementClient(credential, subscriptionId, options),
        principal: `${readable(principal, this.fallback)}@${subscriptionId}`,
        budgetKey: principalId(principal, subscriptionId, this.fallback),
        endpoint: this.config.armEndpoint,
      };
      this.cache.set(fingerprint, clients);
    }
    return clients;
  }
}
