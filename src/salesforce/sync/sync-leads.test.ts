import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../test/harness/test-app.ts';
import type { CloudKicksSeed, SalesforceEmulator } from '../../integrations/salesforce/emulator/index.ts';
import { apiOf, cloudKicksOrg, waitForSyncRun } from '../testing.ts';

/** Leads, loaded as contacts without an account by an import run of their own, kept in step like the rest. */

let emulator: SalesforceEmulator;
let seed: CloudKicksSeed;
let t: TestApp;
let admin: { authorization: string };
let directoryId: number;
let connectionId: number;
const api = apiOf(() => t);

let org: Awaited<ReturnType<typeof cloudKicksOrg>> | undefined;

beforeAll(async () => {
  org = await cloudKicksOrg('With leads');
  ({ t, emulator, admin, directoryId, seed, connectionId } = org);
  const defaults = (await api('GET', `/directories/${directoryId}/salesforce/sync`, admin)).json().defaults;
  expect(defaults.enabledObjects).toEqual(['Account', 'Contact', 'AccountTeamMember']);
  expect(defaults.objects.Lead.where).toBe('IsConverted = false');
  const saved = await api('PUT', `/directories/${directoryId}/salesforce/sync`, admin, {
    connectionId,
    objects: {
      Account: {},
      Contact: { fields: ['Email'] },
      AccountTeamMember: {},
      Lead: { fields: defaults.objects.Lead.fields, where: defaults.objects.Lead.where },
    },
    mailingList: 'Salesforce {{date}}',
  });
  expect(saved.statusCode, saved.body).toBe(200);
}, 60_000);

afterAll(async () => {
  await org?.close();
});

const people = () =>
  t.runtime.db.query<{
    external_ref: string;
    first_name: string | null;
    last_name: string;
    email: string | null;
    do_not_call: boolean;
  }>(
    'SELECT external_ref, first_name, last_name, email, do_not_call FROM contacts WHERE directory_id = $1 AND deleted_at IS NULL ORDER BY external_ref',
    [directoryId],
  );

describe('leads', () => {
  it('loads leads as contacts beside the account data, in a second import run, and keeps them in step', async () => {
    const run = await api('POST', `/directories/${directoryId}/salesforce/sync/runs`, admin, {});
    const first = await waitForSyncRun(t, admin, run.json().run.id);
    expect(first, JSON.stringify(first)).toMatchObject({ status: 'succeeded' });
    expect(first.extracted.Lead).toMatchObject({ rows: 3, importRunId: expect.any(Number) });
    expect(first.extracted.Lead.importRunId).not.toBe(first.importRunId);
    const rows = await people();
    const leads = rows.filter((r) => r.external_ref.startsWith('00Q'));
    expect(leads).toHaveLength(3);
    expect(leads.find((l) => l.last_name === 'Okoro')).toMatchObject({ do_not_call: true, email: null });
    expect(rows.filter((r) => r.external_ref.startsWith('003'))).toHaveLength(5);
    // The run's mailing list holds the account data's contacts, not the leads.
    const members = await t.runtime.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM mailing_list_members WHERE mailing_list_id = $1',
      [first.import.mailingListId],
    );
    expect(Number(members[0]!.n)).toBe(5);

    // A lead changes, one is deleted for good, a new one comes.
    const [rita, kenji] = emulator.store.records('Lead').filter((l) => l.LastName !== 'Okoro');
    emulator.store.update('Lead', rita!.Id, { Email: 'rita.moreno@solesurvivors.example.com' });
    emulator.store.delete('Lead', kenji!.Id);
    emulator.store.purge('Lead');
    emulator.store.insert('Lead', {
      LastName: 'Nakamura',
      Company: 'Fresh Feet',
      Email: 'aiko@freshfeet.example.com',
    });
    const second = await waitForSyncRun(
      t,
      admin,
      (
        await api('POST', `/directories/${directoryId}/salesforce/sync/runs`, admin, { reconcile: true })
      ).json().run.id,
    );
    expect(second, JSON.stringify(second)).toMatchObject({ status: 'succeeded', mode: 'delta' });
    const after = (await people()).filter((r) => r.external_ref.startsWith('00Q'));
    expect(after.map((r) => r.last_name).sort()).toEqual(['Moreno', 'Nakamura', 'Okoro']);
    expect(after.find((r) => r.last_name === 'Moreno')!.email).toBe('rita.moreno@solesurvivors.example.com');
    expect(seed.contacts.alan).toMatch(/^003/);
  });
});
