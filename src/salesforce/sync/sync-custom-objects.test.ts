import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness/test-app.ts';
import { DEFAULT_MAPPING, type MappingInput } from '../../imports/mapping.ts';
import {
  type SalesforceEmulator,
  startSalesforceEmulator,
} from '../../integrations/salesforce/emulator/index.ts';
import { apiOf, waitForSyncRun } from '../testing.ts';

/**
 * "…and any object named in a mapping": an org that keeps its customers and their people in custom
 * objects (Customer__c, Client_Contact__c with custom fields and a lookup between them). The sync
 * names them with the directory file each feeds and a mapping of its own; their fields come from
 * describe; a first sync and a delta (changes, a deletion in the recycle bin, a purge, a new record)
 * leave the directory exactly as the org.
 */

const HOUR = 3_600_000;
// While seeding, the org's clock ticks ten minutes a reading from four hours ago: the delta's
// five-minute overlap re-reads only the last record seeded of each object.
let seeding = true;
let tick = Date.now() - 4 * HOUR;
const orgClock = () => {
  if (!seeding) return Date.now();
  tick += 10 * 60_000;
  return tick;
};

let emulator: SalesforceEmulator;
let t: TestApp;
let admin: { authorization: string };
let directoryId: number;
let connectionId: number;
const api = apiOf(() => t);

const customerMapping: MappingInput = {
  ...DEFAULT_MAPPING,
  accounts: {
    fields: { externalRef: ['Id'], displayName: ['Name'], isDeleted: ['IsDeleted'] },
    attributes: [{ source: 'Region__c', name: 'region', type: 'string' }],
  },
};
const clientContactMapping: MappingInput = {
  ...DEFAULT_MAPPING,
  contacts: {
    fields: {
      externalRef: ['Id'],
      firstName: ['First_Name__c'],
      lastName: ['Last_Name__c'],
      email: ['Email__c'],
      title: ['Job_Title__c'],
      accountExternalRef: ['Customer__c'],
      isDeleted: ['IsDeleted'],
    },
  },
};

const customerConfig = {
  loadAs: 'accounts',
  fields: ['Name', 'Region__c'],
  mapping: customerMapping,
};
const clientContactConfig = {
  loadAs: 'contacts',
  fields: ['First_Name__c', 'Last_Name__c', 'Email__c', 'Job_Title__c', 'Customer__c', 'Customer__r.Name'],
  mapping: clientContactMapping,
};

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    now: orgClock,
    customObjects: [
      {
        name: 'Customer__c',
        fields: [{ name: 'Region__c', type: 'picklist', picklistValues: ['EMEA', 'AMER', 'APAC'] }],
      },
      {
        name: 'Client_Contact__c',
        fields: [
          { name: 'First_Name__c', type: 'string', length: 40 },
          { name: 'Last_Name__c', type: 'string', length: 80 },
          { name: 'Email__c', type: 'email' },
          { name: 'Job_Title__c', type: 'string', length: 80 },
          { name: 'Customer__c', type: 'reference', referenceTo: 'Customer__c' },
          { name: 'Shipping__c', type: 'location' },
        ],
      },
    ],
    seed: (store) => {
      const [kicks, cloudy] = store.insertMany('Customer__c', [
        { Name: 'Cloud Kicks', Region__c: 'AMER' },
        { Name: 'Get Cloudy Consulting', Region__c: 'EMEA' },
      ]);
      store.insertMany('Client_Contact__c', [
        {
          Name: 'CC-1',
          First_Name__c: 'Alan',
          Last_Name__c: 'Johnson',
          Email__c: 'alan@cloudkicks.example.com',
          Job_Title__c: 'CEO',
          Customer__c: kicks,
        },
        {
          Name: 'CC-2',
          First_Name__c: 'Leung',
          Last_Name__c: 'Chan',
          Email__c: 'leung@cloudkicks.example.com',
          Job_Title__c: 'CFO',
          Customer__c: kicks,
        },
        {
          Name: 'CC-3',
          First_Name__c: 'Sofia',
          Last_Name__c: 'Rossi',
          Email__c: 'sofia@getcloudy.example.com',
          Job_Title__c: 'CIO',
          Customer__c: cloudy,
        },
        {
          Name: 'CC-4',
          First_Name__c: 'Tom',
          Last_Name__c: 'Baker',
          Email__c: 'tom@getcloudy.example.com',
          Job_Title__c: 'CTO',
          Customer__c: cloudy,
        },
        {
          Name: 'CC-5',
          First_Name__c: 'Ines',
          Last_Name__c: 'Duarte',
          Email__c: 'ines@getcloudy.example.com',
          Job_Title__c: 'CMO',
          Customer__c: cloudy,
        },
      ]);
    },
  });
  seeding = false;
  t = await createTestApp();
  await t.runtime.jobs.startWorkers(t.runtime);
  admin = await t.bearerFor('admin');
  const directory = await api('POST', '/directories', admin, { name: 'Custom objects' });
  expect(directory.statusCode, directory.body).toBe(201);
  directoryId = directory.json().id;
  const connection = await api('POST', '/salesforce/connections', admin, {
    kind: 'client_credentials',
    name: 'Org',
    loginUrl: emulator.loginUrl,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
  });
  expect(connection.statusCode, connection.body).toBe(201);
  connectionId = connection.json().connection.id;
}, 60_000);

afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

async function directoryState() {
  const db = t.runtime.db;
  const accounts = await db.query<{ external_ref: string; display_name: string; region: string | null }>(
    `SELECT external_ref, display_name, attributes->>'region' AS region FROM accounts
     WHERE directory_id = $1 AND deleted_at IS NULL`,
    [directoryId],
  );
  const contacts = await db.query<{
    external_ref: string;
    first_name: string | null;
    last_name: string;
    email: string | null;
    title: string | null;
    accounts: string[] | null;
  }>(
    `SELECT c.external_ref, c.first_name, c.last_name, c.email, c.title,
            (SELECT array_agg(a.external_ref ORDER BY a.external_ref) FROM account_contact_roles r
               JOIN accounts a ON a.id = r.account_id AND a.deleted_at IS NULL WHERE r.contact_id = c.id) AS accounts
     FROM contacts c WHERE c.directory_id = $1 AND c.deleted_at IS NULL`,
    [directoryId],
  );
  return {
    accounts: new Map(accounts.map((a) => [a.external_ref, a])),
    contacts: new Map(contacts.map((c) => [c.external_ref, c])),
  };
}

/** The directory holds exactly the org's live Customer__c and Client_Contact__c records, field by field. */
async function expectMatchesOrg() {
  const state = await directoryState();
  const customers = emulator.store.records('Customer__c');
  expect(state.accounts.size).toBe(customers.length);
  for (const c of customers)
    expect(state.accounts.get(c.Id), c.Id).toMatchObject({ display_name: c.Name, region: c.Region__c });
  const people = emulator.store.records('Client_Contact__c');
  expect(state.contacts.size).toBe(people.length);
  const live = new Set(customers.map((c) => c.Id));
  for (const p of people) {
    expect(state.contacts.get(p.Id), p.Id).toMatchObject({
      first_name: p.First_Name__c,
      last_name: p.Last_Name__c,
      email: String(p.Email__c).toLowerCase(),
      title: p.Job_Title__c,
      accounts: live.has(String(p.Customer__c)) ? [p.Customer__c] : null,
    });
  }
  return state;
}

