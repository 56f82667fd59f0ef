import { and, asc, count, eq, isNull, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Config } from '../config/env.ts';
import { type Database, type Executor, isUniqueViolation } from '../platform/db/database.ts';
import { badRequest, conflict, notFound, unauthorized } from '../platform/errors.ts';
import { recordAudit } from '../system/audit.service.ts';
import { generatePassword, hashPassword, verifyPassword, ZPassword } from './passwords.ts';
import { type Actor, authorize, permissionsOf, systemActor, USER_ROLES } from './roles.ts';
import { revokeUserSessions } from './sessions.service.ts';
import { users } from './users.schema.ts';

export const LOCALES = ['en', 'fr', 'it', 'es', 'de'] as const;

export const ZEmail = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: 'Expected an email address' }).max(320));

export const ZUserCreate = z.object({
  email: ZEmail,
  name: z.string().trim().max(200).default(''),
  role: z.enum(USER_ROLES),
  /** Omit to generate one, returned once. */
  password: ZPassword.optional(),
  locale: z.enum(LOCALES).nullable().optional(),
});

export const ZUserUpdate = z
  .object({
    name: z.string().trim().max(200),
    role: z.enum(USER_ROLES),
    disabled: z.boolean(),
    locale: z.enum(LOCALES).nullable(),
  })
  .partial();

export type UserRow = typeof users.$inferSelect;

export function toPublicUser(row: UserRow) {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    locale: row.locale as (typeof LOCALES)[number] | null,
    permissions: permissionsOf(row.role),
    createdAt: row.createdAt.toISOString(),
    lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
    disabled: row.disabledAt !== null,
  };
}
export type PublicUser = ReturnType<typeof toPublicUser>;

export async function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.trim().toLowerCase()));
  return row;
}

async function getUser(db: Executor, id: number): Promise<UserRow> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  if (!row) throw notFound(`No user with id ${id}`);
  return row;
}

export async function listUsers(db: Executor, actor: Actor): Promise<PublicUser[]> {
  authorize(actor, 'users:manage');
  const rows = await db.select().from(users).orderBy(asc(users.email));
  return rows.map(toPublicUser);
}

export async function createUser(
  db: Database,
  actor: Actor,
  input: z.input<typeof ZUserCreate>,
): Promise<{ user: PublicUser; generatedPassword: string | null }> {
  authorize(actor, 'users:manage');
  const data = ZUserCreate.parse(input);
  const generatedPassword = data.password ? null : generatePassword();
  const passwordHash = await hashPassword(data.password ?? generatedPassword!);
  try {
    return await db.orm.transaction(async (tx) => {
      const [row] = await tx
        .insert(users)
        .values({
          email: data.email,
          name: data.name,
          role: data.role,
          passwordHash,
          locale: data.locale ?? null,
        })
        .returning();
      await recordAudit(tx, actor, {
        action: 'user.created',
        targetType: 'user',
        targetId: row!.id,
        details: { email: data.email, role: data.role },
      });
      return { user: toPublicUser(row!), generatedPassword };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`A user with email ${data.email} already exists`);
    throw error;
  }
}

/** There must always be one enabled admin, or nobody could manage users again. */
async function assertAnotherAdminRemains(tx: Executor, userId: number): Promise<void> {
  const [row] = await tx
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.disabledAt), ne(users.id, userId)));
  if (!row || row.n === 0)
    throw conflict('This is the last enabled administrator: make another user admin first.');
}

