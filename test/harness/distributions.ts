import { createServer } from 'node:net';
import type { TestApp } from './test-app.ts';

/** Helpers shared by the distribution tests (src/distributions/*.test.ts). */

export type Auth = { authorization: string };
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** `/api/v1` calls through app.inject with a bearer token. */
export function apiOf(t: () => TestApp) {
  return (method: Method, url: string, auth: Auth, payload?: unknown) =>
    t().app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: auth.authorization },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
}

export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP port free right now on 127.0.0.1 (for an app that must know its own URL before it listens). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

/**
 * Jobs of a queue waiting for their retry: the backoff is real (15 s and more for the send jobs),
 * so a test checks it was scheduled, then brings it forward rather than sleeping through it.
 */
export async function retriesOf(t: TestApp, queue: string) {
  return t.runtime.db.query<{ id: string; retry_count: number; wait_seconds: number }>(
    `SELECT id::text, retry_count, extract(epoch FROM start_after - now())::float AS wait_seconds
     FROM pgboss.job WHERE name = $1 AND state = 'retry' ORDER BY created_on`,
    [queue],
  );
}

export async function runRetriesNow(t: TestApp, queue: string) {
  await t.runtime.db.query(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND state = 'retry'`, [
    queue,
  ]);
}
