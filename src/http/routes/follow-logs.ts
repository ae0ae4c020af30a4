// GET /runs/{id}/logs?follow=true: server-sent events until the run ends. Each line carries its
// stream id, so a client that reconnects with Last-Event-ID (or ?after=) resumes exactly there; a
// follower reads by id, not by offset, so it never stalls when old lines are trimmed at the cap.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { isTerminal } from '../../runs/model.js';
import type { RunService } from '../../runs/service.js';
import { LOG_POSITION } from '../schemas/runs.js';

const POLL_MS = 250;
const BATCH = 1000;
const POSITION = new RegExp(LOG_POSITION);

export interface FollowOptions {
  /** A comment line is sent after this long without a line, so proxies keep the stream open. */
  heartbeatMs: number;
}

export async function followLogs(runs: RunService, id: string, after: string | undefined, request: FastifyRequest, reply: FastifyReply, options: FollowOptions) {
  const lastEventId = request.headers['last-event-id'];
  let position = typeof lastEventId === 'string' && lastEventId !== '' ? lastEventId : after;
  if (position !== undefined && !POSITION.test(position)) {
    throw new AppError('VALIDATION_FAILED', 400, 'Last-Event-ID is not a log line id.', [{ path: '/headers/last-event-id', message: `must match ${LOG_POSITION}` }]);
  }
  await runs.get(id, request.access); // 404 before the stream starts
  reply.hijack();
  const out = reply.raw;
  out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let lastWrite = Date.now();
  request.raw.on('close', () => {
    closed = true;
    clearTimeout(timer);
  });
  const drained = () => new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.once('drain', done);
    out.once('close', done);
  });
  const tick = async () => {
    if (closed) return;
    let delay = POLL_MS;
    try {
      // The run is read before its lines: when it is final, every line is already in.
      const { run, lines } = await runs.logs(id, position, BATCH, request.access);
      let chunk = '';
      for (const { id: lineId, ts, line } of lines) chunk += `id: ${lineId}\nevent: log\ndata: ${JSON.stringify({ ts, line })}\n\n`;
      if (lines.length > 0) {
        position = lines[lines.length - 1].id;
        lastWrite = Date.now();
        if (!out.write(chunk)) await drained();
      }
      if (lines.length === BATCH) delay = 0;
      else if (isTerminal(run.state)) {
        out.end(`event: end\ndata: ${JSON.stringify({ state: run.state, result: run.result ?? null })}\n\n`);
        return;
      } else if (Date.now() - lastWrite >= options.heartbeatMs) {
        out.write(': heartbeat\n\n');
        lastWrite = Date.now();
      }
    } catch (err) {
      if (err instanceof AppError && err.statusCode === 404) {
        out.end(`event: end\ndata: ${JSON.stringify({ state: null, result: null, error: err.code })}\n\n`);
        return;
      }
      request.log.warn({ err }, 'log stream read failed');
    }
    if (!closed) timer = setTimeout(() => void tick(), delay);
  };
  await tick();
}
