// Command center speed: N accounts in a 4-level hierarchy, 10 contacts each with client roles, one
// owner each, and 5 NPS responses per contact over two years (N=100,000: 1,000,000 contacts and
// 5,000,000 responses), generated set-based. Prints the full health recomputation time, the p95 of
// the ranked account list (plain and filtered) and of an account page with its subtree roll-up,
// and the time for one new response to reach its account and ancestors.
// Usage: node bench/command-center.ts [accounts=100000] [pglite|postgres|both]
// BENCH_KEEP=1 keeps the PostgreSQL database; BENCH_REUSE=<database> measures a kept one again
// (same server, its data as generated then, migrated to the current schema).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { createDirectory } from '../src/directory/directories.service.ts';
import { recomputeDirectory, refreshAccounts } from '../src/health/compute.ts';
import { accountHealthDetail, listAccountHealth, ZHealthListQuery } from '../src/health/health.service.ts';
import { type Database, queryRows } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { openPglite } from '../src/platform/db/pglite-database.ts';
import { openPostgres } from '../src/platform/db/postgres-database.ts';
import { systemActor } from '../src/users/roles.ts';

const n = Number(process.argv[2] ?? 100_000);
const engines = (process.argv[3] ?? 'both') === 'both' ? ['pglite', 'postgres'] : [process.argv[3]!];
const actor = systemActor('bench');

const p95 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!;
};

async function timed<T>(fn: () => Promise<T>) {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/** Accounts in four levels (3 children each below the roots), contacts, roles, owners, responses. */
async function generate(db: Database, directoryId: number) {
  const roots = Math.max(1, Math.round(n / 40));
  const exec = (q: ReturnType<typeof sql>) => db.orm.execute(q);
  await exec(sql`INSERT INTO accounts (directory_id, external_ref, display_name, attributes)
    SELECT ${directoryId}, 'A' || i, 'Account ' || i,
      jsonb_build_object('ARR', (i * 7919) % 2000000, 'Region', (ARRAY['EMEA','AMER','APAC'])[1 + i % 3],
        'RenewalDate', to_char(current_date + (i % 400), 'YYYY-MM-DD'))
    FROM generate_series(1, ${n}) i`);
  // Levels: the first `roots` accounts are roots; each next account's parent is three places back in its level.
  await exec(sql`UPDATE accounts a SET parent_id = p.id
    FROM accounts p
    WHERE a.directory_id = ${directoryId} AND p.directory_id = ${directoryId}
      AND substr(a.external_ref, 2)::int > ${roots}
      AND p.external_ref = 'A' || ((substr(a.external_ref, 2)::int - ${roots} - 1) / 3 + 1)`);
  await exec(sql`INSERT INTO contacts (directory_id, external_ref, first_name, last_name, email)
    SELECT ${directoryId}, 'C' || i, 'First' || i, 'Last' || (i % 1000), 'c' || i || '@example.test'
    FROM generate_series(1, ${n * 10}) i`);
  await exec(sql`INSERT INTO account_contact_roles (account_id, contact_id, role, directory_id)
    SELECT a.id, c.id,
      (ARRAY['DECISION_MAKER','INFLUENCER','PROCUREMENT_FINANCE_PERSON','PROGRAM_MANAGER','EXECUTIVE_SPONSOR',
        'END_USER','END_USER','END_USER','ACCOUNT_MEMBER','INFLUENCER'])[1 + substr(c.external_ref, 2)::int % 10]::client_role,
      ${directoryId}
    FROM contacts c JOIN accounts a ON a.directory_id = ${directoryId}
      AND a.external_ref = 'A' || ((substr(c.external_ref, 2)::int - 1) / 10 + 1)
    WHERE c.directory_id = ${directoryId}`);
  await exec(sql`INSERT INTO account_team_members (directory_id, account_id, user_email, role)
    SELECT ${directoryId}, id, 'owner' || (id % 500) || '@example.test', 'ACCOUNT_OWNER' FROM accounts
    WHERE directory_id = ${directoryId}`);
  const [survey] = await queryRows<{ id: number }>(
    db.orm,
    sql`INSERT INTO surveys (directory_id, name, status, created_by, metrics) VALUES (${directoryId}, 'NPS', 'active', 'bench',
      '{"npsQuestion":"nps"}') RETURNING id`,
  );
  // Five answers per contact over two years, in chunks so memory stays flat.
  const chunk = 200_000;
  for (let from = 1; from <= n * 10; from += chunk) {
    await exec(sql`INSERT INTO responses (survey_id, version, resume_token, contact_id, account_id, status, answers,
        nps_score, nps_category, started_at, completed_at)
      SELECT ${survey!.id}, 1, md5(c.id || '-' || k), c.id, acr.account_id, 'complete', '{}'::jsonb, s.score,
        CASE WHEN s.score <= 6 THEN 'detractor' WHEN s.score <= 8 THEN 'passive' ELSE 'promoter' END,
        now() - make_interval(days => ((c.id * 37 + k * 101) % 730)::int), now() - make_interval(days => ((c.id * 37 + k * 101) % 730)::int)
      FROM contacts c JOIN account_contact_roles acr ON acr.contact_id = c.id
      CROSS JOIN generate_series(1, 5) k
      CROSS JOIN LATERAL (SELECT ((c.id * 13 + k * 7) % 11)::smallint AS score) s
      WHERE c.directory_id = ${directoryId} AND c.id BETWEEN (SELECT min(id) FROM contacts WHERE directory_id = ${directoryId}) + ${from - 1}
        AND (SELECT min(id) FROM contacts WHERE directory_id = ${directoryId}) + ${from + chunk - 2}`);
  }
  for (const table of ['accounts', 'contacts', 'account_contact_roles', 'account_team_members', 'responses'])
    await exec(sql.raw(`ANALYZE ${table}`));
}

async function openEngine(engine: string): Promise<{ db: Database; cleanup(): Promise<void> }> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'rapport-bench-cc-'));
    const db = await openPglite(dir);
    return {
      db,
      cleanup: async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('Set BENCH_DATABASE_URL or TEST_DATABASE_URL for the PostgreSQL run');
  const reused = process.env.BENCH_REUSE;
  const name = reused ?? `rapport_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  if (!reused) await admin.query(`create database ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = await openPostgres(u.toString());
  return {
    db,
    cleanup: async () => {
      await db.close();
      // BENCH_KEEP=1 keeps the database to look at query plans afterwards.
      if (process.env.BENCH_KEEP || reused) console.log(`  (kept database ${name})`);
      else await admin.query(`drop database ${name} with (force)`);
      await admin.end();
    },
  };
}

