// A read whose connection was reset before any answer came is sent once more, at once, on a fresh
// connection. A kept-alive connection that the other end closed while it sat idle resets the next
// request sent on it — ARM's front ends close idle connections, and a loaded server closes them late —
// so a reset says nothing about Azure's state. The SDKs' own retries stay off (clients.ts: a step
// must not sleep inside a worker slot); a read sent again costs no sleep, and a GET changes nothing.
// Writes are never sent twice here: the steps look before they create (steps.ts).
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);

function isConnectionReset(err: unknown): boolean {
  const { code, statusCode } = err as { code?: string; statusCode?: number };
  return statusCode === undefined && code !== undefined && RESET_CODES.has(code);
}

export const resetReadRetryPolicy: PipelinePolicy = {
  name: 'aciFlowRunnerResetReadRetry',
  async sendRequest(request, next) {
    try {
      return await next(request);
    } catch (err) {
      if (request.method !== 'GET' || !isConnectionReset(err) || request.abortSignal?.aborted) throw err;
      return next(request);
    }
  },
};
