import type { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations, SQL } from 'drizzle-orm';
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

interface DatabaseBase {
  readonly orm: Orm;
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
