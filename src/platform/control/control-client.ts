import { request } from 'node:http';
import { AppError } from '../errors.ts';
import type { ControlReply } from './control-server.ts';

/** Runs an operation inside the running server that holds the data folder. */
export function callControl(socketPath: string, operation: string, input: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        path: `/operations/${encodeURIComponent(operation)}`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            const reply = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ControlReply;
            if (reply.ok) resolve(reply.result);
            else
              reject(
                new AppError(
                  res.statusCode ?? 500,
                  reply.error!.code,
                  reply.error!.message,
                  reply.error!.details,
                ),
              );
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('error', (error) =>
      reject(new Error(`Could not reach the running Rapport server at ${socketPath}: ${error.message}`)),
    );
    req.end(JSON.stringify(input ?? {}));
  });
}
