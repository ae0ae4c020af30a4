// A worker-only process has no API: with METRICS_PORT set it serves /metrics for Prometheus and
// /healthz for a liveness check (200 while the worker runs) on a small server of its own.
import { createServer, type Server } from 'node:http';
import { scrape } from './registry.js';

export async function startMetricsListener(port: number, host: string, alive: () => boolean): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/metrics') {
      scrape().then(
        ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
        () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n'),
      );
      return;
    }
    if (request.method === 'GET' && path === '/healthz') {
      const ok = alive();
      response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ok ? 'ok' : 'stopped' }));
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('only /metrics and /healthz here\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
