// Errors the service reports to its callers. `code` is stable: clients branch on it, never on text.

/**
 * Every code the API answers with; the OpenAPI document publishes this list as an enum. AppError takes
 * only these, so a new code is added here (and to README's list, which a test compares).
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'MALFORMED_BODY',
  'BODY_TOO_DEEP',
  'MALFORMED_URL',
  'MALFORMED_REQUEST',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'ROUTE_NOT_FOUND',
  'RUN_NOT_FOUND',
  'INFRASTRUCTURE_NOT_FOUND',
  'WORK_POOL_NOT_FOUND',
  'INVALID_INFRASTRUCTURE_PID',
  'REQUEST_TIMEOUT',
  'RATE_LIMITED',
  'RUN_CONFLICT',
  'RUN_EXPIRED',
  'RUN_ALREADY_FINISHED',
  'WORK_POOL_PROTECTED',
  'WORK_POOL_CHANGING',
  'WEBHOOK_NOT_FOUND',
  'WEBHOOK_TARGET_REFUSED',
  'PAYLOAD_TOO_LARGE',
  'PARAMETER_TOO_LONG',
  'UNSUPPORTED_MEDIA_TYPE',
  'TEMPLATE_NOT_RENDERABLE',
  'HEADERS_TOO_LARGE',
  'INTERNAL_ERROR',
  'STORE_UNAVAILABLE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorDetail {
  /** JSON path of the offending value, e.g. `/job_variables/cpu`. */
  path?: string;
  message: string;
  in?: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly statusCode: number,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'AppError';
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}
