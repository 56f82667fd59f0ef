import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness/test-app.ts';
import {
  generateOrg,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from '../../integrations/salesforce/emulator/index.ts';
import { salesforceConnections, salesforceSyncRecords, salesforceSyncs } from '../salesforce.schema.ts';
import { apiOf, connectByOAuth } from '../testing.ts';
import { createSyncRun, executeSyncRun, type SyncDeps } from './run-sync.ts';

/**
 * A sync under faults: expired sessions are refreshed (jsforce's calls and our own Bulk API result
 * pages), 5xx answers are retried with backoff, and REQUEST_LIMIT_EXCEEDED or a spent API budget
 * stop the run cleanly — no import, the cursor and the synced records unchanged.
 */

const HOUR = 3_600_000;
let seeding = true;
let tick = Date.now() - 48 * HOUR;
const seedingClock = () => {
  tick += 1000;
  return Math.min(tick, Date.now() - 2 * HOUR);
};
let emulator: SalesforceEmulator;
let t: TestApp;
let admin: { authorization: string };
let deps: SyncDeps;
let syncId: number;
let directoryId: number;
let connectionId: number;
const api = apiOf(() => t);
const fast = { retry: { attempts: 4, baseDelayMs: 20 }, pollMs: 10 };

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    now: () => (seeding ? seedingClock() : Date.now()),
    bulkJobStepMs: 5,
    seed: (store) => void generateOrg(store, { accounts: 2000, contactsPerAccount: 5, teamPerAccount: 1 }),
  });
  seeding = false;
  t = await createTestApp();
  admin = await t.bearerFor('admin');
  deps = { db: t.runtime.db, secrets: t.runtime.secrets, logger: t.runtime.logger, dataDir: t.dataDir };
  directoryId = (await api('POST', '/directories', admin, { name: 'Faults' })).json().id;
  connectionId = (await connectByOAuth(t, admin, emulator)).id;
  const saved = await api('PUT', `/directories/${directoryId}/salesforce/sync`, admin, {
    connectionId,
    objects: { Account: {}, Contact: { fields: ['Email'] }, AccountTeamMember: {} },
    options: { bulkThreshold: 1000, bulkPageSize: 2500, apiBudgetPercent: 100 },
  });
  expect(saved.statusCode, saved.body).toBe(200);
  syncId = saved.json().id;
}, 120_000);

afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

beforeEach(() => {
  emulator.faults.clear();
  emulator.setApiUsage({ used: 0, max: 100_000 });
});

const sync = async (options: { full?: boolean } = {}) => {
  const run = await createSyncRun(t.runtime.db, syncId, { trigger: 'manual', createdBy: 'test', ...options });
  return executeSyncRun(deps, run.id, { ...fast, ...options });
};

const syncState = async () => {
  const [row] = await t.runtime.db.orm.select().from(salesforceSyncs).where(eq(salesforceSyncs.id, syncId));
  const records = await t.runtime.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM salesforce_sync_records WHERE sync_id = $1',
    [syncId],
  );
  const contacts = await t.runtime.db.query<{ n: number; names: string }>(
    `SELECT count(*)::int AS n, string_agg(first_name, ',' ORDER BY external_ref) AS names
     FROM contacts WHERE directory_id = $1 AND deleted_at IS NULL`,
    [directoryId],
  );
  return {
    cursor: row!.cursor,
    records: Number(records[0]!.n),
    contacts: Number(contacts[0]!.n),
    names: contacts[0]!.names,
  };
};

const statuses = (since: number) =>
  emulator
    .requests()
    .slice(since)
    .map((r) => `${r.method} ${r.path.replace(/\/jobs\/query\/\w+/, '/jobs/query/<id>')} ${r.status}`);

