import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Database, queryRows } from './database.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url));

/** drizzle-kit's journal, which lists migrations in order. */
const ZJournal = z.object({
  entries: z.array(
    z.object({ idx: z.number(), when: z.number(), tag: z.string(), breakpoints: z.boolean() }),
  ),
});

export interface Migration {
  tag: string;
  createdAt: number;
  hash: string;
  statements: string[];
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const journal = ZJournal.parse(JSON.parse(readFileSync(path.join(dir, 'meta', '_journal.json'), 'utf8')));
  return journal.entries.map((entry) => {
    const text = readFileSync(path.join(dir, `${entry.tag}.sql`), 'utf8');
    return {
      tag: entry.tag,
      createdAt: entry.when,
      hash: createHash('sha256').update(text).digest('hex'),
      statements: text
        .split('--> statement-breakpoint')
        .map((s) => s.trim())
        .filter(Boolean),
    };
  });
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
  /** Applied migrations whose file has since changed: never edit a shipped migration. */
  changed: string[];
}

// Any fixed number: every Rapport process migrating one database serialises on it.
const MIGRATION_LOCK_KEY = 7_261_010_001;

/**
 * Applies pending migrations in one transaction. Same bookkeeping table as drizzle-kit
 * (`drizzle.__drizzle_migrations`), so `drizzle-kit migrate` and this agree; unlike drizzle's
 * own migrator it is safe when several processes start at once, and reports what it did.
 */
export async function migrate(db: Database, migrations = readMigrations()): Promise<MigrationReport> {
  return db.orm.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(sql`create schema if not exists drizzle`);
    await tx.execute(
      sql`create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`,
    );
    const done = await queryRows<{ hash: string; created_at: number | string }>(
      tx,
      sql`select hash, created_at from drizzle.__drizzle_migrations order by created_at`,
    );
    const doneAt = new Map(done.map((row) => [Number(row.created_at), row.hash]));
    const last = Math.max(0, ...doneAt.keys());
    const report: MigrationReport = { applied: [], alreadyApplied: 0, changed: [] };
    for (const migration of migrations) {
      const appliedHash = doneAt.get(migration.createdAt);
      if (appliedHash !== undefined) {
        report.alreadyApplied++;
        if (appliedHash !== migration.hash) report.changed.push(migration.tag);
        continue;
      }
      if (migration.createdAt <= last) {
        throw new Error(
          `Migration ${migration.tag} is older than the newest applied one: migrations must only be appended.`,
        );
      }
      for (const statement of migration.statements) await tx.execute(sql.raw(statement));
      await tx.execute(
        sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${migration.hash}, ${migration.createdAt})`,
      );
      report.applied.push(migration.tag);
    }
    return report;
  });
}
