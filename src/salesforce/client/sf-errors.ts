/**
 * What a Salesforce failure means for the caller. jsforce turns REST errors into HttpApiError
 * named by Salesforce's errorCode (the HTTP status is not kept), and network failures into
 * TypeErrors with a cause code.
 */

export interface SalesforceFailure {
  errorCode: string | null;
  message: string;
}

export function describeFailure(error: unknown): SalesforceFailure {
  const e = error as { errorCode?: unknown; name?: unknown; message?: unknown };
  // REST errors carry errorCode; OAuth errors are named by their OAuth code (invalid_grant …).
  const errorCode =
    typeof e?.errorCode === 'string'
      ? e.errorCode
      : typeof e?.name === 'string' && /^[a-z]+(?:_[a-z]+)+$/.test(e.name)
        ? e.name
        : null;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return { errorCode, message };
}

/** The org's daily API allocation is used up: stop, do not retry today. */
export const isRequestLimitExceeded = (error: unknown) =>
  describeFailure(error).errorCode === 'REQUEST_LIMIT_EXCEEDED';

const SERVER_CODES = new Set(['UNKNOWN_EXCEPTION', 'SERVER_UNAVAILABLE', 'REQUEST_RUNNING_TOO_LONG']);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/** A failure worth another attempt after a pause: a 5xx, or the connection dropping. */
export function isTransient(error: unknown): boolean {
  const { errorCode } = describeFailure(error);
  if (errorCode && (SERVER_CODES.has(errorCode) || /^ERROR_HTTP_5\d\d$/.test(errorCode))) return true;
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : (error as { code?: unknown })?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

/** A refused or expired session that a refresh could not fix (revoked token, deactivated user …). */
export const isAuthFailure = (error: unknown) => {
  const { errorCode, message } = describeFailure(error);
  return (
    errorCode === 'INVALID_SESSION_ID' ||
    errorCode === 'invalid_grant' ||
    /Unable to refresh session/.test(message)
  );
};

/** A stop the caller reports as the run's failure, in words an administrator can act on. */
export class SalesforceStop extends Error {
  readonly code: 'api_budget' | 'request_limit' | 'auth' | 'server' | 'aborted';
  constructor(code: SalesforceStop['code'], message: string) {
    super(message);
    this.name = 'SalesforceStop';
    this.code = code;
  }
}
