import { type SQL, sql } from 'drizzle-orm';
import { type Executor, executeCounted } from '../platform/db/database.ts';

/**
 * An import run's mailing list (every contact of its file) as a partition of
 * `mailing_list_members` of its own. Filled while it is a plain new table, then indexed from a sort,
 * it costs the same however many lists the directory keeps: in one shared table, a second list of a
 * million contacts took 1.7 times as long as the first, its contact index entries scattered through
 * every earlier list's. Both steps run inside the caller's transaction: a failed run leaves no table.
 */

const partitionName = (listId: number): string => `mailing_list_members_${Math.trunc(listId)}`;

/**
 * Creates the list's table with the contacts `contactIds` select, then its primary key, and sets
 * the list's member count. Each query selects one `id` bigint column, each id once; the first
 * should be the largest. Later queries may repeat ids of earlier ones: they go in after the key,
 * which drops the repeats (so the large query needs no anti-join against the others). Not yet part
 * of the list table: see attachRunListPartition.
 */
export async function fillRunListPartition(
  tx: Executor,
  listId: number,
  [largest, ...others]: [SQL, ...SQL[]],
): Promise<void> {
  const table = sql.raw(partitionName(listId));
  const id = sql.raw(String(Math.trunc(listId)));
  // The CHECK spares ATTACH a scan of the table to prove every row belongs to the list.
  await tx.execute(sql`
    CREATE TABLE ${table} (
      mailing_list_id bigint NOT NULL CHECK (mailing_list_id = ${id}),
      contact_id bigint NOT NULL,
      added_at timestamp with time zone NOT NULL DEFAULT now())`);
  // In no particular order: the key is built from its own sort (sorting the rows first cost more).
  let members = await executeCounted(
    tx,
    sql`INSERT INTO ${table} (mailing_list_id, contact_id) SELECT ${id}, id FROM (${largest}) ids`,
  );
  await tx.execute(sql`SET LOCAL maintenance_work_mem = '128MB'`);
  await tx.execute(sql`ALTER TABLE ${table} ADD PRIMARY KEY (contact_id, mailing_list_id)`);
  for (const query of others)
    members += await executeCounted(
      tx,
      sql`INSERT INTO ${table} (mailing_list_id, contact_id) SELECT ${id}, id FROM (${query}) ids ON CONFLICT DO NOTHING`,
    );
  await tx.execute(sql`UPDATE mailing_lists SET member_count = ${members} WHERE id = ${listId}`);
}

/**
 * Makes the filled table the list's partition. ATTACH locks the default partition until commit
 * (it checks that no row there belongs to the list), so the run does it last, just before it commits.
 */
export async function attachRunListPartition(tx: Executor, listId: number): Promise<void> {
  await tx.execute(
    sql`ALTER TABLE mailing_list_members ATTACH PARTITION ${sql.raw(partitionName(listId))} FOR VALUES IN (${sql.raw(String(Math.trunc(listId)))})`,
  );
}
