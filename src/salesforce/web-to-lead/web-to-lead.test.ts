import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness/test-app.ts';
import {
  generateOrg,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from '../../integrations/salesforce/emulator/index.ts';
import { apiOf, createSurvey, insertResponses, syncedDirectory } from '../testing.ts';

/**
 * Web-to-Lead from responses: the org's form post (oid, the generated form's input names, custom
 * fields by their 00N Id), 500 a day — the 501st refused with a clear error — and the API way.
 */

let emulator: SalesforceEmulator;
let t: TestApp;
let admin: { authorization: string };
let directoryId: number;
let connectionId: number;
let surveyId: number;
const api = apiOf(() => t);

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    seed: (store) => void generateOrg(store, { accounts: 101, contactsPerAccount: 5, teamPerAccount: 1 }),
  });
  t = await createTestApp();
  admin = await t.bearerFor('admin');
  ({ directoryId, connectionId } = await syncedDirectory(t, admin, emulator, 'Prospects'));
  surveyId = await createSurvey(t, admin, directoryId);
  await insertResponses(t, surveyId, directoryId, 501);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

const npsFieldId = () => {
  const lead = emulator.org.schema.object('Lead')!;
  return emulator.org.schema.field(lead, 'NPS_Score__c')!.fieldId!;
};

describe('Web-to-Lead', () => {
  // 501 responses, 500 form posts: longer than the default timeout on a busy machine.
  it("posts the org's form for each response, 500 a day: the 501st is refused, and nothing is sent twice", async () => {
    const created = await api('POST', `/directories/${directoryId}/salesforce/lead-forms`, admin, {
      name: 'Promoters to leads',
      connectionId,
      mode: 'form',
      formUrl: `${emulator.url}/servlet/servlet.WebToLead?encoding=UTF-8`,
      fields: {
        first_name: '{{ contact.name | split: " " | first }}',
        last_name: 'Respondent {{ response.id }}',
        email: '{{ contact.email }}',
        company: 'Survey respondent company',
        lead_source: 'Web',
        [npsFieldId()]: '{{ response.answers.nps }}',
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const form = created.json();

    const sent = await api('POST', `/salesforce/lead-forms/${form.id}/submissions`, admin, { surveyId });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json().counts).toEqual({ sent: 500 });
    expect(sent.json().refused).toMatch(
      /^Web-to-Lead limit reached: 500 leads were sent to this org in the last 24 hours and the limit is 500 a day\. This lead was not sent; the next slot frees at /,
    );
    const submissions = emulator.webToLead.submissions();
    expect(submissions).toHaveLength(500);
    expect(submissions.every((s) => s.outcome === 'created')).toBe(true);
    expect(emulator.webToLead.pendingCount()).toBe(0);
    expect(submissions[0]!.form).toMatchObject({
      oid: emulator.orgId.slice(0, 15),
      company: 'Survey respondent company',
    });
    const lead = emulator.store.get('Lead', submissions[10]!.leadId!)!;
    expect(lead).toMatchObject({ LeadSource: 'Web', Company: 'Survey respondent company' });
    expect(lead.LastName).toMatch(/^Respondent \d+$/);
    expect(typeof lead.NPS_Score__c).toBe('number');

    const again = await api('POST', `/salesforce/lead-forms/${form.id}/submissions`, admin, { surveyId });
    expect(again.json().counts).toEqual({ already_sent: 500 });
    expect(again.json().refused).toMatch(/^Web-to-Lead limit reached/);
    expect(emulator.webToLead.submissions()).toHaveLength(500);
  }, 120_000);

  it("lists each form with today's form posts and its org's, and keeps a form whose posts still count", async () => {
    const other = await api('POST', `/directories/${directoryId}/salesforce/lead-forms`, admin, {
      name: 'Spare form',
      connectionId,
      mode: 'form',
      fields: { last_name: '{{ contact.lastName }}', company: 'x' },
    });
    expect(other.statusCode, other.body).toBe(201);
    const forms = (await api('GET', `/directories/${directoryId}/salesforce/lead-forms`, admin)).json().items;
    expect(forms.map((f: { name: string }) => f.name)).toEqual(['Promoters to leads', 'Spare form']);
    expect(forms[0]).toMatchObject({ sentLast24Hours: 500, orgSentLast24Hours: 500 });
    expect(forms[1]).toMatchObject({ sentLast24Hours: 0, orgSentLast24Hours: 500 });

    const refused = await api('DELETE', `/salesforce/lead-forms/${forms[0].id}`, admin);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(
      /^500 lead\(s\) sent through this form in the last 24 hours still count/,
    );
    const deleted = await api('DELETE', `/salesforce/lead-forms/${forms[1].id}`, admin);
    expect(deleted.json()).toEqual({ deleted: true });
    const left = (await api('GET', `/directories/${directoryId}/salesforce/lead-forms`, admin)).json().items;
    expect(left.map((f: { name: string }) => f.name)).toEqual(['Promoters to leads']);
  });

  it('creates leads through the API, once per response', async () => {
    const created = await api('POST', `/directories/${directoryId}/salesforce/lead-forms`, admin, {
      name: 'Detractors as leads (API)',
      connectionId,
      mode: 'api',
      fields: {
        LastName: 'Detractor {{ response.id }}',
        Company: 'From a survey',
        Email: '{{ contact.email }}',
        NPS_Score__c: '{{ response.answers.nps }}',
      },
      condition: 'response.answers.nps == 0',
    });
    expect(created.statusCode, created.body).toBe(201);
    const first = await api('POST', `/salesforce/lead-forms/${created.json().id}/submissions`, admin, {
      surveyId,
    });
    expect(first.json().counts).toEqual({ created: 46, skipped: 455 });
    expect(
      emulator.store.records('Lead').filter((l) => String(l.LastName).startsWith('Detractor')),
    ).toHaveLength(46);
    const second = await api('POST', `/salesforce/lead-forms/${created.json().id}/submissions`, admin, {
      surveyId,
    });
    expect(second.json().counts).toEqual({ already_sent: 46, skipped: 455 });
    expect(
      emulator.store.records('Lead').filter((l) => String(l.LastName).startsWith('Detractor')),
    ).toHaveLength(46);
  });
});
