import { lit } from '../../platform/db/sql-text.ts';
import type { Mapping } from '../mapping.ts';
import { emptyCounts, type ObjectCounts } from './counts.ts';
import type { MergeContext } from './merge-accounts.ts';
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

  await run(
    tx,
    `CREATE TEMP TABLE team_roles ON COMMIT DROP AS
     SELECT v.value, (${lookupRole('v.value', mapping.teamRoles.values, mapping.teamRoles.default)})::team_role AS role
     FROM (SELECT DISTINCT lower(role_value) AS value FROM ${stage}) v`,
  );
  await run(
    tx,
    `CREATE TEMP TABLE team_roles_listed ON COMMIT DROP AS
     SELECT v.value FROM (SELECT DISTINCT lower(role_value) AS value FROM ${stage}) v
     WHERE (${lookupRole('v.value', mapping.teamRoles.values, null)}) IS NOT NULL`,
  );
  await run(
    tx,
    `CREATE TEMP TABLE team_match ON COMMIT DROP AS
     SELECT s.line, s.account_ref, s.user_email, s.role_value, s.is_deleted, a.id AS account_id, tr.role
     FROM ${stage} s
     LEFT JOIN accounts a ON a.directory_id = ${D} AND a.external_ref = s.account_ref AND a.deleted_at IS NULL
     LEFT JOIN team_roles tr ON tr.value = lower(s.role_value)`,
  );
  // Rows that cannot be placed are rejected, with the reason.
  await run(
    tx,
    `INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason)
     SELECT ${R}, 'error', 'teamMembers', ${F}, line,
       CASE WHEN account_id IS NULL THEN 'AccountId' ELSE 'TeamMemberRole' END,
       CASE WHEN account_id IS NULL THEN account_ref ELSE role_value END,
       CASE WHEN account_id IS NULL THEN 'account not found in the file or the directory'
            ELSE 'no account management role is mapped for this TeamMemberRole; add it to the teamRoles value table' END
     FROM team_match WHERE account_id IS NULL OR role IS NULL`,
  );
  await run(tx, 'DELETE FROM team_match WHERE account_id IS NULL OR role IS NULL');

  // The same membership twice in the file: the first counts.
  await run(
    tx,
    `DELETE FROM team_match t USING (
       SELECT line, min(line) OVER (PARTITION BY account_id, user_email, role) AS first_line FROM team_match) d
     WHERE t.line = d.line AND d.line <> d.first_line`,
  );

  // One owner per account: the first row in the file wins.
  await run(
    tx,
    `WITH owners AS (
       SELECT line, account_id, user_email,
              first_value(line) OVER w AS first_line, first_value(user_email) OVER w AS first_email
       FROM team_match WHERE role = 'ACCOUNT_OWNER' AND NOT is_deleted
       WINDOW w AS (PARTITION BY account_id ORDER BY line))
     INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason)
     SELECT ${R}, 'warning', 'teamMembers', ${F}, o.line, 'TeamMemberRole', o.user_email,
       'ACCOUNT_OWNER of this account is already ' || o.first_email || ' (line ' || o.first_line ||
       '): an account has one owner, so this row was ignored'
     FROM owners o WHERE o.line <> o.first_line`,
  );
  const ignoredOwners = await count(
    tx,
    `WITH ranked AS (
       SELECT line, row_number() OVER (PARTITION BY account_id ORDER BY line) AS n
       FROM team_match WHERE role = 'ACCOUNT_OWNER' AND NOT is_deleted),
     gone AS (DELETE FROM team_match t USING ranked r WHERE t.line = r.line AND r.n > 1 RETURNING 1)
     SELECT count(*) AS n FROM gone`,
  );
  // Rows with errors are counted by the caller from the issues; ignored owners are warnings.
  counts.rejected = ignoredOwners;

  // A role the value table does not list took the default: say so once per value.
  await run(
    tx,
    `INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason)
     SELECT ${R}, 'warning', 'teamMembers', ${F}, min(t.line), 'TeamMemberRole', min(t.role_value),
       'not in the teamRoles value table: imported as ' || min(t.role::text) || ' (' || count(*) || ' row' ||
       CASE WHEN count(*) > 1 THEN 's' ELSE '' END || ')'
     FROM team_match t
     WHERE NOT EXISTS (SELECT 1 FROM team_roles_listed l WHERE l.value = lower(t.role_value))
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
       WHERE NOT t.is_deleted AND t.role = 'ACCOUNT_OWNER' AND m.account_id = t.account_id
         AND m.role = 'ACCOUNT_OWNER' AND m.user_email <> t.user_email
       RETURNING 1)
     SELECT count(*) AS n FROM replaced`,
  );
  counts.created =
    (await count(
      tx,
      `WITH ins AS (
         INSERT INTO account_team_members (directory_id, account_id, user_email, role, run_id)
         SELECT ${D}, t.account_id, t.user_email, t.role, ${R} FROM team_match t
         WHERE NOT t.is_deleted AND NOT EXISTS (
           SELECT 1 FROM account_team_members m WHERE m.account_id = t.account_id AND m.user_email = t.user_email AND m.role = t.role)
         RETURNING 1)
       SELECT count(*) AS n FROM ins`,
    )) - counts.updated;
  const staged = await count(tx, 'SELECT count(*) AS n FROM team_match');
  counts.unchanged = staged - counts.created - counts.updated - counts.deleted;
  return counts;
}
