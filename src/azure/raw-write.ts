// One ARM write (PUT or DELETE) sent through an official SDK client's own pipeline (credential,
// TLS, user agent, api-version of the client) but without the SDK's long-running-operation poller:
// the `begin…` methods always read the operation's status once, a read the steps never need because
// their next step reads the resource itself (docs/steps.md, "ARM calls per run").
import { createHttpHeaders, createPipelineRequest, RestError, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';

/** What both management clients have (each SDK package may carry its own core-client copy). */
interface ArmClient {
  apiVersion: string;
  subscriptionId?: string;
  sendRequest(request: never): Promise<unknown>;
}

/** Sends the request; resolves with the status of a 2xx answer, throws a RestError otherwise. */
export async function armWrite(
  endpoint: string,
  client: ArmClient,
  method: 'PUT' | 'DELETE',
  path: string,
  body: unknown,
  abortSignal: AbortSignal,
): Promise<number> {
  const url = `${endpoint.replace(/\/+$/, '')}/subscriptions/${encodeURIComponent(client.subscriptionId ?? '')}${path}?api-version=${client.apiVersion}`;
  const request = createPipelineRequest({
    url,
    method,
    abortSignal,
    headers: createHttpHeaders(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const response = (await client.sendRequest(request as never)) as PipelineResponse;
  if (response.status >= 200 && response.status < 300) return response.status;
  let error: { code?: string; message?: string } = {};
  try {
    error = (JSON.parse(response.bodyAsText ?? '{}') as { error?: typeof error }).error ?? {};
  } catch {
    // Not JSON: the status alone tells what happened.
  }
  throw new RestError(error.message ?? `ARM answered ${response.status}.`, { code: error.code, statusCode: response.status, request: request as PipelineRequest, response });
}
