import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { Connection, OAuth2 } from '@jsforce/jsforce-node';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SalesforceEmulator, startSalesforceEmulator } from './salesforce-emulator.ts';

/** The OAuth 2.0 flows production uses, driven by jsforce's OAuth2 and Connection. */

const REDIRECT_URI = 'http://localhost:3000/integrations/salesforce/callback';
const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

let emulator: SalesforceEmulator;
let privateKey: KeyObject;

beforeAll(async () => {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  privateKey = keys.privateKey;
  const pems = await generate([{ name: 'commonName', value: 'rapport-jwt' }], {
    keyPair: {
      privateKey: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKey: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    },
  });
  emulator = await startSalesforceEmulator({
    connectedApp: { callbackUrls: [REDIRECT_URI], jwtCertificate: pems.cert },
  });
});

afterAll(() => emulator.close());

const oauth2 = (extra: { useVerifier?: boolean } = {}) =>
  new OAuth2({
    loginUrl: emulator.loginUrl,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    redirectUri: REDIRECT_URI,
    ...extra,
  });

/** Follows the authorize redirect as the user's browser would, and returns the callback's query. */
async function authorize(client: OAuth2, state = 'state-123') {
  const response = await fetch(client.getAuthorizationUrl({ state, scope: 'api refresh_token' }), {
    redirect: 'manual',
  });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
  return location.searchParams;
}

