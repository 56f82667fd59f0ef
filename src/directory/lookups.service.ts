import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../platform/db/database.ts';
import { pgTextArray } from '../platform/db/sql-text.ts';
import { CLIENT_ROLES } from './roles.ts';

/**
 * Set-based lookups other domains use to name or match directory records by the hundred (a
 * response export names each response's contact and account; a response import matches rows to
 * contacts). One query per call, whatever the number of ids. No access check: callers have
 * already scoped what they ask for (exported responses are filtered by account visibility).
 */

export interface ContactRef {
  id: number;
  externalRef: string | null;
  email: string | null;
  /** First and last name, when the directory has either. */
  name: string | null;
}

export interface AccountRef {
  id: number;
  externalRef: string;
  name: string;
}

const idArray = (ids: number[]) => `{${[...new Set(ids)].map((id) => Math.trunc(id)).join(',')}}`;

/** Contacts by id, deleted ones included (a response keeps naming the contact who answered). */
export async function contactsByIds(db: Executor, ids: number[]): Promise<Map<number, ContactRef>> {
  if (ids.length === 0) return new Map();
  const rows = await queryRows<{
    id: number;
    external_ref: string | null;
    email: string | null;
    first_name: string | null;
    last_name: string | null;
  }>(
    db,
    sql`SELECT id, external_ref, email, first_name, last_name FROM contacts WHERE id = ANY(${idArray(ids)}::bigint[])`,
  );
  return new Map(
    rows.map((r) => [
      Number(r.id),
      {
        id: Number(r.id),
        externalRef: r.external_ref,
        email: r.email,
        name: [r.first_name, r.last_name].filter(Boolean).join(' ') || null,
      },
    ]),
  );
}

/** Accounts by id, deleted ones included. */
export async function accountsByIds(db: Executor, ids: number[]): Promise<Map<number, AccountRef>> {
  if (ids.length === 0) return new Map();
  const rows = await queryRows<{ id: number; external_ref: string; display_name: string }>(
    db,
    sql`SELECT id, external_ref, display_name FROM accounts WHERE id = ANY(${idArray(ids)}::bigint[])`,
  );
  return new Map(
    rows.map((r) => [Number(r.id), { id: Number(r.id), externalRef: r.external_ref, name: r.display_name }]),
  );
}

/** Live accounts of a directory by external reference. */
export async function accountsByExternalRefs(
  db: Executor,
  directoryId: number,
  refs: string[],
): Promise<Map<string, AccountRef>> {
  if (refs.length === 0) return new Map();
  const rows = await queryRows<{ id: number; external_ref: string; display_name: string }>(
    db,
    sql`SELECT id, external_ref, display_name FROM accounts
        WHERE directory_id = ${directoryId} AND deleted_at IS NULL
          AND external_ref = ANY(${pgTextArray([...new Set(refs)])}::text[])`,
  );
  return new Map(
    rows.map((r) => [
      r.external_ref,
      { id: Number(r.id), externalRef: r.external_ref, name: r.display_name },
    ]),
  );
}

export interface MatchedContact {
  id: number;
  externalRef: string | null;
  /** Lower case. */
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  /** The contact's client roles in live accounts, most senior first (the order of CLIENT_ROLES). */
  roles: { accountId: number; accountRef: string; accountName: string; role: string }[];
}

/**
 * Live contacts of a directory whose external reference or email (case-insensitive) is one of
 * those given, with their accounts and roles. Several contacts may share an email: all are
 * returned, lowest id first, and the caller picks.
 */
export async function matchContacts(
  db: Executor,
  directoryId: number,
  keys: { externalRefs: string[]; emails: string[] },
): Promise<MatchedContact[]> {
  if (keys.externalRefs.length === 0 && keys.emails.length === 0) return [];
  const roleOrder = sql.raw(
    `array_position(ARRAY[${CLIENT_ROLES.map((r) => `'${r}'`).join(',')}]::text[], r.role::text)`,
  );
  const rows = await queryRows<{
    id: number;
    external_ref: string | null;
    email: string | null;
    first_name: string | null;
    last_name: string | null;
    roles: MatchedContact['roles'] | null;
  }>(
    db,
    sql`SELECT c.id, c.external_ref, lower(c.email) AS email, c.first_name, c.last_name,
          (SELECT json_agg(json_build_object('accountId', a.id, 'accountRef', a.external_ref,
                    'accountName', a.display_name, 'role', r.role) ORDER BY ${roleOrder}, a.id)
           FROM account_contact_roles r JOIN accounts a ON a.id = r.account_id AND a.deleted_at IS NULL
           WHERE r.contact_id = c.id) AS roles
        FROM contacts c
        WHERE c.directory_id = ${directoryId} AND c.deleted_at IS NULL
          AND (c.external_ref = ANY(${pgTextArray([...new Set(keys.externalRefs)])}::text[])
            OR lower(c.email) COLLATE "C" = ANY(${pgTextArray([...new Set(keys.emails.map((e) => e.toLowerCase()))])}::text[]))
        ORDER BY c.id`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    externalRef: r.external_ref,
    email: r.email,
    firstName: r.first_name,
    lastName: r.last_name,
    roles: (r.roles ?? []).map((x) => ({ ...x, accountId: Number(x.accountId) })),
  }));
}
