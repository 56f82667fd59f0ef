import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { ConnectedApp } from './connected-app.ts';
import { ApiError, jsonReply, type Reply } from './http-kit.ts';
import { checkJwtAssertion, publicKeyOf } from './jwt-assertion.ts';
import { identity, userInfo } from './oauth-identity.ts';
import type { Org } from './org.ts';
import type { StoredRecord } from './record-store.ts';
import { sameSecret } from './secrets.ts';
import type { Session, Sessions } from './sessions.ts';

/**
 * The OAuth 2.0 endpoints of /services/oauth2: authorize (web server flow, PKCE optional),
 * token (authorization_code, refresh_token, password, client_credentials and the JWT bearer
 * grant), revoke and userinfo; and the identity URL /id/{orgId}/{userId}. Errors are Salesforce's
 * `{"error": …, "error_description": …}`.
 */

export interface OAuthDeps {
  org: Org;
  app: ConnectedApp;
  sessions: Sessions;
  /** The emulator's base URL: login URL and instance URL at once. */
  url: () => string;
}

interface PendingCode {
  userId: string;
  redirectUri: string;
  codeChallenge: string | null;
  expiresAt: number;
}

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CODE_LIFETIME_MS = 15 * 60_000;

const oauthError = (error: string, description: string, status = 400) =>
  new ApiError(jsonReply(status, { error, error_description: description }), `${error}: ${description}`);

const base64Url = (buffer: Buffer) => buffer.toString('base64url');

