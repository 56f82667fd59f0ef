import { randomInt } from 'node:crypto';
import { ApiError, jsonReply } from './http-kit.ts';

/**
 * REST API errors as Salesforce sends them: an HTTP status and a JSON array of
 * `{message, errorCode[, fields]}` (the shape jsforce turns into an HttpApiError named by
 * errorCode).
 */

export function restError(status: number, errorCode: string, message: string, fields?: string[]): ApiError {
  const body: Record<string, unknown> = { message, errorCode };
  if (fields) body.fields = fields;
  return new ApiError(jsonReply(status, [body]), `${errorCode}: ${message}`);
}

export const REST_ERRORS = {
  /** No, unknown, expired or revoked session. Salesforce adds WWW-Authenticate: Token. */
  sessionExpired: () => {
    const error = restError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    error.reply.headers = { 'www-authenticate': 'Token' };
    return error;
  },
  requestLimitExceeded: () => restError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'),
  notFound: () => restError(404, 'NOT_FOUND', 'The requested resource does not exist'),
  externalIdFieldNotFound: (name: string) =>
    restError(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${name}`),
  methodNotAllowed: (method: string, allowed: string[]) => {
    const error = restError(
      405,
      'METHOD_NOT_ALLOWED',
      `HTTP Method '${method}' not allowed. Allowed are ${allowed.join(',')}`,
    );
    error.reply.headers = { allow: allowed.join(',') };
    return error;
  },
  jsonParser: (detail: string) => restError(400, 'JSON_PARSER_ERROR', detail),
  unknownException: () =>
    restError(
      500,
      'UNKNOWN_EXCEPTION',
      `An unexpected error occurred. Please include this ErrorId if you contact support: ${randomInt(100_000_000, 999_999_999)}-${randomInt(10_000, 99_999)} (${-randomInt(100_000_000, 999_999_999)})`,
    ),
  serverUnavailable: () => restError(503, 'SERVER_UNAVAILABLE', 'Server Unavailable'),
  unsupportedMediaType: () => restError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type'),
} as const;
