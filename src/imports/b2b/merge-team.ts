import { lit } from '../../platform/db/sql-text.ts';
import type { Mapping } from '../mapping.ts';
import { withIndexesRebuilt } from './bulk-indexes.ts';
import { emptyCounts, type ObjectCounts } from './counts.ts';
import { type MergeContext, stepOf } from './merge-context.ts';
import { count, run } from './sql-run.ts';
import { stageTable } from './stage-sql.ts';
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
     SELECT s.line, s.account_ref, s.user_email, s.role_value, s.is_deleted, a.id AS account_id, tr.role, tr.listed,
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

    // The same membership twice in the file: the first counts. Grouping (a hash) finds the repeated
    // ones without sorting the file; usually there are none and nothing more is read.
    await run(
      tx,
      `WITH twice AS (
       SELECT account_id, user_email, role, min(line) AS first_line FROM team_match
       GROUP BY account_id, user_email, role HAVING count(*) > 1)
     DELETE FROM team_match t USING twice d
     WHERE t.account_id = d.account_id AND t.user_email = d.user_email AND t.role = d.role AND t.line <> d.first_line`,
    );

    // One owner per account: the first row in the file wins; the others are reported and ignored.
    return count(
      tx,
      `WITH owners AS (
       SELECT line, user_email, first_value(line) OVER w AS first_line, first_value(user_email) OVER w AS first_email
       FROM team_match WHERE role = 'ACCOUNT_OWNER' AND NOT is_deleted
       WINDOW w AS (PARTITION BY account_id ORDER BY line)),
     gone AS (
       DELETE FROM team_match t USING owners o WHERE t.line = o.line AND o.line <> o.first_line
       RETURNING o.line, o.user_email, o.first_line, o.first_email),
     reported AS (
       INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason)
       SELECT ${R}, 'warning', 'teamMembers', ${F}, g.line, 'TeamMemberRole', g.user_email,
         'ACCOUNT_OWNER of this account is already ' || g.first_email || ' (line ' || g.first_line ||
         '): an account has one owner, so this row was ignored'
       FROM gone g RETURNING 1)
     SELECT count(*) AS n FROM reported`,
    );
  });
  // Rows with errors are counted by the caller from the issues; ignored owners are warnings.
  counts.rejected = ignoredOwners;

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
           INSERT INTO account_team_members (directory_id, account_id, user_email, role, run_id)
           SELECT ${D}, t.account_id, t.user_email, t.role, ${R} FROM team_match t
           WHERE NOT t.is_deleted AND (t.new_account OR NOT EXISTS (
             SELECT 1 FROM account_team_members m WHERE m.account_id = t.account_id AND m.user_email = t.user_email AND m.role = t.role))
           RETURNING 1)
         SELECT count(*) AS n FROM ins`,
        ),
      )) - counts.updated;
  });
  const staged = await count(tx, 'SELECT count(*) AS n FROM team_match');
  counts.unchanged = staged - counts.created - counts.updated - counts.deleted;
  return counts;
}
