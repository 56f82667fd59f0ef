import type { PGlite } from '@electric-sql/pglite';
import { type ExtractTablesWithRelations, type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { Pool } from 'pg';
import type * as schema from './schema.ts';

export type Schema = typeof schema;
export type DatabaseKind = 'pglite' | 'postgres';

/** The typed query layer, the same for both engines. */
export type Orm = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything that runs queries: the database itself or an open transaction. */
export type Executor = Orm | Tx;

/**
 * A statement of a hot path (the public respondent API): SQL with positional parameters ($1 …),
 * run through the driver without the ORM. On PostgreSQL it is prepared once per connection under
 * its name, then only bound and executed. Keep the text fixed per name (no interpolated values).
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

export const statement = (name: string, text: string): Statement => ({ name: `rapport.${name}`, text });

/** Runs statements: on the database (each its own transaction) or inside one transaction. */
export interface StatementRunner {
  /** Rows as the driver returns them (int8 as numbers, jsonb parsed, timestamps as Date). */
  run<T>(statement: Statement, params: unknown[]): Promise<T[]>;
}

interface DatabaseBase extends StatementRunner {
  readonly orm: Orm;
  /**
   * One transaction for statements (no ORM): committed when `work` resolves, rolled back when it
   * throws. On PGlite it holds the transaction lock, as orm.transaction() does.
   */
  transact<T>(work: (tx: StatementRunner) => Promise<T>): Promise<T>;
  /**
   * Raw SQL with positional parameters ($1 …), for generated statements. Not inside a transaction:
   * use orm.transaction() and queryRows(tx, sql`…`) for that.
   */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Cheap round trip, for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * PGlite is one connection. Run every multi-statement unit through `orm.transaction()` (which
 * holds PGlite's transaction lock), never a bare BEGIN, or another caller's statements would land
 * inside it.
 */
export interface PgliteDatabase extends DatabaseBase {
  readonly kind: 'pglite';
  readonly client: PGlite;
}

export interface PostgresDatabase extends DatabaseBase {
  readonly kind: 'postgres';
  readonly pool: Pool;
  readonly url: string;
}

export type Database = PgliteDatabase | PostgresDatabase;

/**
 * Runs raw SQL and returns its rows. Both drivers answer `{ rows }`; bigint and date columns are
 * normalised by each driver's type parsers (numbers and 'YYYY-MM-DD' strings).
 */
export async function queryRows<T>(executor: Executor, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

export async function queryOne<T>(executor: Executor, query: SQL): Promise<T | undefined> {
  const rows = await queryRows<T>(executor, query);
  return rows[0];
}

/** Runs a statement and returns how many rows it wrote (node-postgres: rowCount; PGlite: affectedRows). */
export async function executeCounted(executor: Executor, query: SQL): Promise<number> {
  const result = (await executor.execute(query)) as unknown as {
    rowCount?: number | null;
    affectedRows?: number;
  };
  return Number(result.rowCount ?? result.affectedRows ?? 0);
}

/**
 * Settings for the set-based statements that touch a whole directory at once (an import's merge, a
 * health recompute, a distribution's snapshot), SET LOCAL so they end with the transaction. JIT off:
 * the statements are long and run once, and compiling them cost more than it saved (0.45 s of a
 * 1.2 s import insert; 5.7 s of a 17 s recompute; 0.54 s of a 2.6 s distribution build). 64 MB of
 * work_mem: their sorts and hashes over 100,000s of rows stay in memory instead of spilling to disk.
 */
export async function applyBulkStatementSettings(executor: Executor): Promise<void> {
  await executor.execute(sql`SET LOCAL jit = off`);
  await executor.execute(sql`SET LOCAL work_mem = '64MB'`);
}

/** A unique index refused a row (SQLSTATE 23505), on node-postgres or PGlite, wrapped by Drizzle or not. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } } | null;
  return e?.code === '23505' || e?.cause?.code === '23505';
}
