import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Auth, apiOf, freePort, sleep, waitFor } from '../../test/harness/distributions.ts';
import { csvFile, FIXTURE_MAPPING, fixture, importFiles } from '../../test/harness/import-helpers.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import { startTwilioEmulator, type TwilioEmulator } from '../integrations/sms/twilio-emulator.ts';
import { twilioSignature } from '../integrations/sms/twilio-signature.ts';
import { closeTransports } from './transport-cache.ts';

/**
 * SMS distributions end to end: one-way texts and two-way surveys through the Twilio emulator
 * (a real HTTP server speaking Twilio's API, posting signed status callbacks and inbound texts to
 * the app, which listens on a real port for it), then two-way through the outbox provider and
 * the phone simulator. Workers are started here; everything goes through the HTTP API.
 */

const SENDER = '+15005550006';

let t: TestApp;
let admin: Auth;
let cx: Auth;
let twilio: TwilioEmulator;
let publicUrl: string;
let npsSurvey: number;
let linkSurvey: number;
const idOf: Record<string, number> = {};

const call = apiOf(() => t);
const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  call(method, url, cx, payload);

const PHONES = {
  M1: { mobile: '+14155550101', phone: '+14155550201' },
  M2: { mobile: '+14155550102', phone: null },
  P1: { mobile: null, phone: '+14155550203' },
  F1: { mobile: '+14155550106', phone: null },
  X1: { mobile: '+14155550107', phone: null },
  D1: { mobile: '+14155550110', phone: null },
  D2: { mobile: '+14155550111', phone: null },
  FR: { mobile: '+33612345678', phone: null },
} as const;

const t2 = (en: string, fr: string) => ({ default: en, fr });
/** NPS, then a comment only detractors are asked (display logic), in English and French. */
const NPS_BY_SMS = {
  title: t2('Cloud Kicks feedback', 'Avis Cloud Kicks'),
  elements: [
    {
      type: 'rating',
      name: 'nps',
      isRequired: true,
      rateMin: 0,
      rateMax: 10,
      minRateDescription: t2('Not likely', 'Peu probable'),
      maxRateDescription: t2('Very likely', 'Très probable'),
      title: t2('How likely are you to recommend us?', 'Nous recommanderiez-vous ?'),
    },
    {
      type: 'comment',
      name: 'improve',
      visibleIf: '{nps} <= 6',
      title: t2(
        'You gave {nps}. What should we improve?',
        'Vous avez donné {nps}. Que devrions-nous améliorer ?',
      ),
    },
  ],
};

const distribution = async (id: number) => (await api('GET', `/distributions/${id}`)).json();
const settled = (id: number) =>
  waitFor(
    () => distribution(id),
    (d) => ['completed', 'failed', 'paused'].includes(d.status),
    `distribution ${id}`,
  );
async function recipientsOf(id: number) {
  const page = (await api('GET', `/distributions/${id}/recipients?limit=500`)).json();
  const refOf = Object.fromEntries(Object.entries(idOf).map(([ref, cid]) => [cid, ref]));
  return Object.fromEntries(
    (
      page.items as {
        contactId: number;
        status: string;
        reason: string | null;
        address: string | null;
        lastError: string | null;
      }[]
    ).map((r) => [refOf[r.contactId]!, r]),
  );
}
async function createSms(body: Record<string, unknown>) {
  const created = await api('POST', '/directories/Main/distributions', { channel: 'sms', ...body });
  expect(created.statusCode, created.body).toBe(201);
  return created.json().id as number;
}
const contacts = (...refs: string[]) => ({ type: 'contacts', contactIds: refs.map((r) => idOf[r]!) });
const sentTo = (number: string) => twilio.sent().filter((m) => m.to === number);
const inbound = (from: string, body: string) =>
  twilio.sendInbound({ from, to: SENDER, body, webhookUrl: `${publicUrl}/api/v1/public/sms/inbound` });
const linkTokenOf = async (distributionId: number, ref: string) =>
  (
    await t.runtime.db.query<{ link_token: string }>(
      'SELECT link_token FROM distribution_recipients WHERE distribution_id = $1 AND contact_id = $2',
      [distributionId, idOf[ref]],
    )
  )[0]!.link_token;

