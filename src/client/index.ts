// `aci-flow-runner/client`: a typed client for the REST API (types generated from openapi.yaml by
// openapi-typescript, requests by openapi-fetch), plus two helpers every caller writes otherwise:
// follow a run's log stream, and wait for a run to end.
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './api.js';
import { readServerSentEvents } from './sse.js';

export type { components, paths };
export type Run = components['schemas']['Run'];
export type RunState = Run['state'];
export type RunnerClient = Client<paths>;

export const FINAL_STATES: readonly RunState[] = ['COMPLETED', 'FAILED', 'CRASHED', 'CANCELLED'];

export interface RunnerOptions {
  /** e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  apiKey?: string;
  fetch?: typeof globalThis.fetch;
}

/** An error answer of the API: `code` is stable (RUN_NOT_FOUND, VALIDATION_FAILED, …). */
export class RunnerError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
    this.name = 'RunnerError';
  }

  static from(status: number, body: unknown): RunnerError {
    const error = (body as { error?: { code?: string; message?: string; details?: unknown[] } } | undefined)?.error;
    return new RunnerError(status, error?.code ?? `HTTP_${status}`, error?.message ?? `HTTP ${status}`, error?.details);
  }
}

const authorization = (apiKey?: string): Record<string, string> => (apiKey ? { authorization: `Bearer ${apiKey}` } : {});

export function createRunnerClient(options: RunnerOptions): RunnerClient {
  return createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: authorization(options.apiKey),
    ...(options.fetch ? { fetch: (request: Request) => options.fetch!(request) } : {}),
  });
}

/** Unwraps an openapi-fetch answer: the data, or a RunnerError. */
export function expectData<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined && result.response.ok) return result.data;
  throw RunnerError.from(result.response.status, result.error);
}

export type LogEvent =
  | { type: 'log'; ts: string; line: string; id?: string }
  | { type: 'end'; state: RunState; result: Run['result'] | null };

/**
 * Follows a run's log stream (`GET /runs/{id}/logs?follow=true`) until the run ends. When the
 * connection drops it reconnects with `Last-Event-ID`, so the server resumes after the last line
 * received; a server that sends no event ids replays from the start, and lines already seen are skipped.
 */
export async function* followLogs(
  options: RunnerOptions & { runId: string; lastEventId?: string; signal?: AbortSignal; retryMs?: number; maxRetries?: number },
): AsyncGenerator<LogEvent> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const url = `${options.baseUrl.replace(/\/+$/, '')}/runs/${encodeURIComponent(options.runId)}/logs?follow=true`;
  let lastEventId = options.lastEventId;
  let seenWithoutIds = 0;
  let failures = 0;
  for (;;) {
    let replayed = 0;
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream', ...authorization(options.apiKey) };
      if (lastEventId) headers['last-event-id'] = lastEventId;
      const response = await fetchImpl(url, { headers, signal: options.signal });
      if (!response.ok || !response.body) throw RunnerError.from(response.status, await response.json().catch(() => undefined));
      for await (const event of readServerSentEvents(response.body)) {
        failures = 0;
        if (event.event === 'log') {
          const line = JSON.parse(event.data) as { ts: string; line: string };
          if (event.id) lastEventId = event.id;
          else if (++replayed <= seenWithoutIds) continue;
          else seenWithoutIds = replayed;
          yield { type: 'log', ...line, ...(event.id ? { id: event.id } : {}) };
        } else if (event.event === 'end') {
          const end = JSON.parse(event.data) as { state: RunState; result: Run['result'] | null };
          yield { type: 'end', state: end.state, result: end.result ?? null };
          return;
        }
      }
    } catch (err) {
      if (options.signal?.aborted) return;
      // Answers like 404 or 401 will not get better by asking again.
      if (err instanceof RunnerError && err.status < 500 && err.status !== 429) throw err;
      if (++failures > (options.maxRetries ?? 10)) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, (options.retryMs ?? 500) * 2 ** Math.max(0, failures - 1))));
  }
}

/** Polls a run until it is final; `onProgress` sees every read. */
export async function waitForRun(
  client: RunnerClient,
  runId: string,
  options: { intervalMs?: number; timeoutMs?: number; signal?: AbortSignal; onProgress?: (run: Run) => void } = {},
): Promise<Run> {
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  for (;;) {
    const run = expectData(await client.GET('/runs/{id}', { params: { path: { id: runId } }, signal: options.signal }));
    options.onProgress?.(run);
    if (FINAL_STATES.includes(run.state)) return run;
    if (Date.now() >= deadline) throw new RunnerError(408, 'WAIT_TIMEOUT', `Run ${runId} is still ${run.state} after ${options.timeoutMs} ms.`);
    if (options.signal?.aborted) throw options.signal.reason;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1000));
  }
}
