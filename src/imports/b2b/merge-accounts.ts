import type { Tx } from '../../platform/db/database.ts';
import { lit } from '../../platform/db/sql-text.ts';
import type { ColumnPlan } from './column-plan.ts';
import { emptyCounts, type ObjectCounts } from './counts.ts';
import { count, run } from './sql-run.ts';
import { stageTable } from './stage-sql.ts';

export interface MergeContext {
  tx: Tx;
  runId: number;
  directoryId: number;
  file: string;
}

/**
 * Accounts: insert new, update changed (keeping a history row per changed field), soft-delete
 * IsDeleted ones, then resolve the hierarchy for the whole directory, refusing cycles.
 */
export async function mergeAccounts(ctx: MergeContext, plan: ColumnPlan): Promise<ObjectCounts> {
  const { tx, runId, directoryId } = ctx;
  const stage = stageTable(runId, 'accounts');
  const D = lit(directoryId);
  const R = lit(runId);
  const hasParent = plan.fields.parentExternalRef !== undefined;
  const mappedKeys = `ARRAY[${plan.attributes.map((a) => lit(a.name)).join(', ')}]::text[]`;
  const counts = emptyCounts();

  // A row with anything to report keeps no source hash, so the next import checks it again.
  await run(
    tx,
    `CREATE TEMP TABLE acc_match ON COMMIT DROP AS
     SELECT s.*, a.id AS account_id, a.row_hash AS old_hash, a.source_hash AS old_source_hash, a.deleted_at AS old_deleted_at,
            a.display_name AS old_display_name, a.parent_external_ref AS old_parent_ref, a.attributes AS old_attributes,
            CASE WHEN cardinality(s.problems) = 0 THEN s.source_hash END AS keep_hash
     FROM ${stage} s LEFT JOIN accounts a ON a.directory_id = ${D} AND a.external_ref = s.external_ref`,
  );

  counts.created = await count(
    tx,
    `WITH ins AS (
       INSERT INTO accounts (directory_id, external_ref, display_name, parent_external_ref, attributes, row_hash, source_hash, created_run_id, updated_run_id)
       SELECT ${D}, m.external_ref, m.display_name, ${hasParent ? 'm.parent_ref' : 'NULL'}, m.attributes, m.row_hash, m.keep_hash, ${R}, ${R}
       FROM acc_match m WHERE m.account_id IS NULL AND NOT m.is_deleted
       RETURNING 1)
     SELECT count(*) AS n FROM ins`,
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
     WHERE m.account_id IS NOT NULL AND NOT m.is_deleted AND m.old_hash IS DISTINCT FROM m.row_hash
       AND f.old_value IS DISTINCT FROM f.new_value`,
  );

  counts.updated = await count(
    tx,
    `WITH upd AS (
       UPDATE accounts a SET
         display_name = m.display_name,
         ${hasParent ? 'parent_external_ref = m.parent_ref,' : ''}
         attributes = (a.attributes - ${mappedKeys}) || m.attributes,
         row_hash = m.row_hash, source_hash = m.keep_hash, deleted_at = NULL, updated_at = now(), updated_run_id = ${R}
       FROM acc_match m
       WHERE a.id = m.account_id AND NOT m.is_deleted
         AND (m.old_hash IS DISTINCT FROM m.row_hash OR m.old_deleted_at IS NOT NULL)
       RETURNING 1)
     SELECT count(*) AS n FROM upd`,
  );

  counts.deleted = await count(
    tx,
    `WITH del AS (
       UPDATE accounts a SET deleted_at = now(), source_hash = m.keep_hash, updated_at = now(), updated_run_id = ${R}
       FROM acc_match m
       WHERE a.id = m.account_id AND m.is_deleted AND m.old_deleted_at IS NULL
       RETURNING 1)
     SELECT count(*) AS n FROM del`,
  );

  // Unchanged rows read another way (a new mapping, say): only their source hash moves.
  await run(
    tx,
    `UPDATE accounts a SET source_hash = m.keep_hash FROM acc_match m
     WHERE a.id = m.account_id AND m.old_hash = m.row_hash AND (m.old_deleted_at IS NULL) = (NOT m.is_deleted)
       AND a.source_hash IS DISTINCT FROM m.keep_hash`,
  );

  const staged = await count(tx, 'SELECT count(*) AS n FROM acc_match');
  counts.unchanged = staged - counts.created - counts.updated - counts.deleted;
  await resolveHierarchy(ctx, hasParent);
  return counts;
}

/**
 * Sets parent_id from parent_external_ref across the directory. A parent that is unknown or
 * deleted, or a link that would close a cycle, leaves the account without a parent and is reported
 * (for the accounts of this run's file).
 */
async function resolveHierarchy(ctx: MergeContext, fileHasParents: boolean): Promise<void> {
  const { tx, runId, directoryId, file } = ctx;
  const D = lit(directoryId);
  await run(
    tx,
    `CREATE TEMP TABLE acc_links ON COMMIT DROP AS
     SELECT c.id, p.id AS parent_id
     FROM accounts c JOIN accounts p ON p.directory_id = c.directory_id AND p.external_ref = c.parent_external_ref AND p.deleted_at IS NULL
     WHERE c.directory_id = ${D} AND c.parent_external_ref IS NOT NULL AND c.deleted_at IS NULL AND p.id <> c.id`,
  );
  await run(
    tx,
    `CREATE TEMP TABLE acc_cycles ON COMMIT DROP AS
     WITH RECURSIVE walk(start, node, depth) AS (
       SELECT id, parent_id, 1 FROM acc_links
       UNION ALL
       SELECT w.start, l.parent_id, w.depth + 1 FROM walk w JOIN acc_links l ON l.id = w.node
       WHERE w.node <> w.start AND w.depth < 1000)
     SELECT DISTINCT start AS id FROM walk WHERE node = start`,
  );
  if (fileHasParents)
    await run(
      tx,
      `INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason)
     SELECT ${lit(runId)}, 'warning', 'accounts', ${lit(file)}, m.line, 'ParentId', m.parent_ref,
       CASE WHEN m.parent_ref = m.external_ref THEN 'an account cannot be its own parent: left without a parent'
            WHEN y.id IS NOT NULL THEN 'this parent link would make a cycle in the hierarchy: left without a parent'
            ELSE 'parent account not found in the file or the directory (or deleted): left without a parent' END
     FROM acc_match m
     JOIN accounts a ON a.directory_id = ${D} AND a.external_ref = m.external_ref
     LEFT JOIN acc_links l ON l.id = a.id
     LEFT JOIN acc_cycles y ON y.id = a.id
     WHERE NOT m.is_deleted AND m.parent_ref IS NOT NULL AND (l.id IS NULL OR y.id IS NOT NULL)`,
    );
  if (fileHasParents) {
    await run(
      tx,
      `UPDATE accounts a SET source_hash = NULL FROM import_issues i, acc_match m
       WHERE i.run_id = ${lit(runId)} AND i.object = 'accounts' AND i.line = m.line
         AND a.directory_id = ${D} AND a.external_ref = m.external_ref AND a.source_hash IS NOT NULL`,
    );
  }
  await run(
    tx,
    `UPDATE accounts a SET parent_id = t.parent_id
     FROM (
       SELECT a2.id, CASE WHEN y.id IS NULL THEN l.parent_id END AS parent_id
       FROM accounts a2 LEFT JOIN acc_links l ON l.id = a2.id LEFT JOIN acc_cycles y ON y.id = a2.id
       WHERE a2.directory_id = ${D}
     ) t
     WHERE a.id = t.id AND a.parent_id IS DISTINCT FROM t.parent_id`,
  );
}
