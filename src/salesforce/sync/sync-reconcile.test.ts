import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness/test-app.ts';
import {
  type SalesforceEmulator,
  seedCloudKicks,
  startSalesforceEmulator,
} from '../../integrations/salesforce/emulator/index.ts';
import { salesforceSyncRuns, salesforceSyncs } from '../salesforce.schema.ts';
import { apiOf, waitForSyncRun } from '../testing.ts';
import { nextRunAfter } from './schedule.ts';
import { dispatchSalesforceSyncs } from './sync.jobs.ts';

/**
 * A new sync runs daily by default; and every `reconcileEveryDays` a scheduled delta also lists
 * every live Id, on its own, so that records purged out of getDeleted's sight leave the directory.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// The org's clock: moved back while seeding (records two hours old) and for a purge that happened
// before the delta window, which neither queryAll nor getDeleted can then report.
let offset = -2 * HOUR;
let emulator: SalesforceEmulator;
let t: TestApp;
let admin: { authorization: string };
let directoryId: number;
let syncId: number;
const api = apiOf(() => t);

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    now: () => Date.now() + offset,
    seed: (store) => void seedCloudKicks(store),
  });
  offset = 0;
  t = await createTestApp();
  await t.runtime.jobs.startWorkers(t.runtime);
  admin = await t.bearerFor('admin');
  directoryId = (await api('POST', '/directories', admin, { name: 'Reconciled' })).json().id;
  const connection = await api('POST', '/salesforce/connections', admin, {
    kind: 'client_credentials',
    name: 'Org',
    loginUrl: emulator.loginUrl,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
  });
  expect(connection.statusCode, connection.body).toBe(201);
  // No schedule, no options: what a new sync gets by default.
  const saved = await api('PUT', `/directories/${directoryId}/salesforce/sync`, admin, {
    connectionId: connection.json().connection.id,
    objects: { Account: {}, Contact: { fields: ['Email'] } },
  });
  expect(saved.statusCode, saved.body).toBe(200);
  syncId = saved.json().id;
}, 60_000);

afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

const syncRow = async () =>
  (await t.runtime.db.orm.select().from(salesforceSyncs).where(eq(salesforceSyncs.id, syncId)))[0]!;

/** Runs the per-minute dispatcher as if the sync's slot had come, and waits for the run it queued. */
async function scheduledRun() {
  await t.runtime.db.orm
    .update(salesforceSyncs)
    .set({ nextRunAt: new Date(Date.now() - 60_000) })
    .where(eq(salesforceSyncs.id, syncId));
  const ctx = {
    jobId: 'test',
    retryCount: 0,
    signal: new AbortController().signal,
    logger: t.runtime.logger,
  };
  expect(await dispatchSalesforceSyncs.run({}, t.runtime, ctx)).toEqual({ queued: 1 });
  const [run] = await t.runtime.db.orm
    .select()
    .from(salesforceSyncRuns)
    .where(eq(salesforceSyncRuns.syncId, syncId))
    .orderBy(salesforceSyncRuns.id)
    .then((rows) => rows.slice(-1));
  expect(run).toMatchObject({ trigger: 'schedule' });
  return waitForSyncRun(t, admin, run!.id);
}

const liveContact = async (externalRef: string) =>
  (
    await t.runtime.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM contacts WHERE directory_id = $1 AND external_ref = $2 AND deleted_at IS NULL',
      [directoryId, externalRef],
    )
  ).map((r) => Number(r.n))[0];

describe('the schedule of a new sync', () => {
  it('is daily at 02:00 UTC, enabled, with a weekly reconcile', async () => {
    const answer = (await api('GET', `/directories/${directoryId}/salesforce/sync`, admin)).json();
    expect(answer.defaults.schedule).toEqual({ cron: '0 2 * * *', timeZone: 'UTC' });
    expect(answer.sync).toMatchObject({
      schedule: { cron: '0 2 * * *', timeZone: 'UTC' },
      enabled: true,
      options: { reconcileEveryDays: 7 },
    });
    const row = await syncRow();
    const next = row.nextRunAt!;
    expect(next.toISOString()).toMatch(/T02:00:00\.000Z$/);
    expect(next.getTime()).toBe(nextRunAfter('0 2 * * *', 'UTC', row.updatedAt).getTime());
    expect(next.getTime() - row.updatedAt.getTime()).toBeLessThanOrEqual(DAY);
    expect(next.getTime()).toBeGreaterThan(row.updatedAt.getTime());
  });
});

describe('the periodic full reconcile', () => {
  it('is left out of deltas until reconcileEveryDays have passed, then a scheduled delta does it on its own', async () => {
    const first = await scheduledRun();
    expect(first, JSON.stringify(first)).toMatchObject({
      status: 'succeeded',
      mode: 'full',
      reconciled: true,
    });
    const reconciledAt = (await syncRow()).lastReconcileAt!;
    expect(reconciledAt).toBeInstanceOf(Date);

    // A contact deleted and purged three hours ago by the org's clock: before the delta window, so
    // queryAll does not return it, getDeleted does not list it, and the purge is older than the window.
    const gone = emulator.store.records('Contact').find((c) => c.LastName === 'Chan')!;
    offset = -3 * HOUR;
    emulator.store.delete('Contact', gone.Id);
    emulator.store.purge('Contact', gone.Id);
    offset = 0;
    expect(await liveContact(gone.Id)).toBe(1);

    const delta = await scheduledRun();
    expect(delta, JSON.stringify(delta)).toMatchObject({
      status: 'succeeded',
      mode: 'delta',
      reconciled: false,
    });
    expect(delta.extracted.Contact).toMatchObject({ full: false, reconcile: false, gone: 0, getDeleted: 0 });
    expect(await liveContact(gone.Id)).toBe(1);
    expect((await syncRow()).lastReconcileAt).toEqual(reconciledAt);

    // A week and a day later (as far as the sync knows), the next scheduled delta reconciles.
    await t.runtime.db.orm
      .update(salesforceSyncs)
      .set({ lastReconcileAt: new Date(Date.now() - 8 * DAY) })
      .where(eq(salesforceSyncs.id, syncId));
    const due = await scheduledRun();
    expect(due, JSON.stringify(due)).toMatchObject({ status: 'succeeded', mode: 'delta', reconciled: true });
    expect(due.extracted.Contact).toMatchObject({ full: false, reconcile: true, gone: 1 });
    expect(due.extracted.Account).toMatchObject({ full: false, reconcile: true, gone: 0 });
    expect(due.timings.reconcileContactMs).toEqual(expect.any(Number));
    expect(await liveContact(gone.Id)).toBe(0);
    expect((await syncRow()).lastReconcileAt!.getTime()).toBeGreaterThan(Date.now() - HOUR);

    // Reconciled just now: the next delta leaves it out again.
    const after = await scheduledRun();
    expect(after).toMatchObject({ status: 'succeeded', mode: 'delta', reconciled: false });
  });
});
