import { createServer, type Server } from 'node:http';
import { Connection } from '@jsforce/jsforce-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SalesforceEmulator, startSalesforceEmulator } from './salesforce-emulator.ts';
import { type CloudKicksSeed, seedCloudKicks } from './seed-cloud-kicks.ts';

/** Workflow Outbound Messages: the SOAP envelope Salesforce posts, its Ack, and the retries. */

const ACK = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
 <soapenv:Body>
  <notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound">
   <Ack>true</Ack>
  </notificationsResponse>
 </soapenv:Body>
</soapenv:Envelope>`;

let emulator: SalesforceEmulator;
let seed: CloudKicksSeed;
let listener: Server;
let listenerUrl: string;
const received: { headers: Record<string, unknown>; body: string }[] = [];
/** What the listener answers next: a queue, then the Ack. */
const answers: { status: number; body: string }[] = [];

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    seed: (store) => {
      seed = seedCloudKicks(store);
    },
  });
  listener = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      const answer = answers.shift() ?? { status: 200, body: ACK };
      response.writeHead(answer.status, { 'content-type': 'text/xml' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const address = listener.address();
  listenerUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/salesforce/outbound`;
});

afterAll(async () => {
  await emulator.close();
  await new Promise((resolve) => listener.close(resolve));
});

describe('outbound messages', () => {
  it('posts the notifications envelope of a closed case and reads the Ack', async () => {
    received.length = 0;
    const result = await emulator.sendOutboundMessage({
      url: listenerUrl,
      objectType: 'Case',
      records: [seed.cases.closedShipping],
      fields: [
        'CaseNumber',
        'Status',
        'IsClosed',
        'ContactId',
        'AccountId',
        'ClosedDate',
        'Subject',
        'Description',
      ],
      sessionId: true,
    });
    expect(result.acknowledged).toBe(true);
    expect(result.attempts).toHaveLength(1);
    expect(received).toHaveLength(1);
    expect(received[0]!.headers).toMatchObject({
      'content-type': 'text/xml; charset=utf-8',
      soapaction: '""',
    });

    const closed = emulator.store.get('Case', seed.cases.closedShipping)!;
    const org15 = emulator.orgId.slice(0, 15);
    const closedAt = new Date(closed.ClosedDate as number).toISOString();
    const sessionId = /<SessionId>([^<]+)<\/SessionId>/.exec(received[0]!.body)![1]!;
    expect(received[0]!.body).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>${emulator.orgId}</OrganizationId>
   <ActionId>${/<ActionId>(04k\w{15})<\/ActionId>/.exec(received[0]!.body)![1]}</ActionId>
   <SessionId>${sessionId}</SessionId>
   <EnterpriseUrl>${emulator.instanceUrl}/services/Soap/c/62.0/${org15}</EnterpriseUrl>
   <PartnerUrl>${emulator.instanceUrl}/services/Soap/u/62.0/${org15}</PartnerUrl>
   <Notification>
    <Id>${result.notificationIds[0]}</Id>
    <sObject xsi:type="sf:Case" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>${seed.cases.closedShipping}</sf:Id>
     <sf:AccountId>${seed.accounts.getCloudy}</sf:AccountId>
     <sf:CaseNumber>${closed.CaseNumber}</sf:CaseNumber>
     <sf:ClosedDate>${closedAt}</sf:ClosedDate>
     <sf:ContactId>${seed.contacts.alan}</sf:ContactId>
     <sf:IsClosed>true</sf:IsClosed>
     <sf:Status>Closed</sf:Status>
     <sf:Subject>Order shipped to the wrong office</sf:Subject>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>
`);
    // The session sent along works against the API, as a listener calling back would use it.
    const conn = new Connection({
      instanceUrl: emulator.instanceUrl,
      accessToken: sessionId,
      version: '62.0',
    });
    const contact = await conn.sobject('Contact').retrieve(seed.contacts.alan);
    expect(contact.Email).toBe('alan@gogetcloudy.com');
  });

  it('sends the same notifications again until the listener acknowledges', async () => {
    received.length = 0;
    answers.push({ status: 500, body: 'down' }, { status: 200, body: 'OK' });
    const result = await emulator.sendOutboundMessage({
      url: listenerUrl,
      objectType: 'Case',
      records: [seed.cases.openSizing, { Id: seed.cases.closedShipping, Status: 'Closed' }],
      fields: ['Status'],
      retry: { attempts: 5, intervalMs: 5 },
    });
    expect(result.attempts.map((a) => [a.status, a.acknowledged])).toEqual([
      [500, false],
      [200, false],
      [200, true],
    ]);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    expect(received[0]!.body).toContain('<SessionId xsi:nil="true"/>');
    expect(received[0]!.body.match(/<Notification>/g)).toHaveLength(2);
  });

  it('gives up after the attempts it was given', async () => {
    answers.push({ status: 200, body: '<Ack>true</Ack>' }, { status: 200, body: '<Ack>true</Ack>' });
    const result = await emulator.sendOutboundMessage({
      url: listenerUrl,
      objectType: 'Case',
      records: [seed.cases.openSizing],
      retry: { attempts: 2, intervalMs: 1 },
    });
    expect(result.acknowledged).toBe(false);
    expect(result.attempts).toHaveLength(2);
  });
});
