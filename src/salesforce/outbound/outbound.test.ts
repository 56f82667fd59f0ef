import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness/test-app.ts';
import {
  type CloudKicksSeed,
  type SalesforceEmulator,
  seedCloudKicks,
  startSalesforceEmulator,
} from '../../integrations/salesforce/emulator/index.ts';
import { createSyncRun, executeSyncRun } from '../sync/run-sync.ts';
import { apiOf } from '../testing.ts';
import { ACK, parseOutboundMessage } from './envelope.ts';
import { parseXml } from './xml.ts';

/**
 * Workflow Outbound Messages end to end: the emulated org posts its SOAP notification to a
 * listening Rapport, which answers the exact Ack, checks the org and the secret, records each
 * notification once however often Salesforce retries it, and starts the trigger's survey.
 */

let emulator: SalesforceEmulator;
let seed: CloudKicksSeed;
let t: TestApp;
let base: string;
let admin: { authorization: string };
let directoryId: number;
let surveyId: number;
let connectionId: number;
const api = apiOf(() => t);

const MESSAGE = {
  fromName: 'Cloud Kicks Support',
  subject: 'How did we do on case {{ embedded.caseNumber }}?',
  text: 'Hello {{ contact.firstName }}, your case is closed. Tell us how it went: {{ link }}',
};

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    seed: (store) => {
      seed = seedCloudKicks(store);
    },
  });
  t = await createTestApp();
  await t.runtime.jobs.startWorkers(t.runtime);
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  admin = await t.bearerFor('admin');
  directoryId = (await api('POST', '/directories', admin, { name: 'Support' })).json().id;
  const connection = await api('POST', '/salesforce/connections', admin, {
    kind: 'client_credentials',
    name: 'Cloud Kicks',
    loginUrl: emulator.loginUrl,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
  });
  expect(connection.statusCode, connection.body).toBe(201);
  connectionId = connection.json().connection.id;
  const saved = await api('PUT', `/directories/${directoryId}/salesforce/sync`, admin, {
    connectionId,
    objects: { Account: {}, Contact: { fields: ['Email'] }, AccountTeamMember: {} },
  });
  expect(saved.statusCode, saved.body).toBe(200);
  const deps = { db: t.runtime.db, secrets: t.runtime.secrets, logger: t.runtime.logger, dataDir: t.dataDir };
  const run = await executeSyncRun(
    deps,
    (await createSyncRun(t.runtime.db, saved.json().id, { trigger: 'manual', createdBy: 'test' })).id,
  );
  expect(run.status).toBe('succeeded');
  const survey = await api('POST', `/directories/${directoryId}/surveys`, admin, {
    name: 'Case CSAT',
    definition: { elements: [{ type: 'rating', name: 'csat', rateMin: 1, rateMax: 5, isRequired: true }] },
    metrics: { csatQuestion: 'csat' },
  });
  surveyId = survey.json().id;
  expect((await api('POST', `/surveys/${surveyId}/activate`, admin)).statusCode).toBeLessThan(300);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

const post = (url: string, body: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
    body,
  });

