import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTwilioEmulator, type TwilioEmulator } from './twilio-emulator.ts';
import { createTwilioProvider, type TwilioSettings, ZTwilioSettings } from './twilio-provider.ts';

const SENDER = '+14155550100';
const SERVICE = `MG${'c'.repeat(32)}`;
const SERVICE_NUMBER = '+14155550199';
const CONTACT = '+33612345678';
const LANDLINE = '+33142681234';
const API_KEY = { sid: `SK${'d'.repeat(32)}`, secret: 'api-key-secret' };

let twilio: TwilioEmulator;
beforeAll(async () => {
  twilio = await startTwilioEmulator({
    senders: [SENDER],
    messagingServices: { [SERVICE]: SERVICE_NUMBER },
    landlines: [LANDLINE],
    apiKeys: [API_KEY],
  });
});
afterEach(async () => {
  twilio.setLatency(0);
  await twilio.settled();
});
afterAll(() => twilio.close());

const provider = (over: Partial<TwilioSettings> = {}, timeoutMs?: number) =>
  createTwilioProvider(ZTwilioSettings.parse({ ...twilio.settings(SENDER), ...over }), { timeoutMs });
const send = (body: string, to = CONTACT, extra: { idempotencyKey?: string } = {}) =>
  provider().send({ to, from: SENDER, body, ...extra });

describe('Twilio provider settings', () => {
  it('explains what each setting expects', () => {
    const result = ZTwilioSettings.safeParse({
      accountSid: 'AC123',
      authToken: 'has space',
      from: '0612345678',
      baseUrl: 'ftp://example.com',
      apiKeySid: API_KEY.sid,
    });
    expect(result.success).toBe(false);
    const messages = Object.fromEntries(result.error!.issues.map((i) => [i.path.join('.'), i.message]));
    expect(messages).toMatchObject({
      accountSid: expect.stringMatching(/AC followed by 32 hex/),
      authToken: expect.stringMatching(/Auth Token/),
      from: expect.stringMatching(/E\.164.*Messaging Service SID/),
      baseUrl: expect.stringMatching(/http\(s\) URL/),
    });
    const keyHalf = ZTwilioSettings.safeParse({ ...twilio.settings(SENDER), apiKeySid: API_KEY.sid });
    expect(keyHalf.error?.issues[0]?.message).toMatch(/both its SID \(apiKeySid\) and its secret/);
    expect(ZTwilioSettings.parse({ ...twilio.settings(SERVICE) }).from).toBe(SERVICE);
  });
});

