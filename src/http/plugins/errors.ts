import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorDetail } from '../../errors.js';
import { BaseJobTemplateInvalid, JobVariablesInvalid, TemplateNotRenderable } from '../../templating/errors.js';

const FASTIFY_CODES: Record<string, { code: string; status: number }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', status: 413 },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_BODY', status: 400 },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_BODY', status: 400 },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'MALFORMED_BODY', status: 400 },
};

function isStoreOutage(error: Error): boolean {
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    /enableOfflineQueue|Connection is closed|ECONNREFUSED/.test(error.message)
  );
}

function validationDetails(error: FastifyError): ErrorDetail[] {
  return (error.validation ?? []).map((issue) => {
    const missing = (issue.params as { missingProperty?: string } | undefined)?.missingProperty;
    const path = `${issue.instancePath}${missing ? `/${missing}` : ''}` || '/';
    return { in: error.validationContext, path, message: issue.message ?? 'is invalid' };
  });
}

export function toEnvelope(error: FastifyError | AppError | Error, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof JobVariablesInvalid || error instanceof BaseJobTemplateInvalid) {
    return new AppError('VALIDATION_FAILED', 400, error.message, [...error.problems]);
  }
  if (error instanceof TemplateNotRenderable) return new AppError('TEMPLATE_NOT_RENDERABLE', 422, error.message);
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return new AppError('VALIDATION_FAILED', 400, `The ${fastifyError.validationContext ?? 'request'} is invalid.`, validationDetails(fastifyError));
  }
  const known = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (known) return new AppError(known.code, known.status, fastifyError.message);
  if (isStoreOutage(error)) {
    return new AppError('STORE_UNAVAILABLE', 503, 'The run store (Redis) is not answering; try again shortly.');
  }
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) return new AppError('BAD_REQUEST', status, fastifyError.message);
  return new AppError('INTERNAL_ERROR', 500, `Internal error. Quote request id ${request.id} when reporting it.`);
}

/** One envelope for every error: handler errors, validation, parser errors and unknown routes. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const envelope = toEnvelope(error, request);
    if (envelope.statusCode >= 500) request.log.error({ err: error, reqId: request.id }, 'request failed');
    else request.log.info({ code: envelope.code, reqId: request.id }, envelope.message);
    return reply.status(envelope.statusCode).send(envelope.toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    const envelope = new AppError('ROUTE_NOT_FOUND', 404, `No route ${request.method} ${request.url.split('?')[0]}.`);
    return reply.status(404).send(envelope.toJSON());
  });
}
