import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { CLIENT_ROLES, TEAM_ROLES } from './roles.ts';

/**
 * An audience: a set of contacts of a directory named by a rule (a mailing list, picked contacts,
 * the contacts holding given roles in given accounts …). Other domains (distributions) turn it
 * into SQL rows here, so that building 100,000 recipients stays one set-based statement.
 */
export const ZAudience = z.discriminatedUnion('type', [
  z.object({ type: z.literal('mailingList'), mailingListId: z.number().int().positive() }),
  z.object({
    type: z.literal('contacts'),
    contactIds: z.array(z.number().int().positive()).min(1).max(50_000),
  }),
  z.object({
    type: z.literal('accountRoles'),
    /** The contacts holding these client roles … */
    roles: z.array(z.enum(CLIENT_ROLES)).min(1),
    /** … in these accounts (with their descendants when `includeDescendants`); none = every account … */
    accountIds: z.array(z.number().int().positive()).max(10_000).optional(),
    includeDescendants: z.boolean().default(true),
    /** … whose account team includes this email (e.g. "accounts I own": mine + ACCOUNT_OWNER). */
    teamMemberEmail: z.email().optional(),
    teamRole: z.enum(TEAM_ROLES).optional(),
  }),
  z.object({
    type: z.literal('segment'),
    /** A segment of the directory (src/segments), evaluated when the audience is read: always current. */
    segmentId: z.number().int().positive(),
    /**
     * An account segment: the contacts holding these client roles in its accounts (none: any role).
     * A contact segment: only its members holding one of these roles somewhere.
     */
    roles: z.array(z.enum(CLIENT_ROLES)).min(1).optional(),
  }),
]);
export type Audience = z.output<typeof ZAudience>;

const roleRank = sql.raw(
  `array_position(ARRAY[${CLIENT_ROLES.map((r) => `'${r}'`).join(',')}]::text[], acr.role::text)`,
);

/**
 * The audience as rows (contact_id, account_id, role), one per contact: for a list or picked
 * contacts, the account is the one where the contact holds their most senior client role.
 */
function audienceMembers(directoryId: number, audience: Audience): SQL {
  const primaryAccount = (contactId: SQL) => sql`LEFT JOIN LATERAL (
      SELECT acr.account_id, acr.role::text AS role FROM account_contact_roles acr
      JOIN accounts pa ON pa.id = acr.account_id AND pa.deleted_at IS NULL
      WHERE acr.contact_id = ${contactId} ORDER BY ${roleRank}, acr.account_id LIMIT 1) pr ON true`;
  if (audience.type === 'mailingList')
    return sql`SELECT m.contact_id, pr.account_id, pr.role FROM mailing_list_members m
      JOIN mailing_lists l ON l.id = m.mailing_list_id AND l.directory_id = ${directoryId}
      ${primaryAccount(sql`m.contact_id`)} WHERE m.mailing_list_id = ${audience.mailingListId}`;
  if (audience.type === 'segment') return segmentMembers(directoryId, audience);
  if (audience.type === 'contacts')
    return sql`SELECT p.contact_id, pr.account_id, pr.role
      FROM unnest(${`{${audience.contactIds.join(',')}}`}::bigint[]) AS p(contact_id)
      ${primaryAccount(sql`p.contact_id`)}`;
  const accounts = audience.accountIds?.length
    ? audience.includeDescendants
      ? sql`(WITH RECURSIVE tree(id) AS (
            SELECT unnest(${`{${audience.accountIds.join(',')}}`}::bigint[])
            UNION SELECT a.id FROM accounts a JOIN tree t ON a.parent_id = t.id)
          SELECT id FROM tree)`
      : sql`(SELECT unnest(${`{${audience.accountIds.join(',')}}`}::bigint[]))`
    : null;
  const team = audience.teamMemberEmail
    ? sql`AND EXISTS (SELECT 1 FROM account_team_members tm WHERE tm.account_id = acr.account_id
          AND tm.user_email = ${audience.teamMemberEmail.toLowerCase()}
          ${audience.teamRole ? sql`AND tm.role = ${audience.teamRole}` : sql``})`
    : audience.teamRole
      ? sql`AND EXISTS (SELECT 1 FROM account_team_members tm WHERE tm.account_id = acr.account_id AND tm.role = ${audience.teamRole})`
      : sql``;
  // A contact with the roles in several accounts is one recipient: their most senior role wins.
  return sql`SELECT DISTINCT ON (acr.contact_id) acr.contact_id, acr.account_id, acr.role::text AS role
    FROM account_contact_roles acr JOIN accounts a ON a.id = acr.account_id AND a.deleted_at IS NULL
    WHERE acr.directory_id = ${directoryId}
      AND acr.role::text IN (${sql.join(
        audience.roles.map((r) => sql`${r}`),
        sql`, `,
      )})
      ${accounts ? sql`AND acr.account_id IN ${accounts}` : sql``}
      ${team}
    ORDER BY acr.contact_id, ${roleRank}, acr.account_id`;
}

