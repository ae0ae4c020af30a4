// Errors the service reports to its callers. `code` is stable: clients branch on it, never on text.

export interface ErrorDetail {
  /** JSON path of the offending value, e.g. `/job_variables/cpu`. */
  path?: string;
  message: string;
  in?: string;
}

export class AppError extends Error {
  constructor(
    readonly code: string,
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

export const validationFailed = (message: string, details: ErrorDetail[]) =>
  new AppError('VALIDATION_FAILED', 400, message, details);

export const notFound = (code: string, message: string) => new AppError(code, 404, message);
