import { and, desc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Executor } from '../platform/db/database.ts';
import { forbidden, notFound, unauthorized } from '../platform/errors.ts';
import { randomToken, sha256 } from '../platform/tokens.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, roleHasPermission } from './roles.ts';
import { apiTokens, users } from './users.schema.ts';

export const TOKEN_PREFIX = 'rap_';
const TOUCH_EVERY_MS = 60_000;

export const ZTokenCreate = z.object({
  name: z.string().trim().min(1, { error: 'A token needs a name' }).max(100),
  /** Admins may create a token for another user; everyone else for themselves. */
  userId: z.number().int().positive().optional(),
  expiresInDays: z.number().int().min(1).max(3650).nullable().optional(),
});

type TokenRow = typeof apiTokens.$inferSelect;

export function toPublicToken(row: TokenRow & { userEmail?: string }) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    userId: row.userId,
    userEmail: row.userEmail ?? null,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}
export type PublicToken = ReturnType<typeof toPublicToken>;

function requireUser(actor: Actor): Extract<Actor, { kind: 'user' }> | null {
  return actor.kind === 'user' ? actor : null;
}

export async function createApiToken(
  db: Database,
  actor: Actor,
  input: z.input<typeof ZTokenCreate>,
): Promise<{ token: string; record: PublicToken }> {
  const data = ZTokenCreate.parse(input);
  const self = requireUser(actor);
  const userId = data.userId ?? self?.userId;
  if (userId === undefined) throw unauthorized('Say which user the token acts as');
  if (self && userId !== self.userId && !roleHasPermission(self.role, 'tokens:manage-all')) {
    throw forbidden('You can only create tokens for yourself');
  }
  const token = `${TOKEN_PREFIX}${randomToken()}`;
  const expiresAt = data.expiresInDays ? new Date(Date.now() + data.expiresInDays * 86_400_000) : null;
  return db.orm.transaction(async (tx) => {
    const [owner] = await tx.select().from(users).where(eq(users.id, userId));
    if (!owner) throw notFound(`No user with id ${userId}`);
    const [row] = await tx
      .insert(apiTokens)
      .values({ userId, name: data.name, tokenHash: sha256(token), prefix: token.slice(0, 12), expiresAt })
      .returning();
    await recordAudit(tx, actor, {
      action: 'api_token.created',
      targetType: 'api_token',
      targetId: row!.id,
      details: { name: data.name, userId, prefix: row!.prefix },
    });
    return { token, record: toPublicToken({ ...row!, userEmail: owner.email }) };
  });
}

export async function listApiTokens(db: Executor, actor: Actor, options: { all?: boolean } = {}) {
  const self = requireUser(actor);
  const seeAll = !self || (options.all === true && roleHasPermission(self.role, 'tokens:manage-all'));
  const rows = await db
    .select({ token: apiTokens, userEmail: users.email })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(seeAll ? undefined : eq(apiTokens.userId, self!.userId))
    .orderBy(desc(apiTokens.createdAt));
  return rows.map((r) => toPublicToken({ ...r.token, userEmail: r.userEmail }));
}

export async function revokeApiToken(db: Database, actor: Actor, id: number): Promise<PublicToken> {
  return db.orm.transaction(async (tx) => {
    const [row] = await tx.select().from(apiTokens).where(eq(apiTokens.id, id));
    const self = requireUser(actor);
    const mayManage =
      !self || row?.userId === self.userId || roleHasPermission(self.role, 'tokens:manage-all');
    // Someone else's token reads as "not found", so ids cannot be probed.
    if (!row || !mayManage) throw notFound(`No API token with id ${id}`);
    const [updated] = await tx
      .update(apiTokens)
      .set({ revokedAt: row.revokedAt ?? new Date() })
      .where(eq(apiTokens.id, id))
      .returning();
    await recordAudit(tx, actor, { action: 'api_token.revoked', targetType: 'api_token', targetId: id });
    return toPublicToken(updated!);
  });
}

/** The user an `Authorization: Bearer` token acts as, or null when unknown, revoked or expired. */
export async function resolveApiToken(db: Executor, token: string): Promise<Actor | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const [row] = await db
    .select({ token: apiTokens, user: users })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(
      and(
        eq(apiTokens.tokenHash, sha256(token)),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql`now()`)),
      ),
    );
  if (!row || row.user.disabledAt) return null;
  if (!row.token.lastUsedAt || Date.now() - row.token.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
    await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.token.id));
  }
  return {
    kind: 'user',
    userId: row.user.id,
    email: row.user.email,
    name: row.user.name,
    role: row.user.role,
    via: 'token',
    tokenId: row.token.id,
  };
}

/** Drops tokens that expired or were revoked more than 90 days ago. */
export async function purgeDeadTokens(db: Executor): Promise<number> {
  const cutoff = sql`now() - interval '90 days'`;
  const deleted = await db
    .delete(apiTokens)
    .where(or(lt(apiTokens.revokedAt, cutoff), lt(apiTokens.expiresAt, cutoff)))
    .returning({ id: apiTokens.id });
  return deleted.length;
}
