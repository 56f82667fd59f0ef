import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness/test-app.ts';
import {
  generateOrg,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from '../../integrations/salesforce/emulator/index.ts';
import { apiOf, connectByOAuth, waitForSyncRun } from '../testing.ts';

/**
 * The "done when": a 100,000-contact org connected by OAuth, a first sync through Bulk
 * API 2.0 over several result pages, then a delta after changes, deletions and purges in the org —
 * and the directory matches the org exactly.
 */

const HOUR = 3_600_000;
// While the org is generated its clock ticks a second per reading, from four days ago: records are
// spread over days as in a real org, so the delta's 5-minute overlap re-reads only the last few.
let seeding = true;
let tick = Date.now() - 96 * HOUR;
const seedingClock = () => {
  tick += 1000;
  return Math.min(tick, Date.now() - 2 * HOUR);
};
const orgClock = () => (seeding ? seedingClock() : Date.now());
let emulator: SalesforceEmulator;
let dir: number;
let t: TestApp;
let admin: { authorization: string };
const api = apiOf(() => t);

beforeAll(async () => {
  // The org's records were written an hour ago: the delta's overlap window does not reach them.
  emulator = await startSalesforceEmulator({
    now: orgClock,
    bulkJobStepMs: 5,
    seed: (store) => {
      generateOrg(store, { accounts: 20_000, contactsPerAccount: 5, teamPerAccount: 1 });
    },
  });
  seeding = false;
  t = await createTestApp();
  await t.runtime.jobs.startWorkers(t.runtime);
  admin = await t.bearerFor('admin');
  const created = await api('POST', '/directories', admin, { name: 'Cloud Kicks' });
  expect(created.statusCode).toBe(201);
  dir = created.json().id;
}, 120_000);

afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

async function directoryState() {
  const db = t.runtime.db;
  const contacts = await db.query<{
    external_ref: string;
    first_name: string;
    last_name: string;
    email: string;
    title: string | null;
  }>(`SELECT external_ref, first_name, last_name, email, title FROM contacts WHERE deleted_at IS NULL`);
  const accounts = await db.query<{
    external_ref: string;
    display_name: string;
    parent_external_ref: string | null;
  }>(`SELECT external_ref, display_name, parent_external_ref FROM accounts WHERE deleted_at IS NULL`);
  const team = await db.query<{ account: string; user_email: string; role: string }>(
    `SELECT a.external_ref AS account, m.user_email, m.role::text AS role FROM account_team_members m JOIN accounts a ON a.id = m.account_id AND a.deleted_at IS NULL`,
  );
  return {
    contacts: new Map(contacts.map((c) => [c.external_ref, c])),
    accounts: new Map(accounts.map((a) => [a.external_ref, a])),
    team,
  };
}

function expectMatchesOrg(state: Awaited<ReturnType<typeof directoryState>>) {
  const contacts = emulator.store.records('Contact');
  expect(state.contacts.size).toBe(contacts.length);
  for (const c of contacts) expect(state.contacts.has(c.Id)).toBe(true);
  const accounts = emulator.store.records('Account');
  expect(state.accounts.size).toBe(accounts.length);
  for (const a of accounts) expect(state.accounts.has(a.Id)).toBe(true);
  const users = new Map(emulator.store.records('User').map((u) => [u.Id, String(u.Email).toLowerCase()]));
  const live = new Set(accounts.map((a) => a.Id));
  const members = emulator.store.records('AccountTeamMember').filter((m) => live.has(String(m.AccountId)));
  expect(state.team.length).toBe(members.length);
  const keys = new Set(state.team.map((m) => `${m.account}|${m.user_email}`));
  for (const m of members) expect(keys.has(`${m.AccountId}|${users.get(String(m.UserId))}`)).toBe(true);
}

describe('Salesforce directory sync, end to end', () => {
  it('connects by OAuth, syncs 100,000 contacts through Bulk API 2.0, then a delta with changes, deletions and purges', async () => {
    const connection = await connectByOAuth(t, admin, emulator);
    const saved = await api('PUT', `/directories/${dir}/salesforce/sync`, admin, {
      connectionId: connection.id,
      objects: {
        Account: { fields: ['Tier__c', 'Customer_Number__c'] },
        Contact: { fields: ['Email', 'Phone', 'HasOptedOutOfEmail', 'DoNotCall'] },
        AccountTeamMember: {},
      },
      mailingList: 'Salesforce {{date}}',
      options: { bulkThreshold: 5000, bulkPageSize: 30_000, apiBudgetPercent: 90 },
    });
    expect(saved.statusCode, saved.body).toBe(200);

    const first = await api('POST', `/directories/${dir}/salesforce/sync/runs`, admin, {});
    expect(first.statusCode, first.body).toBe(202);
    const run1 = await waitForSyncRun(t, admin, first.json().run.id);
    expect(run1, JSON.stringify(run1)).toMatchObject({ status: 'succeeded', mode: 'full' });
    expect(run1.extracted.Contact).toMatchObject({ method: 'bulk', rows: 100_000, pages: 4 });
    expect(run1.extracted.Account).toMatchObject({ method: 'bulk', rows: 20_000 });
    expect(run1.import).toMatchObject({
      status: 'succeeded',
      objects: {
        contacts: { created: 100_000 },
        accounts: { created: 20_000 },
        teamMembers: { created: 20_000 },
      },
    });
    expect(run1.import.mailingListId).toEqual(expect.any(Number));
    const bulkPages = emulator.requests().filter((r) => /\/jobs\/query\/\w+\/results/.test(r.path));
    expect(bulkPages.filter((r) => r.query.includes('locator=')).length).toBeGreaterThanOrEqual(3);
    expectMatchesOrg(await directoryState());

    // Changes in the org since.
    const store = emulator.store;
    const contacts = store.records('Contact');
    const renamed = contacts.slice(100, 150);
    for (const [i, c] of renamed.entries())
      store.update('Contact', c.Id, {
        FirstName: `Renamed${i}`,
        Email: `renamed.${i}@example.com`,
        Title: 'VP Sales',
      });
    // Deleted two minutes ago, then the recycle bin emptied: only getDeleted still knows them.
    const twoMinutesAgo = { at: new Date(Date.now() - 2 * 60_000) };
    for (const c of contacts.slice(200, 230)) store.delete('Contact', c.Id, twoMinutesAgo);
    const purged = contacts.slice(300, 320);
    for (const c of purged) store.delete('Contact', c.Id, twoMinutesAgo);
    store.purge('Contact');
    const accounts = store.records('Account');
    const goneAccount = accounts[5_001]!; // not a parent (every tenth is): its contacts go with it
    store.delete('Account', goneAccount.Id);
    store.update('Account', accounts[7]!.Id, { Name: 'Renamed Account Ltd' });
    const added = store.insertMany(
      'Contact',
      Array.from({ length: 10 }, (_, i) => ({
        AccountId: accounts[9]!.Id,
        FirstName: 'New',
        LastName: `Person${i}`,
        Email: `new.person${i}@example.com`,
      })),
    );
    const team = store.records('AccountTeamMember');
    store.update('AccountTeamMember', team[11]!.Id, { TeamMemberRole: 'Customer Success Manager' });
    store.delete('AccountTeamMember', team[12]!.Id);
    store.purge('AccountTeamMember');

    const second = await api('POST', `/directories/${dir}/salesforce/sync/runs`, admin, {});
    const run2 = await waitForSyncRun(t, admin, second.json().run.id);
    expect(run2, JSON.stringify(run2)).toMatchObject({ status: 'succeeded', mode: 'delta' });
    expect(run2.extracted.Contact.method).toBe('rest');
    // The changed records, and the last few of the org's generation (within the 5-minute overlap).
    expect(run2.extracted.Contact.rows).toBeLessThan(1000);
    expect(run2.cursorAfter.Contact > run1.cursorAfter.Contact).toBe(true);
    expect(run2.extracted.Contact).toMatchObject({ getDeleted: 50, reconcile: true });
    expect(run2.import.objects.contacts).toMatchObject({ created: 10, updated: 50, deleted: 30 + 20 + 5 });

    const state = await directoryState();
    expectMatchesOrg(state);
    for (const [i, c] of renamed.entries())
      expect(state.contacts.get(c.Id)).toMatchObject({
        first_name: `Renamed${i}`,
        email: `renamed.${i}@example.com`,
        title: 'VP Sales',
      });
    for (const id of added) expect(state.contacts.get(id)).toMatchObject({ first_name: 'New' });
    for (const c of purged) expect(state.contacts.has(c.Id)).toBe(false);
    expect(state.accounts.get(accounts[7]!.Id)!.display_name).toBe('Renamed Account Ltd');
    expect(state.accounts.has(goneAccount.Id)).toBe(false);
    const sample = store.records('Contact')[12_345]!;
    expect(state.contacts.get(sample.Id)).toMatchObject({
      first_name: sample.FirstName,
      last_name: sample.LastName,
      email: String(sample.Email),
      title: sample.Title,
    });
    const memberRole = state.team.find((m) => m.account === String(team[11]!.AccountId));
    expect(memberRole?.role).toBe('CUSTOMER_SUCCESS_MANAGER');

    // Nothing changed since: a run re-reads only the overlap window, and changes nothing.
    const third = await api('POST', `/directories/${dir}/salesforce/sync/runs`, admin, {});
    const run3 = await waitForSyncRun(t, admin, third.json().run.id);
    expect(run3.status).toBe('succeeded');
    for (const counts of Object.values(run3.import?.objects ?? {}) as Record<string, number>[])
      expect(counts).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    expectMatchesOrg(await directoryState());
  }, 240_000);
});
