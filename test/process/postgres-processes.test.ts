import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.ts';
import { openPostgres } from '../../src/platform/db/postgres-database.ts';
import {
  freePort,
  REPO_ROOT,
  type RunningProcess,
  runRapport,
  startProcess,
  startRapport,
  tempDir,
} from '../harness/processes.ts';
import { createEmptyPostgresDatabase } from '../harness/test-database.ts';
import { testEngine } from '../harness/test-env.ts';

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'server-with-test-jobs.ts');
const SECRET = 'ab'.repeat(32);
const running: RunningProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function doneCount(url: string): Promise<number> {
  const db = await openPostgres(url, { max: 1 });
  try {
    const [row] = await queryRows<{ n: number }>(
      db.orm,
      sql`select count(*)::int as n from system_settings where key like 'done:%'`,
    );
    return row!.n;
  } finally {
    await db.close();
  }
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 500));
  }
}

// Scale-out on one PostgreSQL: API processes and separate workers.
describe.runIf(testEngine() === 'postgres')('processes sharing PostgreSQL', () => {
  it('serves the API on PostgreSQL, and CLI commands work beside it', async () => {
    const database = await createEmptyPostgresDatabase();
    cleanups.push(database.drop);
    const port = await freePort();
    const env = {
      DATABASE_URL: database.url,
      RAPPORT_SECRET_KEY: SECRET,
      RAPPORT_DATA_DIR: tempDir(),
      RAPPORT_ADMIN_EMAIL: 'root@example.test',
      RAPPORT_ADMIN_PASSWORD: 'correct horse battery',
    };
    const api = startRapport(['start', '--no-build-ui'], { ...env, PORT: String(port) });
    running.push(api);
    await api.waitForOutput(/is running at/);
    const health = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'postgres' });
    const token = await runRapport(['token', 'create', '--name', 'ops', '--json'], env);
    expect(token.code).toBe(0);
    const me = await fetch(`http://127.0.0.1:${port}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${JSON.parse(token.stdout).token}` },
    });
    expect(me.status).toBe(200);

    const wrongKey = await runRapport(['migrate'], { ...env, RAPPORT_SECRET_KEY: 'cd'.repeat(32) });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.output).toContain('is not the one this database');
  });

  it('runs jobs sent by an API process in separate workers, and recovers a worker killed mid-job', {
    timeout: 180_000,
  }, async () => {
    const database = await createEmptyPostgresDatabase();
    cleanups.push(database.drop);
    const env = { DATABASE_URL: database.url, RAPPORT_SECRET_KEY: SECRET, RAPPORT_DATA_DIR: tempDir() };

    const api = startProcess(FIXTURE, [], {
      ...env,
      PORT: String(await freePort()),
      FIXTURE_MODE: 'api',
      FIXTURE_ENQUEUE: '8:700',
    });
    running.push(api);
    await api.waitForOutput(/FIXTURE-READY/);
    expect(await doneCount(database.url)).toBe(0); // the API process runs no jobs

    const first = startProcess(FIXTURE, [], { ...env, FIXTURE_MODE: 'worker' });
    running.push(first);
    await first.waitForOutput(/JOB-DONE \d+\n/);
    await first.waitForOutput(/JOB-STARTED \d+\n(?![\s\S]*JOB-DONE)/);
    first.child.kill('SIGKILL');
    await first.exited;
    const before = await doneCount(database.url);
    expect(before).toBeLessThan(8);

    const second = startProcess(FIXTURE, [], { ...env, FIXTURE_MODE: 'worker' });
    running.push(second);
    // The job the dead worker held comes back once its heartbeat lapses.
    await until(async () => (await doneCount(database.url)) === 8, 150_000);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });
});
