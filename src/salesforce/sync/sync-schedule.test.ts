import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../test/harness/test-app.ts';
import type { SalesforceEmulator } from '../../integrations/salesforce/emulator/index.ts';
import { salesforceSyncRuns, salesforceSyncs } from '../salesforce.schema.ts';
import { apiOf, cloudKicksOrg, waitForSyncRun } from '../testing.ts';
import { createSyncRun, executeSyncRun } from './run-sync.ts';
import { cronProblem, nextRunAfter } from './schedule.ts';
import { dispatchSalesforceSyncs } from './sync.jobs.ts';

/** Each sync's own schedule (cron in its time zone), dispatched every minute; and an interrupted run. */

let emulator: SalesforceEmulator;
let t: TestApp;
let admin: { authorization: string };
let directoryId: number;
let connectionId: number;
let syncId: number;
const api = apiOf(() => t);

let org: Awaited<ReturnType<typeof cloudKicksOrg>> | undefined;

beforeAll(async () => {
  org = await cloudKicksOrg('Scheduled');
  ({ t, emulator, admin, directoryId, connectionId } = org);
  const saved = await api('PUT', `/directories/${directoryId}/salesforce/sync`, admin, {
    connectionId,
    objects: { Account: {}, Contact: {} },
    schedule: { cron: '30 6 * * 1-5', timeZone: 'Europe/Rome' },
  });
  expect(saved.statusCode, saved.body).toBe(200);
  syncId = saved.json().id;
}, 60_000);

afterAll(async () => {
  await org?.close();
});

describe('schedules', () => {
  it('reads cron expressions in the sync time zone, across daylight saving time', () => {
    // 06:30 in Rome is 05:30 UTC in winter, 04:30 UTC in summer (the clocks moved on 29 March 2026).
    expect(nextRunAfter('30 6 * * 1-5', 'Europe/Rome', new Date('2026-03-27T12:00:00Z')).toISOString()).toBe(
      '2026-03-30T04:30:00.000Z',
    );
    expect(nextRunAfter('0 2 * * *', 'UTC', new Date('2026-03-27T02:00:00Z')).toISOString()).toBe(
      '2026-03-28T02:00:00.000Z',
    );
    expect(cronProblem('0 2 * *', 'UTC')).toMatch(/five fields/);
    expect(cronProblem('0 2 * * *', 'Mars/Olympus')).toMatch(/not an IANA time zone/);
    expect(cronProblem('61 2 * * *', 'UTC')).not.toBeNull();
  });

  it('refuses a bad schedule when the sync is saved', async () => {
    const refused = await api('PUT', `/directories/${directoryId}/salesforce/sync`, admin, {
      connectionId: 1,
      objects: { Account: {} },
      schedule: { cron: 'every day', timeZone: 'UTC' },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details[0].path).toBe('schedule');
  });

  it('queues the syncs whose slot has come, once, and moves their next slot', async () => {
    const [row] = await t.runtime.db.orm.select().from(salesforceSyncs).where(eq(salesforceSyncs.id, syncId));
    expect(row!.nextRunAt!.getTime()).toBe(
      nextRunAfter('30 6 * * 1-5', 'Europe/Rome', row!.updatedAt).getTime(),
    );
    await t.runtime.db.orm
      .update(salesforceSyncs)
      .set({ nextRunAt: new Date(Date.now() - 60_000) })
      .where(eq(salesforceSyncs.id, syncId));
    const jobDeps = t.runtime;
    const ctx = {
      jobId: 'test',
      retryCount: 0,
      signal: new AbortController().signal,
      logger: t.runtime.logger,
    };
    expect(await dispatchSalesforceSyncs.run({}, jobDeps, ctx)).toEqual({ queued: 1 });
    expect(await dispatchSalesforceSyncs.run({}, jobDeps, ctx)).toEqual({ queued: 0 });
    const [after] = await t.runtime.db.orm
      .select()
      .from(salesforceSyncs)
      .where(eq(salesforceSyncs.id, syncId));
    expect(after!.nextRunAt!.getTime()).toBeGreaterThan(Date.now());
    const runs = await t.runtime.db.orm
      .select()
      .from(salesforceSyncRuns)
      .where(eq(salesforceSyncRuns.syncId, syncId));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'schedule', mode: 'full' });
    const done = await waitForSyncRun(t, admin, runs[0]!.id);
    expect(done.status).toBe('succeeded');
  });

  it('an interrupted run (shutdown) stops cleanly: nothing loaded, the cursor where it was', async () => {
    const [before] = await t.runtime.db.orm
      .select()
      .from(salesforceSyncs)
      .where(eq(salesforceSyncs.id, syncId));
    emulator.store.update('Contact', emulator.store.records('Contact')[0]!.Id, { FirstName: 'Interrupted' });
    emulator.faults.inject({ kind: 'latency', ms: 400, path: /Contact/, times: 5 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const run = await createSyncRun(t.runtime.db, syncId, { trigger: 'manual', createdBy: 'test' });
    const result = await executeSyncRun(
      { db: t.runtime.db, secrets: t.runtime.secrets, logger: t.runtime.logger, dataDir: t.dataDir },
      run.id,
      { signal: controller.signal },
    );
    expect(result).toMatchObject({ status: 'failed', importRunId: null });
    expect(result.error).toMatch(/interrupted/);
    const [after] = await t.runtime.db.orm
      .select()
      .from(salesforceSyncs)
      .where(eq(salesforceSyncs.id, syncId));
    expect(after!.cursor).toEqual(before!.cursor);
    const names = await t.runtime.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM contacts WHERE first_name = 'Interrupted'",
    );
    expect(Number(names[0]!.n)).toBe(0);
    emulator.faults.clear();
  });
});
