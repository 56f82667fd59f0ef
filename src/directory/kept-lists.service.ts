import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../platform/db/database.ts';
import { queryOne } from '../platform/db/database.ts';
import { mailingLists } from './directory.schema.ts';

/**
 * Mailing lists another domain keeps in step with a source of its own (a Salesforce campaign and
 * its members): found again by id and renamed when the source is, and their members set to exactly
 * the contacts the source names by external reference — in set-based statements, inside the
 * caller's transaction.
 */

/** The list `id` when it still exists in the directory (renamed to `name` if need be), else a new list. */
export async function keepMailingList(
  tx: Executor,
  directoryId: number,
  id: number | null,
  name: string,
): Promise<number> {
  if (id !== null) {
    const [kept] = await tx
      .update(mailingLists)
      .set({ name })
      .where(and(eq(mailingLists.id, id), eq(mailingLists.directoryId, directoryId)))
      .returning({ id: mailingLists.id });
    if (kept) return kept.id;
  }
  const [created] = await tx
    .insert(mailingLists)
    .values({ directoryId, name })
    .returning({ id: mailingLists.id });
  return created!.id;
}

/**
 * Makes the members of `listIds` exactly the rows of `wanted` — a query of (list_id bigint,
 * external_ref text) — matched to live contacts of the directory by external reference; a contact
 * merged into another counts as the one it was merged into. A row naming no contact is left out
 * (the source's record is not in the directory). Keeps each list's member count; returns how many
 * members were added and removed.
 */
export async function setKeptListMembers(
  tx: Executor,
  directoryId: number,
  listIds: readonly number[],
  wanted: SQL,
): Promise<{ added: number; removed: number }> {
  if (listIds.length === 0) return { added: 0, removed: 0 };
  const lists = sql`${`{${listIds.map((id) => Math.trunc(id)).join(',')}}`}::bigint[]`;
  const members = sql`
    SELECT DISTINCT w.list_id::bigint AS list_id, COALESCE(s.id, c.id) AS contact_id
    FROM (${wanted}) w
    JOIN contacts c ON c.directory_id = ${directoryId} AND c.external_ref = w.external_ref
    LEFT JOIN contacts s ON s.id = c.merged_into_id AND s.deleted_at IS NULL
    WHERE w.list_id = ANY(${lists}) AND (c.deleted_at IS NULL OR s.id IS NOT NULL)`;
  const removed = await queryOne<{ n: number }>(
    tx,
    sql`WITH wanted AS (${members}),
        gone AS (
          DELETE FROM mailing_list_members m WHERE m.mailing_list_id = ANY(${lists})
            AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.list_id = m.mailing_list_id AND w.contact_id = m.contact_id)
          RETURNING m.mailing_list_id),
        counted AS (${addToMemberCounts(sql`gone`, -1)})
        SELECT count(*)::int AS n FROM gone`,
  );
  const added = await queryOne<{ n: number }>(
    tx,
    sql`WITH added AS (
          INSERT INTO mailing_list_members (mailing_list_id, contact_id)
          SELECT list_id, contact_id FROM (${members}) w ORDER BY contact_id
          ON CONFLICT DO NOTHING RETURNING mailing_list_id),
        counted AS (${addToMemberCounts(sql`added`, 1)})
        SELECT count(*)::int AS n FROM added`,
  );
  return { added: Number(added?.n ?? 0), removed: Number(removed?.n ?? 0) };
}

/**
 * An UPDATE of the lists' member counts by the `rows` (a WITH query returning mailing_list_id)
 * that were added (sign 1) or removed (-1): what every writer of members runs after its write.
 */
export function addToMemberCounts(rows: SQL, sign: 1 | -1): SQL {
  return sql`UPDATE mailing_lists l SET member_count = l.member_count + ${sign}::int * c.n
    FROM (SELECT mailing_list_id, count(*)::int AS n FROM ${rows} GROUP BY 1) c WHERE l.id = c.mailing_list_id`;
}