export async function updateUser(
  db: Database,
  actor: Actor,
  id: number,
  input: z.input<typeof ZUserUpdate>,
): Promise<PublicUser> {
  authorize(actor, 'users:manage');
  const patch = ZUserUpdate.parse(input);
  return db.orm.transaction(async (tx) => {
    const before = await getUser(tx, id);
    const losesAdmin =
      before.role === 'admin' &&
      before.disabledAt === null &&
      ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true);
    if (losesAdmin) await assertAnotherAdminRemains(tx, id);
    const [row] = await tx
      .update(users)
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.locale !== undefined ? { locale: patch.locale } : {}),
        ...(patch.disabled !== undefined
          ? { disabledAt: patch.disabled ? (before.disabledAt ?? new Date()) : null }
          : {}),
        updatedAt: new Date(),
      })
      .where(eq(users.id, id))
      .returning();
    // A disabled user is signed out everywhere at once; tokens stop working through the user check.
    if (patch.disabled) await revokeUserSessions(tx, id);
    await recordAudit(tx, actor, {
      action: 'user.updated',
      targetType: 'user',
      targetId: id,
      details: patch,
    });
    return toPublicUser(row!);
  });
}

/** An admin sets (or generates) another user's password; that user's sessions end. */
export async function resetPassword(
  db: Database,
  actor: Actor,
  id: number,
  password?: string,
): Promise<{ generatedPassword: string | null }> {
  authorize(actor, 'users:manage');
  const chosen = password === undefined ? undefined : ZPassword.parse(password);
  const generatedPassword = chosen ? null : generatePassword();
  const passwordHash = await hashPassword(chosen ?? generatedPassword!);
  await db.orm.transaction(async (tx) => {
    await getUser(tx, id);
    await tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, id));
    await revokeUserSessions(tx, id);
    await recordAudit(tx, actor, { action: 'user.password_reset', targetType: 'user', targetId: id });
  });
  return { generatedPassword };
}

export async function changeOwnPassword(
  db: Database,
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
  keepSessionHash?: string,
): Promise<void> {
  if (actor.kind !== 'user') throw unauthorized();
  const user = await getUser(db.orm, actor.userId);
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw badRequest('The current password is not correct', { field: 'currentPassword' });
  }
  const passwordHash = await hashPassword(ZPassword.parse(input.newPassword));
  await db.orm.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, user.id));
    // Other browsers signed in as this user are signed out; this one stays.
    await revokeUserSessions(tx, user.id, keepSessionHash);
    await recordAudit(tx, actor, { action: 'user.password_changed', targetType: 'user', targetId: user.id });
  });
}

export async function updateOwnProfile(
  db: Database,
  actor: Actor,
  input: { name?: string | undefined; locale?: (typeof LOCALES)[number] | null | undefined },
): Promise<PublicUser> {
  if (actor.kind !== 'user') throw unauthorized();
  const [row] = await db.orm
    .update(users)
    .set({
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.locale !== undefined ? { locale: input.locale } : {}),
      updatedAt: new Date(),
    })
    .where(eq(users.id, actor.userId))
    .returning();
  if (!row) throw notFound('Your user no longer exists');
  return toPublicUser(row);
}

export async function getPublicUser(db: Executor, id: number): Promise<PublicUser> {
  return toPublicUser(await getUser(db, id));
}

/** Checks an email and password; null for any failure, without saying which part was wrong. */
export async function authenticatePassword(
  db: Executor,
  email: string,
  password: string,
): Promise<UserRow | null> {
  const user = await findUserByEmail(db, email);
  const ok = await verifyPassword(user?.passwordHash ?? null, password);
  if (!user || !ok || user.disabledAt) return null;
  await db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.id));
  return user;
}

/**
 * First start: with no user at all, create the administrator from RAPPORT_ADMIN_EMAIL/PASSWORD,
 * or with a generated password that the caller prints once.
 */
export async function ensureInitialAdmin(
  db: Database,
  admin: Config['admin'],
): Promise<{ email: string; generatedPassword: string | null } | null> {
  const [row] = await db.orm.select({ n: count() }).from(users);
  if (row && row.n > 0) return null;
  const email = admin.email ?? 'admin@rapport.local';
  try {
    const created = await createUser(db, systemActor('first-start'), {
      email,
      name: 'Administrator',
      role: 'admin',
      ...(admin.password ? { password: admin.password } : {}),
    });
    return { email: created.user.email, generatedPassword: created.generatedPassword };
  } catch (error) {
    // Another process sharing the database created it a moment ago.
    if ((error as { code?: string }).code === 'conflict') return null;
    throw error;
  }
}
