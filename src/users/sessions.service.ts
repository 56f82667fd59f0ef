import { and, eq, gt, lt, ne, sql } from 'drizzle-orm';
import type { Executor } from '../platform/db/database.ts';
import { randomToken, sha256 } from '../platform/tokens.ts';
import type { Actor } from './roles.ts';
import { sessions, users } from './users.schema.ts';

export const SESSION_COOKIE = 'rapport_session';
/** A session's expiry slides at most this often, so a busy page does not write on every request. */
const SLIDE_EVERY_MS = 5 * 60 * 1000;

export async function createSession(
  db: Executor,
  userId: number,
  options: { idleHours: number; ip?: string; userAgent?: string },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomToken();
  const expiresAt = new Date(Date.now() + options.idleHours * 3600_000);
  await db.insert(sessions).values({
    tokenHash: sha256(token),
    userId,
    expiresAt,
    ip: options.ip ?? null,
    userAgent: options.userAgent?.slice(0, 400) ?? null,
  });
  return { token, expiresAt };
}

/** The signed-in user for a cookie value, or null when unknown, expired or disabled. */
export async function resolveSession(db: Executor, token: string, idleHours: number): Promise<Actor | null> {
  const tokenHash = sha256(token);
  const [row] = await db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, sql`now()`)));
  if (!row || row.user.disabledAt) return null;
  if (Date.now() - row.session.lastSeenAt.getTime() > SLIDE_EVERY_MS) {
    await db
      .update(sessions)
      .set({ lastSeenAt: new Date(), expiresAt: new Date(Date.now() + idleHours * 3600_000) })
      .where(eq(sessions.id, row.session.id));
  }
  return {
    kind: 'user',
    userId: row.user.id,
    email: row.user.email,
    name: row.user.name,
    role: row.user.role,
    via: 'session',
  };
}

export async function revokeSession(db: Executor, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, sha256(token)));
}

/** Signs a user out everywhere, except (optionally) the session making the change. */
export async function revokeUserSessions(
  db: Executor,
  userId: number,
  keepTokenHash?: string,
): Promise<void> {
  await db
    .delete(sessions)
    .where(
      and(eq(sessions.userId, userId), keepTokenHash ? ne(sessions.tokenHash, keepTokenHash) : undefined),
    );
}

export async function purgeExpiredSessions(db: Executor): Promise<number> {
  const deleted = await db
    .delete(sessions)
    .where(lt(sessions.expiresAt, sql`now()`))
    .returning({ id: sessions.id });
  return deleted.length;
}
