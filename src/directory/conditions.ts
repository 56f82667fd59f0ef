import { type SQL, sql } from 'drizzle-orm';
import type { ClientRole } from './roles.ts';

/**
 * SQL conditions other domains put in their own queries (responses filtered by an account's
 * subtree or a contact's role), so that they stay set-based without reading our tables by hand.
 */

/** The account `accountId` is `rootId` or one of its descendants (or only `rootId` when `subtree` is false). */
export function accountInSubtree(accountId: SQL, rootId: number, subtree = true): SQL {
  if (!subtree) return sql`${accountId} = ${rootId}`;
  return sql`${accountId} IN (
    WITH RECURSIVE tree(id) AS (
      SELECT ${rootId}::bigint
      UNION
      SELECT a.id FROM accounts a JOIN tree t ON a.parent_id = t.id WHERE a.deleted_at IS NULL)
    SELECT id FROM tree)`;
}

/**
 * The contact holds `role` in the account (in any account when the account is unknown).
 * A contact may hold several roles: the condition is true for each of them.
 */
export function contactHasRole(contactId: SQL, accountId: SQL, role: ClientRole): SQL {
  return sql`EXISTS (SELECT 1 FROM account_contact_roles acr
    WHERE acr.contact_id = ${contactId} AND acr.role = ${role}
      AND (${accountId} IS NULL OR acr.account_id = ${accountId}))`;
}

/** Rows of (contact, account, role) for a join: every client role of each contact in that account. */
export function clientRolesOf(contactId: SQL, accountId: SQL): SQL {
  return sql`(SELECT acr.role::text AS role FROM account_contact_roles acr
    WHERE acr.contact_id = ${contactId} AND (${accountId} IS NULL OR acr.account_id = ${accountId}))`;
}
