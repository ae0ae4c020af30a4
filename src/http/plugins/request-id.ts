// Request ids: a client's own `x-request-id` is kept, otherwise a fresh UUID; either way it is echoed.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What a client may choose as its id: visible ASCII, at most 200 characters (it goes into logs and headers). */
const ACCEPTABLE = /^[\x21-\x7e]{1,200}$/;

/** Fastify's `genReqId`: the client's id when acceptable, else a UUID (unique across replicas, unlike a counter). */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && ACCEPTABLE.test(given) ? given : randomUUID();
}

export function registerRequestId(app: FastifyInstance): void {
  // Callback style: an async hook costs a promise and a microtask on every request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
