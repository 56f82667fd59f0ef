import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type EmulatedMessage, messageJson } from './twilio-emulator-messages.ts';

/** The emulator's HTTP plumbing: routes, request bodies, Basic credentials, list pages. */

/** `/2010-04-01/Accounts/{AccountSid}/Messages.json` and `…/Messages/{Sid}.json`. */
export const MESSAGE_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages(?:\/([^/]+?))?\.json$/;

const MAX_BODY_BYTES = 1024 * 1024;

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) request.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  if (!header?.startsWith('Basic ')) return null;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares secrets in constant time, whatever their lengths. */
export const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** Messages.json read: newest first, `To`/`From` filters, `PageSize`/`Page` paging, Twilio's page document. */
export function listPage(messages: readonly EmulatedMessage[], url: URL) {
  const to = url.searchParams.get('To');
  const from = url.searchParams.get('From');
  const pageSize = Math.min(1000, Math.max(1, Number(url.searchParams.get('PageSize') ?? 50) || 50));
  const page = Math.max(0, Number(url.searchParams.get('Page') ?? 0) || 0);
  const matching = messages.filter((m) => (!to || m.to === to) && (!from || m.from === from)).reverse();
  const slice = matching.slice(page * pageSize, (page + 1) * pageSize);
  const pageUri = (n: number) => `${url.pathname}?PageSize=${pageSize}&Page=${n}`;
  return {
    end: page * pageSize + Math.max(0, slice.length - 1),
    first_page_uri: pageUri(0),
    messages: slice.map(messageJson),
    next_page_uri: (page + 1) * pageSize < matching.length ? pageUri(page + 1) : null,
    page,
    page_size: pageSize,
    previous_page_uri: page > 0 ? pageUri(page - 1) : null,
    start: page * pageSize,
    uri: pageUri(page),
  };
}
