import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import type { Database } from '../../src/platform/db/database.ts';
import { openMemoryPglite } from '../../src/platform/db/pglite-database.ts';
import { openPostgres } from '../../src/platform/db/postgres-database.ts';
import { testEngine, withDatabase } from './test-env.ts';

/**
 * A fresh, migrated database of its own for one test file: a copy of the run's template (PGlite
 * in memory, or a PostgreSQL database cloned from the template and dropped on close).
 */
export async function createTestDatabase(): Promise<Database> {
  if (testEngine() === 'pglite') {
    return openMemoryPglite(new Blob([readFileSync(inject('pgliteTemplateFile'))]));
  }
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `rapport_t_${process.ppid}_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (admin) =>
    admin.query(`create database ${name} template ${inject('postgresTemplateDb')}`),
  );
  const db = await openPostgres(withDatabase(adminUrl, name), { max: 5 });
  const close = db.close;
  return Object.assign(db, {
    async close() {
      await close();
      await withAdmin(adminUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`));
    },
  });
}

/** A connection string for a brand-new empty database (for tests of processes that migrate). */
export async function createEmptyPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `rapport_t_${process.ppid}_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`create database ${name}`));
  return {
    url: withDatabase(adminUrl, name),
    drop: () =>
      withAdmin(adminUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`)).then(
        () => {},
      ),
  };
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
