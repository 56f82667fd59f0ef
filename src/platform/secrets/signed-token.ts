import type { SecretBox } from './secret-box.ts';

/**
 * A self-contained, expiring capability: `<payload>.<keyId>.<mac>` where the payload is base64url
 * JSON. Used for URLs handed to other systems (a CRM page embedding a widget): nothing is stored,
 * the signature is the proof, and the expiry is inside what is signed.
 */
export function signToken(box: SecretBox, purpose: string, payload: object, expiresAt: Date): string {
  const body = Buffer.from(JSON.stringify({ ...payload, exp: Math.floor(expiresAt.getTime() / 1000) }));
  const encoded = body.toString('base64url');
  return `${encoded}.${box.sign(encoded, purpose)}`;
}

export type TokenCheck<T> =
  | { ok: true; payload: T & { exp: number } }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

export function verifyToken<T>(
  box: SecretBox,
  purpose: string,
  token: string,
  now = new Date(),
): TokenCheck<T> {
  const first = token.indexOf('.');
  if (first <= 0) return { ok: false, reason: 'malformed' };
  const encoded = token.slice(0, first);
  if (!box.verify(encoded, token.slice(first + 1), purpose)) return { ok: false, reason: 'bad_signature' };
  let payload: T & { exp: number };
  try {
    payload = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof payload?.exp !== 'number') return { ok: false, reason: 'malformed' };
  if (payload.exp * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, payload };
}
