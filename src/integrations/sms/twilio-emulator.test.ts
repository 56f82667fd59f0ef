import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTwilioEmulator, type TwilioEmulator } from './twilio-emulator.ts';
import { createTwilioProvider, ZTwilioSettings } from './twilio-provider.ts';
import { TWILIO_SIGNATURE_HEADER, verifyTwilioRequest } from './twilio-signature.ts';
import { parseInboundSms, parseStatusCallback, twimlMessage } from './twilio-webhooks.ts';

const SENDER = '+14155550100';
const SERVICE = `MG${'c'.repeat(32)}`;
const SERVICE_NUMBER = '+14155550199';
const CONTACT = '+33612345678';

interface Received {
  url: string;
  rawBody: string;
  headers: IncomingMessage['headers'];
  signatureValid: boolean;
}

/** The app's side: records each webhook, checks its signature as a route would, answers TwiML. */
let app: Server;
let appUrl: string;
let received: Received[] = [];
let answer: (form: URLSearchParams) => string = () => twimlMessage([]);

let twilio: TwilioEmulator;
beforeAll(async () => {
  twilio = await startTwilioEmulator({ senders: [SENDER], messagingServices: { [SERVICE]: SERVICE_NUMBER } });
  app = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const url = `${appUrl}${request.url}`;
      const signature = request.headers[TWILIO_SIGNATURE_HEADER] as string | undefined;
      const signatureValid = verifyTwilioRequest({ authToken: twilio.authToken, signature, url, rawBody });
      received.push({ url, rawBody, headers: request.headers, signatureValid });
      response.writeHead(200, { 'content-type': 'text/xml' }).end(answer(new URLSearchParams(rawBody)));
    });
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as { port: number }).port}`;
});
afterEach(async () => {
  await twilio.settled();
  received = [];
  answer = () => twimlMessage([]);
});
afterAll(async () => {
  await twilio.close();
  await new Promise<void>((resolve) => app.close(() => resolve()));
});

const provider = (from = SENDER) => createTwilioProvider(ZTwilioSettings.parse(twilio.settings(from)));
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${twilio.url}/2010-04-01/Accounts/${twilio.accountSid}${path}`, {
    ...init,
    headers: {
      authorization: `Basic ${Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString('base64')}`,
      ...init.headers,
    },
  });

describe('Twilio emulator: status callbacks', () => {
  it('posts signed callbacks for sent then delivered (none for the initial queued)', async () => {
    const statusCallback = `${appUrl}/sms/status?invitation=42`;
    const outcome = await provider().send({ to: CONTACT, from: SENDER, body: 'hi', statusCallback });
    await twilio.settled();
    expect(received.map((r) => r.signatureValid)).toEqual([true, true]);
    expect(received.every((r) => r.url === statusCallback)).toBe(true);
    expect(received[0]!.headers['i-twilio-idempotency-token']).toBeTruthy();
    const parsed = received.map((r) => parseStatusCallback(r.rawBody));
    expect(parsed.map((p) => p.status)).toEqual(['sent', 'delivered']);
    expect(parsed[1]).toEqual({
      messageSid: (outcome as { providerMessageId: string }).providerMessageId,
      accountSid: twilio.accountSid,
      status: 'delivered',
      errorCode: null,
      from: SENDER,
      to: CONTACT,
    });
    expect(new URLSearchParams(received[1]!.rawBody).get('RawDlrDoneDate')).toMatch(/^\d{10}$/);
  });

  it('reports undelivered and failed messages with their error code', async () => {
    twilio.failDelivery('+33600000001', { status: 'undelivered', errorCode: 30003 });
    twilio.failDelivery('+33600000002', { status: 'failed', errorCode: 30008 });
    const statusCallback = `${appUrl}/sms/status`;
    await provider().send({ to: '+33600000001', from: SENDER, body: 'hi', statusCallback });
    await twilio.settled();
    await provider().send({ to: '+33600000002', from: SENDER, body: 'hi', statusCallback });
    await twilio.settled();
    expect(received.every((r) => r.signatureValid)).toBe(true);
    expect(received.map((r) => parseStatusCallback(r.rawBody)).map((p) => [p.status, p.errorCode])).toEqual([
      ['sent', null],
      ['undelivered', 30003],
      ['failed', 30008],
    ]);
  });

  it('goes accepted → queued → sent → delivered through a Messaging Service', async () => {
    await provider(SERVICE).send({ to: CONTACT, from: SERVICE, body: 'hi', statusCallback: `${appUrl}/s` });
    await twilio.settled();
    const forms = received.map((r) => new URLSearchParams(r.rawBody));
    expect(forms.map((f) => f.get('MessageStatus'))).toEqual(['queued', 'sent', 'delivered']);
    expect(
      forms.every((f) => f.get('MessagingServiceSid') === SERVICE && f.get('From') === SERVICE_NUMBER),
    ).toBe(true);
  });
});

