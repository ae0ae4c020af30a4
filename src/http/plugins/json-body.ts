// The JSON body parser: Fastify's own (prototype poisoning refused), after a depth scan.
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';

/** Deepest nesting of objects and arrays a request body may have. */
export const MAX_JSON_DEPTH = 64;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The nesting depth of a JSON text, without parsing it: a loop, so no body can exhaust the stack
 * here, and every recursive walk after parsing (hashing, masking, layering) is bounded by the limit.
 * Malformed text is left to the parser; only the depth is decided here.
 */
export function jsonDepthExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

/**
 * A route whose body schema is given per media type (`body.content`) is validated only for those
 * media types: a body that is absent or of another type would reach the handler unchecked.
 */
function requireDeclaredBody(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const schema = request.routeOptions.schema?.body as { content?: Record<string, unknown> } | undefined;
    if (!schema?.content) return done();
    const declared = Object.keys(schema.content);
    if (request.body === undefined || request.body === null) {
      return done(new AppError('VALIDATION_FAILED', 400, `The body is required (${declared.join(' or ')}).`, [{ in: 'body', path: '/', message: 'is required' }]));
    }
    const mediaType = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!declared.includes(mediaType)) {
      return done(new AppError('UNSUPPORTED_MEDIA_TYPE', 415, `This media type is not accepted: send the body as ${declared.join(' or ')}.`));
    }
    done();
  });
}

export function registerJsonBody(app: FastifyInstance): void {
  requireDeclaredBody(app);
  // Every body is JSON: text/plain would reach validation as a string and get a puzzling "must be object".
  app.removeContentTypeParser('text/plain');
  const parse = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonDepthExceeds(body as string)) {
      done(new AppError('BODY_TOO_DEEP', 400, `The body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels.`), undefined);
      return;
    }
    parse(request, body as string, done);
  });
}
