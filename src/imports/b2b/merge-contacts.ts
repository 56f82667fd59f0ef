import { sql } from 'drizzle-orm';
import { fillRunListPartition } from '../../directory/run-list-partitions.ts';
import { lit } from '../../platform/db/sql-text.ts';
import type { Mapping } from '../mapping.ts';
import { withIndexesRebuilt } from './bulk-indexes.ts';
import {
  accountMissing,
  reportRoleProblems,
  titleMarker,
  unmappedTitle,
  writeClientRoles,
} from './client-roles.ts';
import type { ColumnPlan } from './column-plan.ts';
import {
  CONTACT_COLUMNS,
  contactFields,
  HISTORY_NAMES,
  NOT_NULL_FLAGS,
  oldColumn,
} from './contact-columns.ts';
import { matchContacts } from './contact-match.ts';
import { emptyCounts, type ObjectCounts } from './counts.ts';
import { type MergeContext, stepOf } from './merge-context.ts';
import { count, run } from './sql-run.ts';
import { skippedTable } from './stage-sql.ts';

export interface ContactMergeResult {
  counts: ObjectCounts;
  /** The run's new list, its members in a table the run attaches last (attachRunListPartition). */
  mailingListId: number | null;
}

/**
 * Contacts: match each row to a contact (contact-match.ts), resolve its client role, insert or
 * update, soft-delete IsDeleted ones, and optionally put the file's contacts in a new mailing list.
 * A first import is one insert of every row; a re-import compares each matched row with the
 * contact's stored values, taken while matching, and touches only what changed.
 */
