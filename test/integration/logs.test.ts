import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, getRun, settled, startService, submission, waitFor, type Harness } from '../helpers/service.js';

let h: Harness;
beforeAll(async () => {
  h = await startService();
  await h.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => h.close());

function follow(id: string): Promise<{ events: { id?: string; event: string; data: any }[]; contentType: string }> {
  const { port } = h.app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/runs/${id}/logs?follow=true`, headers: auth }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        const events = text
          .split('\n\n')
          .filter(Boolean)
          .filter((block) => !block.startsWith(':'))
          .map((block) => {
            const fields = Object.fromEntries(block.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
            return { id: fields.id, event: fields.event, data: JSON.parse(fields.data) };
          });
        resolve({ events, contentType: String(res.headers['content-type']) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('logs', () => {
  it('are read while running with stream_output and streamed to the end with follow=true', async () => {
    const body = submission({ stream_output: true, command: 'sh -c "echo one; sleep 100; echo two; sleep 100; echo three; exit 0"' });
    await h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
    const running = await waitFor(() => getRun(h, body.flow_run.id), (r) => r.state === 'RUNNING' && r.log_lines > 0);
    expect(running.log_lines).toBeGreaterThan(0);
    const { events, contentType } = await follow(body.flow_run.id);
    expect(contentType).toContain('text/event-stream');
    expect(events.filter((e) => e.event === 'log').map((e) => e.data.line)).toEqual(['one', 'two', 'three']);
    expect(events.at(-1)).toEqual({ id: undefined, event: 'end', data: { state: 'COMPLETED', result: { identifier: running.infrastructure_pid, status_code: 0 } } });
  });

  it('404s for an unknown run, before any stream', async () => {
    const res = await h.app.inject({ url: `/runs/${crypto.randomUUID()}/logs?follow=true`, headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('RUN_NOT_FOUND');
  });

  it('keeps output written between the last poll and exit (Prefect loses it)', async () => {
    const body = submission({ command: 'sh -c "sleep 50; echo written just before exit; exit 0"', task_watch_poll_interval: 1 });
    await h.app.inject({ method: 'POST', url: '/runs', headers: auth, payload: body });
    await settled(h, body.flow_run.id);
    const logs = (await h.app.inject({ url: `/runs/${body.flow_run.id}/logs`, headers: auth })).json();
    expect(logs.lines.map((l: { line: string }) => l.line)).toEqual(['written just before exit']);
  });
});
