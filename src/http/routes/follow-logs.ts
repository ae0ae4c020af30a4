// GET /runs/{id}/logs?follow=true: server-sent events until the run ends.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isTerminal } from '../../runs/model.js';
import type { RunService } from '../../runs/service.js';

const POLL_MS = 500;

export async function followLogs(runs: RunService, id: string, request: FastifyRequest, reply: FastifyReply) {
  await runs.get(id, request.access); // 404 before the stream starts
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  let sent = 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  request.raw.on('close', () => {
    closed = true;
    clearTimeout(timer);
  });
  const tick = async () => {
    if (closed) return;
    try {
      const { run, lines } = await runs.logs(id, sent, request.access);
      for (const line of lines) out.write(`event: log\ndata: ${JSON.stringify(line)}\n\n`);
      sent += lines.length;
      // Terminal and no cleanup pending means the final log read is in: nothing more will come.
      if (isTerminal(run.state)) {
        out.write(`event: end\ndata: ${JSON.stringify({ state: run.state, result: run.result ?? null })}\n\n`);
        out.end();
        return;
      }
    } catch (err) {
      request.log.warn({ err }, 'log stream read failed');
    }
    timer = setTimeout(() => void tick(), POLL_MS);
  };
  await tick();
}
