import { lit } from '../../platform/db/sql-text.ts';
import type { MergeContext } from './merge-context.ts';
import { run } from './sql-run.ts';

/**
 * The directory's hierarchy as it will be once the accounts file is merged, worked out before a
 * single account is written, so new accounts are inserted with their parent and an account is
 * written once (updating each new account's parent_id afterwards rewrote every row and cost more
 * than inserting them).
 *
 * acc_future holds every account live after the merge: the file's rows that are not deleted (new
 * ones with the ids acc_match gave them), and the directory's live accounts the file leaves alone.
 * A parent that is unknown or deleted, or a link that would close a cycle, leaves the account
 * without a parent; for the file's rows that is reported (acc_flagged lists their lines, and those
 * rows keep no source hash, so the next import checks them again). acc_parent gives each live
 * account its parent_id.
 */
export async function planHierarchy(ctx: MergeContext, fileHasParents: boolean): Promise<void> {
  const { tx, runId, directoryId, file } = ctx;
  const D = lit(directoryId);
  await run(
    tx,
    `CREATE TEMP TABLE acc_future ON COMMIT DROP AS
     SELECT m.account_id AS id, m.external_ref, ${fileHasParents ? 'm.parent_ref' : 'm.old_parent_ref'} AS parent_ref
     FROM acc_match m WHERE NOT m.is_deleted
     UNION ALL
     SELECT a.id, a.external_ref, a.parent_external_ref FROM accounts a
     WHERE a.directory_id = ${D} AND a.deleted_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM acc_match m WHERE m.account_id = a.id)`,
  );
  await run(
    tx,
    `CREATE TEMP TABLE acc_links ON COMMIT DROP AS
     SELECT c.id, p.id AS parent_id FROM acc_future c JOIN acc_future p ON p.external_ref = c.parent_ref AND p.id <> c.id`,
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
  await run(
    tx,
    `CREATE TEMP TABLE acc_parent ON COMMIT DROP AS
     SELECT l.id, l.parent_id FROM acc_links l WHERE NOT EXISTS (SELECT 1 FROM acc_cycles y WHERE y.id = l.id)`,
  );
  await run(tx, 'CREATE TEMP TABLE acc_flagged (line int NOT NULL) ON COMMIT DROP');
  if (!fileHasParents) return;
  await run(
    tx,
    `WITH flagged AS (
       INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason)
       SELECT ${lit(runId)}, 'warning', 'accounts', ${lit(file)}, m.line, 'ParentId', m.parent_ref,
         CASE WHEN m.parent_ref = m.external_ref THEN 'an account cannot be its own parent: left without a parent'
              WHEN y.id IS NOT NULL THEN 'this parent link would make a cycle in the hierarchy: left without a parent'
              ELSE 'parent account not found in the file or the directory (or deleted): left without a parent' END
       FROM acc_match m
       LEFT JOIN acc_links l ON l.id = m.account_id
       LEFT JOIN acc_cycles y ON y.id = m.account_id
       WHERE NOT m.is_deleted AND m.parent_ref IS NOT NULL AND (l.id IS NULL OR y.id IS NOT NULL)
       RETURNING line)
     INSERT INTO acc_flagged (line) SELECT line FROM flagged`,
  );
}

/**
 * Accounts the file did not write whose parent changed all the same (their parent was deleted,
 * or arrived, in this file), and deleted accounts, which keep no parent.
 */
export async function settleHierarchy(ctx: MergeContext): Promise<void> {
  await run(
    ctx.tx,
    `UPDATE accounts a SET parent_id = p.parent_id
     FROM accounts a2 LEFT JOIN acc_parent p ON p.id = a2.id
     WHERE a2.directory_id = ${lit(ctx.directoryId)} AND a.id = a2.id AND a.parent_id IS DISTINCT FROM p.parent_id`,
  );
}
