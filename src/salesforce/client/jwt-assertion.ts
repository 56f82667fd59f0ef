import { createPrivateKey, sign } from 'node:crypto';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * The assertion of the OAuth 2.0 JWT bearer flow: RS256, iss = the connected app's consumer key,
 * sub = the username, aud = the login URL, valid three minutes (Salesforce's maximum).
 */
export function jwtAssertion(input: {
  clientId: string;
  username: string;
  loginUrl: string;
  privateKeyPem: string;
  nowMs?: number;
}): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const exp = Math.floor((input.nowMs ?? Date.now()) / 1000) + 180;
  const unsigned = `${encode({ alg: 'RS256' })}.${encode({
    iss: input.clientId,
    sub: input.username,
    aud: input.loginUrl.replace(/\/+$/, ''),
    exp,
  })}`;
  const key = createPrivateKey(input.privateKeyPem);
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url')}`;
}

/** A PEM private key that Node can read, or the reason it cannot. */
export function privateKeyProblem(pem: string): string | null {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === 'rsa' ? null : 'the JWT bearer flow signs with an RSA key';
  } catch {
    return 'not a PEM private key (-----BEGIN PRIVATE KEY----- …)';
  }
}
