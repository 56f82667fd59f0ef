import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Executor, queryRows } from '../platform/db/database.ts';
import { badRequest, notFound } from '../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../platform/http/paging.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { CLIENT_ROLES } from './roles.ts';
import { contactVisible } from './scope.ts';

export const ZContactQuery = z.object({
  q: z.string().trim().max(200).optional(),
  accountId: z.coerce.number().int().positive().optional(),
  role: z.enum(CLIENT_ROLES).optional(),
  listId: z.coerce.number().int().positive().optional(),
  emailOptOut: z.enum(['true', 'false']).optional(),
  includeDeleted: z.enum(['true', 'false']).optional(),
  sort: z.enum(['recent', 'lastName', 'email']).default('recent'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});
export type ContactQuery = z.output<typeof ZContactQuery>;

export interface ContactRow {
  id: number;
  external_ref: string | null;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  mobile_phone: string | null;
  language: string | null;
  title: string | null;
  email_opt_out: boolean;
  sms_opt_out: boolean;
  do_not_call: boolean;
  fax_opt_out: boolean;
  email_bounced: boolean;
  email_bounced_reason: string | null;
  consent: boolean | null;
  attributes: Record<string, unknown>;
  deleted_at: Date | string | null;
  merged_into_id: number | null;
  created_at: Date | string;
  updated_at: Date | string;
  roles: { accountId: number; accountName: string; role: string }[] | null;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

export function toContactView(row: ContactRow) {
  return {
    id: Number(row.id),
    externalRef: row.external_ref,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    phone: row.phone,
    mobilePhone: row.mobile_phone,
    language: row.language,
    title: row.title,
    optOuts: {
      email: row.email_opt_out,
      sms: row.sms_opt_out,
      doNotCall: row.do_not_call,
      fax: row.fax_opt_out,
      emailBounced: row.email_bounced,
      emailBouncedReason: row.email_bounced_reason,
      consent: row.consent,
    },
    attributes: row.attributes,
    roles: row.roles ?? [],
    deleted: row.deleted_at !== null,
    mergedIntoId: row.merged_into_id === null ? null : Number(row.merged_into_id),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}
export type ContactView = ReturnType<typeof toContactView>;

const ROLES_OF_CONTACT = sql`(
  SELECT json_agg(json_build_object('accountId', a.id, 'accountName', a.display_name, 'role', r.role) ORDER BY a.display_name)
  FROM account_contact_roles r JOIN accounts a ON a.id = r.account_id
  WHERE r.contact_id = c.id AND a.deleted_at IS NULL) AS roles`;

/** One page of a directory's contacts, filtered and sorted on the server, with keyset paging. */
export async function listContacts(db: Executor, actor: Actor, directoryId: number, query: ContactQuery) {
  authorize(actor, 'data:read');
  const where: SQL[] = [
    sql`c.directory_id = ${directoryId}`,
    sql`c.merged_into_id IS NULL`,
    contactVisible(actor, sql`c.id`),
  ];
  if (query.includeDeleted !== 'true') where.push(sql`c.deleted_at IS NULL`);
  if (query.q) {
    const q = query.q.toLowerCase();
    const prefix = `${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    const [first, ...rest] = q.split(/\s+/);
    const conditions: SQL[] = [
      sql`lower(c.email) COLLATE "C" LIKE ${prefix}`,
      sql`lower(c.last_name) COLLATE "C" LIKE ${prefix}`,
      sql`c.external_ref = ${query.q}`,
    ];
    if (rest.length) {
      const lastPrefix = `${rest.join(' ').replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      conditions.push(
        sql`(lower(c.last_name) COLLATE "C" LIKE ${lastPrefix} AND lower(c.first_name) LIKE ${`${first}%`})`,
      );
    }
    where.push(sql`(${sql.join(conditions, sql` OR `)})`);
  }
  if (query.accountId) {
    where.push(
      sql`EXISTS (SELECT 1 FROM account_contact_roles r WHERE r.contact_id = c.id AND r.account_id = ${query.accountId}${query.role ? sql` AND r.role = ${query.role}` : sql``})`,
    );
  } else if (query.role) {
    where.push(
      sql`EXISTS (SELECT 1 FROM account_contact_roles r WHERE r.contact_id = c.id AND r.role = ${query.role})`,
    );
  }
  if (query.listId)
    where.push(
      sql`EXISTS (SELECT 1 FROM mailing_list_members m WHERE m.contact_id = c.id AND m.mailing_list_id = ${query.listId})`,
    );
  if (query.emailOptOut) where.push(sql`c.email_opt_out = ${query.emailOptOut === 'true'}`);

  const sortKey: Record<ContactQuery['sort'], SQL> = {
    recent: sql`c.id`,
    lastName: sql`lower(c.last_name) COLLATE "C"`,
    email: sql`lower(c.email) COLLATE "C"`,
  };
  const key = sortKey[query.sort];
  const cursor = decodeCursor(query.cursor, 2);
  if (query.cursor && !cursor) throw badRequest('The cursor is not valid: start again from the first page');
  const limit = query.limit + 1;
  const filter = sql.join(where, sql` AND `);
  type Row = ContactRow & { sort_value: string | number | null };
  let rows: Row[];
  if (query.sort === 'recent') {
    const after = cursor ? sql` AND c.id < ${Number(cursor[1])}` : sql``;
    rows = await queryRows<Row>(
      db,
      sql`SELECT c.*, c.id AS sort_value, ${ROLES_OF_CONTACT}
          FROM contacts c WHERE ${filter}${after} ORDER BY c.id DESC LIMIT ${limit}`,
    );
  } else {
    // Ascending, NULLs last. After a cursor, the rest is "greater (key, id)" then the NULL keys:
    // two index range scans (a single OR of the two would read every row before the cursor).
    const [value, id] = (cursor ?? [undefined, 0]) as [string | null | undefined, number];
    const greater =
      value === undefined ? sql`${key} IS NOT NULL` : sql`(${key}, c.id) > (${value}, ${Number(id)})`;
    const nullsAfter = value === null ? sql` AND c.id > ${Number(id)}` : sql``;
    const nonNullPart =
      value === null
        ? sql`SELECT c.*, ${key} AS sort_value FROM contacts c WHERE false`
        : sql`SELECT c.*, ${key} AS sort_value FROM contacts c WHERE ${filter} AND ${greater} ORDER BY ${key}, c.id LIMIT ${limit}`;
    rows = await queryRows<Row>(
      db,
      sql`SELECT c.*, ${ROLES_OF_CONTACT} FROM (
            (${nonNullPart})
            UNION ALL
            (SELECT c.*, NULL AS sort_value FROM contacts c WHERE ${filter} AND ${key} IS NULL${nullsAfter} ORDER BY c.id LIMIT ${limit})
          ) c ORDER BY c.sort_value ASC NULLS LAST, c.id ASC LIMIT ${limit}`,
    );
  }
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toContactView),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.sort_value, Number(last.id)]) : null,
  };
}

