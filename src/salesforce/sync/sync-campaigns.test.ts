import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../test/harness/test-app.ts';
import type { CloudKicksSeed, SalesforceEmulator } from '../../integrations/salesforce/emulator/index.ts';
import { apiOf, cloudKicksOrg, createSurvey, waitForSyncRun } from '../testing.ts';

/**
 * Campaigns as mailing lists: each synced campaign is a list of the directory, named after it and
 * kept by its Id, whose members are exactly the contacts and leads of its CampaignMember records —
 * after members are added, removed, purged, a contact deleted, the campaign renamed, another one
 * activated, one deactivated — and a distribution goes to a campaign's list.
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
  org = await cloudKicksOrg('Campaigns');
  ({ t, emulator, admin, directoryId, seed, connectionId } = org);
  const defaults = (await api('GET', `/directories/${directoryId}/salesforce/sync`, admin)).json().defaults;
  expect(defaults.objects.Campaign).toMatchObject({ where: 'IsActive = true', listView: null, ids: [] });
  const saved = await api('PUT', `/directories/${directoryId}/salesforce/sync`, admin, {
    connectionId,
    objects: {
      Account: {},
      Contact: { fields: ['Email'] },
      AccountTeamMember: {},
      Lead: { fields: ['Title'], where: 'IsConverted = false' },
      Campaign: { where: 'IsActive = true', fields: ['Type'] },
    },
  });
  expect(saved.statusCode, saved.body).toBe(200);
}, 60_000);

afterAll(async () => {
  await org?.close();
});

const runSync = async (body: Record<string, unknown> = {}) => {
  const started = await api('POST', `/directories/${directoryId}/salesforce/sync/runs`, admin, body);
  expect(started.statusCode, started.body).toBe(202);
  const run = await waitForSyncRun(t, admin, started.json().run.id);
  expect(run, JSON.stringify(run)).toMatchObject({ status: 'succeeded' });
  return run;
};

const campaignLists = async () =>
  (await api('GET', `/directories/${directoryId}/salesforce/sync`, admin)).json().campaignLists as {
    campaignId: string;
    mailingListId: number;
    name: string | null;
    synced: boolean;
  }[];

const listOf = async (campaignId: string) => {
  const list = (await campaignLists()).find((l) => l.campaignId === campaignId);
  expect(list, `a list for campaign ${campaignId}`).toBeDefined();
  return list!;
};

async function listMembers(listId: number) {
  const rows = await t.runtime.db.query<{ external_ref: string }>(
    `SELECT c.external_ref FROM mailing_list_members m JOIN contacts c ON c.id = m.contact_id
     WHERE m.mailing_list_id = $1 ORDER BY c.external_ref`,
    [listId],
  );
  return rows.map((r) => r.external_ref);
}

const orgMembers = (campaignId: string) =>
  emulator.store
    .records('CampaignMember')
    .filter((m) => m.CampaignId === campaignId)
    .map((m) => String(m.ContactId || m.LeadId))
    .sort();

async function expectListsMatchOrg() {
  const active = emulator.store.records('Campaign').filter((c) => c.IsActive);
  for (const campaign of active) {
    const list = await listOf(campaign.Id);
    expect(list).toMatchObject({ name: campaign.Name, synced: true });
    expect(await listMembers(list.mailingListId), String(campaign.Name)).toEqual(orgMembers(campaign.Id));
  }
}

describe('campaigns as mailing lists', () => {
  it('makes a list per active campaign with its contacts and leads, kept equal to the org through changes', async () => {
    const first = await runSync();
    expect(first.extracted.Campaign).toMatchObject({
      rows: 2,
      filter: 'IsActive = true',
      lists: { lists: 2, added: 7, removed: 0 },
    });
    expect(first.extracted.CampaignMember).toMatchObject({ rows: 7, full: true });
    const nps = await listOf(seed.campaigns.nps);
    expect(nps.name).toBe('Relationship NPS 2026');
    expect(await listMembers(nps.mailingListId)).toEqual(
      [seed.contacts.alan, seed.contacts.leung, seed.contacts.sofia].sort(),
    );
    // Leads are members too: they were loaded as contacts by the sync's second import run.
    expect(await listMembers((await listOf(seed.campaigns.summerLaunch)).mailingListId)).toContain(
      seed.leads.rita,
    );
    expect((await campaignLists()).map((l) => l.campaignId)).not.toContain(seed.campaigns.holidayPromo);
    await expectListsMatchOrg();

    // The org changes: a member added, one removed, one purged, a contact deleted (its
    // memberships go with it), the campaign renamed, another one activated.
    const store = emulator.store;
    const members = store.records('CampaignMember');
    const member = (campaign: string, person: string) =>
      members.find((m) => m.CampaignId === campaign && (m.ContactId === person || m.LeadId === person))!.Id;
    store.insert('CampaignMember', {
      CampaignId: seed.campaigns.summerLaunch,
      ContactId: seed.contacts.leung,
      Status: 'Sent',
    });
    store.delete('CampaignMember', member(seed.campaigns.summerLaunch, seed.contacts.nina));
    store.delete('CampaignMember', member(seed.campaigns.nps, seed.contacts.sofia));
    store.purge('CampaignMember');
    store.delete('Contact', seed.contacts.jamal);
    store.update('Campaign', seed.campaigns.nps, { Name: 'Relationship NPS 2026 (Q2)' });
    store.update('Campaign', seed.campaigns.holidayPromo, { IsActive: true });

    const second = await runSync();
    expect(second.mode).toBe('delta');
    expect(second.extracted.CampaignMember).toMatchObject({ full: false, getDeleted: expect.any(Number) });
    expect(second.extracted.Campaign.lists).toMatchObject({ lists: 3 });
    const renamed = await listOf(seed.campaigns.nps);
    expect(renamed).toMatchObject({ mailingListId: nps.mailingListId, name: 'Relationship NPS 2026 (Q2)' });
    expect(await listMembers(nps.mailingListId)).toEqual([seed.contacts.alan, seed.contacts.leung].sort());
    const summer = await listMembers((await listOf(seed.campaigns.summerLaunch)).mailingListId);
    expect(summer).toContain(seed.contacts.leung);
    expect(summer).not.toContain(seed.contacts.nina);
    expect(summer).not.toContain(seed.contacts.jamal);
    // A campaign new to the sync brings its members, though none of them changed.
    expect(await listMembers((await listOf(seed.campaigns.holidayPromo)).mailingListId)).toEqual(
      [seed.contacts.alan, seed.leads.okoro].sort(),
    );
    await expectListsMatchOrg();

    // Deactivated: out of the filter. Its list stays (a distribution may name it), emptied.
    store.update('Campaign', seed.campaigns.summerLaunch, { IsActive: false });
    const third = await runSync();
    expect(third.extracted.Campaign.lists).toMatchObject({ lists: 2 });
    const left = await listOf(seed.campaigns.summerLaunch);
    expect(left.synced).toBe(false);
    expect(await listMembers(left.mailingListId)).toEqual([]);
    await expectListsMatchOrg();

    // Back in the filter: the same list fills again.
    store.update('Campaign', seed.campaigns.summerLaunch, { IsActive: true });
    await runSync();
    expect((await listOf(seed.campaigns.summerLaunch)).mailingListId).toBe(left.mailingListId);
    await expectListsMatchOrg();
  }, 120_000);

  it('keeps only the campaigns picked by Id, and a distribution goes to a campaign list', async () => {
    const current = (await api('GET', `/directories/${directoryId}/salesforce/sync`, admin)).json().sync;
    const saved = await api('PUT', `/directories/${directoryId}/salesforce/sync`, admin, {
      connectionId: current.connectionId,
      objects: { ...current.objects, Campaign: { where: null, ids: [seed.campaigns.nps] } },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const run = await runSync();
    // The members of the campaigns no longer picked leave with them.
    expect(run.extracted.Campaign).toMatchObject({ rows: 1, filter: `Id IN ('${seed.campaigns.nps}')` });
    expect((await campaignLists()).filter((l) => l.synced).map((l) => l.campaignId)).toEqual([
      seed.campaigns.nps,
    ]);
    const list = await listOf(seed.campaigns.nps);
    expect(await listMembers(list.mailingListId)).toEqual(orgMembers(seed.campaigns.nps));

    const surveyId = await createSurvey(t, admin, directoryId);
    const created = await api('POST', `/directories/${directoryId}/distributions`, admin, {
      surveyId,
      name: 'Campaign NPS',
      channel: 'email',
      recipients: { type: 'mailingList', mailingListId: list.mailingListId },
      message: {
        fromName: 'Cloud Kicks',
        subject: 'How are we doing, {{ contact.firstName }}?',
        text: 'Tell us: {{ link }}',
      },
      embedded: { sfContactId: 'contact.externalRef' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const deadline = Date.now() + 30_000;
    let distribution = created.json();
    while (!['completed', 'failed', 'paused'].includes(distribution.status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      distribution = (await api('GET', `/distributions/${distribution.id}`, admin)).json();
    }
    expect(distribution).toMatchObject({ status: 'completed' });
    expect(distribution.stats).toMatchObject({ selected: 2, delivered: 2 });
    const sent = (await api('GET', '/outbox?channel=email', admin)).json().items as { toAddress: string }[];
    expect(sent.map((m) => m.toAddress).sort()).toEqual(['alan@gogetcloudy.com', 'leung@gogetcloudy.com']);
  }, 60_000);
});