console.log(`${n} accounts (4 levels), ${n * 10} contacts, ${n * 50} responses`);
for (const engine of engines) {
  const { db, cleanup } = await openEngine(engine);
  try {
    await migrate(db);
    const [existing] = await queryRows<{ id: number }>(
      db.orm,
      sql`SELECT id FROM directories WHERE name = 'Bench'`,
    );
    const directory = existing
      ? { id: Number(existing.id) }
      : await createDirectory(db, actor, { name: 'Bench' });
    if (existing) {
      // A reused database: start from an empty command center, as after generating.
      await db.orm.execute(sql`DELETE FROM account_closure`);
      await db.orm.execute(sql`DELETE FROM account_health`);
      await db.orm.execute(sql`DELETE FROM account_health_daily`);
      console.log(`\n[${engine}]  reusing the generated data of ${process.env.BENCH_REUSE}`);
    } else {
      const generated = await timed(() => generate(db, directory.id));
      console.log(`\n[${engine}]  data generated in ${(generated.ms / 1000).toFixed(1)} s`);
    }
    const recompute = await timed(() => recomputeDirectory(db, directory.id));
    console.log(`  full health recompute:      ${(recompute.ms / 1000).toFixed(1)} s  (target < 60 s)`);
    console.log(`    phases (s): ${JSON.stringify(recompute.value.phases)}`);
    // The nightly run: the same data and hierarchy, the closure kept, every account recomputed.
    const nightly = await timed(() => recomputeDirectory(db, directory.id));
    console.log(`  again (nightly, hierarchy unchanged): ${(nightly.ms / 1000).toFixed(1)} s`);
    console.log(`    phases (s): ${JSON.stringify(nightly.value.phases)}`);

    const list = async (q: Record<string, unknown>) =>
      (await timed(() => listAccountHealth(db.orm, actor, directory.id, ZHealthListQuery.parse(q)))).ms;
    for (const [label, q] of [
      ['account list, ranked by risk', {}],
      ['  … high risk in EMEA', { risk: 'high', attribute: 'Region:EMEA' }],
      ['  … one owner’s accounts', { teamMember: 'owner7@example.test', teamRole: 'ACCOUNT_OWNER' }],
      ['  … top level, with subtrees', { level: 0, scope: 'subtree' }],
    ] as const) {
      const times: number[] = [];
      for (let i = 0; i < 30; i++) times.push(await list(q));
      console.log(`  ${label.padEnd(28)}  p95 ${p95(times).toFixed(1)} ms  (target < 150 ms)`);
    }
    const roots = await queryRows<{ id: number }>(
      db.orm,
      sql`SELECT id FROM accounts WHERE directory_id = ${directory.id} AND parent_id IS NULL ORDER BY id LIMIT 30`,
    );
    const pageTimes: number[] = [];
    for (const root of roots)
      pageTimes.push((await timed(() => accountHealthDetail(db.orm, actor, Number(root.id)))).ms);
    console.log(
      `  account page (a root, with its subtree)  p95 ${p95(pageTimes).toFixed(1)} ms  (target < 150 ms)`,
    );

    const leaf = await queryRows<{ id: number }>(
      db.orm,
      sql`SELECT id FROM accounts WHERE directory_id = ${directory.id} ORDER BY id DESC LIMIT 1`,
    );
    const refresh = await timed(() => refreshAccounts(db, directory.id, [Number(leaf[0]!.id)]));
    console.log(
      `  one new response → its account and ${refresh.value - 1} ancestors recomputed in ${refresh.ms.toFixed(0)} ms (target: reflected within 5 s; the refresher polls every second)`,
    );
  } finally {
    await cleanup();
  }
}
