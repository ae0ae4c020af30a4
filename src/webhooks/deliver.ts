// One HTTP POST of one event: signed, bounded in time, never following redirects, answer kept short.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SIGNATURE_HEADER, sign } from './signature.js';
import { guardedLookup } from './target.js';

export interface SendResult {
  ok: boolean;
  /** What happened, for metrics: a 2xx, another HTTP status, no answer in time, or no HTTP exchange at all. */
  kind: 'success' | 'http_error' | 'timeout' | 'network_error';
  status_code: number | null;
  error: string | null;
  response: string | null;
  duration_ms: number;
}

const MAX_ANSWER_CHARS = 1024;

export function send(options: {
  url: string;
  eventId: string;
  body: string;
  secret: string;
  timeoutMs: number;
  allowPrivate: boolean;
  now?: number;
}): Promise<SendResult> {
  const started = Date.now();
  const url = new URL(options.url);
  const timestamp = Math.floor((options.now ?? Date.now()) / 1000);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<SendResult, 'duration_ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, duration_ms: Date.now() - started });
    };
    const req = request(
      url,
      {
        method: 'POST',
        lookup: guardedLookup(options.allowPrivate),
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(options.body),
          'user-agent': 'aci-flow-runner-webhooks',
          'webhook-id': options.eventId,
          [SIGNATURE_HEADER]: sign(options.secret, options.body, timestamp),
        },
      },
      (res) => {
        let answer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (answer.length < MAX_ANSWER_CHARS) answer += chunk.slice(0, MAX_ANSWER_CHARS - answer.length);
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          finish({ ok, kind: ok ? 'success' : 'http_error', status_code: status, error: ok ? null : `HTTP ${status}`, response: answer || null });
        });
        res.on('error', (err) => finish({ ok: false, kind: 'network_error', status_code: res.statusCode ?? null, error: err.message, response: answer || null }));
      },
    );
    // One deadline for the whole exchange (connect, send, answer), not per socket inactivity.
    const timer = setTimeout(() => {
      finish({ ok: false, kind: 'timeout', status_code: null, error: `no answer within ${options.timeoutMs} ms`, response: null });
      req.destroy();
    }, options.timeoutMs);
    req.on('error', (err) => finish({ ok: false, kind: 'network_error', status_code: null, error: err.message, response: null }));
    req.end(options.body);
  });
}
