import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { Orm, PgliteDatabase, Statement } from './database.ts';
import * as schema from './schema.ts';
import { DATE_OID, keepDateText } from './type-parsers.ts';

const parsers = { [DATE_OID]: keepDateText, [types.INT8]: (v: string) => Number(v) };

/** Wraps an open PGlite (file-backed, in-memory, or loaded from a dump) as a Database. */
export function wrapPglite(client: PGlite): PgliteDatabase {
  const orm = drizzle({ client, schema }) as unknown as Orm;
  return {
    kind: 'pglite',
    client,
    orm,
    async run<T>(statement: Statement, params: unknown[]) {
      return (await client.query<T>(statement.text, params)).rows;
    },
    transact: (work) =>
      client.transaction((tx) =>
        work({
          async run<T>(statement: Statement, params: unknown[]) {
            return (await tx.query<T>(statement.text, params)).rows;
          },
        }),
      ),
    async query<T>(text: string, params: unknown[] = []) {
      // exec (simple protocol) for parameterless text: it accepts several statements and DDL.
      if (params.length === 0) {
        const results = await client.exec(text);
        return (results.at(-1)?.rows ?? []) as T[];
      }
      return (await client.query<T>(text, params)).rows;
    },
    async ping() {
      await client.query('select 1');
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

/** Opens the embedded database under `<dataDir>/pgdata`. The caller holds the data-folder lock. */
export async function openPglite(dataDir: string): Promise<PgliteDatabase> {
  const pgdata = path.join(dataDir, 'pgdata');
  mkdirSync(pgdata, { recursive: true });
  const client = await PGlite.create({ dataDir: pgdata, parsers });
  return wrapPglite(client);
}

/** An empty in-memory database, or one loaded from a `dumpDataDir()` tarball (tests). */
export async function openMemoryPglite(loadDataDir?: Blob | File): Promise<PgliteDatabase> {
  const client = await PGlite.create(loadDataDir ? { loadDataDir, parsers } : { parsers });
  return wrapPglite(client);
}
