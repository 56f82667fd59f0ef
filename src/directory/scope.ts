import { type SQL, sql } from 'drizzle-orm';
import type { Actor } from '../users/roles.ts';

/**
 * Account-team scoping: an account manager sees the accounts whose team includes their email
 * (and those accounts' descendants, and the contacts of all of them); everyone else with
 * data:read sees the whole directory. Returns null when no restriction applies.
 */
export function teamScopeEmail(actor: Actor): string | null {
  return actor.kind === 'user' && actor.role === 'account_manager' ? actor.email.toLowerCase() : null;
}

/** SQL condition: the account `alias`.id is visible to this actor. */
export function accountVisible(actor: Actor, accountId: SQL): SQL {
  const email = teamScopeEmail(actor);
  if (!email) return sql`true`;
  return sql`${accountId} IN (
    WITH RECURSIVE visible(id) AS (
      SELECT account_id FROM account_team_members WHERE user_email = ${email}
      UNION
      SELECT a.id FROM accounts a JOIN visible v ON a.parent_id = v.id)
    SELECT id FROM visible)`;
}

/** SQL condition: the contact `contactId` has a role in an account visible to this actor. */
export function contactVisible(actor: Actor, contactId: SQL): SQL {
  const email = teamScopeEmail(actor);
  if (!email) return sql`true`;
  return sql`EXISTS (SELECT 1 FROM account_contact_roles r WHERE r.contact_id = ${contactId} AND ${accountVisible(actor, sql`r.account_id`)})`;
}
