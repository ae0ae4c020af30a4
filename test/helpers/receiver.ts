// A real HTTP receiver for webhook tests: it answers as told (fail, hang, or accept) and keeps what it got.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour = 'accept' | 'fail' | 'hang';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answeredWith: number | 'hang';
}

export async function startReceiver() {
  /** Answers for the next requests, in order; `fallback` after that. */
  const script: Behaviour[] = [];
  let fallback: Behaviour = 'accept';
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const behaviour = script.shift() ?? fallback;
      if (behaviour === 'hang') {
        received.push({ headers: req.headers, body, answeredWith: 'hang' });
        return; // never answers: the sender's deadline must end it
      }
      const status = behaviour === 'fail' ? 500 : 204;
      received.push({ headers: req.headers, body, answeredWith: status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(behaviour === 'fail' ? 'receiver is down' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    /** Events the receiver accepted (2xx), parsed. */
    accepted: () => received.filter((r) => r.answeredWith === 204).map((r) => JSON.parse(r.body)),
    respond(...behaviours: Behaviour[]) {
      script.push(...behaviours);
    },
    set fallback(value: Behaviour) {
      fallback = value;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
