import { lit } from '../../platform/db/sql-text.ts';
import { planHierarchy, settleHierarchy } from './account-hierarchy.ts';
import { withIndexesRebuilt } from './bulk-indexes.ts';
import type { ColumnPlan } from './column-plan.ts';
import { emptyCounts, type ObjectCounts } from './counts.ts';
import { type MergeContext, stepOf } from './merge-context.ts';
import { count, run } from './sql-run.ts';
import { stageTable } from './stage-sql.ts';

/**
 * Accounts: insert new (with their parent), update changed (keeping a history row per changed
 * field), soft-delete IsDeleted ones; the hierarchy of the whole directory is resolved first,
 * refusing cycles (account-hierarchy.ts).
 */
export async function mergeAccounts(ctx: MergeContext, plan: ColumnPlan): Promise<ObjectCounts> {
  const { tx, runId, directoryId } = ctx;
  const stage = stageTable(runId, 'accounts');
  const D = lit(directoryId);
  const R = lit(runId);
  const hasParent = plan.fields.parentExternalRef !== undefined;
  const mappedKeys = `ARRAY[${plan.attributes.map((a) => lit(a.name)).join(', ')}]::text[]`;
  const counts = emptyCounts();
  const step = stepOf(ctx, 'accounts');

  await step('match', async () => {
    // New accounts get their ids now: the hierarchy is worked out before anything is written.
    const [sequence] = await run<{ name: string }>(
      tx,
      `SELECT pg_get_serial_sequence('accounts', 'id') AS name`,
    );
    // A row with anything to report keeps no source hash, so the next import checks it again.
    await run(
      tx,
      `CREATE TEMP TABLE acc_match ON COMMIT DROP AS
       SELECT s.*, a.id IS NULL AS is_new,
              CASE WHEN a.id IS NULL AND NOT s.is_deleted THEN nextval(${lit(sequence!.name)}) ELSE a.id END AS account_id,
              a.row_hash AS old_hash, a.deleted_at AS old_deleted_at, a.parent_id AS old_parent_id,
              a.display_name AS old_display_name, a.parent_external_ref AS old_parent_ref, a.attributes AS old_attributes,
              CASE WHEN s.problems IS NULL THEN s.source_hash END AS keep_hash
       FROM ${stage} s LEFT JOIN accounts a ON a.directory_id = ${D} AND a.external_ref = s.external_ref`,
    );
    await run(tx, 'ANALYZE acc_match (is_new, is_deleted, account_id, line)');
  });

  const hierarchyKept = await step('hierarchy', async () => {
    if (await hierarchyUnchanged(ctx, hasParent)) return true;
    await planHierarchy(ctx, hasParent);
    await run(tx, 'UPDATE acc_match m SET keep_hash = NULL FROM acc_flagged f WHERE f.line = m.line');
    return false;
  });

  await step('write', async () => {
    const fresh = await count(tx, 'SELECT count(*) AS n FROM acc_match WHERE is_new AND NOT is_deleted');
    counts.created = await withIndexesRebuilt(tx, 'accounts', fresh, () =>
      count(
        tx,
        `WITH ins AS (
         INSERT INTO accounts (id, directory_id, external_ref, display_name, parent_external_ref, parent_id, attributes,
                               row_hash, source_hash, created_run_id, updated_run_id)
         OVERRIDING SYSTEM VALUE
         SELECT m.account_id, ${D}, m.external_ref, m.display_name, ${hasParent ? 'm.parent_ref' : 'NULL'}, p.parent_id,
                m.attributes, m.row_hash, m.keep_hash, ${R}, ${R}
         FROM acc_match m LEFT JOIN acc_parent p ON p.id = m.account_id
         WHERE m.is_new AND NOT m.is_deleted
         RETURNING 1)
       SELECT count(*) AS n FROM ins`,
      ),
    );

    // History first, while the old values are still in acc_match.
    await run(
      tx,
      `INSERT INTO attribute_history (directory_id, entity, entity_id, field, old_value, new_value, source, run_id)
       SELECT ${D}, 'account', m.account_id, f.field, f.old_value, f.new_value, 'import', ${R}
       FROM acc_match m
       CROSS JOIN LATERAL (
         SELECT 'displayName' AS field, to_jsonb(m.old_display_name) AS old_value, to_jsonb(m.display_name) AS new_value
         ${hasParent ? `UNION ALL SELECT 'parentExternalRef', to_jsonb(m.old_parent_ref), to_jsonb(m.parent_ref)` : ''}
         UNION ALL SELECT k, m.old_attributes -> k, m.attributes -> k FROM unnest(${mappedKeys}) AS k
       ) f
       WHERE NOT m.is_new AND NOT m.is_deleted AND m.old_hash IS DISTINCT FROM m.row_hash
         AND f.old_value IS DISTINCT FROM f.new_value`,
    );

    counts.updated = await count(
      tx,
      `WITH upd AS (
         UPDATE accounts a SET
           display_name = m.display_name,
           ${hasParent ? 'parent_external_ref = m.parent_ref,' : ''}
           parent_id = p.parent_id,
           attributes = (a.attributes - ${mappedKeys}) || m.attributes,
           row_hash = m.row_hash, source_hash = m.keep_hash, deleted_at = NULL, updated_at = now(), updated_run_id = ${R}
         FROM acc_match m LEFT JOIN acc_parent p ON p.id = m.account_id
         WHERE a.id = m.account_id AND NOT m.is_new AND NOT m.is_deleted
           AND (m.old_hash IS DISTINCT FROM m.row_hash OR m.old_deleted_at IS NOT NULL)
         RETURNING 1)
       SELECT count(*) AS n FROM upd`,
    );

    counts.deleted = await count(
      tx,
      `WITH del AS (
         UPDATE accounts a SET deleted_at = now(), parent_id = NULL, source_hash = m.keep_hash, updated_at = now(), updated_run_id = ${R}
         FROM acc_match m
         WHERE a.id = m.account_id AND NOT m.is_new AND m.is_deleted AND m.old_deleted_at IS NULL
         RETURNING 1)
       SELECT count(*) AS n FROM del`,
    );

    // Unchanged rows read another way (a new mapping, say): only their source hash moves.
    await run(
      tx,
      `UPDATE accounts a SET source_hash = m.keep_hash FROM acc_match m
       WHERE a.id = m.account_id AND NOT m.is_new AND m.old_hash = m.row_hash AND (m.old_deleted_at IS NULL) = (NOT m.is_deleted)
         AND a.source_hash IS DISTINCT FROM m.keep_hash`,
    );

    const staged = await count(tx, 'SELECT count(*) AS n FROM acc_match');
    counts.unchanged = staged - counts.created - counts.updated - counts.deleted;
  });
  if (!hierarchyKept) await step('settle hierarchy', () => settleHierarchy(ctx));
  return counts;
}

