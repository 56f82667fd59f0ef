import { createHash } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ZodError } from 'zod';
import { AppError } from '../errors.ts';
import { describeIssues } from '../http/error-handler.ts';
import type { Logger } from '../logger.ts';

/**
 * While `rapport start` holds the embedded database, other `rapport …` commands cannot open it.
 * They send their operation here instead: a Unix socket in the data folder, readable only by the
 * user who owns that folder (who could read the database files anyway).
 */
export type ControlHandler = (operation: string, input: unknown) => Promise<unknown>;

export interface ControlReply {
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string; details: unknown };
}

/** Unix socket paths are limited to ~107 bytes: fall back to the temp folder for deep data folders. */
export function controlSocketPath(dataDir: string): string {
  const preferred = path.join(dataDir, 'control.sock');
  if (Buffer.byteLength(preferred) < 100) return preferred;
  const digest = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return path.join(tmpdir(), `rapport-${digest}.sock`);
}

async function readBody(request: IncomingMessage, limit = 10 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new AppError(413, 'payload_too_large', 'Control request too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startControlServer(
  socketPath: string,
  handler: ControlHandler,
  logger: Logger,
): Promise<Server> {
  rmSync(socketPath, { force: true }); // left by a crashed process; we hold the data-folder lock
  const server = createServer(async (request, response) => {
    const send = (status: number, reply: ControlReply) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(reply));
    };
    const operation = decodeURIComponent((request.url ?? '').replace(/^\/operations\//, ''));
    try {
      if (request.method !== 'POST' || !request.url?.startsWith('/operations/')) {
        throw new AppError(404, 'not_found', 'POST /operations/<name>');
      }
      const body = await readBody(request);
      const result = await handler(operation, body ? JSON.parse(body) : {});
      send(200, { ok: true, result });
    } catch (error) {
      if (error instanceof AppError) {
        send(error.status, {
          ok: false,
          error: { code: error.code, message: error.message, details: error.details },
        });
      } else if (error instanceof ZodError) {
        send(400, {
          ok: false,
          error: {
            code: 'validation_failed',
            message: 'The input is not valid',
            details: describeIssues(error.issues),
          },
        });
      } else {
        logger.error({ err: error, operation }, 'control operation failed');
        send(500, {
          ok: false,
          error: { code: 'internal_error', message: (error as Error).message, details: null },
        });
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);
  return server;
}

export async function stopControlServer(server: Server, socketPath: string): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(socketPath, { force: true });
}
