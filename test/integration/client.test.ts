// The typed client (`aci-flow-runner/client`) against a running service: typed calls, following logs
// across a dropped connection, waiting for the end.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunnerClient, expectData, followLogs, RunnerError, waitForRun, type LogEvent } from '../../src/client/index.js';
import { ADMIN_KEY } from '../helpers/config.js';
import { startService, submission, type Harness } from '../helpers/service.js';

/** Cuts the first log stream after its first event, as a flaky proxy would. */
function droppingFetch(calls: { headers: Headers }[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input as RequestInfo, init);
    calls.push({ headers: request.headers });
    const response = await fetch(request);
    if (calls.length > 1 || !request.url.includes('follow=true') || !response.body) return response;
    const reader = response.body.getReader();
    let text = '';
    while (!text.includes('\n\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    const first = text.slice(0, text.indexOf('\n\n') + 2);
    return new Response(first, { status: 200, headers: response.headers });
  };
}

describe('aci-flow-runner/client', () => {
  let h: Harness;
  let baseUrl: string;
  beforeAll(async () => {
    h = await startService();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await h.close();
  });

  it('submits with types, follows the logs across a dropped connection and waits for the end', async () => {
    const client = createRunnerClient({ baseUrl, apiKey: ADMIN_KEY });
    const body = submission({ command: 'sh -c "echo one; sleep 1; echo two; sleep 1; echo three; exit 0"', stream_output: true });
    const run = expectData(await client.POST('/runs', { body }));
    expect(run.state).toBe('PENDING');

    const calls: { headers: Headers }[] = [];
    const events: LogEvent[] = [];
    for await (const event of followLogs({ baseUrl, apiKey: ADMIN_KEY, runId: run.id, fetch: droppingFetch(calls), retryMs: 50 })) events.push(event);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(events.filter((e) => e.type === 'log').map((e) => (e as { line: string }).line)).toEqual(['one', 'two', 'three']);
    expect(events.at(-1)).toEqual({ type: 'end', state: 'COMPLETED', result: { identifier: run.infrastructure_pid, status_code: 0 } });
    // Where the server numbers its events, the reconnection said where it stopped.
    const firstId = (events[0] as { id?: string }).id;
    if (firstId) expect(calls[1].headers.get('last-event-id')).toBe(firstId);

    const seen: string[] = [];
    const done = await waitForRun(client, run.id, { intervalMs: 50, onProgress: (r) => seen.push(r.state) });
    expect(done.result).toEqual({ identifier: run.infrastructure_pid, status_code: 0 });
    expect(seen.at(-1)).toBe('COMPLETED');
  });

  it('turns error answers into RunnerError with the stable code', async () => {
    const client = createRunnerClient({ baseUrl, apiKey: ADMIN_KEY });
    const missing = await client.GET('/runs/{id}', { params: { path: { id: 'no-such-run' } } });
    expect(() => expectData(missing)).toThrow(RunnerError);
    expect(() => expectData(missing)).toThrow(expect.objectContaining({ code: 'RUN_NOT_FOUND', status: 404 }));
    await expect(waitForRun(createRunnerClient({ baseUrl }), 'x')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const stream = followLogs({ baseUrl, apiKey: ADMIN_KEY, runId: 'no-such-run' });
    await expect(stream.next()).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
  });

  it('is what the package exports as aci-flow-runner/client', async () => {
    const specifier = 'aci-flow-runner/client';
    const exported = await import(specifier);
    expect(typeof exported.createRunnerClient).toBe('function');
    expect(typeof exported.followLogs).toBe('function');
    expect(typeof exported.waitForRun).toBe('function');
  });
});
