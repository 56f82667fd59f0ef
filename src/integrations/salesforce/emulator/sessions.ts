import { randomBytes } from 'node:crypto';

/**
 * OAuth access and refresh tokens. Access tokens look like Salesforce's (`<15-char org Id>!AQ…`)
 * and lapse after the session timeout of inactivity, as a Salesforce session does; revoking a
 * refresh token revokes the access tokens issued from it.
 */

export interface Session {
  token: string;
  userId: string;
  clientId: string;
  scope: string;
  issuedAt: number;
  lastUsed: number;
  refreshToken: string | null;
}

export interface RefreshGrant {
  token: string;
  userId: string;
  clientId: string;
  scope: string;
}

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._';

function randomToken(length: number) {
  const bytes = randomBytes(length);
  let text = '';
  for (const byte of bytes) text += TOKEN_ALPHABET[byte % TOKEN_ALPHABET.length];
  return text;
}

export function createSessions(options: { orgId: string; now: () => number; timeoutMs: number }) {
  const sessions = new Map<string, Session>();
  const refreshGrants = new Map<string, RefreshGrant>();
  let timeoutMs = options.timeoutMs;

  return {
    issue(grant: { userId: string; clientId: string; scope: string; refreshToken?: string | null }): Session {
      const now = options.now();
      const session: Session = {
        token: `${options.orgId.slice(0, 15)}!AQ${randomToken(94)}`,
        userId: grant.userId,
        clientId: grant.clientId,
        scope: grant.scope,
        issuedAt: now,
        lastUsed: now,
        refreshToken: grant.refreshToken ?? null,
      };
      sessions.set(session.token, session);
      return session;
    },
    issueRefreshToken(grant: Omit<RefreshGrant, 'token'>): RefreshGrant {
      const refresh = { ...grant, token: `5Aep861${randomToken(80)}` };
      refreshGrants.set(refresh.token, refresh);
      return refresh;
    },
    refreshGrant: (token: string) => refreshGrants.get(token),
    /** The live session of a bearer token; using it keeps it alive. */
    use(token: string): Session | null {
      const session = sessions.get(token);
      if (!session) return null;
      const now = options.now();
      if (now - session.lastUsed > timeoutMs) {
        sessions.delete(token);
        return null;
      }
      session.lastUsed = now;
      return session;
    },
    /** Ends a session as a timeout would (the token is then refused with INVALID_SESSION_ID). */
    expire(token: string) {
      sessions.delete(token);
    },
    expireAll() {
      sessions.clear();
    },
    /** /services/oauth2/revoke: an access token, or a refresh token and everything issued from it. */
    revoke(token: string): boolean {
      if (sessions.delete(token)) return true;
      if (!refreshGrants.delete(token)) return false;
      for (const [key, session] of sessions) if (session.refreshToken === token) sessions.delete(key);
      return true;
    },
    setTimeout(ms: number) {
      timeoutMs = ms;
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
