// Azure errors sorted into what a run should do about them.

export type AzureFailure =
  | { kind: 'transient'; retryAfterMs?: number; message: string; code?: string }
  | { kind: 'not-found'; code: string; message: string }
  | { kind: 'final'; code: string; message: string }
  /** No token: the service principal's secret is wrong or expired, or there is no credential at all. */
  | { kind: 'credential'; code: string; message: string };

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'REQUEST_SEND_ERROR']);
/** What @azure/identity throws when Entra refuses or no credential can be found. */
const CREDENTIAL_ERRORS = new Set(['AuthenticationRequiredError', 'AuthenticationError', 'CredentialUnavailableError', 'AggregateAuthenticationError']);

export interface ErrorTree {
  code?: string;
  message?: string;
  details?: ErrorTree[];
}

/** The innermost error: ARM nests the real cause (policy, quota, ACI validation) under outer codes. */
export function innermost(error: ErrorTree | undefined): { code: string; message: string } | undefined {
  if (!error) return undefined;
  for (const detail of error.details ?? []) {
    const inner = innermost(detail);
    if (inner) return inner;
  }
  return error.code ? { code: error.code, message: error.message ?? '' } : undefined;
}

/** What the principal or operator must do about a cause that will not go away by itself. */
const HINTS: Record<string, string> = {
  AuthorizationFailed:
    'The service principal lacks permission: give it a role with Microsoft.Resources/deployments/* and Microsoft.ContainerInstance/containerGroups/* on the resource group (e.g. Contributor).',
  LinkedAuthorizationFailed:
    'The service principal lacks permission on a resource the container group links to (subnet, identity, registry): give it the matching join/assign permission there.',
  MissingSubscriptionRegistration:
    'The subscription is not registered for Azure Container Instances: run `az provider register --namespace Microsoft.ContainerInstance` (an owner must do it once).',
  ResourceGroupNotFound: 'The resource group does not exist: create it (the service never creates resource groups) or fix resource_group_name.',
  RequestDisallowedByPolicy: 'An Azure Policy assignment denies this container group: change the job variables to comply, or ask the subscription owner for an exemption.',
  ScopeLocked: 'A lock on the resource group or subscription prevents the change: remove the lock, or delete the resource by hand.',
};

export function hintFor(code: string): string | undefined {
  return HINTS[code];
}

/** Azure's message with the hint appended when there is one. */
export const withHint = (code: string, message: string) => (HINTS[code] ? `${message} Hint: ${HINTS[code]}` : message);

function retryAfterMs(err: { response?: { headers?: { get?(name: string): string | undefined } } }): number | undefined {
  const raw = err.response?.headers?.get?.('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The error body of a RestError, as the SDK parsed it or as text. */
function body(err: { response?: { parsedBody?: unknown; bodyAsText?: string } }): ErrorTree | undefined {
  const parsed = err.response?.parsedBody as { error?: ErrorTree } | undefined;
  if (parsed?.error) return parsed.error;
  try {
    return (JSON.parse(err.response?.bodyAsText ?? '') as { error?: ErrorTree }).error;
  } catch {
    return undefined;
  }
}

/** Entra's AADSTS code in a credential error's message (e.g. AADSTS7000222), or a generic one. */
function aadstsCode(message: string, name: string): string {
  const match = /AADSTS\d+/.exec(message);
  if (match) return match[0];
  return name === 'CredentialUnavailableError' || name === 'AggregateAuthenticationError' ? 'CredentialUnavailable' : 'AuthenticationFailed';
}

export function classifyAzureError(error: unknown): AzureFailure {
  const err = error as { statusCode?: number; code?: string; message?: string; name?: string; response?: never };
  const message = err?.message ?? String(error);
  const status = err?.statusCode;
  if (status === 429 || status === 408 || (status !== undefined && status >= 500)) {
    return { kind: 'transient', retryAfterMs: retryAfterMs(error as never), message: `${status} ${err.code ?? ''} ${message}`.trim(), code: err.code };
  }
  if (status === 404) return { kind: 'not-found', code: err.code ?? 'ResourceNotFound', message };
  if (status !== undefined && status >= 400) {
    // A 400 InvalidTemplateDeployment (or any wrapper) says little; the cause is in details[].
    const cause = innermost(body(error as never)) ?? { code: err.code ?? `HTTP${status}`, message };
    return { kind: 'final', code: cause.code, message: cause.message || message };
  }
  if ((err?.code && TRANSIENT_CODES.has(err.code)) || err?.name === 'AbortError') return { kind: 'transient', message };
  // Credential problems (no token) are final: retrying will not fix configuration.
  if (err?.name && CREDENTIAL_ERRORS.has(err.name)) return { kind: 'credential', code: aadstsCode(message, err.name), message };
  return { kind: 'transient', message };
}
