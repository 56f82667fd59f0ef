import { Connection } from '@jsforce/jsforce-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SalesforceEmulator, startSalesforceEmulator } from './salesforce-emulator.ts';
import { type CloudKicksSeed, seedCloudKicks } from './seed-cloud-kicks.ts';

/** Web-to-Lead form posts, as a survey response's "create a lead" action sends them. */

let emulator: SalesforceEmulator;
let conn: Connection;
let seed: CloudKicksSeed;

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    webToLeadDailyLimit: 2,
    seed: (store) => {
      seed = seedCloudKicks(store);
    },
  });
  conn = new Connection({
    instanceUrl: emulator.instanceUrl,
    accessToken: emulator.issueAccessToken(),
    version: '62.0',
  });
});

afterAll(() => emulator.close());

const npsFieldId = () => {
  const lead = emulator.org.schema.object('Lead')!;
  return emulator.org.schema.field(lead, 'NPS_Score__c')!.fieldId!;
};

function post(form: Record<string, string>) {
  return fetch(`${emulator.url}/servlet/servlet.WebToLead?encoding=UTF-8`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
}

describe('Web-to-Lead', () => {
  it('creates a lead from the form, with custom fields by field Id and a campaign member', async () => {
    const response = await post({
      oid: emulator.orgId.slice(0, 15),
      retURL: 'https://rapport.example.com/thanks',
      first_name: 'Dana',
      last_name: 'Whitfield',
      email: 'dana@newcustomer.example.com',
      company: 'New Customer Inc',
      lead_source: 'Web',
      emailOptOut: '1',
      [npsFieldId()]: '9',
      Campaign_ID: seed.campaign,
      member_status: 'Responded',
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(
      '<meta http-equiv="Refresh" content="0; URL=https://rapport.example.com/thanks">',
    );

    const leads = await conn.query(
      "SELECT Name, Email, Company, LeadSource, HasOptedOutOfEmail, NPS_Score__c, Status FROM Lead WHERE Email = 'dana@newcustomer.example.com'",
    );
    expect(leads.records[0]).toMatchObject({
      Name: 'Dana Whitfield',
      Company: 'New Customer Inc',
      LeadSource: 'Web',
      HasOptedOutOfEmail: true,
      NPS_Score__c: 9,
      Status: 'Open - Not Contacted',
    });
    const members = await conn.query(
      `SELECT Status, HasResponded FROM CampaignMember WHERE CampaignId = '${seed.campaign}' AND LeadId != null`,
    );
    expect(members.records).toEqual([expect.objectContaining({ Status: 'Responded', HasResponded: true })]);
  });

  it('drops what cannot be saved or is not for this org, still redirecting the visitor', async () => {
    const missingCompany = await post({
      oid: emulator.orgId,
      last_name: 'Nocompany',
      retURL: 'https://rapport.example.com/thanks',
    });
    expect(missingCompany.status).toBe(200);
    const otherOrg = await post({ oid: '00D000000000001', last_name: 'Elsewhere', company: 'Other' });
    expect(otherOrg.status).toBe(200);
    const outcomes = emulator.webToLead
      .submissions()
      .slice(-2)
      .map((s) => [s.outcome, s.reason]);
    expect(outcomes).toEqual([
      ['rejected', 'REQUIRED_FIELD_MISSING: Required fields are missing: [Company]'],
      ['ignored', 'oid is not this organization'],
    ]);
  });

  it('queues requests over the daily limit and creates them when the limit resets', async () => {
    await post({ oid: emulator.orgId, last_name: 'Second', company: 'Second Co' });
    await post({ oid: emulator.orgId, last_name: 'Third', company: 'Third Co' });
    expect(emulator.webToLead.submissions().at(-1)!.outcome).toBe('pending');
    expect(emulator.webToLead.pendingCount()).toBe(1);
    expect((await conn.query("SELECT COUNT() FROM Lead WHERE LastName = 'Third'")).totalSize).toBe(0);
    emulator.webToLead.startNewDay();
    expect(emulator.webToLead.pendingCount()).toBe(0);
    expect((await conn.query("SELECT COUNT() FROM Lead WHERE LastName = 'Third'")).totalSize).toBe(1);
  });
});