describe('a sync under faults', () => {
  it('refreshes expired sessions — for jsforce and for the Bulk API pages it reads itself — and saves the new token', async () => {
    const [before] = await t.runtime.db.orm
      .select()
      .from(salesforceConnections)
      .where(eq(salesforceConnections.id, connectionId));
    emulator.expireSessions();
    // And once more in the middle of the Bulk API result pages (plain HTTP, refreshed by us).
    emulator.faults.inject({ kind: 'expireSession', path: /\/jobs\/query\/\w+\/results/ });
    const from = emulator.requests().length;
    const run = await sync();
    expect(run, JSON.stringify(run)).toMatchObject({ status: 'succeeded', mode: 'full' });
    expect(run.extracted.Contact).toMatchObject({ method: 'bulk', rows: 10_000, pages: 4 });
    const seen = statuses(from);
    expect(seen.filter((s) => s === 'POST /services/oauth2/token 200')).toHaveLength(2);
    expect(seen).toContain('GET /services/data/v62.0/limits 401');
    expect(seen).toContain('GET /services/data/v62.0/jobs/query/<id>/results 401');
    const [after] = await t.runtime.db.orm
      .select()
      .from(salesforceConnections)
      .where(eq(salesforceConnections.id, connectionId));
    expect(after!.accessTokenSealed).not.toBe(before!.accessTokenSealed);
    expect((await syncState()).contacts).toBe(10_000);
  });

  it('retries 5xx answers with backoff: the job creation (a POST jsforce does not retry) and the result pages', async () => {
    emulator.faults.inject({
      kind: 'serverError',
      status: 503,
      method: 'POST',
      path: /\/jobs\/query$/,
      times: 2,
    });
    emulator.faults.inject({
      kind: 'serverError',
      status: 500,
      path: /\/jobs\/query\/\w+\/results/,
      times: 2,
    });
    const from = emulator.requests().length;
    const run = await sync({ full: true });
    expect(run, JSON.stringify(run)).toMatchObject({ status: 'succeeded' });
    const seen = statuses(from);
    expect(seen.filter((s) => s === 'POST /services/data/v62.0/jobs/query 503')).toHaveLength(2);
    expect(seen.filter((s) => s === 'GET /services/data/v62.0/jobs/query/<id>/results 500')).toHaveLength(2);
    expect((await syncState()).contacts).toBe(10_000);
  });

  it('stops cleanly on REQUEST_LIMIT_EXCEEDED: no import, cursor and synced records unchanged, nothing half-applied', async () => {
    const before = await syncState();
    const contacts = emulator.store.records('Contact');
    const accounts = emulator.store.records('Account');
    emulator.store.update('Account', accounts[3]!.Id, { Name: 'Changed while the limit was reached' });
    for (const c of contacts.slice(0, 20)) emulator.store.update('Contact', c.Id, { FirstName: 'Limited' });
    emulator.store.delete('Contact', contacts[50]!.Id);
    // Accounts are read; then the org refuses every call: the contacts never come.
    emulator.faults.inject({
      kind: 'requestLimitExceeded',
      path: /FROM\+Contact|FROM%20Contact|Contact/,
      times: Infinity,
    });
    const run = await sync();
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/REQUEST_LIMIT_EXCEEDED/);
    expect(run.error).toMatch(/cursor did not move/);
    expect(run.importRunId).toBeNull();
    expect(run.extracted.Account).toMatchObject({ rows: expect.any(Number) });
    const after = await syncState();
    expect(after).toEqual(before);
    const names = await t.runtime.db.query<{ display_name: string }>(
      'SELECT display_name FROM accounts WHERE external_ref = $1',
      [accounts[3]!.Id],
    );
    expect(names[0]!.display_name).not.toBe('Changed while the limit was reached');

    emulator.faults.clear();
    const retried = await sync();
    expect(retried, JSON.stringify(retried)).toMatchObject({ status: 'succeeded', mode: 'delta' });
    const done = await syncState();
    expect(done.contacts).toBe(9_999);
    expect(done.cursor).not.toEqual(before.cursor);
    expect(done.names.split(',').filter((n) => n === 'Limited')).toHaveLength(20);
  });

  it('stops before the API budget is spent, with a clear run error', async () => {
    await t.runtime.db.orm
      .update(salesforceSyncs)
      .set({ options: { bulkThreshold: 1000, bulkPageSize: 2500, apiBudgetPercent: 20 } })
      .where(eq(salesforceSyncs.id, syncId));
    const before = await syncState();
    emulator.setApiUsage({ used: 19_990, max: 100_000 });
    const run = await sync({ full: true });
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(
      /the org has used 20000 of its 100000 daily API requests, and Rapport may use up to 20% of them \(20000\)/,
    );
    expect(run.apiUsage).toMatchObject({ after: 20_000, max: 100_000, percent: 20 });
    expect(emulator.apiUsage().used).toBe(20_000);
    expect(await syncState()).toEqual(before);
    const records = await t.runtime.db.orm.select().from(salesforceSyncRecords).limit(1);
    expect(records).toHaveLength(1);
  });
});