/**
 * A re-import that adds, deletes and revives no account and moves no parent leaves the hierarchy
 * as the last import settled it (only imports write accounts): each row keeps its parent, and the
 * walk of the whole directory for cycles is spared. A row whose parent did not resolve last time
 * is reported again, so it takes the full path.
 */
async function hierarchyUnchanged(ctx: MergeContext, hasParent: boolean): Promise<boolean> {
  const moved = hasParent
    ? 'OR m.parent_ref IS DISTINCT FROM m.old_parent_ref OR (m.parent_ref IS NOT NULL AND m.old_parent_id IS NULL)'
    : '';
  const [change] = await run(
    ctx.tx,
    `SELECT 1 FROM acc_match m WHERE m.is_new OR m.is_deleted OR m.old_deleted_at IS NOT NULL ${moved} LIMIT 1`,
  );
  if (change) return false;
  await run(
    ctx.tx,
    `CREATE TEMP TABLE acc_parent ON COMMIT DROP AS
     SELECT m.account_id AS id, m.old_parent_id AS parent_id FROM acc_match m WHERE m.old_parent_id IS NOT NULL`,
  );
  await run(ctx.tx, 'CREATE TEMP TABLE acc_flagged (line int NOT NULL) ON COMMIT DROP');
  return true;
}
