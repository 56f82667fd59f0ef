import { lit } from '../../platform/db/sql-text.ts';
import type { Mapping } from '../mapping.ts';
import { resolveTitleRoles, roleOfTitle, titleRoleJoin } from './client-roles.ts';
import { CONTACT_COLUMNS, type ContactFields, oldColumn } from './contact-columns.ts';
import type { MergeContext } from './merge-context.ts';
import { run } from './sql-run.ts';
import { stageTable } from './stage-sql.ts';

/**
 * Builds con_match: each staged row with the contact it lands on, found by the directory's
 * deduplication rules (external reference first, through a merged duplicate to its survivor; then
 * email, only against a contact with no conflicting reference), or the id a new contact will get.
 * In the same pass it takes the row's account and client role, and the matched contact's stored
 * values (old_*), so the writes that follow never read the contacts table to decide anything.
 */
export async function matchContacts(
  ctx: MergeContext,
  fields: ContactFields,
  mapping: Mapping,
  byEmail: boolean,
): Promise<{ mayMatch: boolean }> {
  const { tx, runId, directoryId } = ctx;
  const { has, updatable } = fields;
  const D = lit(directoryId);
  const hasAccount = has('accountExternalRef');
  const hasTitle = has('title');
  const extRef = has('externalRef') ? 's.external_ref' : 'NULL::text';
  const step = (name: string, work: () => Promise<unknown>) =>
    ctx.timer.time(`merge contacts: match, ${name}`, work);
  const [sequence] = await run<{ name: string }>(
    tx,
    `SELECT pg_get_serial_sequence('contacts', 'id') AS name`,
  );
  // A directory without contacts (a first import) has nothing to match: new rows only get ids.
  const [known] = await run(tx, `SELECT 1 FROM contacts WHERE directory_id = ${D} LIMIT 1`);
  if (hasAccount) await step('titles', () => resolveTitleRoles(ctx, mapping, hasTitle));
  // The contact's stored values a row is compared with: [contacts column, con_match column].
  const stored: [string, string][] = [
    ['row_hash', 'old_row_hash'],
    ['deleted_at', 'old_deleted_at'],
    ['source_hash', 'old_source_hash'],
    ['attributes', 'old_attributes'],
    ...updatable.map((u): [string, string] => [CONTACT_COLUMNS[u]!, oldColumn(u)]),
  ];
  await step('by reference', () =>
    run(
      tx,
      `CREATE TEMP TABLE con_match ON COMMIT DROP AS
     SELECT s.*,
       coalesce(x.merged_into_id, x.id, CASE WHEN NOT s.is_deleted THEN nextval(${lit(sequence!.name)}) END) AS contact_id,
       (x.id IS NULL AND NOT s.is_deleted) AS is_new, x.id IS NOT NULL AS by_ref,
       CASE WHEN x.merged_into_id IS NOT NULL THEN 'merged' WHEN x.id IS NOT NULL THEN 'external_ref' END AS matched_on,
       ${hasAccount ? 'a.id' : 'NULL::bigint'} AS account_id, ${hasAccount ? 'tr.role' : 'NULL::client_role'} AS role,
       ${stored.map(([from, to]) => `x.${from} AS ${to}`).join(', ')}
     FROM ${stageTable(runId, 'contacts')} s
     LEFT JOIN contacts x ON x.directory_id = ${D} AND x.external_ref = ${extRef}
     ${hasAccount ? `LEFT JOIN accounts a ON a.directory_id = ${D} AND a.external_ref = s.account_ref AND a.deleted_at IS NULL ${titleRoleJoin(hasTitle)}` : ''}`,
    ),
  );
  if (known) await matchExisting(ctx, fields, mapping, byEmail, stored);
  // The statements that follow pick the few matched rows, or all new ones: the planner must know which.
  await step('analyze', () =>
    run(tx, 'ANALYZE con_match (is_new, matched_on, is_deleted, line, contact_id)'),
  );
  return { mayMatch: Boolean(known) };
}

/** The rows no reference matched, by email; rows landing twice on a contact; what matched rows keep. */
async function matchExisting(
  ctx: MergeContext,
  fields: ContactFields,
  mapping: Mapping,
  byEmail: boolean,
  stored: [string, string][],
): Promise<void> {
  const { tx, runId, directoryId, file } = ctx;
  const { has, provided, mappedKeys } = fields;
  const D = lit(directoryId);
  const hasAccount = has('accountExternalRef');
  const hasTitle = has('title');
  const rowRef = has('externalRef') ? 'm.external_ref' : 'NULL::text';
  const step = (name: string, work: () => Promise<unknown>) =>
    ctx.timer.time(`merge contacts: match, ${name}`, work);
  // By email, for the rows no reference matched: the best contact with that email, unless its own
  // reference conflicts. Only those rows' emails are looked up (through the email index), so
  // neither a first import nor a re-import reads the directory's contacts.
  if (byEmail)
    await step('by email', () =>
      run(
        tx,
        `UPDATE con_match m SET contact_id = e.target, is_new = false, matched_on = 'email'
       FROM (
         SELECT DISTINCT ON (lower(c.email)) lower(c.email) AS em, c.id AS target, c.external_ref FROM contacts c
         WHERE c.directory_id = ${D} AND c.email IS NOT NULL AND c.merged_into_id IS NULL
           AND lower(c.email) COLLATE "C" IN (SELECT u.email COLLATE "C" FROM con_match u WHERE NOT u.by_ref AND u.email IS NOT NULL)
         ORDER BY lower(c.email), (c.deleted_at IS NOT NULL), c.id
       ) e
       WHERE NOT m.by_ref AND e.em = m.email AND (e.external_ref IS NULL OR ${rowRef} IS NULL OR e.external_ref = ${rowRef})`,
      ),
    );

  // Two rows of the file landing on one contact (same email under another reference): keep the first.
  const sameContact = `SELECT line, min(line) OVER (PARTITION BY contact_id) AS first_line FROM con_match WHERE NOT is_new AND contact_id IS NOT NULL`;
  await step('same contact twice', () =>
    run(
      tx,
      `WITH gone AS (
       DELETE FROM con_match m USING (${sameContact}) d WHERE m.line = d.line AND d.line <> d.first_line
       RETURNING m.line, d.first_line, ${has('email') ? 'm.email' : 'NULL::text'} AS email)
     INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason)
     SELECT ${lit(runId)}, 'error', 'contacts', ${lit(file)}, g.line, 'Email', g.email,
       'matches the same contact as line ' || g.first_line || ' (same email, or a merged duplicate): row ignored'
     FROM gone g`,
    ),
  );

  // A row matched by email, or through a contact merged into another, is not the contact's own
  // record: it adds what it knows and never blanks what the contact already has. Its stored values
  // are those of the contact it landed on.
  await step('fill from matched', () =>
    run(
      tx,
      `UPDATE con_match m SET
       ${[
         ...provided.map((c) => `${c} = coalesce(m.${c}, c.${CONTACT_COLUMNS[c]})`),
         `attributes = coalesce((SELECT jsonb_object_agg(k, c.attributes -> k) FROM unnest(${mappedKeys}) AS k WHERE c.attributes ? k), '{}'::jsonb) || m.attributes`,
         ...(hasAccount && hasTitle ? [`role = ${roleOfTitle('coalesce(m.title, c.title)', mapping)}`] : []),
         ...stored.map(([from, to]) => `${to} = c.${from}`),
       ].join(',\n')}
     FROM contacts c WHERE c.id = m.contact_id AND m.matched_on IN ('email', 'merged')`,
    ),
  );
}
