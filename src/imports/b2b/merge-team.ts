import { lit } from '../../platform/db/sql-text.ts';
import type { Mapping } from '../mapping.ts';
import { withIndexesRebuilt } from './bulk-indexes.ts';
import { emptyCounts, type ObjectCounts } from './counts.ts';
import { type MergeContext, stepOf } from './merge-context.ts';
import { count, run } from './sql-run.ts';
import { skippedTable, stageTable } from './stage-sql.ts';
import { lookupRole } from './value-tables.ts';

/**
 * Account team members (employees by email, with an account management role). Rules from the
 * seed: one ACCOUNT_OWNER per account — within a file the first row wins and the others are
 * ignored and reported; a newer import's owner replaces the previous one.
 */
export async function mergeTeamMembers(ctx: MergeContext, mapping: Mapping): Promise<ObjectCounts> {
  const { tx, runId, directoryId, file } = ctx;
  const stage = stageTable(runId, 'teamMembers');
  const D = lit(directoryId);
  const R = lit(runId);
  const F = lit(file);
  const counts = emptyCounts();
  const step = stepOf(ctx, 'team');

  let repeated = 0;
  let displacedKeptOwners = 0;
  const ignoredOwners = await step('match', async () => {
    // Each distinct role value resolved once: its role, and whether the value table lists it.
    await run(
      tx,
      `CREATE TEMP TABLE team_roles ON COMMIT DROP AS
     SELECT v.value, (${lookupRole('v.value', mapping.teamRoles.values, mapping.teamRoles.default)})::team_role AS role,
            (${lookupRole('v.value', mapping.teamRoles.values, null)}) IS NOT NULL AS listed
     FROM (SELECT DISTINCT lower(role_value) AS value FROM ${stage}) v`,
    );
    await run(tx, 'ANALYZE team_roles');
    // An account created by this run has no team yet: its rows need no look-up of existing members.
    await run(
      tx,
      `CREATE TEMP TABLE team_match ON COMMIT DROP AS
     SELECT s.line, s.account_ref, s.user_email, s.role_value, s.is_deleted, s.source_hash, a.id AS account_id, tr.role, tr.listed,
            a.created_run_id IS NOT DISTINCT FROM ${R} AS new_account
     FROM ${stage} s
     LEFT JOIN accounts a ON a.directory_id = ${D} AND a.external_ref = s.account_ref AND a.deleted_at IS NULL
     LEFT JOIN team_roles tr ON tr.value = lower(s.role_value)`,
    );
    // Rows that cannot be placed are rejected, with the reason.
    await run(
      tx,
      `WITH gone AS (DELETE FROM team_match WHERE account_id IS NULL OR role IS NULL RETURNING *)
     INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason)
     SELECT ${R}, 'error', 'teamMembers', ${F}, line,
       CASE WHEN account_id IS NULL THEN 'AccountId' ELSE 'TeamMemberRole' END,
       CASE WHEN account_id IS NULL THEN account_ref ELSE role_value END,
       CASE WHEN account_id IS NULL THEN 'account not found in the file or the directory'
            ELSE 'no account management role is mapped for this TeamMemberRole; add it to the teamRoles value table' END
     FROM gone`,
    );
    await run(tx, 'ANALYZE team_match');

    // The same membership twice in the file: the first counts, the others are unchanged. Grouping
    // (a hash) finds the repeated ones without sorting the file; usually there are none.
    repeated = await count(
      tx,
      `WITH twice AS (
       SELECT account_id, user_email, role, min(line) AS first_line FROM team_match
       GROUP BY account_id, user_email, role HAVING count(*) > 1),
     gone AS (
       DELETE FROM team_match t USING twice d
       WHERE t.account_id = d.account_id AND t.user_email = d.user_email AND t.role = d.role AND t.line <> d.first_line
       RETURNING 1)
     SELECT count(*) AS n FROM gone`,
    );

    // One owner per account: the first row in the file wins; the others are reported and ignored.
    // Owner rows set aside as unchanged (skip-unchanged.ts) take part, with the line they stand on,
    // for the accounts where a row read now names an owner too.
    const skipped = skippedTable(runId, 'teamMembers');
    const ranked = await run<{ ignored: number | string; displaced: number | string }>(
      tx,
      `WITH read_now AS (
       SELECT line, account_id, user_email, false AS kept FROM team_match WHERE role = 'ACCOUNT_OWNER' AND NOT is_deleted),
     kept AS (
       SELECT k.line, m.account_id, m.user_email, true AS kept FROM ${skipped} k JOIN account_team_members m ON m.id = k.id
       WHERE m.role = 'ACCOUNT_OWNER' AND m.account_id IN (SELECT account_id FROM read_now)),
     owners AS (
       SELECT line, user_email, kept, first_value(line) OVER w AS first_line, first_value(user_email) OVER w AS first_email
       FROM (SELECT * FROM read_now UNION ALL SELECT * FROM kept) c
       WINDOW w AS (PARTITION BY account_id ORDER BY line)),
     gone AS (
       DELETE FROM team_match t USING owners o WHERE NOT o.kept AND t.line = o.line AND o.line <> o.first_line
       RETURNING o.line, o.user_email, o.first_line, o.first_email),
     ignored AS (
       SELECT * FROM gone
       UNION ALL
       SELECT line, user_email, first_line, first_email FROM owners WHERE kept AND line <> first_line),
     reported AS (
       INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason)
       SELECT ${R}, 'warning', 'teamMembers', ${F}, g.line, 'TeamMemberRole', g.user_email,
         'ACCOUNT_OWNER of this account is already ' || g.first_email || ' (line ' || g.first_line ||
         '): an account has one owner, so this row was ignored'
       FROM ignored g RETURNING 1)
     SELECT (SELECT count(*) FROM reported) AS ignored,
            (SELECT count(*) FROM owners WHERE kept AND line <> first_line) AS displaced`,
    );
    // A kept owner row that an earlier row read now displaces is ignored, not unchanged.
    displacedKeptOwners = Number(ranked[0]?.displaced ?? 0);
    return Number(ranked[0]?.ignored ?? 0);
  });
  // Rows with errors are counted by the caller from the issues; ignored owners are warnings.
  counts.rejected = ignoredOwners;

  // A membership keeps the hash of the row that confirms it, so the same row next time is set aside
  // (skip-unchanged.ts) — unless the row's role took the default, a warning to report every time.
  const keepHash = 'CASE WHEN t.listed THEN t.source_hash END';
  await step('write', async () => {
    // A role the value table does not list took the default: say so once per value.
    await run(
      tx,
      `INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason)
     SELECT ${R}, 'warning', 'teamMembers', ${F}, min(t.line), 'TeamMemberRole', min(t.role_value),
       'not in the teamRoles value table: imported as ' || min(t.role::text) || ' (' || count(*) || ' row' ||
       CASE WHEN count(*) > 1 THEN 's' ELSE '' END || ')'
     FROM team_match t WHERE NOT t.listed
     GROUP BY lower(t.role_value)`,
    );

    counts.deleted = await count(
      tx,
      `WITH del AS (
       DELETE FROM account_team_members m USING team_match t
       WHERE t.is_deleted AND m.account_id = t.account_id AND m.user_email = t.user_email AND m.role = t.role
         -- The file also lists it, unchanged (set aside): read together, the two rows keep it.
         AND NOT EXISTS (SELECT 1 FROM ${skippedTable(runId, 'teamMembers')} k WHERE k.id = m.id)
       RETURNING 1)
     SELECT count(*) AS n FROM del`,
    );
    // A new owner replaces the previous one (counted as an update of the account's team).
    counts.updated = await count(
      tx,
      `WITH replaced AS (
       DELETE FROM account_team_members m USING team_match t
       WHERE NOT t.is_deleted AND NOT t.new_account AND t.role = 'ACCOUNT_OWNER' AND m.account_id = t.account_id
         AND m.role = 'ACCOUNT_OWNER' AND m.user_email <> t.user_email
       RETURNING 1)
     SELECT count(*) AS n FROM replaced`,
    );
    const newRows = await count(
      tx,
      'SELECT count(*) AS n FROM team_match WHERE new_account AND NOT is_deleted',
    );
    counts.created =
      (await withIndexesRebuilt(tx, 'account_team_members', newRows, () =>
        count(
          tx,
          `WITH ins AS (
           INSERT INTO account_team_members (directory_id, account_id, user_email, role, run_id, source_hash)
           SELECT ${D}, t.account_id, t.user_email, t.role, ${R}, ${keepHash} FROM team_match t
           WHERE NOT t.is_deleted AND (t.new_account OR NOT EXISTS (
             SELECT 1 FROM account_team_members m WHERE m.account_id = t.account_id AND m.user_email = t.user_email AND m.role = t.role))
           RETURNING 1)
         SELECT count(*) AS n FROM ins`,
        ),
      )) - counts.updated;
    // Memberships confirmed by a row read another way (a new mapping, say) take its hash.
    await run(
      tx,
      `UPDATE account_team_members m SET source_hash = ${keepHash} FROM team_match t
       WHERE NOT t.is_deleted AND NOT t.new_account AND m.account_id = t.account_id AND m.user_email = t.user_email
         AND m.role = t.role AND m.source_hash IS DISTINCT FROM ${keepHash}`,
    );
  });
  const staged = await count(tx, 'SELECT count(*) AS n FROM team_match');
  counts.unchanged =
    staged + repeated - displacedKeptOwners - counts.created - counts.updated - counts.deleted;
  return counts;
}
