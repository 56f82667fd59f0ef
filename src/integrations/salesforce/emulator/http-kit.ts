import type { IncomingMessage, ServerResponse } from 'node:http';

/** The emulator's HTTP plumbing: request bodies, replies, and errors that carry their reply. */

export interface Reply {
  status: number;
  /** JSON body (serialized with Salesforce's content type). */
  json?: unknown;
  /** Raw body with its own content type. */
  raw?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

/** An error that is already an HTTP answer (REST error arrays, OAuth errors …). */
export class ApiError extends Error {
  readonly reply: Reply;

  constructor(reply: Reply, message = 'Salesforce API error') {
    super(message);
    this.name = 'ApiError';
    this.reply = reply;
  }
}

export const JSON_TYPE = 'application/json;charset=UTF-8';

export const jsonReply = (status: number, json: unknown, headers?: Record<string, string>): Reply =>
  headers ? { status, json, headers } : { status, json };

export const noContent = (): Reply => ({ status: 204 });

/** Bulk CSV uploads may be large; REST bodies are not. */
const MAX_BODY_BYTES = 150 * 1024 * 1024;

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) request.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export function writeReply(response: ServerResponse, reply: Reply) {
  const headers: Record<string, string> = { ...reply.headers };
  let body: string | Buffer | undefined;
  if (reply.json !== undefined) {
    headers['content-type'] = JSON_TYPE;
    body = JSON.stringify(reply.json);
  } else if (reply.raw !== undefined) {
    if (reply.contentType) headers['content-type'] = reply.contentType;
    body = reply.raw;
  }
  if (body !== undefined && !headers['content-encoding'])
    headers['content-length'] = String(Buffer.byteLength(body));
  response.writeHead(reply.status, headers);
  response.end(body);
}

/** The first value of a header Node may give as an array. */
export const headerOf = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};
