import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Twilio signs every webhook (inbound messages, status callbacks) with the account's Auth Token
 * (never an API key secret): `X-Twilio-Signature` = base64(HMAC-SHA1(token, url + params)), where
 * url is the full URL Twilio was configured with (query string included) and params are the form
 * POST parameters sorted by name, each appended as name followed by value, without separators.
 * JSON-bodied webhooks instead carry `bodySHA256=<hex sha256 of the body>` in the signed URL.
 */

export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';

export type FormParams = URLSearchParams | Record<string, string | readonly string[]>;

function sortedPairs(params: FormParams): [string, string][] {
  const pairs: [string, string][] = [];
  if (params instanceof URLSearchParams) {
    for (const [name, value] of params) pairs.push([name, value]);
  } else {
    for (const [name, value] of Object.entries(params)) {
      for (const v of typeof value === 'string' ? [value] : value) pairs.push([name, v]);
    }
  }
  // A repeated parameter is signed once per value, values in order (as Twilio's own libraries do).
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return pairs.sort(([n1, v1], [n2, v2]) => order(n1, n2) || order(v1, v2));
}

/** The signature Twilio puts on a form POST (or a GET: pass no params) to `url`. */
export function twilioSignature(authToken: string, url: string, params: FormParams = {}): string {
  const data = sortedPairs(params).reduce((text, [name, value]) => text + name + value, url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** Hex SHA-256 of a JSON body, as Twilio puts it in the `bodySHA256` query parameter. */
export const twilioBodyHash = (body: string | Buffer) => createHash('sha256').update(body).digest('hex');

/** Compares without leaking, through timing, how much of the expected value matched. */
function safeEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b)) && a.length === b.length;
}

/**
 * The URLs Twilio may have signed for one request URL: behind a proxy the app sees it with or
 * without the port, and Twilio itself is not consistent about a default port (its libraries try
 * both), nor about percent-encoding the query (WHATWG normalisation, as twilio-node applies).
 */
function candidateUrls(url: string): string[] {
  const candidates = new Set([url]);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const userInfo = parsed.username
    ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ''}@`
    : '';
  const rest = `${parsed.pathname}${parsed.search}${parsed.hash}`;
  const defaultPort = parsed.protocol === 'https:' ? '443' : '80';
  candidates.add(parsed.toString());
  candidates.add(`${parsed.protocol}//${userInfo}${parsed.hostname}${rest}`);
  candidates.add(`${parsed.protocol}//${userInfo}${parsed.hostname}:${parsed.port || defaultPort}${rest}`);
  return [...candidates];
}

/** Checks `X-Twilio-Signature` on a form POST; `url` is the full public URL Twilio called. */
export function verifyTwilioSignature(input: {
  authToken: string;
  signature: string | undefined | null;
  url: string;
  params: FormParams;
}): boolean {
  const { authToken, signature, url, params } = input;
  if (!signature) return false;
  let valid = false;
  // Every candidate is computed and compared, so the time taken does not tell which one matched.
  for (const candidate of candidateUrls(url)) {
    if (safeEqual(twilioSignature(authToken, candidate, params), signature)) valid = true;
  }
  return valid;
}

/** Checks a JSON-bodied webhook: the signature covers the URL (with `bodySHA256`), the hash the body. */
export function verifyTwilioJsonSignature(input: {
  authToken: string;
  signature: string | undefined | null;
  url: string;
  body: string | Buffer;
}): boolean {
  const { authToken, signature, url, body } = input;
  let declaredHash: string | null;
  try {
    declaredHash = new URL(url).searchParams.get('bodySHA256');
  } catch {
    return false;
  }
  if (!declaredHash) return false;
  const urlValid = verifyTwilioSignature({ authToken, signature, url, params: {} });
  const bodyValid = safeEqual(twilioBodyHash(body), declaredHash.toLowerCase());
  return urlValid && bodyValid;
}

/**
 * Checks any Twilio webhook from its raw parts: a URL carrying `bodySHA256` is the JSON variant,
 * anything else a form POST whose raw body is `application/x-www-form-urlencoded`.
 */
export function verifyTwilioRequest(input: {
  authToken: string;
  signature: string | undefined | null;
  url: string;
  rawBody: string;
}): boolean {
  const { authToken, signature, url, rawBody } = input;
  if (url.includes('bodySHA256='))
    return verifyTwilioJsonSignature({ authToken, signature, url, body: rawBody });
  return verifyTwilioSignature({ authToken, signature, url, params: new URLSearchParams(rawBody) });
}
