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
  options: { workMem?: '256MB' } = {},
): Promise<unknown> {
  return db.orm.transaction(async (tx) => {
    await applyBulkStatementSettings(tx);
    if (options.workMem) await run(tx, `SET LOCAL work_mem = '${options.workMem}'`);
    return run(tx, text);
  });
}