describe('Twilio provider against the emulator', () => {
  it('sends: queued, with the message SID and the segments Twilio counted', async () => {
    const outcome = await send('Bonjour ! Comment évaluez-vous notre support ? 😀');
    expect(outcome).toEqual({
      status: 'queued',
      providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      segments: 1,
    });
    const [message] = twilio.sent().slice(-1);
    expect(message).toMatchObject({
      to: CONTACT,
      from: SENDER,
      body: 'Bonjour ! Comment évaluez-vous notre support ? 😀',
    });
    expect(message!.sid).toBe(outcome.status === 'queued' ? outcome.providerMessageId : null);
  });

  it('authenticates with an API key (account SID in the path)', async () => {
    const outcome = await provider({ apiKeySid: API_KEY.sid, apiKeySecret: API_KEY.secret }).send({
      to: CONTACT,
      from: SENDER,
      body: 'hi',
    });
    expect(outcome.status).toBe('queued');
  });

  it('sends through a Messaging Service, counting segments itself (Twilio reports 0 then)', async () => {
    const outcome = await provider({ from: SERVICE }).send({ to: CONTACT, from: '', body: 'x'.repeat(200) });
    expect(outcome).toMatchObject({ status: 'queued', segments: 2 });
    expect(twilio.sent().at(-1)).toMatchObject({ from: SERVICE_NUMBER, messagingServiceSid: SERVICE });
  });

  it.each([
    ['an invalid number', '+1234', 'hi', '21211'],
    ["Twilio's magic invalid number", '+15005550001', 'hi', '21211'],
    ['a landline', LANDLINE, 'hi', '21614'],
    ['an empty body', CONTACT, '', '21602'],
    ['a body over 1600 characters', CONTACT, 'x'.repeat(1601), '21617'],
  ])('fails for good on %s (%s)', async (_, to, body, code) => {
    const outcome = await send(body, to);
    expect(outcome).toMatchObject({ status: 'failed', permanent: true, code });
  });

  it('fails for good once the recipient has texted STOP (21610)', async () => {
    twilio.optOut('+33698765432', SENDER);
    expect(await send('hi', '+33698765432')).toEqual({
      status: 'failed',
      permanent: true,
      code: '21610',
      message: 'Attempt to send to unsubscribed recipient',
    });
  });

  it('keeps credential errors retryable: the administrator can fix them (20003)', async () => {
    const outcome = await provider({ authToken: 'f'.repeat(32) }).send({
      to: CONTACT,
      from: SENDER,
      body: 'hi',
    });
    expect(outcome).toEqual({ status: 'failed', permanent: false, code: '20003', message: 'Authenticate' });
  });

  it.each([
    [429, '20429'],
    [500, '20500'],
    [503, '20503'],
  ] as const)('treats HTTP %s as temporary (%s), and sends nothing', async (status, code) => {
    const before = twilio.sent().length;
    twilio.failNext(1, status);
    expect(await send('hi')).toMatchObject({ status: 'failed', permanent: false, code });
    expect(twilio.sent()).toHaveLength(before);
    expect(await send('hi')).toMatchObject({ status: 'queued' });
  });

  it('treats an unreachable API as temporary', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const outcome = await provider({ baseUrl: `http://127.0.0.1:${closedPort}` }).send({
      to: CONTACT,
      from: SENDER,
      body: 'hi',
    });
    expect(outcome).toMatchObject({ status: 'failed', permanent: false, code: null });
    expect(outcome.status === 'failed' && outcome.message).toMatch(
      /Cannot reach Twilio \(127\.0\.0\.1:\d+\): ECONNREFUSED/,
    );
  });

  it('sends the idempotency token: a retry with the same key gets the same message, not a second', async () => {
    const before = twilio.sent().length;
    const first = await send('Your survey: https://rapport.example/s/abc', CONTACT, {
      idempotencyKey: 'invite-1',
    });
    const retry = await send('Your survey: https://rapport.example/s/abc', CONTACT, {
      idempotencyKey: 'invite-1',
    });
    expect(first.status).toBe('queued');
    expect(retry).toMatchObject({
      providerMessageId: (first as { providerMessageId: string }).providerMessageId,
    });
    expect(twilio.sent()).toHaveLength(before + 1);
    expect(
      twilio
        .apiRequests()
        .slice(-2)
        .map((r) => r.idempotencyToken),
    ).toEqual(['invite-1', 'invite-1']);
    await send('Your survey: https://rapport.example/s/abc');
    expect(twilio.sent()).toHaveLength(before + 2); // no key, no deduplication
  });

  it('times out as temporary; the retry with the same key finds the message the lost answer created', async () => {
    const before = twilio.sent().length;
    twilio.setLatency(500);
    const lost = await provider({}, 100).send({
      to: CONTACT,
      from: SENDER,
      body: 'hi',
      idempotencyKey: 'invite-2',
    });
    expect(lost).toMatchObject({ status: 'failed', permanent: false, code: null });
    expect(lost.status === 'failed' && lost.message).toMatch(/did not answer within 100 ms/);
    expect(twilio.sent()).toHaveLength(before + 1); // Twilio did send it
    twilio.setLatency(0);
    const retry = await send('hi', CONTACT, { idempotencyKey: 'invite-2' });
    // By now the message has moved on (sent, delivered): the retry reports it as sent.
    expect(retry).toMatchObject({ status: 'sent', providerMessageId: twilio.sent().at(-1)!.sid });
    expect(twilio.sent()).toHaveLength(before + 1);
  });
});
