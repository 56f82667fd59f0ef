import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvFile, fixture, importFiles } from '../../test/harness/import-helpers.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';

let t: TestApp;
let cx: { authorization: string };
let viewer: { authorization: string };
let surveyId: number;
let listId: number;
const contact: Record<string, number> = {};

const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers = cx) =>
  t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: headers.authorization },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

const MESSAGE = {
  fromName: 'Cloud Kicks',
  fromAddress: 'cx@cloudkicks.example',
  replyTo: 'success@cloudkicks.example',
  subject: 'How are we doing, {{ contact.firstName }}?',
  text: 'Hello {{ contact.firstName }} of {{ account.name | default: "your company" }},\nTell us: {{ link }}\nUnsubscribe: {{ unsubscribe_link }}',
  html: '<p>Hello {{ contact.firstName }}, <a href="{{ link }}">answer here</a></p>',
};

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const distribution = (id: number) => api('GET', `/distributions/${id}`).then((r) => r.json());
const finished = (id: number) =>
  waitFor(
    () => distribution(id),
    (d) => ['completed', 'failed', 'paused'].includes(d.status),
    `distribution ${id}`,
  );
const outbox = async (to?: string) =>
  (await api('GET', `/outbox?channel=email${to ? `&to=${encodeURIComponent(to)}` : ''}`)).json().items as {
    toAddress: string;
    subject: string;
    text: string;
    html: string | null;
    headers: Record<string, string>;
    fromAddress: string;
    distributionId: number | null;
  }[];

beforeAll(async () => {
  t = await createTestApp();
  await t.runtime.jobs.startWorkers(t.runtime);
  cx = await t.bearerFor('cx_manager');
  viewer = await t.bearerFor('viewer');
  expect((await api('POST', '/directories', { name: 'Main' })).statusCode).toBe(201);
  const contacts = csvFile('Contact.csv', [
    'Id,AccountId,Title,FirstName,LastName,Email,HasOptedOutOfEmail,EmailBouncedReason',
    '003A,001B,Sales Manager,Alan,Johnson,alan@gogetcloudy.com,false,',
    '003B,001B,Marketing Manager,Leung,Chan,leung@gogetcloudy.com,true,',
    '003C,001A,CEO,Zoë,Łukasiewicz,,false,',
    '003D,001A,Analyst,Alan (again),Johnson,ALAN@gogetcloudy.com,false,',
    '003E,001A,Analyst,Bea,Bounce,bea@cloudkicks.example,false,550 5.1.1 user unknown',
    '003F,001I,Engineer,Fumiko,Sato,fumiko@tokyo.example,false,',
    '003G,001I,Engineer,Gus,Recent,gus@tokyo.example,false,',
  ]);
  const { run } = await importFiles(
    t.runtime.db,
    t.runtime.secrets,
    'Main',
    { accounts: fixture('Account.csv'), contacts },
    { mailingList: 'Q4 relationship survey' },
  );
  expect(run.status).toBe('succeeded');
  listId = Number(run.mailing_list_id);
  for (const row of await t.runtime.db.query<{ id: number; external_ref: string }>(
    'SELECT id, external_ref FROM contacts',
  ))
    contact[row.external_ref] = Number(row.id);
  const survey = await api('POST', '/directories/Main/surveys', {
    name: 'Relationship NPS',
    definition: { elements: [{ type: 'rating', name: 'nps', rateMin: 0, rateMax: 10, isRequired: true }] },
    metrics: { npsQuestion: 'nps' },
  });
  surveyId = survey.json().id;
  await api('POST', `/surveys/${surveyId}/activate`);
});
afterAll(() => t.close());

