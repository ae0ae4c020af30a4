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
