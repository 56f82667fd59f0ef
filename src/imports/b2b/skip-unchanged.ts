import type { Database } from '../../platform/db/database.ts';
import { lit } from '../../platform/db/sql-text.ts';
import type { ImportObject } from '../mapping.ts';
import type { ColumnPlan } from './column-plan.ts';
import { withImportSettings } from './sql-run.ts';
import {
  matchedTable,
  pendingTable,
  rawExternalRef,
  rawTable,
  skippedTable,
  stageTable,
} from './stage-sql.ts';

/**
 * The fast path of a re-import: a row read before, the same way (its source hash: the row's bytes
 * with everything that decides how they are read), whose outcome hung on nothing else, is
 * unchanged — set aside before any check runs, with the id of the record it landed on (for the
 * mailing list) and the warnings it had (reported again). One join gives every line its outcome
 * (matchedTable); skippedTable is the view of the lines set aside, pendingTable the few lines left
 * to parse, so the parse reads them without an anti-join against a million set-aside lines (on
 * PGlite 0.7 s became 0.3 s). A directory without records of this kind has nothing to compare: no
 * join at all. Returns the rows set aside.
 *
 * The table is made by CREATE TABLE AS, whose query may run in parallel (an INSERT's may not):
 * a million contacts were set aside in 0.9 s instead of 1.35 s.
 */
export async function skipUnchanged(
  db: Database,
  runId: number,
  plan: ColumnPlan,
  directoryId: number | undefined,
): Promise<number> {
  const matched = matchedTable(runId, plan.object);
  const skipped = skippedTable(runId, plan.object);
  const pending = pendingTable(runId, plan.object);
  await dropSkipTables(db, runId, plan.object);
  const rows = directoryId === undefined ? null : await matchedRows(db, runId, plan, directoryId);
  // merged: the row's contact was merged into another (id is the survivor); repeated: another
  // row of the file already lands on that contact (the mailing list takes it once).
  await withImportSettings(
    db,
    `CREATE UNLOGGED TABLE ${matched} AS
     SELECT line::int AS line, unchanged::boolean AS unchanged, id::bigint AS id, deleted::boolean AS deleted,
            warnings::text[] AS warnings, merged::boolean AS merged, false AS repeated
     FROM (${rows ?? 'SELECT NULL AS line, NULL AS unchanged, NULL AS id, NULL AS deleted, NULL AS warnings, NULL AS merged WHERE false'}) k`,
    { largeWorkMem: true, parallel: true },
  );
  await db.query(
    `CREATE VIEW ${skipped} AS SELECT line, id, deleted, warnings, merged, repeated FROM ${matched} WHERE unchanged`,
  );
  if (!rows) return 0;
  const [row] = await db.query<{ n: string; merged: string }>(
    `SELECT count(*) FILTER (WHERE unchanged) AS n, count(*) FILTER (WHERE unchanged AND merged) AS merged FROM ${matched}`,
  );
  const set = Number(row?.n ?? 0);
  if (set === 0) return 0;
  await db.query(`CREATE UNLOGGED TABLE ${pending} AS SELECT line FROM ${matched} WHERE NOT unchanged`);
  await db.query(`ANALYZE ${pending}`);
  // Rows of merged contacts are rare; only then can two rows land on one contact.
  if (Number(row?.merged) > 0)
    await withImportSettings(
      db,
      `UPDATE ${matched} k SET repeated = true
       WHERE k.unchanged AND k.merged
         AND EXISTS (SELECT 1 FROM ${matched} o WHERE o.unchanged AND o.id = k.id AND (NOT o.merged OR o.line < k.line))`,
    );
  return set;
}

/**
 * Drops what skipUnchanged made for the object: the skipped lines' view (a table in a run staged
 * before the matched table existed), the matched and pending tables.
 */
export async function dropSkipTables(db: Database, runId: number, object: ImportObject): Promise<void> {
  const skipped = skippedTable(runId, object);
  const [relation] = await db.query<{ kind: string }>(
    'SELECT relkind AS kind FROM pg_class WHERE oid = to_regclass($1)',
    [skipped],
  );
  if (relation) await db.query(`DROP ${relation.kind === 'v' ? 'VIEW' : 'TABLE'} ${skipped}`);
  await db.query(`DROP TABLE IF EXISTS ${matchedTable(runId, object)}`);
  await db.query(`DROP TABLE IF EXISTS ${pendingTable(runId, object)}`);
}

/**
 * The SELECT of every raw line (line, unchanged, id, deleted, warnings, merged): unchanged lines
 * with their record, the others with NULLs. Null when no line can be unchanged.
 */
async function matchedRows(
  db: Database,
  runId: number,
  plan: ColumnPlan,
  directoryId: number,
): Promise<string | null> {
  const D = lit(directoryId);
  const raw = rawTable(runId, plan.object);
  const table = { accounts: 'accounts', contacts: 'contacts', teamMembers: 'account_team_members' }[
    plan.object
  ];
  const [known] = await db.query(`SELECT 1 FROM ${table} WHERE directory_id = $1 LIMIT 1`, [directoryId]);
  if (!known) return null;

  if (plan.object === 'teamMembers') {
    // A membership row confirmed again — not one whose account is gone or is deleted by this run's
    // accounts file (such a row is refused). An ACCOUNT_OWNER row set aside still takes part in
    // the file's one-owner rule, at its line (merge-team.ts).
    const accountsStage = stageTable(runId, 'accounts');
    const [staged] = await db.query<{ name: string | null }>('SELECT to_regclass($1) AS name', [
      accountsStage,
    ]);
    return `SELECT r.line, m.id IS NOT NULL AS unchanged, m.id, false AS deleted, NULL AS warnings, false AS merged
       FROM ${raw} r LEFT JOIN (
         SELECT m.id, m.source_hash FROM account_team_members m
         JOIN accounts a ON a.id = m.account_id AND a.deleted_at IS NULL
         WHERE m.directory_id = ${D}
           ${staged?.name ? `AND NOT EXISTS (SELECT 1 FROM ${accountsStage} s WHERE s.is_deleted AND s.external_ref = a.external_ref)` : ''}
       ) m ON m.source_hash = r.source_hash`;
  }

  const ref = rawExternalRef(plan);
  if (!ref) return null;
  const isContacts = plan.object === 'contacts';
  // A merged record (deleted when merged) stands for its survivor: deleted only if the survivor is.
  const deleted = isContacts
    ? `CASE WHEN t.merged_into_id IS NULL THEN t.deleted_at IS NOT NULL
            ELSE (SELECT s.deleted_at IS NOT NULL FROM contacts s WHERE s.id = t.merged_into_id) END`
    : 't.deleted_at IS NOT NULL';
  return `SELECT r.line, t.id IS NOT NULL AS unchanged, ${isContacts ? 'coalesce(t.merged_into_id, t.id)' : 't.id'} AS id,
            ${deleted} AS deleted, ${isContacts ? 't.source_warnings' : 'NULL'} AS warnings,
            ${isContacts ? 't.merged_into_id IS NOT NULL' : 'false'} AS merged
     FROM ${raw} r LEFT JOIN ${table} t
       ON t.directory_id = ${D} AND t.external_ref = ${ref} AND t.source_hash = r.source_hash`;
}
