import { lit } from '../../platform/db/sql-text.ts';
import type { Mapping } from '../mapping.ts';
import { withIndexesRebuilt } from './bulk-indexes.ts';
import type { MergeContext } from './merge-context.ts';
import { run } from './sql-run.ts';
import { problemText, skippedTable, stageTable } from './stage-sql.ts';
import { lookupRole } from './value-tables.ts';

/**
 * A contact's client role in its account comes from its Title through the value table. The table
 * is resolved once per distinct Title of the file (con_title_roles), and con_match takes each
 * row's role from it while matching, so no later statement joins titles again.
 */
export async function resolveTitleRoles(ctx: MergeContext, mapping: Mapping, hasTitle: boolean) {
  const role = hasTitle
    ? lookupRole('t.title', mapping.clientRoles.values, mapping.clientRoles.default)
    : lit(mapping.clientRoles.default);
  await run(
    ctx.tx,
    `CREATE TEMP TABLE con_title_roles ON COMMIT DROP AS
     SELECT t.title, (${role})::client_role AS role
     FROM (SELECT DISTINCT lower(${hasTitle ? 's.title' : 'NULL::text'}) AS title FROM ${stageTable(ctx.runId, 'contacts')} s) t`,
  );
  // A handful of rows: without statistics the planner guessed 1,270 and sorted the file to join them.
  await run(ctx.tx, 'ANALYZE con_title_roles');
}

/** Joins con_title_roles (tr) to a stage row (s): tr.role is the row's role. */
export const titleRoleJoin = (hasTitle: boolean) =>
  `LEFT JOIN con_title_roles tr ON coalesce(tr.title, '') = coalesce(lower(${hasTitle ? 's.title' : 'NULL::text'}), '')`;

/** The role of a Title taken from the matched contact (rows matched by email or a merge). */
export const roleOfTitle = (title: string, mapping: Mapping) =>
  `(${lookupRole(`lower(${title})`, mapping.clientRoles.values, mapping.clientRoles.default)})::client_role`;

/**
 * A con_match row (m) that names an account the directory does not have: its outcome hangs on the
 * directory (the account may arrive later), so it keeps no source hash and is checked every time.
 */
export const accountMissing = '(m.account_ref IS NOT NULL AND m.account_id IS NULL)';

/**
 * A con_match row (m) whose Title the value table does not map: imported without a role. The
 * outcome hangs only on the row and the mapping (both in the source hash), so the row stays
 * skippable; the warning is kept with the contact and reported again (titleMarker).
 */
export const unmappedTitle = (hasTitle: boolean) =>
  hasTitle
    ? '(NOT m.is_deleted AND m.account_id IS NOT NULL AND m.title IS NOT NULL AND m.role IS NULL)'
    : 'false';

const UNMAPPED_TITLE = 'no client role is mapped for this Title';
/** The unmapped-Title warning as a contact keeps it among its source warnings. */
export const titleMarker = problemText('warning', 'Title', 'm.title', UNMAPPED_TITLE);
/** True for a kept warning (p) that is the unmapped-Title marker (reported per Title, not per row). */
export const isTitleMarker = (p: string) =>
  `(split_part(${p}, chr(31), 1) = 'wTitle' AND split_part(${p}, chr(31), 3) = ${lit(UNMAPPED_TITLE)})`;

/**
 * Warnings: an account that is not there, and (once per Title) a Title no role is mapped for —
 * counted over the rows merged now and the unchanged rows set aside, which kept the warning.
 */
export async function reportRoleProblems(ctx: MergeContext, hasTitle: boolean): Promise<void> {
  const { tx, runId, file } = ctx;
  const R = lit(runId);
  const missing = 'NOT m.is_deleted AND m.account_ref IS NOT NULL AND m.account_id IS NULL';
  // One pass over con_match for both warnings (a million rows on a first import).
  await run(
    tx,
    `WITH w AS MATERIALIZED (
       SELECT m.line, m.account_ref, m.title, ${missing} AS missing FROM con_match m
       WHERE (${missing}) OR ${unmappedTitle(hasTitle)})
     INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason)
     SELECT ${R}, 'warning'::import_issue_severity, 'contacts', ${lit(file)}, line, 'AccountId', account_ref,
            'account not found in the file or the directory: contact imported without an account role'
     FROM w WHERE missing
     ${
       hasTitle
         ? `UNION ALL
     SELECT ${R}, 'warning', 'contacts', ${lit(file)}, min(u.line), 'Title', min(u.title),
            '${UNMAPPED_TITLE} (' || count(*) || ' contact' || CASE WHEN count(*) > 1 THEN 's' ELSE '' END ||
            '): imported without a role; add it to the clientRoles value table'
     FROM (
       SELECT w.line, left(w.title, 200) AS title FROM w WHERE NOT w.missing
       UNION ALL
       SELECT k.line, split_part(p, chr(31), 2) FROM ${skippedTable(runId, 'contacts')} k CROSS JOIN LATERAL unnest(k.warnings) AS p
       WHERE k.warnings IS NOT NULL AND ${isTitleMarker('p')}
     ) u
     GROUP BY lower(u.title)`
         : ''
     }`,
  );
}

/**
 * For a contact found by its own external reference the file is the CRM's word: it gets exactly
 * the roles the file implies. A contact found by email or through a merged duplicate only gains
 * roles. Each row names one account and one role, and each contact has one row (duplicates were
 * refused), so roles are inserted without DISTINCT; only contacts that existed before can have
 * roles to remove or already hold the role.
 */
export async function writeClientRoles(
  ctx: MergeContext,
  mayMatch: boolean,
  /** How many new contacts' rows have a role (all the roles a first import writes). */
  newRoles: number,
): Promise<void> {
  const { tx, runId, directoryId } = ctx;
  const roles = (where: string) =>
    `SELECT m.account_id, m.contact_id, m.role, ${lit(directoryId)}, ${lit(runId)} FROM con_match m
     WHERE NOT m.is_deleted AND m.account_id IS NOT NULL AND m.role IS NOT NULL AND ${where}`;
  const insert = 'INSERT INTO account_contact_roles (account_id, contact_id, role, directory_id, run_id)';
  if (!mayMatch) {
    await withIndexesRebuilt(tx, 'account_contact_roles', newRoles, () =>
      run(tx, `${insert} ${roles('m.is_new')}`),
    );
    return;
  }
  await run(
    tx,
    `DELETE FROM account_contact_roles r USING con_match m
     WHERE r.contact_id = m.contact_id AND NOT m.is_deleted AND m.matched_on = 'external_ref'
       AND (r.account_id IS DISTINCT FROM m.account_id OR r.role IS DISTINCT FROM m.role)`,
  );
  await run(
    tx,
    `${insert}
     ${roles('m.is_new')}
     UNION ALL
     ${roles(`NOT m.is_new AND NOT EXISTS (
       SELECT 1 FROM account_contact_roles r WHERE r.account_id = m.account_id AND r.contact_id = m.contact_id AND r.role = m.role)`)}`,
  );
}
