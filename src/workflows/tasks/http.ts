import { createHmac, timingSafeEqual } from 'node:crypto';
import { PermanentTaskError, type TaskContext } from './task-type.ts';

/**
 * Posting to another system's webhook (Slack, Teams, any HTTP endpoint). A 2xx is done; 408, 429
 * and 5xx answers and network failures are retried with backoff; other 4xx answers fail the task
 * at once (the URL or the payload is wrong, and will stay wrong). Every request carries the task's
 * idempotency key as `X-Rapport-Delivery` / `Idempotency-Key`, the same on each attempt, so a
 * receiver that keeps them can drop a repeat.
 */

export const SIGNATURE_HEADER = 'x-rapport-signature';
export const TIMESTAMP_HEADER = 'x-rapport-timestamp';
export const DELIVERY_HEADER = 'x-rapport-delivery';

export interface Delivery {
  status: number;
  body: string;
  /** An earlier attempt was cut off while its request was out: the receiver may have it twice. */
  resentAfterInterruption: boolean;
}

/**
 * Signs a body as Rapport's webhooks do: HMAC-SHA256 of `<timestamp>.<body>` with the shared
 * secret, hex; header `X-Rapport-Signature: t=<unix seconds>,v1=<hex>`. Signing the timestamp
 * lets a receiver refuse old requests (replays).
 */
export function signWebhook(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** What a receiver checks: the signature matches and the timestamp is within `toleranceSeconds`. */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string,
  options: { toleranceSeconds?: number; now?: Date } = {},
): { ok: true; timestamp: number } | { ok: false; reason: string } {
  if (!header) return { ok: false, reason: 'no signature header' };
  const parts = Object.fromEntries(
    header.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()];
    }),
  );
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !parts.v1) return { ok: false, reason: 'malformed signature header' };
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300))
    return { ok: false, reason: 'timestamp too old or in the future' };
  const expected = Buffer.from(signWebhook(secret, body, timestamp).split('v1=')[1]!, 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature mismatch' };
  return { ok: true, timestamp };
}

export async function deliver(
  ctx: TaskContext,
  request: {
    url: string;
    method?: string;
    body: string;
    headers?: Record<string, string>;
    timeoutSeconds?: number;
    secret?: string;
  },
): Promise<Delivery> {
  const resent = typeof ctx.checkpoint?.sendingSince === 'string';
  await ctx.saveCheckpoint({ sendingSince: new Date().toISOString() });
  const timestamp = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Rapport-Workflows/1',
    [DELIVERY_HEADER]: ctx.idempotencyKey,
    'idempotency-key': ctx.idempotencyKey,
    ...(request.headers ?? {}),
  };
  if (request.secret) {
    headers[TIMESTAMP_HEADER] = String(timestamp);
    headers[SIGNATURE_HEADER] = signWebhook(request.secret, request.body, timestamp);
  }
  const timeout = AbortSignal.timeout((request.timeoutSeconds ?? 15) * 1000);
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method ?? 'POST',
      headers,
      body: request.body,
      redirect: 'error',
      signal: AbortSignal.any([timeout, ctx.signal]),
    });
  } catch (error) {
    await ctx.saveCheckpoint({});
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new Error(`${new URL(request.url).host} did not answer: ${cause ?? (error as Error).message}`);
  }
  // Answered: only a crash between sending and this point leaves the request in doubt.
  await ctx.saveCheckpoint({});
  const text = (await response.text().catch(() => '')).slice(0, 2000);
  if (response.ok) return { status: response.status, body: text, resentAfterInterruption: resent };
  const message = `${new URL(request.url).host} answered ${response.status}${text ? `: ${text.slice(0, 300)}` : ''}`;
  if (response.status === 408 || response.status === 429 || response.status >= 500) throw new Error(message);
  throw new PermanentTaskError(message);
}
