import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from '@jsforce/jsforce-node';
import { ApiBudget } from './api-budget.ts';
import { describeFailure, isRequestLimitExceeded, isTransient, SalesforceStop } from './sf-errors.ts';

export interface RetryPolicy {
  /** Attempts of one call, the first included. */
  attempts: number;
  /** The pause before the second attempt; it doubles after each. */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 1000 };

export interface ClientOptions {
  /** Share of the org's daily API requests the caller may use (default 100). */
  budgetPercent?: number;
  retry?: RetryPolicy;
  signal?: AbortSignal;
}

/** An HTTP failure of a raw call (Bulk API result pages), with Salesforce's own words. */
export class SalesforceHttpError extends Error {
  readonly status: number;
  readonly errorCode: string | null;
  constructor(status: number, errorCode: string | null, message: string) {
    super(message);
    this.name = 'SalesforceHttpError';
    this.status = status;
    this.errorCode = errorCode;
  }
}

function errorOf(status: number, body: string): SalesforceHttpError {
  try {
    const parsed = JSON.parse(body) as unknown;
    const first = (Array.isArray(parsed) ? parsed[0] : parsed) as { errorCode?: string; message?: string };
    if (first?.message) return new SalesforceHttpError(status, first.errorCode ?? null, first.message);
  } catch {
    // not JSON: the body is the message
  }
  return new SalesforceHttpError(status, `ERROR_HTTP_${status}`, body.slice(0, 500) || `HTTP ${status}`);
}

/**
 * One org's API as a run uses it: every call through jsforce (or, for Bulk API result pages whose
 * headers jsforce hides, plain HTTP) checked against the run's API budget, counted, retried with
 * backoff on 5xx and dropped connections when it is safe to repeat, and stopped cleanly on
 * REQUEST_LIMIT_EXCEEDED. Expired sessions are refreshed by the connection's refresh function —
 * by jsforce for its own calls, here for raw ones.
 */
export class SalesforceClient {
  readonly conn: Connection;
  readonly budget: ApiBudget;
  readonly retry: RetryPolicy;
  readonly signal: AbortSignal | undefined;
  apiCalls = 0;

  constructor(conn: Connection, options: ClientOptions = {}) {
    this.conn = conn;
    this.budget = new ApiBudget(options.budgetPercent ?? 100);
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.signal = options.signal;
  }

  get apiPath(): string {
    return `/services/data/v${this.conn.version}`;
  }

  #checkAborted() {
    if (this.signal?.aborted) throw new SalesforceStop('aborted', 'The run was interrupted (shutdown)');
  }

  #observeConnection() {
    const usage = this.conn.limitInfo?.apiUsage;
    if (usage) this.budget.observe(usage.used, usage.limit);
  }

  async #backoff(attempt: number) {
    await sleep(this.retry.baseDelayMs * 2 ** (attempt - 1), undefined, { signal: this.signal }).catch(() => {
      throw new SalesforceStop('aborted', 'The run was interrupted (shutdown)');
    });
  }

  /**
   * Runs one API call through jsforce. `idempotent: false` (a create) is never repeated after a
   * failure whose outcome is unknown: the caller decides what to do.
   */
  async call<T>(
    what: string,
    fn: (conn: Connection) => PromiseLike<T>,
    options: { idempotent?: boolean } = {},
  ): Promise<T> {
    const idempotent = options.idempotent ?? true;
    for (let attempt = 1; ; attempt++) {
      this.#checkAborted();
      this.budget.check(what);
      try {
        const result = await fn(this.conn);
        this.apiCalls++;
        this.#observeConnection();
        return result;
      } catch (error) {
        this.apiCalls++;
        this.#observeConnection();
        if (isRequestLimitExceeded(error)) throw requestLimitStop(what);
        if (idempotent && isTransient(error) && attempt < this.retry.attempts) {
          await this.#backoff(attempt);
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * A raw GET under the instance (Bulk API result pages: their Sforce-Locator header is the next
   * page). On 401 the session is refreshed once with the connection's own refresh function.
   */
  async fetchRaw(what: string, path: string, accept: string): Promise<Response> {
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      this.#checkAborted();
      this.budget.check(what);
      const sentAt = Date.now();
      let response: Response;
      try {
        response = await fetch(`${this.conn.instanceUrl}${path}`, {
          headers: {
            Authorization: `Bearer ${this.conn.accessToken}`,
            Accept: accept,
            'Accept-Encoding': 'gzip',
          },
          ...(this.signal ? { signal: this.signal } : {}),
        });
      } catch (error) {
        this.#checkAborted();
        if (attempt < this.retry.attempts) {
          await this.#backoff(attempt);
          continue;
        }
        throw error;
      }
      this.apiCalls++;
      this.budget.observeHeader(response.headers.get('sforce-limit-info'));
      if (response.ok) return response;
      const body = await response.text();
      const failure = errorOf(response.status, body);
      if (response.status === 401 && !refreshed && this.conn._refreshDelegate) {
        refreshed = true;
        await this.conn._refreshDelegate.refresh(sentAt);
        continue;
      }
      if (failure.errorCode === 'REQUEST_LIMIT_EXCEEDED') throw requestLimitStop(what);
      if (response.status >= 500 && attempt < this.retry.attempts) {
        await this.#backoff(attempt);
        continue;
      }
      throw failure;
    }
  }

  /** The org's daily API usage, read from /limits (one call), so the budget is known up front. */
  async readLimits() {
    const limits = await this.call('reading the org limits', (conn) => conn.limits());
    const daily = limits.DailyApiRequests;
    if (daily) this.budget.observe(daily.Max - daily.Remaining, daily.Max);
    return limits;
  }
}

export function requestLimitStop(what: string) {
  return new SalesforceStop(
    'request_limit',
    `Salesforce refused ${what} with REQUEST_LIMIT_EXCEEDED: the org's daily API allocation is used up. ` +
      'Nothing was loaded and the sync cursor did not move; the next run starts from the same point.',
  );
}

export { describeFailure };