async function useTwilio() {
  const response = await call('PUT', '/delivery-providers/sms', admin, {
    settings: {
      kind: 'twilio',
      twilio: { accountSid: twilio.accountSid, from: SENDER, baseUrl: twilio.url },
    },
    secret: twilio.authToken,
    ratePerSecond: 100,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

beforeAll(async () => {
  // The emulator posts status callbacks and inbound texts to RAPPORT_PUBLIC_URL: the app listens there.
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  t = await createTestApp({ env: { RAPPORT_PUBLIC_URL: publicUrl } });
  await t.app.listen({ port, host: '127.0.0.1' });
  await t.runtime.jobs.startWorkers(t.runtime);
  twilio = await startTwilioEmulator({
    deliveryFailures: {
      [PHONES.F1.mobile]: { status: 'undelivered', errorCode: 30003 },
      [PHONES.X1.mobile]: { status: 'failed', errorCode: 30005 },
    },
  });
  admin = await t.bearerFor('admin');
  cx = await t.bearerFor('cx_manager');
  expect((await api('POST', '/directories', { name: 'Main' })).statusCode).toBe(201);

  // Phones in the file as people type them: the import makes them E.164 (default country US).
  const lines = [
    'Id,AccountId,Title,FirstName,LastName,Email,Phone,MobilePhone,Language,SmsOptOut',
    'M1,001A,Analyst,Mia,Mobile,,(415) 555-0201,(415) 555-0101,,false',
    'M2,001A,Analyst,Max,Mobile,,,415.555.0102,,false',
    'P1,001A,Analyst,Pat,Phone,,+1 415 555 0203,,,false',
    'N1,001A,Analyst,Ned,Nophone,ned@example.com,,,,false',
    'O1,001A,Analyst,Oli,Optout,,,(415) 555-0105,,true',
    'F1,001A,Analyst,Fay,Unreachable,,,(415) 555-0106,,false',
    'X1,001A,Analyst,Xavi,Unknown,,,(415) 555-0107,,false',
    'D1,001B,Analyst,Dana,Detractor,,,(415) 555-0110,,false',
    'D2,001B,Analyst,Dan,Stopper,,,(415) 555-0111,,false',
    'FR,001A,Analyst,Zoé,Lefèvre,,,+33 6 12 34 56 78,fr,false',
  ];
  const mapping = {
    ...FIXTURE_MAPPING,
    contacts: {
      ...FIXTURE_MAPPING.contacts,
      fields: { ...FIXTURE_MAPPING.contacts?.fields, smsOptOut: ['SmsOptOut'] },
    },
  };
  const { run, issues } = await importFiles(
    t.runtime.db,
    t.runtime.secrets,
    'Main',
    { accounts: fixture('Account.csv'), contacts: csvFile('Contact.csv', lines) },
    { mapping },
  );
  expect(run.status, JSON.stringify({ run, issues })).toBe('succeeded');
  for (const row of await t.runtime.db.query<{
    id: number;
    external_ref: string;
    phone: string | null;
    mobile_phone: string | null;
  }>('SELECT id, external_ref, phone, mobile_phone FROM contacts')) {
    idOf[row.external_ref] = Number(row.id);
    const expected = PHONES[row.external_ref as keyof typeof PHONES];
    if (expected) expect({ phone: row.phone, mobile: row.mobile_phone }).toEqual(expected);
  }

  expect((await api('PUT', '/directories/Main/sending-rules', { frequencyRules: [] })).statusCode).toBe(200);
  for (const [name, definition] of [
    ['Quick NPS', NPS_BY_SMS],
    ['Web survey', { elements: [{ type: 'rating', name: 'nps', rateMin: 0, rateMax: 10 }] }],
  ] as const) {
    const survey = await api('POST', '/directories/Main/surveys', {
      name,
      definition,
      metrics: { npsQuestion: 'nps' },
    });
    expect(survey.statusCode, survey.body).toBe(201);
    expect((await api('POST', `/surveys/${survey.json().id}/activate`)).statusCode).toBe(200);
    if (name === 'Quick NPS') npsSurvey = survey.json().id;
    else linkSurvey = survey.json().id;
  }
});

afterAll(async () => {
  await closeTransports(t.runtime.db);
  await t.close();
  await twilio.close();
});

describe('one-way SMS through Twilio', () => {
  let first: number;

  it('texts each contact their personal link on the chosen phone field, and counts who could not be texted', async () => {
    expect(await useTwilio()).toMatchObject({ channel: 'sms', hasSecret: true });
    first = await createSms({
      surveyId: linkSurvey,
      name: 'Texts',
      recipients: contacts('M1', 'M2', 'P1', 'N1', 'O1', 'F1', 'X1'),
      message: { body: 'Hi {{ contact.firstName }}, 2 minutes for Cloud Kicks? {{ link }}' },
    });
    const done = await settled(first);
    expect(done.status).toBe('completed');
    expect(done.stats).toMatchObject({
      selected: 7,
      missingPhone: 1,
      optedOut: 1,
      excludedByReason: { sms_opt_out: 1 },
      inList: 5,
    });

    // mobileThenPhone (the default): the mobile when there is one, else the phone.
    const recipients = await recipientsOf(first);
    expect(recipients.M1!.address).toBe(PHONES.M1.mobile);
    expect(recipients.P1!.address).toBe(PHONES.P1.phone);
    expect(recipients.N1!.status).toBe('missing_phone');
    expect(recipients.O1).toMatchObject({ status: 'excluded', reason: 'sms_opt_out' });
    expect(
      twilio
        .sent()
        .map((m) => m.to)
        .sort(),
    ).toEqual(
      [PHONES.M1.mobile, PHONES.M2.mobile, PHONES.P1.phone, PHONES.F1.mobile, PHONES.X1.mobile].sort(),
    );
    const firstNames = { M1: 'Mia', M2: 'Max', P1: 'Pat', F1: 'Fay', X1: 'Xavi' } as const;
    for (const ref of ['M1', 'M2', 'P1', 'F1', 'X1'] as const) {
      const [text] = sentTo(recipients[ref]!.address!);
      expect(text!.from).toBe(SENDER);
      expect(text!.body).toBe(
        `Hi ${firstNames[ref]}, 2 minutes for Cloud Kicks? ${publicUrl}/s/${await linkTokenOf(first, ref)}`,
      );
      expect(text!.statusCallback).toBe(
        `${publicUrl}/api/v1/public/sms/status?m=rapport-d${first}-c${idOf[ref]}`,
      );
    }
    // The link works.
    const link = /\/s\/([\w-]+)/.exec(sentTo(PHONES.M2.mobile)[0]!.body)![1]!;
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/public/links/${link}` })).statusCode).toBe(200);
  });

  it('records what the signed status callbacks report: delivered, undelivered, failed', async () => {
    const final = await waitFor(
      () => recipientsOf(first),
      (r) =>
        ['M1', 'M2', 'P1'].every((ref) => r[ref]!.status === 'delivered') &&
        ['F1', 'X1'].every((ref) => r[ref]!.status === 'failed'),
      'the status callbacks',
      10_000,
    );
    expect(final.F1!.lastError).toBe('Twilio undelivered (error 30003)');
    expect(final.X1!.lastError).toBe('Twilio failed (error 30005)');
    expect((await distribution(first)).stats).toMatchObject({ inList: 5, delivered: 3, failed: 2 });
    await twilio.settled();
    expect(twilio.callbacks().every((c) => c.status === 204)).toBe(true);
  });

  it('refuses status callbacks without a valid X-Twilio-Signature', async () => {
    const m1 = sentTo(PHONES.M1.mobile)[0]!;
    const params = {
      SmsSid: m1.sid,
      SmsStatus: 'failed',
      MessageStatus: 'failed',
      ErrorCode: '30007',
      To: m1.to,
      MessageSid: m1.sid,
      AccountSid: twilio.accountSid,
      From: SENDER,
      ApiVersion: '2010-04-01',
    };
    const url = `${publicUrl}/api/v1/public/sms/status`;
    const post = (headers: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(params).toString(),
      });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-twilio-signature': twilioSignature('not-the-token', url, params) })).status).toBe(
      403,
    );
    // Signed for another URL: refused too.
    expect(
      (await post({ 'x-twilio-signature': twilioSignature(twilio.authToken, `${url}x`, params) })).status,
    ).toBe(403);
    expect((await recipientsOf(first)).M1!.status).toBe('delivered');
    // Twilio's own callback, delivered again with its signature: accepted, and changes nothing.
    const real = twilio
      .callbacks()
      .find((c) => c.params.MessageSid === m1.sid && c.params.MessageStatus === 'delivered')!;
    const again = await fetch(real.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': real.signature },
      body: new URLSearchParams(real.params).toString(),
    });
    expect(again.status).toBe(204);
    expect((await recipientsOf(first)).M1!.status).toBe('delivered');
  });

  it('uses the phone field the distribution names', async () => {
    const id = await createSms({
      surveyId: linkSurvey,
      name: 'Landlines',
      recipients: contacts('M1', 'M2', 'P1'),
      message: { phoneField: 'phone', body: 'Cloud Kicks survey: {{ link }}' },
    });
    const done = await settled(id);
    expect(done.stats).toMatchObject({ selected: 3, missingPhone: 1, inList: 2 });
    const recipients = await recipientsOf(id);
    expect(recipients.M1!.address).toBe(PHONES.M1.phone);
    expect(recipients.M2!.status).toBe('missing_phone');
    expect(recipients.P1!.address).toBe(PHONES.P1.phone);
    expect(sentTo(PHONES.M1.phone)).toHaveLength(1);
    expect(sentTo(PHONES.M1.mobile)).toHaveLength(1); // the earlier distribution's text only
  });

  it('records the status of a callback that arrives before Twilio answers the send', async () => {
    // Twilio answers slowly; the message is delivered (or fails) and called back in the meantime.
    twilio.setLatency(300);
    try {
      const id = await createSms({
        surveyId: linkSurvey,
        name: 'Slow API',
        recipients: contacts('M2', 'F1'),
        message: { body: 'Last call: {{ link }}' },
      });
      await settled(id);
      await twilio.settled();
      const early = twilio
        .callbacks()
        .filter((c) => c.url.includes(`rapport-d${id}-`) && c.params.MessageStatus !== 'sent');
      expect(early).toHaveLength(2);
      const recipients = await waitFor(
        () => recipientsOf(id),
        (r) => r.M2!.status !== 'sending' && r.F1!.status !== 'sending',
        'the send to be recorded',
      );
      expect(recipients.M2).toMatchObject({ status: 'delivered' });
      expect(recipients.F1).toMatchObject({
        status: 'failed',
        lastError: 'Twilio undelivered (error 30003)',
      });
      expect((await distribution(id)).stats).toMatchObject({ inList: 2, delivered: 1, failed: 1 });
    } finally {
      twilio.setLatency(0);
    }
  });
});

describe('two-way SMS through Twilio', () => {
  let id: number;
  const webhookUrl = () => `${publicUrl}/api/v1/public/sms/inbound`;

  it('texts the first question, follows display logic, and stores the response', async () => {
    id = await createSms({
      surveyId: npsSurvey,
      name: 'NPS by text',
      recipients: contacts('D1', 'D2'),
      message: { mode: 'two_way', body: 'Hi {{ contact.firstName }}, Cloud Kicks here.' },
    });
    expect((await settled(id)).stats).toMatchObject({ selected: 2, inList: 2 });
    const [opening] = sentTo(PHONES.D1.mobile);
    expect(opening!.body).toBe(
      [
        'Hi Dana, Cloud Kicks here.',
        'Cloud Kicks feedback\nReply STOP to opt out, HELP for help.',
        'How likely are you to recommend us?\nReply with a number from 0 (Not likely) to 10 (Very likely).',
      ].join('\n\n'),
    );

    const score = await inbound(PHONES.D1.mobile, '3');
    expect(score.status).toBe(200);
    expect(score.replies).toEqual(['You gave 3. What should we improve?\nReply SKIP to skip.']);

    // Twilio delivers the same webhook twice (same MessageSid): the second is not processed, so
    // "3" is not taken as the answer to the comment question.
    const replay = await fetch(score.delivery.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': score.delivery.signature,
      },
      body: new URLSearchParams(score.delivery.params).toString(),
    });
    expect(replay.status).toBe(200);
    expect(await replay.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const [logged] = await t.runtime.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM sms_messages WHERE provider_message_id = $1 AND direction = 'in'",
      [score.messageSid],
    );
    expect(Number(logged!.n)).toBe(1);

    const comment = await inbound(PHONES.D1.mobile, 'Faster answers, please.');
    expect(comment.replies).toEqual(['Thank you for your answers!']);
    await twilio.settled();
    expect(sentTo(PHONES.D1.mobile).length).toBe(1); // replies went back as TwiML, not the REST API
    expect(
      twilio
        .messages()
        .filter((m) => m.direction === 'outbound-reply' && m.to === PHONES.D1.mobile)
        .map((m) => m.body),
    ).toEqual(['You gave 3. What should we improve?\nReply SKIP to skip.', 'Thank you for your answers!']);

    const responses = await t.runtime.db.query<{
      channel: string;
      status: string;
      distribution_id: number;
      contact_id: number;
      nps_category: string;
      answers: Record<string, unknown>;
    }>(
      'SELECT channel, status::text, distribution_id, contact_id, nps_category, answers FROM responses WHERE distribution_id = $1',
      [id],
    );
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({
      channel: 'sms',
      status: 'complete',
      nps_category: 'detractor',
      answers: { nps: 3, improve: 'Faster answers, please.' },
    });
    expect(Number(responses[0]!.distribution_id)).toBe(id);
    expect(Number(responses[0]!.contact_id)).toBe(idOf.D1);
    expect((await distribution(id)).stats).toMatchObject({ started: 1, completed: 1 });
    expect((await recipientsOf(id)).D1).toMatchObject({ status: 'delivered' });
  });

  it('opts a contact out of SMS when they text STOP', async () => {
    const stop = await inbound(PHONES.D2.mobile, 'STOP');
    expect(stop.status).toBe(200);
    expect(stop.replies).toEqual(["You're unsubscribed and won't receive more messages from us."]);
    const [contact] = await t.runtime.db.query<{ sms_opt_out: boolean }>(
      'SELECT sms_opt_out FROM contacts WHERE id = $1',
      [idOf.D2],
    );
    expect(contact!.sms_opt_out).toBe(true);
    const [conversation] = await t.runtime.db.query<{ status: string }>(
      'SELECT status::text FROM sms_conversations WHERE distribution_id = $1 AND contact_id = $2',
      [id, idOf.D2],
    );
    expect(conversation!.status).toBe('opted_out');
    // A later text does not reach them.
    const later = await createSms({
      surveyId: linkSurvey,
      name: 'After STOP',
      recipients: contacts('D2'),
      message: { body: 'One more? {{ link }}' },
    });
    expect((await settled(later)).stats).toMatchObject({
      selected: 1,
      inList: 0,
      excludedByReason: { sms_opt_out: 1 },
    });
  });

  it('refuses inbound webhooks that are unsigned or forged', async () => {
    const params = {
      MessageSid: `SM${'ab'.repeat(16)}`,
      AccountSid: twilio.accountSid,
      From: PHONES.D1.mobile,
      To: SENDER,
      Body: 'STOP',
    };
    const post = (headers: Record<string, string>) =>
      fetch(webhookUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(params).toString(),
      });
    expect((await post({})).status).toBe(403);
    expect(
      (await post({ 'x-twilio-signature': twilioSignature('forged', webhookUrl(), params) })).status,
    ).toBe(403);
    const [contact] = await t.runtime.db.query<{ sms_opt_out: boolean }>(
      'SELECT sms_opt_out FROM contacts WHERE id = $1',
      [idOf.D1],
    );
    expect(contact!.sms_opt_out).toBe(false);
    // The phone simulator is for the outbox provider only.
    const simulated = await api('POST', '/sms/simulator', { from: PHONES.D1.mobile, body: 'hi' });
    expect(simulated.statusCode).toBe(400);
  });
});

describe('two-way SMS through the outbox and the phone simulator', () => {
  it('runs the survey in the contact’s language and re-asks an invalid reply', async () => {
    const provider = await call('PUT', '/delivery-providers/sms', admin, { settings: { kind: 'outbox' } });
    expect(provider.statusCode, provider.body).toBe(200);
    const id = await createSms({
      surveyId: npsSurvey,
      name: 'NPS en français',
      recipients: contacts('FR'),
      message: { mode: 'two_way', body: 'Bonjour {{ contact.firstName }} !' },
    });
    expect((await settled(id)).stats).toMatchObject({ selected: 1, inList: 1 });
    const outbox = (await api('GET', `/outbox?channel=sms&to=${encodeURIComponent(PHONES.FR.mobile)}`)).json()
      .items as { text: string; distributionId: number | null }[];
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.distributionId).toBe(id);
    expect(outbox[0]!.text).toBe(
      [
        'Bonjour Zoé !',
        "Avis Cloud Kicks\nRépondez STOP pour ne plus recevoir de messages, AIDE pour de l'aide.",
        'Nous recommanderiez-vous ?\nRépondez par un nombre de 0 (Peu probable) à 10 (Très probable).',
      ].join('\n\n'),
    );

    const reply = (body: string) => api('POST', '/sms/simulator', { from: PHONES.FR.mobile, body });
    const invalid = (await reply('15')).json();
    expect(invalid.outcome).toBe('invalid');
    expect(invalid.replies).toHaveLength(1);
    expect(invalid.replies[0]).toMatch(
      /Répondez par un nombre de 0 \(Peu probable\) à 10 \(Très probable\)\.$/,
    );

    const detractor = (await reply('4')).json();
    expect(detractor).toMatchObject({
      outcome: 'continue',
      replies: ['Vous avez donné 4. Que devrions-nous améliorer ?\nRépondez PASSER pour passer.'],
    });
    const done = (await reply('passer')).json();
    expect(done).toMatchObject({ outcome: 'completed', replies: ['Merci pour vos réponses !'] });
    expect(done.responseId).toBeGreaterThan(0);

    const [response] = await t.runtime.db.query<{
      channel: string;
      language: string;
      nps_category: string;
      answers: Record<string, unknown>;
      distribution_id: number;
    }>('SELECT channel, language, nps_category, answers, distribution_id FROM responses WHERE id = $1', [
      done.responseId,
    ]);
    expect(response).toMatchObject({
      channel: 'sms',
      language: 'fr',
      nps_category: 'detractor',
      answers: { nps: 4 },
    });
    expect(Number(response!.distribution_id)).toBe(id);
    // The bot's texts are in the outbox too, as the simulator shows them.
    await sleep(50);
    const all = (await api('GET', `/outbox?channel=sms&to=${encodeURIComponent(PHONES.FR.mobile)}`)).json()
      .items;
    expect(all.map((m: { text: string }) => m.text)[0]).toBe('Merci pour vos réponses !');
    expect(all).toHaveLength(4);
  });
});

describe('two-way SMS refused for a survey it cannot ask', () => {
  it('refuses a two-way distribution of a survey with a matrix, naming the question', async () => {
    const survey = await api('POST', '/directories/Main/surveys', {
      name: 'With a grid',
      definition: {
        elements: [
          { type: 'rating', name: 'nps', rateMin: 0, rateMax: 10 },
          {
            type: 'matrix',
            name: 'satisfaction_grid',
            columns: ['Bad', 'Good'],
            rows: ['Support', 'Product'],
          },
        ],
      },
    });
    expect(survey.statusCode, survey.body).toBe(201);
    const refused = await api('POST', '/directories/Main/distributions', {
      surveyId: survey.json().id,
      name: 'Grid by text',
      channel: 'sms',
      recipients: contacts('M1'),
      message: { mode: 'two_way', body: 'Hello' },
      draft: true,
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details).toEqual([
      {
        path: 'survey.satisfaction_grid',
        message: 'cannot be asked by text: a grid with one answer per row cannot be asked in a text message',
      },
    ]);
    // One-way, the survey is answered on the web page: allowed.
    const oneWay = await api('POST', '/directories/Main/distributions', {
      surveyId: survey.json().id,
      name: 'Grid by link',
      channel: 'sms',
      recipients: contacts('M1'),
      message: { body: 'Survey: {{ link }}' },
      draft: true,
    });
    expect(oneWay.statusCode, oneWay.body).toBe(201);
  });
});