/** A contact with its accounts and roles, mailing lists, attribute history and merges. */
export async function getContact(db: Executor, actor: Actor, contactId: number) {
  authorize(actor, 'data:read');
  const [row] = await queryRows<ContactRow & { directory_id: number }>(
    db,
    sql`SELECT c.*, ${ROLES_OF_CONTACT} FROM contacts c WHERE c.id = ${contactId} AND ${contactVisible(actor, sql`c.id`)}`,
  );
  if (!row) throw notFound(`No contact ${contactId}`);
  const lists = await queryRows<{ id: number; name: string; added_at: string }>(
    db,
    sql`SELECT l.id, l.name, m.added_at FROM mailing_list_members m JOIN mailing_lists l ON l.id = m.mailing_list_id
        WHERE m.contact_id = ${contactId} ORDER BY m.added_at DESC LIMIT 200`,
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
        WHERE entity = 'contact' AND entity_id IN (${contactId}, ${sql`(SELECT id FROM contacts WHERE merged_into_id = ${contactId})`})
        ORDER BY changed_at DESC, id DESC LIMIT 500`,
  );
  const merges = await queryRows<{
    id: number;
    merged_id: number;
    survivor_id: number;
    matched_on: string;
    merged_at: string;
    reverted_at: string | null;
  }>(
    db,
    sql`SELECT id, merged_id, survivor_id, matched_on, merged_at, reverted_at FROM contact_merges
        WHERE survivor_id = ${contactId} OR merged_id = ${contactId} ORDER BY merged_at DESC`,
  );
  return {
    ...toContactView(row),
    directoryId: Number(row.directory_id),
    lists: lists.map((l) => ({ id: Number(l.id), name: l.name, addedAt: iso(l.added_at)! })),
    history: history.map((h) => ({
      field: h.field,
      oldValue: h.old_value,
      newValue: h.new_value,
      changedAt: iso(h.changed_at)!,
      source: h.source,
      runId: h.run_id === null ? null : Number(h.run_id),
    })),
    merges: merges.map((m) => ({
      id: Number(m.id),
      mergedId: Number(m.merged_id),
      survivorId: Number(m.survivor_id),
      matchedOn: m.matched_on,
      mergedAt: iso(m.merged_at)!,
      revertedAt: iso(m.reverted_at),
    })),
  };
}
