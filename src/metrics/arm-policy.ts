// Times every ARM call made through the official SDK clients' pipelines (including raw writes sent
// through them) and counts it by operation and outcome.
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { armRequestDuration } from './registry.js';

/**
 * A stable, low-cardinality name from method and path: resource names are dropped and the resource
 * types after the provider namespace are kept, e.g. "PUT deployments", "GET containerGroups/containers/logs",
 * "POST deployments/cancel".
 */
export function armOperation(method: string, url: string): string {
  const segments = new URL(url).pathname.split('/').filter(Boolean);
  const provider = segments.map((s) => s.toLowerCase()).lastIndexOf('providers');
  const rest = provider >= 0 ? segments.slice(provider + 2) : segments.filter((_, i) => i % 2 === 0);
  // rest alternates type, name, type, name...; an odd tail is an action (stop, cancel, logs on containers).
  const types = rest.filter((_, i) => i % 2 === 0);
  return `${method} ${types.join('/') || 'root'}`;
}

function outcome(status: number): string {
  if (status < 400) return 'ok';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'throttled';
  return status < 500 ? 'client_error' : 'server_error';
}

export const armMetricsPolicy: PipelinePolicy = {
  name: 'aciFlowRunnerArmMetrics',
  async sendRequest(request, next) {
    const end = armRequestDuration.startTimer({ operation: armOperation(request.method, request.url) });
    try {
      const response = await next(request);
      end({ outcome: outcome(response.status) });
      return response;
    } catch (err) {
      // Error statuses arrive here as RestError (the SDK's deserialization throws them); others never got an answer.
      const { statusCode, name } = err as { statusCode?: number; name?: string };
      end({ outcome: statusCode ? outcome(statusCode) : name === 'AbortError' ? 'aborted' : 'network_error' });
      throw err;
    }
  },
};