describe('an email distribution through the outbox', () => {
  it('applies exclusions, missing addresses, duplicates and frequency rules, and counts them as the seed does', async () => {
    // Gus was surveyed a moment ago: the default rule (1 invitation per 30 days) holds him back.
    const first = await api('POST', '/directories/Main/distributions', {
      surveyId,
      name: 'Gus only',
      channel: 'email',
      recipients: { type: 'contacts', contactIds: [contact['003G']] },
      // Another message: the same one within 12 hours would be held back by the identical-message rule.
      message: { ...MESSAGE, subject: 'A quick question' },
    });
    expect(first.statusCode, first.body).toBe(201);
    expect((await finished(first.json().id)).stats).toMatchObject({ selected: 1, inList: 1 });

    const created = await api('POST', '/directories/Main/distributions', {
      surveyId,
      name: 'Q4 relationship',
      channel: 'email',
      recipients: { type: 'mailingList', mailingListId: listId },
      message: MESSAGE,
      embedded: { sfContactId: 'contact.externalRef', region: 'const:EMEA' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const done = await finished(created.json().id);
    expect(done.status).toBe('completed');
    expect(done.stats).toMatchObject({
      selected: 7,
      optedOut: 2,
      excludedByReason: { email_opt_out: 1, email_bounced: 1, 'rule:One invitation per 30 days': 1 },
      missingEmail: 1,
      missingPhone: 0,
      duplicates: 1,
      frequencyLimited: 1,
      inList: 2,
      delivered: 2,
      failed: 0,
    });

    const alan = await outbox('alan@gogetcloudy.com');
    expect(alan).toHaveLength(1);
    expect(alan[0]).toMatchObject({
      subject: 'How are we doing, Alan?',
      fromAddress: 'Cloud Kicks <cx@cloudkicks.example>',
      distributionId: done.id,
    });
    expect(alan[0]!.text).toContain('Hello Alan of Get Cloudy Consulting, Inc.,');
    expect(alan[0]!.html).toContain('<a href="http://127.0.0.1:3000/s/');
    expect(alan[0]!.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect((await outbox('fumiko@tokyo.example'))[0]!.text).toContain('Hello Fumiko of 東京 Trading KK');
    expect(await outbox('leung@gogetcloudy.com')).toHaveLength(0);

    const recipients = (await api('GET', `/distributions/${done.id}/recipients`)).json().items;
    expect(recipients.map((r: { status: string }) => r.status).sort()).toEqual([
      'duplicate',
      'excluded',
      'excluded',
      'frequency_limited',
      'missing_email',
      'sent',
      'sent',
    ]);
  });

  it('links the response to the distribution, sends a reminder to non-responders only, and unsubscribes', async () => {
    const sent = (await api('GET', '/directories/Main/distributions?tab=sent')).json().items;
    const q4 = sent.find((d: { name: string }) => d.name === 'Q4 relationship');
    const alanMail = (await outbox('alan@gogetcloudy.com'))[0]!;
    const token = /\/s\/([\w-]+)/.exec(alanMail.text)![1]!;
    const page = await t.app.inject({ method: 'GET', url: `/api/v1/public/links/${token}` });
    expect(page.json().embedded).toMatchObject({ sfContactId: '003A', region: 'EMEA' });
    const answered = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/public/links/${token}/response`,
      payload: { answers: { nps: 9 }, complete: true },
    });
    expect(answered.statusCode, answered.body).toBe(200);
    expect((await distribution(q4.id)).stats).toMatchObject({ started: 1, completed: 1 });

    const reminder = await api('POST', '/directories/Main/distributions', {
      surveyId,
      name: 'Q4 reminder',
      channel: 'email',
      kind: 'reminder',
      parentId: q4.id,
      message: { ...MESSAGE, subject: 'Reminder: {{ survey.name }}' },
    });
    expect(reminder.statusCode, reminder.body).toBe(201);
    expect((await finished(reminder.json().id)).stats).toMatchObject({ selected: 1, inList: 1 });
    const fumiko = await outbox('fumiko@tokyo.example');
    expect(fumiko.map((m) => m.subject)).toEqual(['Reminder: Relationship NPS', 'How are we doing, Fumiko?']);
    // The reminder carries the same personal link as the invitation.
    expect(/\/s\/([\w-]+)/.exec(fumiko[0]!.text)![1]).toBe(/\/s\/([\w-]+)/.exec(fumiko[1]!.text)![1]);

    // One-click unsubscribe from the List-Unsubscribe header.
    const url = /<http:\/\/127\.0\.0\.1:3000(\/api\/v1\/public\/unsubscribe\/[^>]+)>/.exec(
      fumiko[1]!.headers['List-Unsubscribe']!,
    )![1]!;
    expect((await t.app.inject({ method: 'GET', url })).json()).toEqual({
      channel: 'email',
      alreadyOptedOut: false,
    });
    expect((await t.app.inject({ method: 'POST', url })).json()).toEqual({
      unsubscribed: true,
      channel: 'email',
      alreadyOptedOut: false,
    });
    expect((await t.app.inject({ method: 'POST', url })).json().alreadyOptedOut).toBe(true);
    const [row] = await t.runtime.db.query<{ email_opt_out: boolean }>(
      'SELECT email_opt_out FROM contacts WHERE id = $1',
      [contact['003F']],
    );
    expect(row!.email_opt_out).toBe(true);
    const forged = url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await t.app.inject({ method: 'POST', url: forged })).statusCode).toBe(403);

    const funnel = (await api('GET', '/directories/Main/response-funnel')).json();
    expect(funnel.total).toMatchObject({ invitations: 3, delivered: 3, started: 1, completed: 1 });
  });

  it('schedules in a time zone, edits and deletes before the start, and refuses incomplete messages', async () => {
    const base = {
      surveyId,
      name: 'Next year',
      channel: 'email',
      recipients: { type: 'contacts', contactIds: [contact['003A']] },
      message: MESSAGE,
      schedule: { at: '2027-01-15T09:00', timeZone: 'Europe/Paris' },
    };
    const scheduled = await api('POST', '/directories/Main/distributions', base);
    expect(scheduled.statusCode, scheduled.body).toBe(201);
    expect(scheduled.json()).toMatchObject({
      status: 'scheduled',
      scheduledAt: '2027-01-15T08:00:00.000Z',
      scheduledLocal: '2027-01-15T09:00',
      timeZone: 'Europe/Paris',
    });
    const id = scheduled.json().id;
    const edited = await api('PUT', `/distributions/${id}`, {
      ...base,
      schedule: { at: '2027-01-15T09:00', timeZone: 'America/New_York' },
    });
    expect(edited.json().scheduledAt).toBe('2027-01-15T14:00:00.000Z');
    const tab = (await api('GET', '/directories/Main/distributions?tab=scheduled')).json().items;
    expect(tab.map((d: { id: number }) => d.id)).toContain(id);

    const test = await api('POST', `/distributions/${id}/test`, {
      to: 'me@cloudkicks.example',
      contactId: contact['003A'],
    });
    expect(test.statusCode, test.body).toBe(200);
    expect((await outbox('me@cloudkicks.example'))[0]!.subject).toBe('[Test] How are we doing, Alan?');

    expect((await api('DELETE', `/distributions/${id}`)).statusCode).toBe(204);
    expect((await api('GET', `/distributions/${id}`)).statusCode).toBe(404);

    const noLink = await api('POST', '/directories/Main/distributions', {
      ...base,
      message: { ...MESSAGE, text: 'No link here', html: undefined },
    });
    expect(noLink.statusCode).toBe(400);
    expect(noLink.json().error.details).toEqual([
      { path: 'message.text', message: 'must contain {{ link }}' },
    ]);
    const badTemplate = await api('POST', '/directories/Main/distributions', {
      ...base,
      message: { ...MESSAGE, subject: 'Hi {{ contact.firstName ' },
    });
    expect(badTemplate.statusCode).toBe(400);
    expect(badTemplate.json().error.details[0].path).toBe('message.subject');
    expect((await api('POST', '/directories/Main/distributions', base, viewer)).statusCode).toBe(403);

    const preview = await api('POST', '/directories/Main/distributions/preview', {
      surveyId,
      channel: 'email',
      message: MESSAGE,
      contactId: contact['003F'],
    });
    expect(preview.json()).toMatchObject({
      to: 'fumiko@tokyo.example',
      subject: 'How are we doing, Fumiko?',
    });
  });

  it('keeps a library of saved messages per directory', async () => {
    const saved = await api('POST', '/directories/Main/message-templates', {
      name: 'Quarterly NPS',
      channel: 'email',
      subject: MESSAGE.subject,
      html: MESSAGE.html,
      text: MESSAGE.text,
    });
    expect(saved.statusCode, saved.body).toBe(201);
    const again = await api('POST', '/directories/Main/message-templates', {
      name: 'quarterly nps',
      channel: 'email',
      subject: 'x',
      text: 'y',
    });
    expect(again.statusCode).toBe(409);
    const broken = await api('POST', '/directories/Main/message-templates', {
      name: 'Broken',
      channel: 'email',
      subject: '{{ oops',
      text: 'y',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.details[0].path).toBe('subject');
    const sms = await api('POST', '/directories/Main/message-templates', {
      name: 'SMS invite',
      channel: 'sms',
      text: 'Hi {{ contact.firstName }}: {{ link }}',
    });
    expect(sms.statusCode).toBe(201);
    const emails = (await api('GET', '/directories/Main/message-templates?channel=email')).json().items;
    expect(emails.map((x: { name: string }) => x.name)).toEqual(['Quarterly NPS']);
    const edited = await api('PUT', `/message-templates/${saved.json().id}`, {
      name: 'Quarterly NPS',
      channel: 'email',
      subject: 'New subject',
      text: MESSAGE.text,
    });
    expect(edited.json()).toMatchObject({ subject: 'New subject', html: null });
    expect((await api('DELETE', `/message-templates/${sms.json().id}`)).statusCode).toBe(204);
    expect((await api('DELETE', `/message-templates/${sms.json().id}`)).statusCode).toBe(404);
    expect(
      (
        await api(
          'POST',
          '/directories/Main/message-templates',
          { name: 'x', channel: 'sms', text: 'y' },
          viewer,
        )
      ).statusCode,
    ).toBe(403);
  });
});
