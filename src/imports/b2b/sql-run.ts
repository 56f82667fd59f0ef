import { sql } from 'drizzle-orm';
import { type Database, type Executor, queryRows } from '../../platform/db/database.ts';

/** Runs generated SQL text (literals already quoted) on a transaction or the database. */
export function run<T = Record<string, unknown>>(executor: Executor, text: string): Promise<T[]> {
  return queryRows<T>(executor, sql.raw(text));
}

export async function count(executor: Executor, text: string): Promise<number> {
  const [row] = await run<{ n: number | string }>(executor, text);
  return Number(row?.n ?? 0);
}

/**
 * Settings for an import's statements, SET LOCAL so they end with the transaction: memory for the
 * hash joins and aggregates over a whole file (with the default 4 MB they spill to disk in
 * batches), and no JIT: the generated statements are long, and compiling them cost more than it
 * saved (0.45 s of a 1.2 s insert of 180,000 client roles; 10% at best on the parse).
 */
export async function useImportSettings(executor: Executor): Promise<void> {
  await run(executor, `SET LOCAL work_mem = '64MB'`);
  await run(executor, 'SET LOCAL jit = off');
}

/** Runs one statement with the import settings (in its own transaction). */
export function withImportSettings(db: Database, text: string): Promise<unknown> {
  return db.orm.transaction(async (tx) => {
    await useImportSettings(tx);
    return run(tx, text);
  });
}
