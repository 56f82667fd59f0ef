import { createPublicKey, type KeyObject, verify, X509Certificate } from 'node:crypto';

/**
 * Checks the assertion of the OAuth 2.0 JWT bearer flow as Salesforce does: an RS256 JWT signed
 * by the key of the certificate uploaded to the connected app, iss = the consumer key, sub = the
 * username, aud = the login URL, and exp not passed. Failures carry Salesforce's OAuth error.
 */

export interface JwtClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
}

export type JwtCheck = { ok: true; claims: JwtClaims } | { ok: false; error: string; description: string };

/** The public key of a PEM certificate (as uploaded to a connected app) or of a PEM public key. */
export function publicKeyOf(pem: string): KeyObject {
  return pem.includes('BEGIN CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
}

const fromBase64Url = (part: string) => Buffer.from(part, 'base64url');

/** Salesforce tolerates a few minutes of clock skew on exp. */
const SKEW_SECONDS = 180;

export function checkJwtAssertion(
  assertion: string,
  expected: { clientId: string; audiences: string[]; key: KeyObject | null; nowMs: number },
): JwtCheck {
  const invalid = { ok: false as const, error: 'invalid_grant', description: 'invalid assertion' };
  const parts = assertion.split('.');
  if (parts.length !== 3 || !expected.key) return invalid;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: { alg?: unknown };
  let claims: Partial<JwtClaims>;
  try {
    header = JSON.parse(fromBase64Url(headerPart).toString('utf8'));
    claims = JSON.parse(fromBase64Url(payloadPart).toString('utf8'));
  } catch {
    return invalid;
  }
  if (header.alg !== 'RS256') return invalid;
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${headerPart}.${payloadPart}`),
    expected.key,
    fromBase64Url(signaturePart),
  );
  if (!signed) return invalid;
  if (claims.iss !== expected.clientId)
    return { ok: false, error: 'invalid_client_id', description: 'client identifier invalid' };
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const normalize = (url: unknown) => String(url).replace(/\/+$/, '');
  if (!audiences.some((a) => expected.audiences.map(normalize).includes(normalize(a)))) {
    return { ok: false, error: 'invalid_grant', description: 'audience is invalid' };
  }
  if (typeof claims.exp !== 'number' || claims.exp + SKEW_SECONDS < expected.nowMs / 1000) {
    return { ok: false, error: 'invalid_grant', description: 'expired authorization code' };
  }
  if (typeof claims.sub !== 'string' || !claims.sub) return invalid;
  return { ok: true, claims: claims as JwtClaims };
}
