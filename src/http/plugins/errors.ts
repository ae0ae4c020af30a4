import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';
import { AppError, type ErrorCode, type ErrorDetail } from '../../errors.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { schemaProblems } from '../../templating/schema-problems.js';
import { BaseJobTemplateInvalid, JobVariablesInvalid, TemplateNotRenderable } from '../../templating/errors.js';

/** Longest path parameter the router accepts; ids are checked against the contract (≤ 200) after routing. */
export const MAX_PARAM_LENGTH = 2048;

const FASTIFY_CODES: Record<string, { code: ErrorCode; status: number }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', status: 413 },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_BODY', status: 400 },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_BODY', status: 400 },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'MALFORMED_BODY', status: 400 },
  FST_ERR_CTP_INVALID_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 },
  FST_ERR_BAD_URL: { code: 'MALFORMED_URL', status: 400 },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'PARAMETER_TOO_LONG', status: 414 },
};

/** Fastify's messages quote the raw URL; ours say what is wrong without echoing it back. */
function publicMessage(error: FastifyError): string {
  if (error.code === 'FST_ERR_BAD_URL') return 'The URL is not valid: a path segment has bad percent-encoding.';
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || error.code === 'FST_ERR_CTP_INVALID_TYPE') {
    return 'This media type is not accepted: send the body as JSON (Content-Type: application/json).';
  }
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return `A path parameter is longer than ${MAX_PARAM_LENGTH} characters.`;
  return error.message;
}

function isStoreOutage(error: Error): boolean {
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    /enableOfflineQueue|Connection is closed|ECONNREFUSED/.test(error.message)
  );
}

/** What each part of a request is called in messages. */
const PARTS: Record<string, { name: string; verb: 'is' | 'are' }> = {
  body: { name: 'body', verb: 'is' },
  querystring: { name: 'query string', verb: 'is' },
  params: { name: 'path parameters', verb: 'are' },
  headers: { name: 'headers', verb: 'are' },
};

function validationEnvelope(error: FastifyError): AppError {
  const context = error.validationContext ?? 'request';
  const part = PARTS[context] ?? { name: context, verb: 'is' };
  const details: ErrorDetail[] = schemaProblems((error.validation ?? []) as ErrorObject[], '', `the ${part.name}`).map((problem) => ({ in: context, ...problem }));
  const first = details.length === 1 ? ` ${details[0].path} ${details[0].message}` : '';
  return new AppError('VALIDATION_FAILED', 400, `The ${part.name} ${part.verb} invalid.${first ? `${first}.` : ''}`, details);
}

export function toEnvelope(error: FastifyError | AppError | Error, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof JobVariablesInvalid || error instanceof BaseJobTemplateInvalid) {
    return new AppError('VALIDATION_FAILED', 400, error.message, [...error.problems]);
  }
  if (error instanceof TemplateNotRenderable) return new AppError('TEMPLATE_NOT_RENDERABLE', 422, error.message);
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return validationEnvelope(fastifyError);
  }
  const known = fastifyError.code && Object.hasOwn(FASTIFY_CODES, fastifyError.code) ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (known) return new AppError(known.code, known.status, publicMessage(fastifyError));
  if (isStoreOutage(error)) {
    return new AppError('STORE_UNAVAILABLE', 503, 'The run store (Redis) is not answering; try again shortly.');
  }
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) return new AppError('BAD_REQUEST', status, fastifyError.message);
  return new AppError('INTERNAL_ERROR', 500, `Internal error. Quote request id ${request.id} when reporting it.`);
}

function send(request: FastifyRequest, reply: FastifyReply, envelope: AppError, cause?: Error) {
  if (envelope.statusCode >= 500) request.log.error({ err: cause, code: envelope.code, reqId: request.id }, 'request failed');
  else request.log.info({ code: envelope.code, reqId: request.id }, envelope.message);
  // Errors met before the onRequest hooks (bad URL encoding) are echoed here.
  reply.header(REQUEST_ID_HEADER, request.id);
  return reply.status(envelope.statusCode).send(envelope.toJSON());
}

/** Errors Fastify meets before routing (bad URL encoding, over-long parameters), given to the `frameworkErrors` option. */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  return send(request, reply, toEnvelope(error, request), error);
}

/**
 * Errors of the HTTP parser itself (malformed request line, headers too large): answered on the socket
 * in the same envelope, then the connection is closed, as Node does.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return void socket.destroy();
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const envelope = tooLarge
    ? new AppError('HEADERS_TOO_LARGE', status, 'The request line and headers are too large.')
    : status === 408
      ? new AppError('REQUEST_TIMEOUT', status, 'The request was not received in time.')
      : new AppError('MALFORMED_REQUEST', status, 'The request is not valid HTTP.');
  const body = JSON.stringify(envelope.toJSON());
  const reason = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[status];
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** One envelope for every error: handler errors, validation, parser errors and unknown routes. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    return send(request, reply, toEnvelope(error, request), error);
  });
  app.setNotFoundHandler((request, reply) => {
    const envelope = new AppError('ROUTE_NOT_FOUND', 404, `No route ${request.method} ${request.url.split('?')[0].slice(0, 200)}.`);
    return reply.status(404).send(envelope.toJSON());
  });
}
