import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/platform/db/migrate.ts';
import { openMemoryPglite } from '../../src/platform/db/pglite-database.ts';
import { openPostgres } from '../../src/platform/db/postgres-database.ts';
import { JobQueue } from '../../src/platform/jobs/job-queue.ts';
import { jobCatalog } from '../../src/runtime/catalog.ts';
import { silentLogger } from './logger.ts';
import { testEngine, withDatabase } from './test-env.ts';

export const TEST_TMP = path.resolve('.test-tmp');

/**
 * Migrates one template database per run (schema plus pg-boss's tables), so each test file starts
 * from a copy in ~0.3 s instead of initialising and migrating its own (~4 s on PGlite).
 */
export default async function setup(project: TestProject) {
  mkdirSync(TEST_TMP, { recursive: true });
  if (testEngine() === 'pglite') {
    const db = await openMemoryPglite();
    await migrate(db);
    const jobs = new JobQueue(db, silentLogger, jobCatalog, { supervise: false });
    await jobs.start();
    await jobs.stop(1000);
    const file = path.join(TEST_TMP, `pglite-template-${process.pid}.tar`);
    writeFileSync(file, Buffer.from(await (await db.client.dumpDataDir('none')).arrayBuffer()));
    await db.close();
    project.provide('pgliteTemplateFile', file);
    project.provide('postgresTemplateDb', '');
    return;
  }

  const adminUrl = process.env.TEST_DATABASE_URL!;
  await ensureDatabase(adminUrl);
  const template = `rapport_tpl_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${template}`);
  const db = await openPostgres(withDatabase(adminUrl, template), { max: 2 });
  await migrate(db);
  const jobs = new JobQueue(db, silentLogger, jobCatalog, { supervise: false });
  await jobs.start();
  await jobs.stop(1000);
  await db.close();
  project.provide('pgliteTemplateFile', '');
  project.provide('postgresTemplateDb', template);

  return async () => {
    // Test files drop their own databases; this sweeps what a crashed run left behind.
    const { rows } = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like 'rapport_t_${process.pid}_%' or datname = $1`,
      [template],
    );
    for (const row of rows) await admin.query(`drop database if exists ${row.datname} with (force)`);
    await admin.end();
  };
}

/**
 * The database TEST_DATABASE_URL names is where the run connects to create its own: on a fresh
 * server it does not exist yet, so it is created, from the server's `postgres` database (or
 * `template1`, which every server has). Two runs starting at once may both try: one wins.
 */
export async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name)
    throw new Error(`TEST_DATABASE_URL must name a database (e.g. …:5432/test), not ${new URL(url).origin}`);
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw error; // 3D000: no such database
  } finally {
    await probe.end().catch(() => {});
  }
  let maintenance: pg.Client | undefined;
  for (const database of ['postgres', 'template1']) {
    const client = new pg.Client({ connectionString: withDatabase(url, database) });
    try {
      await client.connect();
      maintenance = client;
      break;
    } catch (error) {
      await client.end().catch(() => {});
      if ((error as { code?: string }).code !== '3D000' || database === 'template1') throw error;
    }
  }
  try {
    await maintenance!.query(`create database ${maintenance!.escapeIdentifier(name)}`);
  } catch (error) {
    // 42P04: created meanwhile by another run; 23505: the same race seen by the catalog's index.
    const code = (error as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') throw error;
  } finally {
    await maintenance!.end();
  }
}