describe('Twilio emulator: REST resources', () => {
  it("answers create, fetch and list in Twilio's JSON shapes", async () => {
    const create = await api('/Messages.json', {
      method: 'POST',
      body: new URLSearchParams({ To: CONTACT, From: SENDER, Body: 'Hello {name}' }),
    });
    expect(create.status).toBe(201);
    const created = (await create.json()) as { sid: string; date_created: string };
    expect(created).toMatchObject({
      account_sid: twilio.accountSid,
      api_version: '2010-04-01',
      direction: 'outbound-api',
      status: 'queued',
      num_segments: '1',
      error_code: null,
      price: null,
      uri: `/2010-04-01/Accounts/${twilio.accountSid}/Messages/${created.sid}.json`,
    });
    expect(created.date_created).toMatch(/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000$/);
    await twilio.settled();
    const fetched = await (await api(`/Messages/${created.sid}.json`)).json();
    expect(fetched).toMatchObject({ sid: created.sid, status: 'delivered', price: '-0.00790' });
    const page = await (await api(`/Messages.json?To=${encodeURIComponent(CONTACT)}&PageSize=1`)).json();
    expect(page).toMatchObject({ page: 0, page_size: 1, messages: [{ sid: created.sid }] });
    const missing = await api(`/Messages/SM${'0'.repeat(32)}.json`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 20404 });
  });

  it("answers errors with Twilio's error document", async () => {
    const invalid = await api('/Messages.json', {
      method: 'POST',
      body: new URLSearchParams({ To: '+1555', From: SENDER, Body: 'hi' }),
    });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({
      code: 21211,
      message: "The 'To' number +1555 is not a valid phone number.",
      more_info: 'https://www.twilio.com/docs/errors/21211',
      status: 400,
    });
    const foreignSender = await api('/Messages.json', {
      method: 'POST',
      body: new URLSearchParams({ To: CONTACT, From: '+14155550111', Body: 'hi' }),
    });
    expect(await foreignSender.json()).toMatchObject({ code: 21606, status: 400 });
    const anonymous = await fetch(`${twilio.url}/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="Twilio API"');
    expect(await anonymous.json()).toMatchObject({ code: 20003, message: 'Authenticate', status: 401 });
  });
});

describe('Twilio emulator: incoming messages', () => {
  it("posts a signed webhook with Twilio's parameters and sends the app's TwiML replies", async () => {
    answer = (form) => twimlMessage([`Thanks for your ${form.get('Body')} & see you <soon>`, 'Q2: why?']);
    const result = await twilio.sendInbound({
      from: CONTACT,
      to: SENDER,
      body: '9',
      webhookUrl: `${appUrl}/sms/in`,
    });
    expect(received).toHaveLength(1);
    expect(received[0]!.signatureValid).toBe(true);
    const params = new URLSearchParams(received[0]!.rawBody);
    expect([...params.keys()]).toEqual(
      expect.arrayContaining([
        'MessageSid',
        'SmsSid',
        'SmsMessageSid',
        'AccountSid',
        'NumSegments',
        'FromCountry',
      ]),
    );
    expect(parseInboundSms(received[0]!.rawBody)).toMatchObject({
      messageSid: result.messageSid,
      accountSid: twilio.accountSid,
      from: CONTACT,
      to: SENDER,
      body: '9',
      numMedia: 0,
      optOutType: null,
      fromCountry: 'FR',
    });
    expect(result.status).toBe(200);
    expect(result.twiml).toContain(
      '<Response><Message>Thanks for your 9 &amp; see you &lt;soon&gt;</Message>',
    );
    expect(result.replies).toEqual(['Thanks for your 9 & see you <soon>', 'Q2: why?']);
    const replies = twilio.messages().filter((m) => m.direction === 'outbound-reply');
    expect(replies.slice(-2).map((m) => [m.from, m.to, m.body])).toEqual([
      [SENDER, CONTACT, 'Thanks for your 9 & see you <soon>'],
      [SENDER, CONTACT, 'Q2: why?'],
    ]);
  });

  it('honours STOP and START as Twilio does: its own reply, and 21610 until START', async () => {
    const contact = '+33611111111';
    answer = () => twimlMessage(['We will miss you']);
    const stop = await twilio.sendInbound({
      from: contact,
      to: SENDER,
      body: ' Stop ',
      webhookUrl: `${appUrl}/in`,
    });
    expect(parseInboundSms(received[0]!.rawBody).optOutType).toBe('STOP');
    const toContact = () => twilio.messages().filter((m) => m.to === contact);
    expect(stop.replies).toEqual(['We will miss you']);
    expect(toContact().map((m) => m.body)).toEqual([expect.stringMatching(/successfully been unsubscribed/)]);
    const blocked = await provider().send({ to: contact, from: SENDER, body: 'Survey?' });
    expect(blocked).toMatchObject({ status: 'failed', permanent: true, code: '21610' });

    await twilio.sendInbound({ from: contact, to: SENDER, body: 'START', webhookUrl: `${appUrl}/in` });
    expect(parseInboundSms(received[1]!.rawBody).optOutType).toBe('START');
    expect(await provider().send({ to: contact, from: SENDER, body: 'Survey?' })).toMatchObject({
      status: 'queued',
    });
  });

  it("reports an app that cannot be reached, as Twilio's debugger would", async () => {
    await new Promise<void>((resolve) => app.close(() => resolve()));
    const result = await twilio.sendInbound({
      from: CONTACT,
      to: SENDER,
      body: 'hi',
      webhookUrl: `${appUrl}/in`,
    });
    expect(result).toMatchObject({ status: null, replies: [], delivery: { error: 'ECONNREFUSED' } });
    await new Promise<void>((resolve) => app.listen(Number(new URL(appUrl).port), '127.0.0.1', resolve));
  });
});