describe('Outbound Messages', () => {
  let trigger: { id: number; path: string; url: string };

  it('creates a trigger whose URL carries its secret', async () => {
    const created = await api('POST', `/directories/${directoryId}/salesforce/triggers`, admin, {
      name: 'Case closed → CSAT',
      connectionId,
      object: 'Case',
      action: {
        kind: 'survey',
        surveyId,
        contactField: 'ContactId',
        channel: 'email',
        message: MESSAGE,
        embedded: { caseNumber: 'field:CaseNumber' },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    trigger = created.json();
    expect(trigger.path).toMatch(new RegExp(`^/api/v1/public/salesforce/outbound/${trigger.id}/[\\w-]{43}$`));
  });

  it('starts one survey for a notification delivered three times, and answers the exact Ack each time', async () => {
    const url = `${base}${trigger.path}`;
    const sent = await emulator.sendOutboundMessage({
      url,
      objectType: 'Case',
      records: [seed.cases.closedShipping],
      fields: ['CaseNumber', 'Status', 'IsClosed', 'ContactId', 'AccountId', 'Subject'],
      sessionId: true,
    });
    expect(sent.acknowledged).toBe(true);
    expect(sent.attempts[0]!.body).toBe(ACK);
    // Salesforce retries with the very same envelope when it is unsure the Ack arrived.
    for (let i = 0; i < 2; i++) {
      const again = await post(url, sent.envelope);
      expect(again.status).toBe(200);
      expect(again.headers.get('content-type')).toBe('text/xml; charset=utf-8');
      expect(await again.text()).toBe(ACK);
    }
    const notifications = (await api('GET', `/salesforce/triggers/${trigger.id}/notifications`, admin)).json()
      .items;
    expect(notifications).toHaveLength(1);
    expect(notifications[0]).toMatchObject({
      notificationId: sent.notificationIds[0],
      object: 'Case',
      recordId: seed.cases.closedShipping,
      deliveries: 3,
      outcome: 'survey_started',
      distributionId: expect.any(Number),
    });
    const distributions = await t.runtime.db.query<{ id: number; transactional: boolean }>(
      'SELECT id, transactional FROM distributions WHERE directory_id = $1',
      [directoryId],
    );
    expect(distributions).toEqual([{ id: notifications[0].distributionId, transactional: true }]);
    const outbox = await waitFor(
      async () =>
        (
          await api('GET', `/outbox?channel=email&to=${encodeURIComponent('alan@gogetcloudy.com')}`, admin)
        ).json().items as {
          subject: string;
          text: string;
        }[],
      (items) => items.length > 0,
      'the CSAT invitation',
    );
    const closed = emulator.store.get('Case', seed.cases.closedShipping)!;
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.subject).toBe(`How did we do on case ${closed.CaseNumber}?`);
    expect(outbox[0]!.text).toMatch(/^Hello Alan, your case is closed\. Tell us how it went: http/);
    const events = await t.runtime.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM domain_events WHERE type = 'salesforce.outbound_message'",
    );
    expect(Number(events[0]!.n)).toBe(1);
    // The survey link carries the case, the contact and the account, for the write-back.
    const recipients = await t.runtime.db.query<{ embedded: Record<string, string> }>(
      'SELECT embedded FROM distribution_recipients WHERE distribution_id = $1',
      [notifications[0].distributionId],
    );
    expect(recipients).toHaveLength(1);
    expect(recipients[0]!.embedded).toEqual({
      sfCaseId: seed.cases.closedShipping,
      sfContactId: seed.contacts.alan,
      sfAccountId: seed.accounts.getCloudy,
      caseNumber: String(closed.CaseNumber),
    });
  });

  it('records a notification whose contact is not in the directory, and still acknowledges it', async () => {
    const stranger = emulator.store.insert('Contact', {
      LastName: 'Stranger',
      Email: 'stranger@example.com',
    });
    const sent = await emulator.sendOutboundMessage({
      url: `${base}${trigger.path}`,
      objectType: 'Case',
      records: [{ Id: seed.cases.openSizing, ContactId: stranger, Status: 'Closed' }],
    });
    expect(sent.acknowledged).toBe(true);
    const [latest] = (await api('GET', `/salesforce/triggers/${trigger.id}/notifications`, admin)).json()
      .items;
    expect(latest).toMatchObject({ outcome: 'no_contact', distributionId: null });
    expect(latest.detail).toMatch(/No contact of the directory has the external reference/);
  });

  it('refuses a wrong secret, another org and bad XML with a SOAP fault (no Ack: Salesforce keeps the message)', async () => {
    const wrongSecret = await emulator.sendOutboundMessage({
      url: `${base}/api/v1/public/salesforce/outbound/${trigger.id}/${'x'.repeat(43)}`,
      objectType: 'Case',
      records: [seed.cases.closedShipping],
    });
    expect(wrongSecret.acknowledged).toBe(false);
    expect(wrongSecret.attempts[0]!.status).toBe(404);
    expect(wrongSecret.attempts[0]!.body).toContain('<faultcode>soapenv:Client</faultcode>');

    const otherOrg = await emulator.sendOutboundMessage({
      url: `${base}${trigger.path}`,
      objectType: 'Case',
      records: [seed.cases.closedShipping],
      orgId: '00D5g000000AbCdEAA',
    });
    expect(otherOrg.acknowledged).toBe(false);
    expect(otherOrg.attempts[0]!.status).toBe(403);

    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">&lol;</soapenv:Envelope>`;
    const refused = await post(`${base}${trigger.path}`, bomb);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('DOCTYPE and ENTITY declarations are refused');
    const notifications = (await api('GET', `/salesforce/triggers/${trigger.id}/notifications`, admin)).json()
      .items;
    expect(notifications).toHaveLength(2);
  });
});

describe('the envelope reader', () => {
  it('reads namespaces, CDATA, entities and the nil session', () => {
    const message = parseOutboundMessage(`<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00D5g000000AbCdEAA</OrganizationId>
   <ActionId>04k5g000000AbCdAAA</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://x/services/Soap/c/62.0/00D5g000000AbCd</EnterpriseUrl>
   <PartnerUrl>https://x/services/Soap/u/62.0/00D5g000000AbCd</PartnerUrl>
   <Notification>
    <Id>04l5g000000AbCdAAA</Id>
    <sObject xsi:type="sf:Case" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>5005g000000AbCdAAA</sf:Id>
     <sf:Subject>Shoes &amp; laces &lt;3 &#x263A;</sf:Subject>
     <sf:Description><![CDATA[<b>raw</b>]]></sf:Description>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`);
    expect(message).toMatchObject({ organizationId: '00D5g000000AbCdEAA', sessionId: null });
    expect(message.notifications).toEqual([
      {
        id: '04l5g000000AbCdAAA',
        object: 'Case',
        fields: { Id: '5005g000000AbCdAAA', Subject: 'Shoes & laces <3 ☺', Description: '<b>raw</b>' },
      },
    ]);
  });

  it('refuses what is not well-formed', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/does not close/);
    expect(() => parseXml('<a>&unknown;</a>')).toThrow(/bare "&"/);
    expect(() => parseXml('<x:a/>')).toThrow(/Undeclared namespace prefix x/);
    expect(() => parseXml(`${'<a>'.repeat(40)}${'</a>'.repeat(40)}`)).toThrow(/nested too deep/);
  });
});