describe('a sync of custom objects named in the config', () => {
  it('offers the custom objects and their custom fields from describe, compound ones flagged', async () => {
    const objects = await api('GET', `/salesforce/connections/${connectionId}/objects`, admin);
    expect(objects.statusCode, objects.body).toBe(200);
    const names = objects.json().items.map((o: { name: string }) => o.name);
    expect(names).toEqual(expect.arrayContaining(['Customer__c', 'Client_Contact__c']));
    const described = await api(
      'GET',
      `/salesforce/connections/${connectionId}/describe/Client_Contact__c`,
      admin,
    );
    expect(described.statusCode, described.body).toBe(200);
    const fields = described.json().fields as { name: string; custom: boolean; compound: string | null }[];
    expect(fields.find((f) => f.name === 'Job_Title__c')).toMatchObject({ custom: true, compound: null });
    expect(fields.find((f) => f.name === 'Shipping__c')?.compound).toMatch(
      /compound fields cannot be imported/,
    );
  });

  it('refuses what it could not keep in step: no loadAs, a field the object lacks, a compound field, a mapping that cannot delete', async () => {
    const save = (objects: Record<string, unknown>) =>
      api('PUT', `/directories/${directoryId}/salesforce/sync`, admin, { connectionId, objects });
    const noLoad = await save({ Client_Contact__c: { fields: ['Email__c'] } });
    expect(noLoad.statusCode).toBe(400);
    expect(noLoad.body).toMatch(/loadAs/);
    expect(noLoad.body).toMatch(/accounts.*contacts/);

    const unknown = await save({ Client_Contact__c: { ...clientContactConfig, fields: ['Nickname__c'] } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details).toContainEqual({
      path: 'objects.Client_Contact__c.fields.0',
      message: 'Client_Contact__c has no field Nickname__c',
    });

    const compound = await save({ Client_Contact__c: { ...clientContactConfig, fields: ['Shipping__c'] } });
    expect(compound.statusCode).toBe(400);
    expect(compound.body).toMatch(/Shipping__c is a Salesforce compound field/);

    const noDeletes = await save({
      Client_Contact__c: {
        ...clientContactConfig,
        mapping: {
          ...clientContactMapping,
          contacts: { fields: { externalRef: ['Id'], lastName: ['Last_Name__c'] } },
        },
      },
    });
    expect(noDeletes.statusCode).toBe(400);
    expect(noDeletes.json().error.details).toContainEqual({
      path: 'objects.Client_Contact__c',
      message: expect.stringMatching(/isDeleted from IsDeleted/),
    });

    const noName = await save({
      Customer__c: {
        ...customerConfig,
        fields: ['Region__c'],
        mapping: {
          ...customerMapping,
          accounts: {
            fields: { externalRef: ['Id'], displayName: ['Legal_Name__c'], isDeleted: ['IsDeleted'] },
          },
        },
      },
    });
    expect(noName.statusCode).toBe(400);
    expect(noName.body).toMatch(/accounts.displayName from Legal_Name__c/);

    const missing = await save({ Not_There__c: { loadAs: 'contacts' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details[0].path).toBe('objects.Not_There__c');
  });

  it('loads them through the directory import, first in full, then by delta with changes, deletions and purges', async () => {
    const saved = await api('PUT', `/directories/${directoryId}/salesforce/sync`, admin, {
      connectionId,
      objects: { Customer__c: customerConfig, Client_Contact__c: clientContactConfig },
      mailingList: 'Clients {{date}}',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().objects.Client_Contact__c.extracted).toEqual([
      'Id',
      'IsDeleted',
      ...clientContactConfig.fields,
    ]);

    const first = await api('POST', `/directories/${directoryId}/salesforce/sync/runs`, admin, {});
    expect(first.statusCode, first.body).toBe(202);
    const run1 = await waitForSyncRun(t, admin, first.json().run.id);
    expect(run1, JSON.stringify(run1)).toMatchObject({ status: 'succeeded', mode: 'full' });
    expect(run1.extracted.Customer__c).toMatchObject({ method: 'rest', rows: 2, full: true });
    expect(run1.extracted.Client_Contact__c).toMatchObject({ method: 'rest', rows: 5, full: true });
    // Each custom object is an import run of its own: the customers first (the run's), then their people.
    expect(run1.importRunId).toEqual(expect.any(Number));
    expect(run1.extracted.Client_Contact__c.importRunId).toBeGreaterThan(run1.importRunId);
    expect(run1.import).toMatchObject({ status: 'succeeded', objects: { accounts: { created: 2 } } });
    const people = await api('GET', `/imports/${run1.extracted.Client_Contact__c.importRunId}`, admin);
    expect(people.json()).toMatchObject({ status: 'succeeded', objects: { contacts: { created: 5 } } });
    // The SOQL asked for the custom fields and the lookup's parent by its __r relationship.
    const queries = emulator
      .requests()
      .filter((r) => r.path.endsWith('/query') && r.query.includes('Client_Contact__c'));
    expect(
      decodeURIComponent(
        queries
          .map((q) => q.query)
          .join(' ')
          .replace(/\+/g, ' '),
      ),
    ).toMatch(
      /SELECT Id, IsDeleted, First_Name__c, Last_Name__c, Email__c, Job_Title__c, Customer__c, Customer__r\.Name, SystemModstamp FROM Client_Contact__c/,
    );
    const state = await expectMatchesOrg();
    expect(state.contacts.get(emulator.store.records('Client_Contact__c')[0]!.Id)?.first_name).toBe('Alan');
    // The run's mailing list holds the people loaded from Client_Contact__c.
    const members = await t.runtime.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM mailing_list_members WHERE mailing_list_id = $1',
      [people.json().mailingListId],
    );
    expect(Number(members[0]!.n)).toBe(5);

    // Changes in the org: an edit, a deletion (recycle bin), a purge, a new person, a customer gone.
    const store = emulator.store;
    const [alan, leung, sofia, tom] = store.records('Client_Contact__c');
    const [kicks, cloudy] = store.records('Customer__c');
    store.update('Client_Contact__c', alan!.Id, {
      Email__c: 'alan.johnson@cloudkicks.example.com',
      Job_Title__c: 'President',
    });
    store.delete('Client_Contact__c', leung!.Id);
    // Deleted two minutes ago (getDeleted answers up to the last whole minute), then purged.
    store.delete('Client_Contact__c', sofia!.Id, { at: new Date(Date.now() - 2 * 60_000) });
    store.purge('Client_Contact__c', sofia!.Id);
    store.insert('Client_Contact__c', {
      Name: 'CC-6',
      First_Name__c: 'Maya',
      Last_Name__c: 'Patel',
      Email__c: 'maya@cloudkicks.example.com',
      Job_Title__c: 'COO',
      Customer__c: kicks!.Id,
    });
    store.update('Customer__c', cloudy!.Id, { Name: 'Get Cloudy Consulting Ltd', Region__c: 'APAC' });
    store.update('Client_Contact__c', tom!.Id, { Customer__c: kicks!.Id });

    const second = await api('POST', `/directories/${directoryId}/salesforce/sync/runs`, admin, {});
    const run2 = await waitForSyncRun(t, admin, second.json().run.id);
    expect(run2, JSON.stringify(run2)).toMatchObject({ status: 'succeeded', mode: 'delta' });
    // The delta read what changed since the cursor (queryAll: the deleted one as an IsDeleted row;
    // the overlap re-read Ines, the last seeded), and getDeleted named the purged one.
    expect(run2.extracted.Client_Contact__c).toMatchObject({ full: false, rows: 5, deleted: 1 });
    expect(run2.extracted.Client_Contact__c.getDeleted).toBeGreaterThanOrEqual(1);
    expect(run2.extracted.Customer__c).toMatchObject({ full: false, rows: 1 });
    expect(run2.cursorAfter.Client_Contact__c > run1.cursorAfter.Client_Contact__c).toBe(true);
    const after = await expectMatchesOrg();
    expect(after.contacts.has(leung!.Id)).toBe(false);
    expect(after.contacts.has(sofia!.Id)).toBe(false);
    expect(after.accounts.get(cloudy!.Id)).toMatchObject({
      display_name: 'Get Cloudy Consulting Ltd',
      region: 'APAC',
    });

    // A customer deleted and purged: a reconcile finds it gone, and its deletion row carries its name.
    store.delete('Customer__c', cloudy!.Id);
    store.purge('Customer__c');
    const third = await api('POST', `/directories/${directoryId}/salesforce/sync/runs`, admin, {
      full: true,
    });
    const run3 = await waitForSyncRun(t, admin, third.json().run.id);
    expect(run3, JSON.stringify(run3)).toMatchObject({ status: 'succeeded', mode: 'full' });
    expect(run3.extracted.Customer__c).toMatchObject({ full: true, gone: 1 });
    const last = await expectMatchesOrg();
    expect(last.accounts.has(cloudy!.Id)).toBe(false);
  });
});
