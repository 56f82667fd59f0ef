import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.ts';
import { openPglite } from '../../src/platform/db/pglite-database.ts';
import { freePort, REPO_ROOT, type RunningProcess, startProcess, tempDir } from '../harness/processes.ts';
// Engine-independent (own data folders): run in the PGlite pass, skipped in the PostgreSQL one.
import { testEngine } from '../harness/test-env.ts';

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'server-with-test-jobs.ts');
const running: RunningProcess[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
});

async function fixture(dataDir: string, env: Record<string, string> = {}) {
  const p = startProcess(FIXTURE, [], { RAPPORT_DATA_DIR: dataDir, PORT: String(await freePort()), ...env });
  running.push(p);
  await p.waitForOutput(/FIXTURE-READY/);
  return p;
}

/** Reads the fixture's marks once the server is gone. */
async function marks(dataDir: string) {
  const db = await openPglite(dataDir);
  try {
    const rows = await queryRows<{ key: string }>(
      db.orm,
      sql`select key from system_settings where key ~ '^(run|done):'`,
    );
    const done = new Set(
      rows.filter((r) => r.key.startsWith('done:')).map((r) => Number(r.key.split(':')[1])),
    );
    const runs = rows.filter((r) => r.key.startsWith('run:')).length;
    return { done, runs };
  } finally {
    await db.close();
  }
}

describe.skipIf(testEngine() === 'postgres')('jobs across a crash and a shutdown (embedded database)', () => {
  it('loses no queued or running job to kill -9', { timeout: 120_000 }, async () => {
    const dataDir = tempDir();
    const first = await fixture(dataDir, { FIXTURE_ENQUEUE: '12:400' });
    await first.waitForOutput(/JOB-DONE 2\n/);
    await first.waitForOutput(/JOB-STARTED 3\n/);
    first.child.kill('SIGKILL');
    await first.exited;

    const before = await marks(dataDir);
    expect(before.done.size).toBeLessThan(12); // the crash really cut the work short

    const second = await fixture(dataDir);
    const remaining = Array.from({ length: 12 }, (_, i) => i).filter((i) => !before.done.has(i));
    for (const i of remaining) await second.waitForOutput(new RegExp(`JOB-DONE ${i}\\n`), 60_000);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    const after = await marks(dataDir);
    expect([...after.done].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    // The job cut off mid-run ran again; nothing ran more than that.
    expect(after.runs).toBeGreaterThanOrEqual(12);
    expect(after.runs).toBeLessThanOrEqual(13);
  });

  it('lets the running job finish on SIGTERM before exiting', async () => {
    const dataDir = tempDir();
    const p = await fixture(dataDir, { FIXTURE_ENQUEUE: '1:1500' });
    await p.waitForOutput(/JOB-STARTED 0\n/);
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
    expect(p.output()).toContain('JOB-DONE 0');
    const after = await marks(dataDir);
    expect(after).toEqual({ done: new Set([0]), runs: 1 });
  });
});
