import { sql } from 'drizzle-orm';
import { applyBulkStatementSettings, type Database, queryRows } from '../src/platform/db/database.ts';

/**
 * The floor under any first import: the time to write the rows it produced, and nothing else, into
 * empty tables shaped like the real ones, by the cheapest route (rows first, then each index and
 * key built from one sort). The rows are copied inside the server (INSERT … SELECT from the tables
 * the import filled): no client transfer, no CSV to read, no value to check, no row to match. No
 * import into these tables can be faster. The run's mailing list is the partition it created.
 */
export async function outputFloor(
  db: Database,
): Promise<{ seconds: number; rows: number; byTable: Record<string, number> }> {
  const [list] = await db.query<{ id: number }>('SELECT max(id) AS id FROM mailing_lists');
  const tables = [
    'accounts',
    'contacts',
    'account_contact_roles',
    'account_team_members',
    `mailing_list_members_${Number(list!.id)}`,
  ];
  let rows = 0;
  const byTable: Record<string, number> = {};
  const started = performance.now();
  await db.orm.transaction(async (tx) => {
    await applyBulkStatementSettings(tx);
    await queryRows(tx, sql.raw(`SET LOCAL maintenance_work_mem = '128MB'`));
    for (const table of tables) {
      const tableStarted = performance.now();
      const copy = `floor_${table}`;
      await queryRows(tx, sql.raw(`CREATE TABLE ${copy} (LIKE ${table} INCLUDING DEFAULTS)`));
      const [inserted] = await queryRows<{ n: number }>(
        tx,
        sql.raw(
          `WITH ins AS (INSERT INTO ${copy} SELECT * FROM ${table} RETURNING 1) SELECT count(*) AS n FROM ins`,
        ),
      );
      rows += Number(inserted!.n);
      const indexes = await queryRows<{ definition: string }>(
        tx,
        sql.raw(
          `SELECT pg_get_indexdef(indexrelid) AS definition FROM pg_index WHERE indrelid = '${table}'::regclass`,
        ),
      );
      for (const [i, { definition }] of indexes.entries())
        await queryRows(
          tx,
          sql.raw(
            definition.replace(
              /^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?\S+/,
              `CREATE $1INDEX ${copy}_${i} ON ${copy}`,
            ),
          ),
        );
      byTable[table.replace(/_\d+$/, '')] = (performance.now() - tableStarted) / 1000;
    }
  });
  const seconds = (performance.now() - started) / 1000;
  await db.orm.transaction(async (tx) => {
    for (const table of tables) await queryRows(tx, sql.raw(`DROP TABLE floor_${table}`));
  });
  return { seconds, rows, byTable };
}
