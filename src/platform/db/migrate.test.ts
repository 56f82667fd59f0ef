import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyPostgresDatabase } from '../../../test/harness/test-database.ts';
import { testEngine } from '../../../test/harness/test-env.ts';
import { type Database, queryRows } from './database.ts';
import { type Migration, migrate, readMigrations } from './migrate.ts';
import { openMemoryPglite } from './pglite-database.ts';
import { openPostgres } from './postgres-database.ts';

const m = (tag: string, createdAt: number, statements: string[]): Migration => ({
  tag,
  createdAt,
  hash: `${tag}-hash`,
  statements,
});

let db: Database;
let second: Database | undefined;
let drop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  if (testEngine() === 'pglite') {
    db = await openMemoryPglite();
  } else {
    const empty = await createEmptyPostgresDatabase();
    drop = empty.drop;
    db = await openPostgres(empty.url);
    second = await openPostgres(empty.url);
  }
});
afterAll(async () => {
  await db.close();
  await second?.close();
  await drop?.();
});

describe('migrations', () => {
  it('applies the shipped migrations once; the second run changes nothing', async () => {
    const shipped = readMigrations();
    expect(shipped.length).toBeGreaterThan(0);
    const first = await migrate(db, shipped);
    expect(first.applied).toEqual(shipped.map((x) => x.tag));
    const again = await migrate(db, shipped);
    expect(again).toEqual({ applied: [], alreadyApplied: shipped.length, changed: [] });
    const tables = await queryRows<{ n: number }>(
      db.orm,
      sql`select count(*)::int as n from information_schema.tables where table_name in ('users','sessions','api_tokens')`,
    );
    expect(tables[0]!.n).toBe(3);
  });

  it('rolls a failing migration back entirely', async () => {
    const shipped = readMigrations();
    const broken = m('9000_broken', Date.now(), [
      'create table half_done (id int)',
      'select * from no_such_table',
    ]);
    await expect(migrate(db, [...shipped, broken])).rejects.toThrow();
    const left = await queryRows(
      db.orm,
      sql`select 1 from information_schema.tables where table_name = 'half_done'`,
    );
    expect(left).toEqual([]);
  });

  it('reports an applied migration whose file was edited, and refuses one inserted in the past', async () => {
    const shipped = readMigrations();
    const edited = shipped.map((x, i) => (i === 0 ? { ...x, hash: 'edited' } : x));
    expect((await migrate(db, edited)).changed).toEqual([shipped[0]!.tag]);
    const late = m('0001_late', shipped[0]!.createdAt - 1, ['select 1']);
    await expect(migrate(db, [late, ...shipped])).rejects.toThrow(/older than the newest applied/);
  });

  it('is safe when several processes migrate at once', async () => {
    const target = second ?? db;
    const shipped = readMigrations();
    const next = m('9001_counter', Date.now() + 1000, [
      'create table migration_race (id int)',
      'insert into migration_race values (1)',
    ]);
    const results = await Promise.all([migrate(db, [...shipped, next]), migrate(target, [...shipped, next])]);
    expect(results.flatMap((r) => r.applied)).toEqual(['9001_counter']);
    const rows = await queryRows<{ n: number }>(db.orm, sql`select count(*)::int as n from migration_race`);
    expect(rows[0]!.n).toBe(1);
  });
});