function assertion(claims: Record<string, unknown>, key: KeyObject = privateKey) {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256' })}.${encode(claims)}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url')}`;
}

describe('web server flow', () => {
  it('exchanges the code (with PKCE) for tokens whose signature Salesforce computes', async () => {
    const client = oauth2({ useVerifier: true });
    const callback = await authorize(client);
    expect(callback.get('state')).toBe('state-123');
    const token = await client.requestToken(callback.get('code')!);
    expect(token).toEqual({
      access_token: expect.stringMatching(new RegExp(`^${emulator.orgId.slice(0, 15)}!AQ`)),
      refresh_token: expect.stringMatching(/^5Aep861/),
      signature: expect.any(String),
      scope: 'api refresh_token',
      instance_url: emulator.instanceUrl,
      id: `${emulator.loginUrl}/id/${emulator.orgId}/${emulator.apiUserId}`,
      token_type: 'Bearer',
      issued_at: expect.stringMatching(/^\d{13}$/),
    });
    const expected = createHmac('sha256', emulator.clientSecret)
      .update(token.id + token.issued_at)
      .digest('base64');
    expect(token.signature).toBe(expected);

    const conn = new Connection({
      instanceUrl: token.instance_url,
      accessToken: token.access_token,
      version: '62.0',
    });
    expect((await conn.query('SELECT COUNT() FROM User')).totalSize).toBe(1);
    const identity = await conn.identity();
    expect(identity).toMatchObject({
      user_id: emulator.apiUserId,
      organization_id: emulator.orgId,
      username: emulator.username,
    });
  });

  it('refuses a reused code, a wrong verifier, a wrong secret and an unknown callback', async () => {
    const client = oauth2({ useVerifier: true });
    const code = (await authorize(client)).get('code')!;
    await client.requestToken(code);
    await expect(client.requestToken(code)).rejects.toMatchObject({
      name: 'invalid_grant',
      message: 'invalid authorization code',
    });

    const other = (await authorize(client)).get('code')!;
    client.codeVerifier = 'not-the-verifier';
    await expect(client.requestToken(other)).rejects.toMatchObject({
      name: 'invalid_grant',
      message: 'invalid code verifier',
    });

    const wrongSecret = new OAuth2({
      loginUrl: emulator.loginUrl,
      clientId: emulator.clientId,
      clientSecret: 'nope',
      redirectUri: REDIRECT_URI,
    });
    const third = (await authorize(wrongSecret)).get('code')!;
    await expect(wrongSecret.requestToken(third)).rejects.toMatchObject({
      name: 'invalid_client',
      message: 'invalid client credentials',
    });

    const elsewhere = new OAuth2({
      loginUrl: emulator.loginUrl,
      clientId: emulator.clientId,
      redirectUri: 'https://evil.example.com/cb',
    });
    const refused = await fetch(elsewhere.getAuthorizationUrl(), { redirect: 'manual' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: 'redirect_uri_mismatch',
      error_description: 'redirect_uri must match configuration',
    });
  });

  it('refreshes an expired session on its own, and fails once the refresh token is revoked', async () => {
    const client = oauth2();
    const conn = new Connection({ oauth2: client, version: '62.0' });
    await conn.authorize((await authorize(client)).get('code')!);
    const refreshed: string[] = [];
    conn.on('refresh', (accessToken: string) => refreshed.push(accessToken));
    const firstToken = conn.accessToken;

    emulator.expireSessions();
    const result = await conn.query('SELECT Id FROM User');
    expect(result.totalSize).toBe(1);
    expect(refreshed).toHaveLength(1);
    expect(conn.accessToken).not.toBe(firstToken);
    const statuses = emulator
      .requests()
      .slice(-3)
      .map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(statuses).toEqual([
      'GET /services/data/v62.0/query 401',
      'POST /services/oauth2/token 200',
      'GET /services/data/v62.0/query 200',
    ]);

    await client.revokeToken(conn.refreshToken!);
    await expect(conn.query('SELECT Id FROM User')).rejects.toThrow(
      'Unable to refresh session due to: expired access/refresh token',
    );
  });
});

describe('other grants', () => {
  it('logs in with username and password (+ security token)', async () => {
    const conn = new Connection({ oauth2: oauth2(), version: '62.0' });
    const info = await conn.login(emulator.username, emulator.password + emulator.securityToken);
    expect(info).toMatchObject({ id: emulator.apiUserId, organizationId: emulator.orgId });
    const bad = new Connection({ oauth2: oauth2(), version: '62.0' });
    await expect(bad.login(emulator.username, 'wrong')).rejects.toMatchObject({
      name: 'invalid_grant',
      message: 'authentication failure',
    });
  });

  it('runs client credentials as the run-as user, without a refresh token', async () => {
    const client = oauth2();
    const refreshFn = async (c: Connection, callback: (err: Error | null, token?: string) => void) => {
      try {
        const res = await c.oauth2.requestToken({ grant_type: 'client_credentials' });
        callback(null, res.access_token);
      } catch (error) {
        callback(error as Error);
      }
    };
    const conn = new Connection({ oauth2: client, version: '62.0', refreshFn });
    await conn.authorize({ grant_type: 'client_credentials' });
    expect(conn.refreshToken).toBeUndefined();
    expect(conn.instanceUrl).toBe(emulator.instanceUrl);
    emulator.expireSessions();
    expect((await conn.query('SELECT COUNT() FROM User')).totalSize).toBe(1);
    await expect(
      new OAuth2({ loginUrl: emulator.loginUrl, clientId: 'someone-else', clientSecret: 'x' }).requestToken({
        grant_type: 'client_credentials',
      }),
    ).rejects.toMatchObject({ name: 'invalid_client_id', message: 'client identifier invalid' });
  });

  it('verifies JWT bearer assertions against the connected app certificate', async () => {
    const claims = {
      iss: emulator.clientId,
      sub: emulator.username,
      aud: 'https://login.salesforce.com',
      exp: Math.floor(Date.now() / 1000) + 180,
    };
    const conn = new Connection({ oauth2: oauth2(), version: '62.0' });
    await conn.authorize({ grant_type: JWT_GRANT, assertion: assertion(claims) });
    expect(conn.refreshToken).toBeUndefined();
    expect((await conn.query('SELECT COUNT() FROM User')).totalSize).toBe(1);

    const client = oauth2();
    const reject = (a: string) => client.requestToken({ grant_type: JWT_GRANT, assertion: a });
    await expect(reject(assertion({ ...claims, aud: 'https://example.com' }))).rejects.toMatchObject({
      name: 'invalid_grant',
      message: 'audience is invalid',
    });
    await expect(
      reject(assertion({ ...claims, exp: Math.floor(Date.now() / 1000) - 3600 })),
    ).rejects.toMatchObject({
      name: 'invalid_grant',
      message: 'expired authorization code',
    });
    await expect(reject(assertion({ ...claims, iss: 'another-app' }))).rejects.toMatchObject({
      name: 'invalid_client_id',
    });
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    await expect(reject(assertion(claims, stranger))).rejects.toMatchObject({
      name: 'invalid_grant',
      message: 'invalid assertion',
    });
    await expect(reject(assertion({ ...claims, sub: 'nobody@example.com' }))).rejects.toMatchObject({
      name: 'invalid_grant',
    });
  });

  it('answers an unknown grant type and serves userinfo', async () => {
    await expect(oauth2().requestToken({ grant_type: 'magic' })).rejects.toMatchObject({
      name: 'unsupported_grant_type',
      message: 'grant type not supported',
    });
    const response = await fetch(`${emulator.loginUrl}/services/oauth2/userinfo`, {
      headers: { Authorization: `Bearer ${emulator.issueAccessToken()}` },
    });
    expect(await response.json()).toMatchObject({
      user_id: emulator.apiUserId,
      preferred_username: emulator.username,
    });
  });
});
