import { Type, type TSchema } from '@sinclair/typebox';
import { ERROR_CODES, type ErrorCode } from '../../errors.js';

export const ErrorCodeSchema = Type.Unsafe<ErrorCode>({
  type: 'string',
  enum: [...ERROR_CODES],
  description: 'Stable machine-readable code; clients branch on it, never on the message.',
});

export const ErrorEnvelope = Type.Object(
  {
    error: Type.Object({
      code: ErrorCodeSchema,
      message: Type.String(),
      details: Type.Optional(
        Type.Array(
          Type.Object(
            { path: Type.Optional(Type.String()), message: Type.String() },
            { additionalProperties: true },
          ),
        ),
      ),
    }),
  },
  { $id: 'ErrorEnvelope', title: 'ErrorEnvelope' },
);

/** A response schema with the description OpenAPI shows for its status. */
export function described<T extends TSchema>(schema: T, description: string): T {
  return { ...schema, description };
}

/** An error response naming the codes a route gives with that status. */
export const errorResponse = (description: string) => described(Type.Ref(ErrorEnvelope), description);

/** The error responses every authenticated route may give, for its `response` schema. */
export const errorResponses = {
  400: errorResponse('VALIDATION_FAILED (each problem in details, with its path), MALFORMED_BODY, BODY_TOO_DEEP or MALFORMED_URL.'),
  401: errorResponse('UNAUTHENTICATED: no API key, or one the service does not know.'),
  403: errorResponse('FORBIDDEN: the API key lacks the scope this route needs.'),
  429: errorResponse('RATE_LIMITED: this API key used its requests for the minute; Retry-After says when to try again.'),
  500: errorResponse('INTERNAL_ERROR: a defect; the message gives the request id to quote.'),
  503: errorResponse('STORE_UNAVAILABLE: Redis does not answer; try again shortly.'),
} as const;