/**
 * A segment's contacts: rapport_segment_members() (the segments migration) runs the segment's
 * stored member query, so the segment is evaluated here, at build time, in this statement. A
 * contact segment's members keep their most senior role's account; an account segment gives the
 * contacts holding a role (one of `roles`) in its accounts, each once, with their most senior one.
 */
function segmentMembers(directoryId: number, audience: Extract<Audience, { type: 'segment' }>): SQL {
  const roles = audience.roles?.length
    ? sql`AND acr.role::text IN (${sql.join(
        audience.roles.map((r) => sql`${r}`),
        sql`, `,
      )})`
    : sql``;
  return sql`WITH segment AS MATERIALIZED (
      SELECT member_id, member_entity FROM rapport_segment_members(${audience.segmentId}::bigint, ${directoryId}::bigint))
    SELECT DISTINCT ON (x.contact_id) x.contact_id, x.account_id, x.role FROM (
      SELECT m.member_id AS contact_id, pr.account_id, pr.role, pr.rank
      FROM segment m LEFT JOIN LATERAL (
        SELECT acr.account_id, acr.role::text AS role, ${roleRank} AS rank FROM account_contact_roles acr
        JOIN accounts pa ON pa.id = acr.account_id AND pa.deleted_at IS NULL
        WHERE acr.contact_id = m.member_id ${roles} ORDER BY ${roleRank}, acr.account_id LIMIT 1) pr ON true
      WHERE m.member_entity = 'contact' ${audience.roles?.length ? sql`AND pr.role IS NOT NULL` : sql``}
      UNION ALL
      SELECT acr.contact_id, acr.account_id, acr.role::text, ${roleRank}
      FROM segment m JOIN account_contact_roles acr ON acr.account_id = m.member_id ${roles}
      WHERE m.member_entity = 'account') x
    ORDER BY x.contact_id, x.rank, x.account_id`;
}

/**
 * The audience with what sending needs of each contact: addresses, opt-outs, language and the
 * fields piped into messages and embedded data. Deleted and merged-away contacts are left out.
 * Columns: contact_id, account_id, role, email, phone, mobile_phone, language, first_name,
 * last_name, external_ref, attributes, email_opt_out, sms_opt_out, do_not_call, fax_opt_out,
 * email_bounced, consent, account_name, account_external_ref, account_attributes.
 */
export function audienceRows(directoryId: number, audience: Audience): SQL {
  return contactRows(directoryId, audienceMembers(directoryId, audience));
}

/**
 * The same columns for members given as SQL rows (contact_id, account_id, role): e.g. the
 * recipients of an earlier distribution, as the directory knows them now.
 */
export function contactRows(directoryId: number, members: SQL): SQL {
  return sql`SELECT au.contact_id, au.account_id, au.role, c.email, c.phone, c.mobile_phone, c.language,
      c.first_name, c.last_name, c.external_ref, c.attributes, c.email_opt_out, c.sms_opt_out,
      c.do_not_call, c.fax_opt_out, c.email_bounced, c.consent,
      a.display_name AS account_name, a.external_ref AS account_external_ref, a.attributes AS account_attributes
    FROM (${members}) au
    JOIN contacts c ON c.id = au.contact_id AND c.directory_id = ${directoryId}
      AND c.deleted_at IS NULL AND c.merged_into_id IS NULL
    LEFT JOIN accounts a ON a.id = au.account_id`;
}

/** How many contacts an audience names now (a preview while a distribution is edited). */
export function audienceCount(directoryId: number, audience: Audience): SQL {
  return sql`SELECT count(*)::int AS n FROM (${audienceRows(directoryId, audience)}) x`;
}
