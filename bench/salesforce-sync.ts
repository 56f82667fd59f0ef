// Salesforce sync throughput: a first sync of an org of n contacts (n/5 accounts, one team member
// each) through Bulk API 2.0 from the emulator, then a delta after changes, deletions and purges —
// each beside the directory import alone of the very files the sync extracted (into a second
// directory in the same state), measured in the same run.
// Usage: node bench/salesforce-sync.ts [contacts=100000] [pglite|postgres|both=pglite]
// PostgreSQL comes from BENCH_DATABASE_URL or TEST_DATABASE_URL (a scratch database is created).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { createDirectory } from '../src/directory/directories.service.ts';
import { executeImportRun } from '../src/imports/b2b/run-b2b-import.ts';
import { createImportRun } from '../src/imports/imports.service.ts';
import { DEFAULT_MAPPING } from '../src/imports/mapping.ts';
import {
  generateOrg,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from '../src/integrations/salesforce/emulator/index.ts';
import type { Database } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { openPglite } from '../src/platform/db/pglite-database.ts';
import { openPostgres } from '../src/platform/db/postgres-database.ts';
import { createSecretBox } from '../src/platform/secrets/secret-box.ts';
import { createConnection } from '../src/salesforce/connections/connections.service.ts';
import { createSyncRun, executeSyncRun } from '../src/salesforce/sync/run-sync.ts';
import { saveSync } from '../src/salesforce/sync/sync-config.service.ts';
import { systemActor } from '../src/users/roles.ts';

const contacts = Number(process.argv[2] ?? 100_000);
const engineArg = process.argv[3] ?? 'pglite';
const engines = engineArg === 'both' ? ['pglite', 'postgres'] : [engineArg];
const accounts = Math.max(1, Math.round(contacts / 5));
const logger = pino({ level: 'warn' });
const actor = systemActor('bench');
const secrets = createSecretBox(randomBytes(32));
const HOUR = 3_600_000;

async function openEngine(engine: string): Promise<{ db: Database; cleanup(): Promise<void> }> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'rapport-bench-pglite-'));
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
  const name = `rapport_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = await openPostgres(u.toString());
  return {
    db,
    cleanup: async () => {
      await db.close();
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
    },
  };
}

/** An org whose records were written over days (the delta's overlap then re-reads only the last few). */
async function startOrg(): Promise<SalesforceEmulator> {
  let seeding = true;
  let tick = Date.now() - 24 * 10 * HOUR;
  const emulator = await startSalesforceEmulator({
    now: () => {
      if (!seeding) return Date.now();
      tick += 1000;
      return Math.min(tick, Date.now() - 2 * HOUR);
    },
    bulkJobStepMs: 20,
    seed: (store) => void generateOrg(store, { accounts, contactsPerAccount: 5, teamPerAccount: 1 }),
  });
  seeding = false;
  return emulator;
}

/** Changes a day brings: 1% of contacts edited, 0.2% deleted (half of them purged), 0.1% new. */
function changeOrg(emulator: SalesforceEmulator) {
  const store = emulator.store;
  const all = store.records('Contact');
  const edited = Math.round(all.length * 0.01);
  const deleted = Math.round(all.length * 0.002);
  for (let i = 0; i < edited; i++)
    store.update('Contact', all[i * 7]!.Id, { Title: 'VP Operations', Phone: `+1 555 010 ${i}` });
  for (let i = 0; i < deleted; i++) store.delete('Contact', all[all.length - 1 - i * 3]!.Id);
  store.purge('Contact', all[all.length - 1]!.Id);
  const owners = store.records('Account').slice(0, Math.round(all.length * 0.001));
  store.insertMany(
    'Contact',
    owners.map((a, i) => ({
      AccountId: a.Id,
      FirstName: 'New',
      LastName: `Contact ${i}`,
      Email: `new.${i}@example.com`,
    })),
  );
  return { edited, deleted, added: owners.length };
}

async function importAlone(db: Database, directory: string, dir: string) {
  const files = {
    accounts: { kind: 'path' as const, path: path.join(dir, 'Account.csv') },
    contacts: { kind: 'path' as const, path: path.join(dir, 'Contact.csv') },
    teamMembers: { kind: 'path' as const, path: path.join(dir, 'AccountTeamMember.csv') },
  };
  const run = await createImportRun(db, actor, { directory, mapping: DEFAULT_MAPPING, sources: files });
  const started = performance.now();
  await executeImportRun(
    { db, logger, openSftp: async () => Promise.reject(new Error('no sftp')) },
    run.runId,
  );
  const seconds = (performance.now() - started) / 1000;
  const [row] = await db.query<{ status: string; failure: string | null }>(
    'select status, failure from import_runs where id = $1',
    [run.runId],
  );
  if (row?.status !== 'succeeded') throw new Error(`import alone failed: ${row?.failure}`);
  return seconds;
}

const rate = (rows: number, seconds: number) =>
  `${Math.round(rows / seconds).toLocaleString('en')} records/s`;

for (const engine of engines) {
  const { db, cleanup } = await openEngine(engine);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rapport-bench-sf-'));
  const emulator = await startOrg();
  try {
    await migrate(db);
    const deps = { db, secrets, logger, dataDir };
    const synced = await createDirectory(db, actor, { name: 'Synced' });
    await createDirectory(db, actor, { name: 'Imported' });
    const connection = await createConnection(deps, actor, {
      kind: 'client_credentials',
      name: 'Bench org',
      loginUrl: emulator.loginUrl,
      clientId: emulator.clientId,
      clientSecret: emulator.clientSecret,
    });
    const sync = await saveSync(deps, actor, synced.id, {
      connectionId: connection.id,
      objects: {
        Account: {},
        Contact: { fields: ['Email', 'Phone', 'HasOptedOutOfEmail', 'DoNotCall'] },
        AccountTeamMember: {},
      },
      options: { apiBudgetPercent: 100 },
    });
    const run = async () => {
      const created = await createSyncRun(db, sync.id, { trigger: 'manual', createdBy: 'bench' });
      const started = performance.now();
      const result = await executeSyncRun(deps, created.id, { keepFiles: true });
      const seconds = (performance.now() - started) / 1000;
      if (result.status !== 'succeeded') throw new Error(`sync failed: ${result.error}`);
      const rows = Object.values(result.extracted).reduce((n, e) => n + Number(e.rows ?? 0), 0);
      const fileRows = Object.values(result.extracted).reduce((n, e) => n + Number(e.fileRows ?? 0), 0);
      return {
        result,
        seconds,
        rows,
        fileRows,
        files: path.join(dataDir, 'salesforce-sync', String(created.id)),
      };
    };

    const first = await run();
    const firstAlone = await importAlone(db, 'Imported', first.files);
    const changes = changeOrg(emulator);
    const delta = await run();
    const deltaAlone = await importAlone(db, 'Imported', delta.files);

    const t1 = first.result.timings;
    const t2 = delta.result.timings;
    const extractMs = (t: Record<string, number>) =>
      Object.entries(t)
        .filter(([k]) => /^(extract|reconcile)/.test(k))
        .reduce((n, [, v]) => n + v, 0);
    console.log(
      `\n[${engine}] org: ${accounts.toLocaleString('en')} accounts, ${(accounts * 5).toLocaleString('en')} contacts, ${accounts.toLocaleString('en')} team members  (load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')})`,
    );
    console.log(
      `  first sync:   ${first.seconds.toFixed(2)} s  ${rate(first.rows, first.seconds)}  (${first.rows.toLocaleString('en')} records; extract ${(extractMs(t1) / 1000).toFixed(2)} s, Bulk API pages ${Object.values(first.result.extracted).reduce((n, e) => n + Number(e.pages ?? 0), 0)}, stage ${(t1.stageMs! / 1000).toFixed(2)} s, import ${(t1.importMs! / 1000).toFixed(2)} s, apply ${(t1.applyMs! / 1000).toFixed(2)} s; ${first.result.apiCalls} API calls)`,
    );
    console.log(
      `  import alone of the same files: ${firstAlone.toFixed(2)} s  ${rate(first.fileRows, firstAlone)}  → the sync takes ${((first.seconds / firstAlone) * 100).toFixed(0)}% of the import's time`,
    );
    console.log(
      `  delta (${changes.edited} edited, ${changes.deleted} deleted of which 1 purged, ${changes.added} new): ${delta.seconds.toFixed(2)} s  ${rate(delta.rows, delta.seconds)}  (${delta.rows.toLocaleString('en')} records read, ${delta.fileRows} rows loaded; extract ${(extractMs(t2) / 1000).toFixed(2)} s${delta.result.reconciled ? ' incl. an Id reconcile' : ''}, import ${((t2.importMs ?? 0) / 1000).toFixed(2)} s; ${delta.result.apiCalls} API calls)`,
    );
    console.log(
      `  import alone of the delta files: ${deltaAlone.toFixed(2)} s  ${rate(delta.fileRows, deltaAlone)}`,
    );
  } finally {
    await emulator.close();
    await cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
console.log(`\npeak RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
