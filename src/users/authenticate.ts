import type { FastifyRequest } from 'fastify';
import type { Executor } from '../platform/db/database.ts';
import type { Authenticate } from '../platform/http/access.ts';
import { sha256 } from '../platform/tokens.ts';
import { resolveApiToken } from './api-tokens.service.ts';
import { resolveSession, SESSION_COOKIE } from './sessions.service.ts';

/**
 * Bearer token first (API clients), else the session cookie (the web UI). A request that sends an
 * Authorization header is judged by it alone: a bad token is not rescued by a cookie.
 */
export function createAuthenticator(db: Executor, sessionIdleHours: number): Authenticate {
  return async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) return null;
      const actor = await resolveApiToken(db, match[1]!);
      return actor ? { actor, sessionTokenHash: null } : null;
    }
    const cookie = request.cookies?.[SESSION_COOKIE];
    if (!cookie) return null;
    const actor = await resolveSession(db, cookie, sessionIdleHours);
    return actor ? { actor, sessionTokenHash: sha256(cookie) } : null;
  };
}