export function createOAuth(deps: OAuthDeps) {
  const { org, app, sessions } = deps;
  const codes = new Map<string, PendingCode>();
  const jwtKey = app.jwtCertificate ? publicKeyOf(app.jwtCertificate) : null;
  const identityUrl = (userId: string) => `${deps.url()}/id/${org.id}/${userId}`;

  function activeUser(userId: string): StoredRecord | null {
    const user = org.store.get(org.object('User'), userId);
    return user?.IsActive ? user : null;
  }

  function tokenResponse(
    session: Session,
    options: { refreshToken?: string; signed: boolean; issuedAt: boolean },
  ) {
    const id = identityUrl(session.userId);
    const issuedAt = String(session.issuedAt);
    const body: Record<string, unknown> = { access_token: session.token };
    if (options.refreshToken) body.refresh_token = options.refreshToken;
    if (options.signed) {
      body.signature = createHmac('sha256', app.clientSecret)
        .update(id + issuedAt)
        .digest('base64');
    }
    body.scope = session.scope;
    body.instance_url = deps.url();
    body.id = id;
    body.token_type = 'Bearer';
    if (options.issuedAt) body.issued_at = issuedAt;
    return jsonReply(200, body);
  }

  /** The client's credentials, from the form or a Basic header; errors as Salesforce words them. */
  function authenticateClient(
    params: URLSearchParams,
    authorization: string | undefined,
    secretRequired: boolean,
  ) {
    let clientId = params.get('client_id');
    let clientSecret = params.get('client_secret');
    if (authorization?.startsWith('Basic ')) {
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      clientId = decodeURIComponent(decoded.slice(0, colon));
      clientSecret = decodeURIComponent(decoded.slice(colon + 1));
    }
    if (clientId !== app.clientId) throw oauthError('invalid_client_id', 'client identifier invalid');
    if (clientSecret === null ? secretRequired : !sameSecret(clientSecret, app.clientSecret)) {
      throw oauthError('invalid_client', 'invalid client credentials');
    }
  }

  function callbackAllowed(uri: string) {
    if (app.callbackUrls.length > 0) return app.callbackUrls.includes(uri);
    return /^https?:\/\//.test(uri);
  }

  function authorize(url: URL): Reply {
    const params = url.searchParams;
    if (params.get('client_id') !== app.clientId)
      throw oauthError('invalid_client_id', 'client identifier invalid');
    const redirectUri = params.get('redirect_uri') ?? '';
    if (!callbackAllowed(redirectUri))
      throw oauthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
    const target = new URL(redirectUri);
    const state = params.get('state');
    if (params.get('response_type') !== 'code') {
      target.searchParams.set('error', 'unsupported_response_type');
      target.searchParams.set('error_description', 'response type not supported');
    } else {
      const hint = params.get('login_hint');
      const user = (hint && org.userByUsername(hint)) || org.store.get(org.object('User'), org.apiUserId)!;
      const code = `aPrx${base64Url(randomBytes(60))}`;
      codes.set(code, {
        userId: user.Id,
        redirectUri,
        codeChallenge: params.get('code_challenge'),
        expiresAt: org.now() + CODE_LIFETIME_MS,
      });
      target.searchParams.set('code', code);
    }
    if (state !== null) target.searchParams.set('state', state);
    return { status: 302, headers: { location: target.toString() } };
  }

  function authorizationCode(params: URLSearchParams, authorization: string | undefined): Reply {
    authenticateClient(params, authorization, true);
    const code = params.get('code') ?? '';
    const pending = codes.get(code);
    if (!pending) throw oauthError('invalid_grant', 'invalid authorization code');
    codes.delete(code);
    if (pending.expiresAt < org.now()) throw oauthError('invalid_grant', 'expired authorization code');
    if (params.get('redirect_uri') !== pending.redirectUri) {
      throw oauthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
    }
    if (pending.codeChallenge) {
      const verifier = params.get('code_verifier');
      if (!verifier) throw oauthError('invalid_grant', 'invalid code verifier');
      const challenge = base64Url(createHash('sha256').update(verifier).digest());
      if (challenge !== pending.codeChallenge) throw oauthError('invalid_grant', 'invalid code verifier');
    }
    const refresh = sessions.issueRefreshToken({
      userId: pending.userId,
      clientId: app.clientId,
      scope: app.scope,
    });
    const session = sessions.issue({
      userId: pending.userId,
      clientId: app.clientId,
      scope: app.scope,
      refreshToken: refresh.token,
    });
    return tokenResponse(session, { refreshToken: refresh.token, signed: true, issuedAt: true });
  }

  function refreshToken(params: URLSearchParams, authorization: string | undefined): Reply {
    authenticateClient(params, authorization, false);
    const grant = sessions.refreshGrant(params.get('refresh_token') ?? '');
    if (!grant || !activeUser(grant.userId))
      throw oauthError('invalid_grant', 'expired access/refresh token');
    const session = sessions.issue({
      userId: grant.userId,
      clientId: app.clientId,
      scope: grant.scope,
      refreshToken: grant.token,
    });
    return tokenResponse(session, { signed: true, issuedAt: true });
  }

  function password(params: URLSearchParams, authorization: string | undefined): Reply {
    authenticateClient(params, authorization, true);
    const user = org.userByUsername(params.get('username') ?? '');
    if (!user?.IsActive || !org.checkPassword(user.Id, params.get('password') ?? '')) {
      throw oauthError('invalid_grant', 'authentication failure');
    }
    const session = sessions.issue({ userId: user.Id, clientId: app.clientId, scope: app.scope });
    return tokenResponse(session, { signed: true, issuedAt: true });
  }

  function clientCredentials(params: URLSearchParams, authorization: string | undefined): Reply {
    authenticateClient(params, authorization, true);
    if (app.clientCredentialsUser === null)
      throw oauthError('invalid_grant', 'no client credentials user enabled');
    const user = app.clientCredentialsUser
      ? org.userByUsername(app.clientCredentialsUser)
      : org.store.get(org.object('User'), org.apiUserId);
    if (!user?.IsActive) throw oauthError('invalid_grant', 'no client credentials user enabled');
    const session = sessions.issue({ userId: user.Id, clientId: app.clientId, scope: 'api' });
    return tokenResponse(session, { signed: true, issuedAt: true });
  }

  function jwtBearer(params: URLSearchParams): Reply {
    const check = checkJwtAssertion(params.get('assertion') ?? '', {
      clientId: app.clientId,
      audiences: [deps.url(), 'https://login.salesforce.com', 'https://test.salesforce.com'],
      key: jwtKey,
      nowMs: org.now(),
    });
    if (!check.ok) throw oauthError(check.error, check.description);
    const user = org.userByUsername(check.claims.sub);
    if (!user?.IsActive) throw oauthError('invalid_grant', 'invalid assertion');
    if (app.jwtUsers && !app.jwtUsers.some((u) => u.toLowerCase() === String(user.Username).toLowerCase())) {
      throw oauthError('invalid_grant', "user hasn't approved this consumer");
    }
    const session = sessions.issue({
      userId: user.Id,
      clientId: app.clientId,
      scope: app.scope.replace(/\s*refresh_token\s*/, ' ').trim(),
    });
    return tokenResponse(session, { signed: false, issuedAt: false });
  }

  function token(method: string, url: URL, body: string, authorization: string | undefined): Reply {
    if (method !== 'POST') throw oauthError('invalid_request', 'must use HTTP POST');
    const params = new URLSearchParams(body);
    for (const [key, value] of url.searchParams) if (!params.has(key)) params.set(key, value);
    switch (params.get('grant_type')) {
      case 'authorization_code':
        return authorizationCode(params, authorization);
      case 'refresh_token':
        return refreshToken(params, authorization);
      case 'password':
        return password(params, authorization);
      case 'client_credentials':
        return clientCredentials(params, authorization);
      case JWT_GRANT:
        return jwtBearer(params);
      default:
        throw oauthError('unsupported_grant_type', 'grant type not supported');
    }
  }

  function revoke(url: URL, body: string): Reply {
    const token = new URLSearchParams(body).get('token') ?? url.searchParams.get('token') ?? '';
    if (!sessions.revoke(token))
      throw oauthError('unsupported_token_type', 'this token type is not supported');
    return { status: 200 };
  }

  function bearerSession(authorization: string | undefined, url: URL): Session | null {
    const token = authorization?.startsWith('Bearer ')
      ? authorization.slice(7)
      : url.searchParams.get('oauth_token');
    return token ? sessions.use(token) : null;
  }

  function handle(method: string, url: URL, body: string, authorization: string | undefined): Reply | null {
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/services/oauth2/authorize') return authorize(url);
    if (path === '/services/oauth2/token') return token(method, url, body, authorization);
    if (path === '/services/oauth2/revoke') return revoke(url, body);
    if (path === '/services/oauth2/userinfo') {
      const session = bearerSession(authorization, url);
      const user = session && activeUser(session.userId);
      if (!user) return { status: 403, raw: 'Bad_OAuth_Token', contentType: 'text/plain' };
      return jsonReply(200, userInfo(org, user, deps.url()));
    }
    const m = /^\/id\/([A-Za-z0-9]{15,18})\/([A-Za-z0-9]{15,18})$/.exec(path);
    if (m) {
      const session = bearerSession(authorization, url);
      const user = session && activeUser(session.userId);
      if (!user) return { status: 403, raw: 'Bad_OAuth_Token', contentType: 'text/plain' };
      if (m[2] !== user.Id && m[2] !== user.Id.slice(0, 15))
        return { status: 403, raw: 'Bad_Id', contentType: 'text/plain' };
      return jsonReply(200, identity(org, user, deps.url()));
    }
    return null;
  }

  return { handle };
}
