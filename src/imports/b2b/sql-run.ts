import { sql } from 'drizzle-orm';
import {
  applyBulkStatementSettings,
  type Database,
  type Executor,
  queryRows,
} from '../../platform/db/database.ts';

/** Runs generated SQL text (literals already quoted) on a transaction or the database. */
export function run<T = Record<string, unknown>>(executor: Executor, text: string): Promise<T[]> {
  return queryRows<T>(executor, sql.raw(text));
}

export async function count(executor: Executor, text: string): Promise<number> {
  const [row] = await run<{ n: number | string }>(executor, text);
  return Number(row?.n ?? 0);
}

/** Runs one statement with the bulk settings (in its own transaction), or more work_mem when said. */
export function withImportSettings(
  db: Database,
  text: string,
  options: { largeWorkMem?: boolean } = {},
): Promise<unknown> {
  return db.orm.transaction(async (tx) => {
    await applyBulkStatementSettings(tx);
    return options.largeWorkMem ? withLargeWorkMem(tx, () => run(tx, text)) : run(tx, text);
  });
}

/**
 * Work with 256MB of work_mem, then the bulk settings again: for the statements that hash or sort
 * a million rows (at 64MB they spilled to disk).
 */
export async function withLargeWorkMem<T>(tx: Executor, work: () => Promise<T>): Promise<T> {
  await run(tx, `SET LOCAL work_mem = '256MB'`);
  const result = await work();
  await applyBulkStatementSettings(tx);
  return result;
}
