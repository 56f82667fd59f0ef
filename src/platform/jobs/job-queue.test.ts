import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../../test/harness/logger.ts';
import { createTestDatabase } from '../../../test/harness/test-database.ts';
import { loadConfig } from '../../config/env.ts';
import { systemSettings } from '../../system/system.schema.ts';
import { type Database, queryRows } from '../db/database.ts';
import { createSecretBox } from '../secrets/secret-box.ts';
import { type AnyJobDefinition, defineJob, type JobDeps } from './define-job.ts';
import { JobQueue } from './job-queue.ts';

let db: Database;
const queues: JobQueue[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop(2000).catch(() => {})));
});
afterAll(() => db.close());

/** A fresh set of queues per test, so tests never see each other's jobs. */
const uniq = () => randomBytes(3).toString('hex');

async function queue(jobs: AnyJobDefinition[], supervise = false): Promise<JobQueue> {
  const q = new JobQueue(db, silentLogger, jobs, { supervise, pollingIntervalSeconds: 0.5 });
  queues.push(q);
  await q.start();
  return q;
}

const deps = (jobs: JobQueue): JobDeps => ({
  config: loadConfig({ RAPPORT_DATA_DIR: '/tmp/rapport-job-tests' }),
  db,
  logger: silentLogger,
  secrets: createSecretBox(randomBytes(32)),
  jobs,
});

