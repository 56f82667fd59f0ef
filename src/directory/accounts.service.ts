import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Executor, queryRows } from '../platform/db/database.ts';
import { badRequest, notFound } from '../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../platform/http/paging.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { TEAM_ROLES } from './roles.ts';
import { accountVisible } from './scope.ts';

export const ZAccountQuery = z.object({
  q: z.string().trim().max(200).optional(),
  parentId: z.coerce.number().int().positive().optional(),
  rootsOnly: z.enum(['true', 'false']).optional(),
  teamMember: z.string().trim().toLowerCase().max(320).optional(),
  teamRole: z.enum(TEAM_ROLES).optional(),
  includeDeleted: z.enum(['true', 'false']).optional(),
  sort: z.enum(['name', 'recent']).default('name'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});
export type AccountQuery = z.output<typeof ZAccountQuery>;

interface AccountRow {
  id: number;
  directory_id: number;
  external_ref: string;
  display_name: string;
  parent_id: number | null;
  parent_external_ref: string | null;
  attributes: Record<string, unknown>;
  deleted_at: string | Date | null;
  created_at: string | Date;
  updated_at: string | Date;
  child_count: number;
  contact_count: number;
  owner_email: string | null;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

function toAccountView(row: AccountRow) {
  return {
    id: Number(row.id),
    externalRef: row.external_ref,
    displayName: row.display_name,
    parentId: row.parent_id === null ? null : Number(row.parent_id),
    parentExternalRef: row.parent_external_ref,
    attributes: row.attributes,
    childCount: Number(row.child_count),
    contactCount: Number(row.contact_count),
    ownerEmail: row.owner_email,
    deleted: row.deleted_at !== null,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}
export type AccountView = ReturnType<typeof toAccountView>;

const ACCOUNT_EXTRAS = sql`
  (SELECT count(*) FROM accounts ch WHERE ch.parent_id = a.id AND ch.deleted_at IS NULL)::int AS child_count,
  (SELECT count(DISTINCT r.contact_id) FROM account_contact_roles r WHERE r.account_id = a.id)::int AS contact_count,
  (SELECT t.user_email FROM account_team_members t WHERE t.account_id = a.id AND t.role = 'ACCOUNT_OWNER') AS owner_email`;

export async function listAccounts(db: Executor, actor: Actor, directoryId: number, query: AccountQuery) {
  authorize(actor, 'data:read');
  const where: SQL[] = [sql`a.directory_id = ${directoryId}`, accountVisible(actor, sql`a.id`)];
  if (query.includeDeleted !== 'true') where.push(sql`a.deleted_at IS NULL`);
  if (query.q) {
    const prefix = `${query.q.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    where.push(sql`(lower(a.display_name) COLLATE "C" LIKE ${prefix} OR a.external_ref = ${query.q})`);
  }
  if (query.parentId) where.push(sql`a.parent_id = ${query.parentId}`);
  if (query.rootsOnly === 'true') where.push(sql`a.parent_id IS NULL`);
  if (query.teamMember || query.teamRole) {
    where.push(sql`EXISTS (SELECT 1 FROM account_team_members t WHERE t.account_id = a.id
      ${query.teamMember ? sql`AND t.user_email = ${query.teamMember}` : sql``}
      ${query.teamRole ? sql`AND t.role = ${query.teamRole}` : sql``})`);
  }
  const key = query.sort === 'name' ? sql`lower(a.display_name) COLLATE "C"` : sql`a.id`;
  const cursor = decodeCursor(query.cursor, 2);
  if (query.cursor && !cursor) throw badRequest('The cursor is not valid: start again from the first page');
  if (cursor) {
    const [value, id] = cursor as [string | number, number];
    where.push(
      query.sort === 'name'
        ? sql`(${key}, a.id) > (${value}, ${id})` // a row comparison: one index range scan
        : sql`a.id < ${id}`,
    );
  }
  const order = query.sort === 'name' ? sql`${key} ASC, a.id ASC` : sql`a.id DESC`;
  const rows = await queryRows<AccountRow & { sort_value: string | number }>(
    db,
    sql`SELECT a.*, ${key} AS sort_value, ${ACCOUNT_EXTRAS}
        FROM accounts a WHERE ${sql.join(where, sql` AND `)} ORDER BY ${order} LIMIT ${query.limit + 1}`,
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toAccountView),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.sort_value, Number(last.id)]) : null,
  };
}

/** An account with its place in the hierarchy, its contacts by client role and its team by role. */
export async function getAccount(db: Executor, actor: Actor, accountId: number) {
  authorize(actor, 'data:read');
  const [row] = await queryRows<AccountRow>(
    db,
    sql`SELECT a.*, ${ACCOUNT_EXTRAS} FROM accounts a WHERE a.id = ${accountId} AND ${accountVisible(actor, sql`a.id`)}`,
  );
  if (!row) throw notFound(`No account ${accountId}`);
  const ancestors = await queryRows<{ id: number; display_name: string; depth: number }>(
    db,
    sql`WITH RECURSIVE up(id, parent_id, display_name, depth) AS (
          SELECT p.id, p.parent_id, p.display_name, 1 FROM accounts p WHERE p.id = ${row.parent_id}
          UNION ALL
          SELECT p.id, p.parent_id, p.display_name, up.depth + 1 FROM accounts p JOIN up ON p.id = up.parent_id WHERE up.depth < 50)
        SELECT id, display_name, depth FROM up
        -- An account manager sees the chain only as far up as their own accounts go.
        WHERE ${accountVisible(actor, sql`up.id`)} ORDER BY depth DESC`,
  );
  const children = await queryRows<AccountRow>(
    db,
    sql`SELECT a.*, ${ACCOUNT_EXTRAS} FROM accounts a WHERE a.parent_id = ${accountId} AND a.deleted_at IS NULL
        ORDER BY lower(a.display_name) COLLATE "C", a.id LIMIT 200`,
  );
  const contacts = await queryRows<{
    role: string;
    id: number;
    first_name: string | null;
    last_name: string | null;
    email: string | null;
    title: string | null;
  }>(
    db,
    sql`SELECT r.role, c.id, c.first_name, c.last_name, c.email, c.title FROM account_contact_roles r
        JOIN contacts c ON c.id = r.contact_id AND c.deleted_at IS NULL
        WHERE r.account_id = ${accountId} ORDER BY r.role, lower(c.last_name), c.id LIMIT 1000`,
  );
  const team = await queryRows<{ role: string; user_email: string; user_name: string | null }>(
    db,
    sql`SELECT t.role, t.user_email, u.name AS user_name FROM account_team_members t
        LEFT JOIN users u ON lower(u.email) = t.user_email
        WHERE t.account_id = ${accountId} ORDER BY t.role, t.user_email`,
  );
  const history = await queryRows<{
    field: string;
    old_value: unknown;
    new_value: unknown;
    changed_at: string;
    source: string;
    run_id: number | null;
  }>(
    db,
    sql`SELECT field, old_value, new_value, changed_at, source, run_id FROM attribute_history
        WHERE entity = 'account' AND entity_id = ${accountId} ORDER BY changed_at DESC, id DESC LIMIT 500`,
  );
  return {
    ...toAccountView(row),
    directoryId: Number(row.directory_id),
    ancestors: ancestors.map((a) => ({ id: Number(a.id), displayName: a.display_name })),
    children: children.map(toAccountView),
    contactsByRole: contacts.map((c) => ({
      role: c.role,
      contactId: Number(c.id),
      name: [c.first_name, c.last_name].filter(Boolean).join(' '),
      email: c.email,
      title: c.title,
    })),
    team: team.map((t) => ({ role: t.role, email: t.user_email, userName: t.user_name })),
    history: history.map((h) => ({
      field: h.field,
      oldValue: h.old_value,
      newValue: h.new_value,
      changedAt: iso(h.changed_at)!,
      source: h.source,
      runId: h.run_id === null ? null : Number(h.run_id),
    })),
  };
}

/** The hierarchy below an account (for the tree), a level at a time or up to `depth` levels. */
export async function getAccountTree(db: Executor, actor: Actor, accountId: number, depth: number) {
  authorize(actor, 'data:read');
  const rows = await queryRows<{
    id: number;
    parent_id: number | null;
    display_name: string;
    level: number;
    child_count: number;
  }>(
    db,
    sql`WITH RECURSIVE down(id, parent_id, display_name, level) AS (
          SELECT a.id, a.parent_id, a.display_name, 0 FROM accounts a WHERE a.id = ${accountId} AND ${accountVisible(actor, sql`a.id`)}
          UNION ALL
          SELECT a.id, a.parent_id, a.display_name, d.level + 1 FROM accounts a JOIN down d ON a.parent_id = d.id
          WHERE a.deleted_at IS NULL AND d.level < ${depth})
        SELECT d.*, (SELECT count(*) FROM accounts c WHERE c.parent_id = d.id AND c.deleted_at IS NULL)::int AS child_count
        FROM down d ORDER BY level, lower(display_name) COLLATE "C" LIMIT 5000`,
  );
  if (rows.length === 0) throw notFound(`No account ${accountId}`);
  return rows.map((r) => ({
    id: Number(r.id),
    parentId: r.parent_id === null ? null : Number(r.parent_id),
    displayName: r.display_name,
    level: r.level,
    childCount: r.child_count,
  }));
}
