import { createServer, type IncomingHttpHeaders } from 'node:http';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
  at: number;
}

export interface HttpReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Answers for the next requests, in order (then 200 "ok"). */
  respondWith(...answers: { status: number; body?: string; delayMs?: number }[]): void;
  /** Answers for the next requests to this path only. */
  respondTo(path: string, ...answers: { status: number; body?: string; delayMs?: number }[]): void;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 that keeps every request (a Slack or Teams incoming webhook, a
 * customer's endpoint), answering 200 "ok" unless told to misbehave.
 */
export async function startHttpReceiver(): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const answers: { status: number; body?: string; delayMs?: number }[] = [];
  const byPath = new Map<string, { status: number; body?: string; delayMs?: number }[]>();
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = body ? JSON.parse(body) : null;
      } catch {
        json = null;
      }
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        json,
        at: Date.now(),
      });
      for (const wake of waiters) wake();
      const answer = byPath.get(req.url ?? '')?.shift() ?? answers.shift() ?? { status: 200, body: 'ok' };
      setTimeout(() => {
        res.writeHead(answer.status, { 'content-type': 'text/plain' });
        res.end(answer.body ?? (answer.status < 300 ? 'ok' : 'error'));
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    respondWith: (...given) => {
      answers.push(...given);
    },
    respondTo: (path, ...given) => {
      byPath.set(path, [...(byPath.get(path) ?? []), ...given]);
    },
    waitFor(count, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length >= count) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(requests);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${count} requests (got ${requests.length})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
