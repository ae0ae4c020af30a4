// Azure errors sorted into what a run should do about them.

export type AzureFailure =
  | { kind: 'transient'; retryAfterMs?: number; message: string }
  | { kind: 'not-found'; code: string; message: string }
  | { kind: 'final'; code: string; message: string };

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'REQUEST_SEND_ERROR']);

function retryAfterMs(err: { response?: { headers?: { get?(name: string): string | undefined } } }): number | undefined {
  const raw = err.response?.headers?.get?.('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function classifyAzureError(error: unknown): AzureFailure {
  const err = error as { statusCode?: number; code?: string; message?: string; name?: string; response?: never };
  const message = err?.message ?? String(error);
  const status = err?.statusCode;
  if (status === 429 || status === 408 || (status !== undefined && status >= 500)) {
    return { kind: 'transient', retryAfterMs: retryAfterMs(error as never), message: `${status} ${err.code ?? ''} ${message}`.trim() };
  }
  if (status === 404) return { kind: 'not-found', code: err.code ?? 'ResourceNotFound', message };
  if (status !== undefined && status >= 400) return { kind: 'final', code: err.code ?? `HTTP${status}`, message };
  if ((err?.code && TRANSIENT_CODES.has(err.code)) || err?.name === 'AbortError') return { kind: 'transient', message };
  // Credential problems (no token) are final: retrying will not fix configuration.
  if (err?.name === 'CredentialUnavailableError' || err?.name === 'AuthenticationError') {
    return { kind: 'final', code: 'AuthenticationFailed', message };
  }
  return { kind: 'transient', message };
}
