import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Orm, PostgresDatabase, Statement, StatementRunner } from './database.ts';
import * as schema from './schema.ts';
import { DATE_OID, INT8_OID, keepDateText, parseInt8 } from './type-parsers.ts';

// Global on purpose: drizzle's node-postgres driver falls back to pg's global parsers for the raw
// SQL it runs, and this process owns every pool it opens.
pg.types.setTypeParser(INT8_OID, parseInt8);
pg.types.setTypeParser(DATE_OID, keepDateText);

export async function openPostgres(
  url: string,
  options: { max?: number; applicationName?: string } = {},
): Promise<PostgresDatabase> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'rapport',
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const orm = drizzle({ client: pool, schema }) as unknown as Orm;
  const runOn = (client: pg.Pool | pg.PoolClient): StatementRunner['run'] =>
    async function run<T>(statement: Statement, params: unknown[]) {
      const result = await client.query({ name: statement.name, text: statement.text, values: params });
      return result.rows as T[];
    };
  const db: PostgresDatabase = {
    kind: 'postgres',
    pool,
    url,
    orm,
    run: runOn(pool),
    async transact(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        try {
          const result = await work({ run: runOn(client) });
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch((rollbackError: Error) => {
            // A connection that cannot roll back is not given to anyone else.
            broken = rollbackError;
          });
          throw error;
        }
      } finally {
        client.release(broken);
      }
    },
    async query<T>(text: string, params: unknown[] = []) {
      const result = await pool.query(text, params);
      const last = Array.isArray(result) ? result.at(-1) : result;
      return (last?.rows ?? []) as T[];
    },
    async ping() {
      await pool.query('select 1');
    },
    async close() {
      await pool.end();
    },
  };
  await db.ping();
  return db;
}