export async function mergeContacts(
  ctx: MergeContext,
  plan: ColumnPlan,
  mapping: Mapping,
  /** setAside: the file's rows set aside as unchanged (skip-unchanged.ts). */
  options: { dedupKeys: string[]; mailingListName: string | null; setAside: number },
): Promise<ContactMergeResult> {
  const { tx, runId, directoryId } = ctx;
  const D = lit(directoryId);
  const R = lit(runId);
  const fields = contactFields(plan);
  const { has, provided, updatable, mappedKeys } = fields;
  const hasAccount = has('accountExternalRef');
  const counts = emptyCounts();
  const step = stepOf(ctx, 'contacts');

  const byEmail = options.dedupKeys.includes('email') && has('email');
  // Nothing matched (a directory's first import): every row is new, and the statements that compare,
  // update or delete existing contacts and their roles have nothing to read.
  const { mayMatch } = await matchContacts(ctx, fields, mapping, byEmail);
  if (hasAccount) await step('roles', () => reportRoleProblems(ctx, has('title')));
  // A row keeps its source hash (skipped while unchanged) unless its outcome hangs on the directory
  // (an account not there yet); it keeps its warnings with it, to report them again when skipped.
  const clean = hasAccount ? `(m.is_deleted OR NOT ${accountMissing})` : 'true';
  const keepHash = `CASE WHEN ${clean} THEN m.source_hash END`;
  const keepWarnings = `CASE WHEN ${clean} THEN ${
    hasAccount
      ? `CASE WHEN ${unmappedTitle(has('title'))} THEN array_append(m.problems, ${titleMarker}) ELSE m.problems END`
      : 'm.problems'
  } END`;
  const value = (c: string) => (NOT_NULL_FLAGS.has(c) ? `coalesce(m.${c}, false)` : `m.${c}`);

  // One pass over con_match (a million rows on a first import) for every count the merge needs.
  const [tally] = await run<{ staged: string; created: string; roles: string }>(
    tx,
    `SELECT count(*) AS staged, count(*) FILTER (WHERE is_new) AS created,
            count(*) FILTER (WHERE is_new AND account_id IS NOT NULL AND role IS NOT NULL) AS roles
     FROM con_match`,
  );
  const staged = Number(tally!.staged);
  const newRows = Number(tally!.created);
  counts.created = await step('insert', () =>
    withIndexesRebuilt(tx, 'contacts', newRows, () =>
      count(
        tx,
        `WITH ins AS (
         INSERT INTO contacts (id, directory_id, ${provided.map((c) => CONTACT_COLUMNS[c]).join(', ')}${has('emailBouncedReason') ? ', email_bounced' : ''},
                               attributes, row_hash, source_hash, source_warnings, created_run_id, updated_run_id)
         OVERRIDING SYSTEM VALUE
         SELECT m.contact_id, ${D}, ${provided.map(value).join(', ')}
                ${has('emailBouncedReason') ? ', m.email_bounced_reason IS NOT NULL' : ''},
                m.attributes, m.row_hash, ${keepHash}, ${keepWarnings}, ${R}, ${R}
         FROM con_match m WHERE m.is_new
         RETURNING 1)
       SELECT count(*) AS n FROM ins`,
      ),
    ),
  );

  if (mayMatch)
    await step('update', async () => {
      const historyFields = updatable
        .map(
          (c) =>
            `SELECT ${lit(HISTORY_NAMES[c]!)} AS field, to_jsonb(m.${oldColumn(c)}) AS old_value, to_jsonb(m.${c}) AS new_value`,
        )
        .join(' UNION ALL ');
      await run(
        tx,
        `INSERT INTO attribute_history (directory_id, entity, entity_id, field, old_value, new_value, source, run_id)
       SELECT ${D}, 'contact', m.contact_id, f.field, f.old_value, f.new_value, 'import', ${R}
       FROM con_match m
       CROSS JOIN LATERAL (
         ${historyFields ? `${historyFields} UNION ALL ` : ''}
         SELECT k, m.old_attributes -> k, m.attributes -> k FROM unnest(${mappedKeys}) AS k
       ) f
       WHERE NOT m.is_new AND NOT m.is_deleted AND m.old_row_hash IS DISTINCT FROM m.row_hash
         AND f.old_value IS DISTINCT FROM f.new_value`,
      );

      counts.updated = await count(
        tx,
        `WITH upd AS (
         UPDATE contacts c SET
           ${updatable.map((col) => `${CONTACT_COLUMNS[col]} = ${value(col)},`).join('\n')}
           ${has('emailBouncedReason') ? 'email_bounced = m.email_bounced_reason IS NOT NULL,' : ''}
           attributes = (c.attributes - ${mappedKeys}) || m.attributes,
           row_hash = m.row_hash, source_hash = ${keepHash}, source_warnings = ${keepWarnings},
           deleted_at = NULL, updated_at = now(), updated_run_id = ${R}
         FROM con_match m
         WHERE c.id = m.contact_id AND NOT m.is_new AND NOT m.is_deleted
           AND (m.old_row_hash IS DISTINCT FROM m.row_hash OR m.old_deleted_at IS NOT NULL)
         RETURNING 1)
       SELECT count(*) AS n FROM upd`,
      );

      if (has('externalRef') && byEmail) {
        await run(
          tx,
          `WITH linked AS (
           UPDATE contacts c SET external_ref = m.external_ref
           FROM con_match m
           WHERE c.id = m.contact_id AND m.matched_on = 'email' AND c.external_ref IS NULL AND m.external_ref IS NOT NULL
           RETURNING c.id, m.external_ref)
         INSERT INTO attribute_history (directory_id, entity, entity_id, field, old_value, new_value, source, run_id)
         SELECT ${D}, 'contact', id, 'externalRef', NULL, to_jsonb(external_ref), 'import', ${R} FROM linked`,
        );
      }

      counts.deleted = await count(
        tx,
        `WITH del AS (
         UPDATE contacts c SET deleted_at = now(), source_hash = ${keepHash}, source_warnings = ${keepWarnings},
           updated_at = now(), updated_run_id = ${R}
         FROM con_match m
         WHERE c.id = m.contact_id AND m.is_deleted AND m.old_deleted_at IS NULL
         RETURNING 1)
       SELECT count(*) AS n FROM del`,
      );
      // Unchanged rows read another way (a new mapping, say): only their source hash moves.
      await run(
        tx,
        `UPDATE contacts c SET source_hash = ${keepHash}, source_warnings = ${keepWarnings} FROM con_match m
       WHERE c.id = m.contact_id AND m.matched_on = 'external_ref' AND m.old_row_hash = m.row_hash
         AND (m.old_deleted_at IS NULL) = (NOT m.is_deleted) AND m.old_source_hash IS DISTINCT FROM ${keepHash}`,
      );
    });
  counts.unchanged = staged - counts.created - counts.updated - counts.deleted;

  if (hasAccount) await step('write roles', () => writeClientRoles(ctx, mayMatch, Number(tally!.roles)));

  let mailingListId: number | null = null;
  if (options.mailingListName) {
    const [list] = await run<{ id: number }>(
      tx,
      `INSERT INTO mailing_lists (directory_id, name, import_run_id) VALUES (${D}, ${lit(options.mailingListName)}, ${R}) RETURNING id`,
    );
    const listId = Number(list!.id);
    mailingListId = listId;
    // Every contact of the file, those set aside as unchanged included, each once (a contact may
    // be reached by a changed row and by unchanged ones, through a merge or an email match: the
    // smaller set goes in second, its repeats dropped by the list's key). The run attaches the
    // list's table last.
    const unchanged = sql.raw(
      `SELECT id FROM ${skippedTable(runId, 'contacts')} WHERE NOT deleted AND NOT repeated`,
    );
    const matched = sql.raw(
      'SELECT contact_id AS id FROM con_match WHERE NOT is_deleted AND contact_id IS NOT NULL',
    );
    await step('mailing list', () =>
      fillRunListPartition(
        tx,
        listId,
        options.setAside > staged ? [unchanged, matched] : [matched, unchanged],
      ),
    );
  }
  return { counts, mailingListId };
}
