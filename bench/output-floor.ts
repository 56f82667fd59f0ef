import { run } from '../src/imports/b2b/sql-run.ts';
import { applyBulkStatementSettings, type Database } from '../src/platform/db/database.ts';

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
    await run(tx, `SET LOCAL maintenance_work_mem = '128MB'`);
    for (const table of tables) {
      const tableStarted = performance.now();
      const copy = `floor_${table}`;
      await run(tx, `CREATE TABLE ${copy} (LIKE ${table} INCLUDING DEFAULTS)`);
      const [inserted] = await run<{ n: number }>(
        tx,
        `WITH ins AS (INSERT INTO ${copy} SELECT * FROM ${table} RETURNING 1) SELECT count(*) AS n FROM ins`,
      );
      rows += Number(inserted!.n);
      const indexes = await run<{ definition: string }>(
        tx,
        `SELECT pg_get_indexdef(indexrelid) AS definition FROM pg_index WHERE indrelid = '${table}'::regclass`,
      );
      for (const [i, { definition }] of indexes.entries())
        await run(
          tx,
          definition.replace(
            /^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?\S+/,
            `CREATE $1INDEX ${copy}_${i} ON ${copy}`,
          ),
        );
      byTable[table.replace(/_\d+$/, '')] = (performance.now() - tableStarted) / 1000;
    }
  });
  const seconds = (performance.now() - started) / 1000;
  await db.orm.transaction(async (tx) => {
    for (const table of tables) await run(tx, `DROP TABLE floor_${table}`);
  });
  return { seconds, rows, byTable };
}