async function stateOf(id: string): Promise<{ state: string; retry_count: number; output: unknown }> {
  const rows = await queryRows<{ state: string; retry_count: number; output: unknown }>(
    db.orm,
    sql`select state::text as state, retry_count, output from pgboss.job where id = ${id}::uuid`,
  );
  return rows[0]!;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('job queue', () => {
  it('runs a job with its validated payload and stores its output', async () => {
    const seen: unknown[] = [];
    const job = defineJob({
      name: `test.echo-${uniq()}`,
      payload: z.object({ n: z.number().int(), label: z.string().default('none') }),
      async run(payload) {
        seen.push(payload);
        return { doubled: payload.n * 2 };
      },
    });
    const q = await queue([job]);
    await q.startWorkers(deps(q));
    const id = (await q.send(job, { n: 21 }))!;
    await waitFor(async () => (await stateOf(id)).state === 'completed');
    expect(seen).toEqual([{ n: 21, label: 'none' }]);
    expect((await stateOf(id)).output).toEqual({ doubled: 42 });
    await expect(q.send(job, { n: 1.5 })).rejects.toThrow(/expected int/);
  });

  it('fails a job whose stored payload no longer matches its schema, without retrying', async () => {
    let ran = false;
    const job = defineJob({
      name: `test.strict-${uniq()}`,
      payload: z.object({ n: z.number() }),
      retry: { limit: 3, delaySeconds: 1, backoff: false },
      async run() {
        ran = true;
      },
    });
    const q = await queue([job]);
    const id = (await q.boss.send(job.name, { n: 'not a number' }))!;
    await q.startWorkers(deps(q));
    await waitFor(async () => (await stateOf(id)).state === 'failed');
    expect(ran).toBe(false);
    expect((await stateOf(id)).retry_count).toBe(0);
  });

  it('retries a failing job and reports the attempt', async () => {
    const attempts: number[] = [];
    const job = defineJob({
      name: `test.flaky-${uniq()}`,
      payload: z.object({}),
      retry: { limit: 2, delaySeconds: 1, backoff: false },
      async run(_p, _d, ctx) {
        attempts.push(ctx.retryCount);
        if (attempts.length === 1) throw new Error('provider timed out');
        return 'ok';
      },
    });
    const q = await queue([job]);
    await q.startWorkers(deps(q));
    const id = (await q.send(job, {}))!;
    await waitFor(async () => (await stateOf(id)).state === 'completed');
    expect(attempts).toEqual([0, 1]);
  });

  it('enqueues inside a transaction: no job when it rolls back, one when it commits', async () => {
    const job = defineJob({
      name: `test.tx-${uniq()}`,
      payload: z.object({ k: z.string() }),
      run: async () => {},
    });
    const q = await queue([job]);
    await expect(
      db.orm.transaction(async (tx) => {
        await tx.insert(systemSettings).values({ key: 'tx-test', value: 1 });
        await q.send(job, { k: 'rolled back' }, { tx });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await db.orm.transaction(async (tx) => {
      await q.send(job, { k: 'committed' }, { tx });
    });
    const rows = await queryRows<{ data: { k: string } }>(
      db.orm,
      sql`select data from pgboss.job where name = ${job.name}`,
    );
    expect(rows.map((r) => r.data.k)).toEqual(['committed']);
  });

  it('sends many jobs in one call and runs them all', async () => {
    const done = new Set<number>();
    const job = defineJob({
      name: `test.many-${uniq()}`,
      payload: z.object({ i: z.number() }),
      concurrency: 4,
      async run({ i }) {
        done.add(i);
      },
    });
    const q = await queue([job]);
    await q.sendMany(
      job,
      Array.from({ length: 300 }, (_, i) => ({ i })),
    );
    await q.startWorkers(deps(q));
    await waitFor(async () => done.size === 300, 60_000);
    const summary = await q.summary();
    expect(summary).toEqual([
      expect.objectContaining({ name: job.name, completed: 300, queued: 0, failed: 0 }),
    ]);
  });

  it('lets a running job finish on a graceful stop', async () => {
    let finished = false;
    let started = false;
    const job = defineJob({
      name: `test.slow-${uniq()}`,
      payload: z.object({}),
      async run() {
        started = true;
        await new Promise((r) => setTimeout(r, 1500));
        finished = true;
      },
    });
    const q = new JobQueue(db, silentLogger, [job], { supervise: false, pollingIntervalSeconds: 0.5 });
    await q.start();
    await q.startWorkers(deps(q));
    const id = (await q.send(job, {}))!;
    await waitFor(async () => started);
    await q.stop(10_000);
    expect(finished).toBe(true);
    expect((await stateOf(id)).state).toBe('completed');
  });

  it('hands back a job whose handler outlives the shutdown grace period', async () => {
    const job = defineJob({
      name: `test.stuck-${uniq()}`,
      payload: z.object({}),
      async run() {
        await new Promise((r) => setTimeout(r, 5000));
      },
    });
    const q = new JobQueue(db, silentLogger, [job], { supervise: false, pollingIntervalSeconds: 0.5 });
    await q.start();
    await q.startWorkers(deps(q));
    const id = (await q.send(job, {}))!;
    await waitFor(async () => (await stateOf(id)).state === 'active');
    await q.stop(100);
    expect((await stateOf(id)).state).toBe('retry');
  });

  it('requeues, on the next start, a job claimed by a process that died (embedded database)', async () => {
    if (db.kind !== 'pglite') return; // on PostgreSQL other workers may be alive: heartbeats decide
    let runs = 0;
    const job = defineJob({
      name: `test.orphan-${uniq()}`,
      payload: z.object({}),
      retry: { limit: 2, delaySeconds: 0, backoff: false },
      async run() {
        runs++;
      },
    });
    const crashed = await queue([job]);
    const id = (await crashed.send(job, {}))!;
    // Claimed as a worker would, then never settled: exactly what kill -9 leaves behind.
    await crashed.boss.fetch(job.name);
    expect((await stateOf(id)).state).toBe('active');

    const next = await queue([job], true);
    expect(await next.recoverOrphanedJobs()).toBe(1);
    await next.startWorkers(deps(next));
    await waitFor(async () => (await stateOf(id)).state === 'completed');
    expect(runs).toBe(1);
  });

  it('registers cron schedules for scheduled jobs', async () => {
    const job = defineJob({
      name: `test.nightly-${uniq()}`,
      payload: z.object({ scope: z.string() }),
      schedule: { cron: '0 3 * * *', tz: 'Europe/Paris', payload: { scope: 'all' } },
      run: async () => {},
    });
    const q = await queue([job], true);
    const schedules = await q.boss.getSchedules(job.name);
    expect(schedules).toEqual([
      expect.objectContaining({ name: job.name, cron: '0 3 * * *', timezone: 'Europe/Paris' }),
    ]);
    expect(schedules[0]!.data).toEqual({ scope: 'all' });
  });

  it('refuses jobs outside its catalog and badly named jobs', async () => {
    const known = defineJob({ name: `test.known-${uniq()}`, payload: z.object({}), run: async () => {} });
    const q = await queue([known]);
    const stranger = defineJob({ name: 'test.stranger', payload: z.object({}), run: async () => {} });
    await expect(q.send(stranger, {})).rejects.toThrow(/not in this process's job catalog/);
    expect(() => defineJob({ name: 'NoDomain', payload: z.object({}), run: async () => {} })).toThrow(
      /<domain>/,
    );
  });
});
