import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../test/harness/test-app.ts';
import type { CloudKicksSeed, SalesforceEmulator } from '../../integrations/salesforce/emulator/index.ts';
import { apiOf, cloudKicksOrg, waitForSyncRun } from '../testing.ts';

/**
 * List views as sync filters: checked when the sync is saved (it exists, does not depend on who
 * looks), read again at each run and combined with the object's WHERE and the delta cursor; an
 * admin editing the view in Salesforce makes the next run read that object in full.
 */

let emulator: SalesforceEmulator;
let seed: CloudKicksSeed;
let t: TestApp;
let admin: { authorization: string };
let directoryId: number;
let connectionId: number;
const api = apiOf(() => t);

let org: Awaited<ReturnType<typeof cloudKicksOrg>> | undefined;

beforeAll(async () => {
  org = await cloudKicksOrg('Strategic');
  ({ t, emulator, admin, directoryId, seed, connectionId } = org);
}, 60_000);

afterAll(async () => {
  await org?.close();
});

const save = (objects: Record<string, unknown>) =>
  api('PUT', `/directories/${directoryId}/salesforce/sync`, admin, { connectionId, objects });

const runSync = async () => {
  const started = await api('POST', `/directories/${directoryId}/salesforce/sync/runs`, admin, {});
  const run = await waitForSyncRun(t, admin, started.json().run.id);
  expect(run, JSON.stringify(run)).toMatchObject({ status: 'succeeded' });
  return run;
};

const refs = async (table: 'accounts' | 'contacts') =>
  (
    await t.runtime.db.query<{ external_ref: string }>(
      `SELECT external_ref FROM ${table} WHERE directory_id = $1 AND deleted_at IS NULL ORDER BY external_ref`,
      [directoryId],
    )
  ).map((r) => r.external_ref);

const soqlSent = () =>
  emulator
    .requests()
    .filter((r) => /\/query(All)?$/.test(r.path))
    .map((r) => new URLSearchParams(r.query).get('q') ?? '');

describe('list views as sync filters', () => {
  it('offers the views of an object, and refuses at save one that is unknown or depends on its viewer', async () => {
    const views = await api('GET', `/salesforce/connections/${connectionId}/list-views/Account`, admin);
    expect(views.statusCode, views.body).toBe(200);
    expect(views.json().items.map((v: { developerName: string }) => v.developerName)).toEqual([
      'AllAccounts',
      'MyAccounts',
      'NewThisWeek',
      'Strategic_Customers',
    ]);

    const unknown = await save({ Account: { listView: 'Nope' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details).toEqual([
      { path: 'objects.Account.listView', message: 'Account has no list view "Nope"' },
    ]);
    const scoped = await save({ Account: { listView: 'MyAccounts' } });
    expect(scoped.statusCode).toBe(400);
    expect(scoped.json().error.details[0]).toMatchObject({
      path: 'objects.Account.listView',
      message: expect.stringContaining('scope mine'),
    });
    const badWhere = await save({ Contact: { listView: 'Managers', where: 'Nope__c = 1' } });
    expect(badWhere.statusCode).toBe(400);
    expect(badWhere.json().error.details[0]).toMatchObject({ path: 'objects.Contact.where' });
  });

  it("extracts what the view selects, with the object's WHERE and the cursor, and follows an edited view", async () => {
    // Named by Id, saved by API name (stable across sandboxes, readable).
    const saved = await save({
      Account: { listView: seed.listViews.strategicAccounts, fields: ['Tier__c'] },
      Contact: { listView: 'managers', where: "Account.Tier__c IN ('Platinum', 'Gold')", fields: ['Email'] },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().objects.Account.listView).toBe('Strategic_Customers');
    expect(saved.json().objects.Contact.listView).toBe('Managers');

    const first = await runSync();
    expect(first.extracted.Account).toMatchObject({
      rows: 2,
      listView: 'Strategic customers',
      filter: "Tier__c IN ('Platinum', 'Gold')",
    });
    expect(first.extracted.Contact.filter).toBe(
      "(Account.Tier__c IN ('Platinum', 'Gold')) AND (Title LIKE '%Manager%')",
    );
    expect(await refs('accounts')).toEqual([seed.accounts.holdings, seed.accounts.getCloudy].sort());
    expect(await refs('contacts')).toEqual([seed.contacts.alan, seed.contacts.leung].sort());

    // A delta: the view's filter and the cursor condition, together. (The new org's getDeleted does
    // not reach back to the window's start, so the run also lists the Ids the view selects: Leung,
    // no longer a manager, leaves.)
    emulator.store.update('Contact', seed.contacts.leung, { Title: 'Marketing Director' });
    const second = await runSync();
    expect(second).toMatchObject({ mode: 'delta' });
    expect(second.extracted.Contact).toMatchObject({ full: false, reconcile: true, gone: 1 });
    expect(await refs('contacts')).toEqual([seed.contacts.alan]);
    const delta = soqlSent().filter((q) => q.includes('FROM Contact') && q.includes('SystemModstamp >='));
    expect(delta.at(-1)).toMatch(
      /WHERE \(\(Account\.Tier__c IN \('Platinum', 'Gold'\)\) AND \(Title LIKE '%Manager%'\)\) AND SystemModstamp >= /,
    );

    // An admin widens the view in Salesforce: the next run reads the accounts in full.
    emulator.store.setListViewFilter(
      'Account',
      seed.listViews.strategicAccounts,
      "Tier__c IN ('Platinum', 'Gold', 'Silver')",
    );
    const third = await runSync();
    expect(third.extracted.Account).toMatchObject({ full: true, rows: 4 });
    expect(third.extracted.Contact).toMatchObject({ full: false });
    expect(await refs('accounts')).toHaveLength(4);

    // … and narrows it: the accounts it no longer selects leave the directory at once.
    emulator.store.setListViewFilter('Account', seed.listViews.strategicAccounts, "Tier__c = 'Platinum'");
    const fourth = await runSync();
    expect(fourth.extracted.Account).toMatchObject({ full: true, rows: 1, gone: 3 });
    expect(await refs('accounts')).toEqual([seed.accounts.holdings]);
  }, 120_000);
});
