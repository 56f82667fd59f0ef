/**
 * An error that knows how the API should present it. Anything thrown that is not an AppError is
 * a bug: the API answers 500 `internal_error` and logs it with its stack.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.details = details ?? null;
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new AppError(400, 'bad_request', message, details);
export const validationFailed = (message: string, details: unknown) =>
  new AppError(400, 'validation_failed', message, details);
export const unauthorized = (message = 'Authentication required: sign in or send an API token.') =>
  new AppError(401, 'unauthorized', message);
export const forbidden = (message: string) => new AppError(403, 'forbidden', message);
export const notFound = (message: string) => new AppError(404, 'not_found', message);
export const conflict = (message: string, details?: unknown) =>
  new AppError(409, 'conflict', message, details);
export const gone = (message: string) => new AppError(410, 'gone', message);
export const tooManyRequests = (message: string, details?: unknown) =>
  new AppError(429, 'too_many_requests', message, details);

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
