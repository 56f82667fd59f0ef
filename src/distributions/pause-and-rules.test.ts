import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Auth, apiOf, sleep, waitFor } from '../../test/harness/distributions.ts';
import { csvFile, FIXTURE_MAPPING, fixture, importFiles } from '../../test/harness/import-helpers.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import { closeTransports } from './transport-cache.ts';

/**
 * Pausing a distribution while it sends, and the sending rules: frequency rules on a segment of
 * contacts (an attribute), a survey's own rules replacing the directory's, transactional sends
 * outside the rules, and thank-yous to completers only. Email through the database outbox.
 */

let t: TestApp;
let admin: Auth;
let cx: Auth;
let surveyA: number;
let surveyB: number;
const idOf: Record<string, number> = {};

const call = apiOf(() => t);
const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  call(method, url, cx, payload);

let counter = 0;
/** A message of its own for each distribution (the identical-message rule would hold repeats back). */
const message = (subject = 'How are we doing?') => ({
  fromName: 'Cloud Kicks',
  subject: `${subject} (${++counter})`,
  text: 'Hello {{ contact.firstName }}, tell us: {{ link }}',
});

const distribution = async (id: number) => (await api('GET', `/distributions/${id}`)).json();
const settled = (id: number) =>
  waitFor(
    () => distribution(id),
    (d) => ['completed', 'failed', 'paused'].includes(d.status),
    `distribution ${id}`,
  );
const outboxCount = async (id: number) =>
  Number(
    (
      await t.runtime.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM outbox_messages WHERE distribution_id = $1',
        [id],
      )
    )[0]!.n,
  );
async function recipientsOf(id: number) {
  const page = (await api('GET', `/distributions/${id}/recipients?limit=500`)).json();
  return page.items as { contactId: number; status: string; reason: string | null; attempts: number }[];
}
const statusByRef = async (id: number) => {
  const refOf = Object.fromEntries(Object.entries(idOf).map(([ref, cid]) => [cid, ref]));
  return Object.fromEntries(
    (await recipientsOf(id)).map((r) => [
      refOf[r.contactId]!,
      r.reason ? `${r.status}:${r.reason}` : r.status,
    ]),
  );
};

async function create(body: Record<string, unknown>) {
  const created = await api('POST', '/directories/Main/distributions', {
    channel: 'email',
    message: message(),
    ...body,
  });
  expect(created.statusCode, created.body).toBe(201);
  return created.json().id as number;
}
const contactsAudience = (...refs: string[]) => ({
  type: 'contacts',
  contactIds: refs.map((r) => idOf[r]!),
});

async function setEmailRate(ratePerSecond: number) {
  const response = await call('PUT', '/delivery-providers/email', admin, {
    settings: { kind: 'outbox' },
    ratePerSecond,
  });
  expect(response.statusCode, response.body).toBe(200);
}

beforeAll(async () => {
  t = await createTestApp();
  await t.runtime.jobs.startWorkers(t.runtime);
  admin = await t.bearerFor('admin');
  cx = await t.bearerFor('cx_manager');
  expect((await api('POST', '/directories', { name: 'Main' })).statusCode).toBe(201);
  const lines = ['Id,AccountId,Title,FirstName,LastName,Email,Tier'];
  for (let i = 1; i <= 40; i++) lines.push(`P${i},001A,Analyst,Paula${i},Pause,p${i}@pause.example,`);
  lines.push(
    'G1,001B,Analyst,Gina,Gold,gina@gold.example,Gold',
    'G2,001B,Analyst,Gary,Gold,gary@gold.example,gold',
    'S1,001B,Analyst,Sam,Silver,sam@silver.example,Silver',
    'S2,001B,Analyst,Sue,Silver,sue@silver.example,Silver',
  );
  const mapping = {
    ...FIXTURE_MAPPING,
    contacts: {
      ...FIXTURE_MAPPING.contacts,
      attributes: [{ source: 'Tier', name: 'Tier', type: 'string' as const }],
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
  for (const row of await t.runtime.db.query<{ id: number; external_ref: string }>(
    'SELECT id, external_ref FROM contacts',
  ))
    idOf[row.external_ref] = Number(row.id);

  const definition = {
    elements: [{ type: 'rating', name: 'nps', rateMin: 0, rateMax: 10, isRequired: true }],
  };
  for (const name of ['Relationship', 'Onboarding']) {
    const survey = await api('POST', '/directories/Main/surveys', { name, definition });
    expect(survey.statusCode, survey.body).toBe(201);
    expect((await api('POST', `/surveys/${survey.json().id}/activate`)).statusCode).toBe(200);
    if (name === 'Relationship') surveyA = survey.json().id;
    else surveyB = survey.json().id;
  }
});

afterAll(async () => {
  await closeTransports(t.runtime.db);
  await t.close();
});

describe('pausing a distribution while it sends', () => {
  it('stops sending while paused and sends every message exactly once after the resume', async () => {
    await setEmailRate(5);
    const refs = Array.from({ length: 40 }, (_, i) => `P${i + 1}`);
    const id = await create({ surveyId: surveyA, name: 'Slow send', recipients: contactsAudience(...refs) });
    await waitFor(
      () => outboxCount(id),
      (n) => n >= 4,
      'a few messages to go out',
    );

    const paused = await api('POST', `/distributions/${id}/pause`);
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json().status).toBe('paused');
    // A message already on its way when the pause came may still land; after that, nothing.
    await sleep(600);
    const atPause = await outboxCount(id);
    expect(atPause).toBeLessThan(40);
    await sleep(2500);
    expect(await outboxCount(id)).toBe(atPause);
    const whilePaused = await distribution(id);
    expect(whilePaused.status).toBe('paused');
    expect(whilePaused.stats.inList).toBe(atPause);
    expect(whilePaused.stats.pending).toBe(40 - atPause);
    // Pausing twice, or resuming something that is not paused, is refused.
    expect((await api('POST', `/distributions/${id}/pause`)).statusCode).toBe(400);

    // The new rate holds from the resume on: the rest at 5 a second would take 6 s and more.
    await setEmailRate(200);
    const resumedAt = Date.now();
    const resumed = await api('POST', `/distributions/${id}/resume`);
    expect(resumed.statusCode, resumed.body).toBe(200);
    const done = await settled(id);
    expect(done.status).toBe('completed');
    expect(Date.now() - resumedAt).toBeLessThan(4000);
    expect(done.stats).toMatchObject({ selected: 40, inList: 40, pending: 0, resentAfterInterruption: 0 });
    const rows = await t.runtime.db.query<{ to_address: string; n: number }>(
      'SELECT to_address, count(*)::int AS n FROM outbox_messages WHERE distribution_id = $1 GROUP BY 1',
      [id],
    );
    expect(rows).toHaveLength(40);
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    // Each recipient was handed to the provider once: no message was sent twice.
    expect((await recipientsOf(id)).every((r) => r.attempts === 1 && r.status === 'sent')).toBe(true);
    expect((await api('POST', `/distributions/${id}/resume`)).statusCode).toBe(400);
  });
});

describe('sending rules', () => {
  const everyone = ['G1', 'G2', 'S1', 'S2'];
  let first: number;

  it('holds back a segment (Tier = Gold) under its own frequency rule, and lets the others through', async () => {
    const saved = await api('PUT', '/directories/Main/sending-rules', {
      frequencyRules: [
        {
          name: 'Gold accounts: 14 days',
          maxMessages: 1,
          withinHours: 14 * 24,
          when: { type: 'attribute', attribute: 'Tier', values: ['Gold', 'gold'] },
        },
        {
          name: 'Onboarding: 3 a day',
          scope: 'survey',
          scopeId: surveyB,
          maxMessages: 3,
          withinHours: 24,
        },
      ],
    });
    expect(saved.statusCode, saved.body).toBe(200);

    first = await create({ surveyId: surveyA, name: 'First', recipients: contactsAudience(...everyone) });
    expect((await settled(first)).stats).toMatchObject({ selected: 4, inList: 4 });

    const second = await create({
      surveyId: surveyA,
      name: 'Second',
      recipients: contactsAudience(...everyone),
    });
    const done = await settled(second);
    expect(done.stats).toMatchObject({
      selected: 4,
      inList: 2,
      frequencyLimited: 2,
      excludedByReason: { 'rule:Gold accounts: 14 days': 2 },
    });
    expect(await statusByRef(second)).toEqual({
      G1: 'frequency_limited:rule:Gold accounts: 14 days',
      G2: 'frequency_limited:rule:Gold accounts: 14 days',
      S1: 'sent',
      S2: 'sent',
    });
  });

  it("applies a survey's own rule instead of the directory's", async () => {
    // Onboarding has its own rule (3 a day, everyone): the Gold rule does not hold there.
    const third = await create({
      surveyId: surveyB,
      name: 'Onboarding 1',
      recipients: contactsAudience(...everyone),
    });
    await settled(third);
    expect(await statusByRef(third)).toEqual({ G1: 'sent', G2: 'sent', S1: 'sent', S2: 'sent' });

    // Silver contacts now have 3 invitations in a day (First, Second, Onboarding 1), Gold ones 2.
    const fourth = await create({
      surveyId: surveyB,
      name: 'Onboarding 2',
      recipients: contactsAudience(...everyone),
    });
    await settled(fourth);
    expect(await statusByRef(fourth)).toEqual({
      G1: 'sent',
      G2: 'sent',
      S1: 'frequency_limited:rule:Onboarding: 3 a day',
      S2: 'frequency_limited:rule:Onboarding: 3 a day',
    });
  });

  it('sends a transactional distribution whatever the frequency rules, and does not count it', async () => {
    const transactional = await create({
      surveyId: surveyA,
      name: 'After the support ticket',
      transactional: true,
      recipients: contactsAudience(...everyone),
    });
    const done = await settled(transactional);
    expect(done.stats).toMatchObject({ selected: 4, inList: 4, frequencyLimited: 0 });
    const [counted] = await t.runtime.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM distribution_recipients WHERE distribution_id = $1 AND counts_for_frequency',
      [transactional],
    );
    expect(Number(counted!.n)).toBe(0);

    // Still held back by the Gold rule for an ordinary invitation.
    const ordinary = await create({
      surveyId: surveyA,
      name: 'Ordinary',
      recipients: contactsAudience('G1'),
    });
    await settled(ordinary);
    expect(await statusByRef(ordinary)).toEqual({ G1: 'frequency_limited:rule:Gold accounts: 14 days' });
  });

  it('holds back the very same message to the same address within hours, even a transactional one', async () => {
    // One fixed message (the others in this file are each made unique by message()).
    const same = {
      fromName: 'Cloud Kicks',
      subject: 'Your case is closed',
      text: 'Hello {{ contact.firstName }}, how did we do? {{ link }}',
    };
    const first = await create({
      surveyId: surveyA,
      name: 'Case closed 1',
      transactional: true,
      message: same,
      recipients: contactsAudience('S1'),
    });
    await settled(first);
    expect(await statusByRef(first)).toEqual({ S1: 'sent' });

    const again = await create({
      surveyId: surveyA,
      name: 'Case closed 2',
      transactional: true,
      message: same,
      recipients: contactsAudience('S1', 'S2'),
    });
    const done = await settled(again);
    expect(await statusByRef(again)).toEqual({ S1: 'frequency_limited:identical_message', S2: 'sent' });
    expect(done.stats).toMatchObject({ selected: 2, inList: 1, frequencyLimited: 1 });
  });

  it('sends a thank-you to the contacts who completed the survey, and only to them', async () => {
    const tokenOf = async (ref: string) => {
      const [row] = await t.runtime.db.query<{ link_token: string }>(
        'SELECT link_token FROM distribution_recipients WHERE distribution_id = $1 AND contact_id = $2',
        [first, idOf[ref]],
      );
      return row!.link_token;
    };
    const answer = async (ref: string, complete: boolean) => {
      const response = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/public/links/${await tokenOf(ref)}/response`,
        payload: { answers: { nps: complete ? 9 : 4 }, complete },
      });
      expect(response.statusCode, response.body).toBe(200);
    };
    await answer('G1', true);
    await answer('S1', true);
    await answer('S2', false); // started, not completed
    expect((await distribution(first)).stats).toMatchObject({ started: 3, completed: 2 });

    const thanks = await create({
      surveyId: surveyA,
      name: 'Thank you',
      kind: 'thank_you',
      parentId: first,
      message: {
        fromName: 'Cloud Kicks',
        subject: 'Thank you!',
        text: 'Thank you, {{ contact.firstName }}.',
      },
    });
    const done = await settled(thanks);
    expect(done.status).toBe('completed');
    expect(done.stats).toMatchObject({ selected: 2, inList: 2 });
    expect(await statusByRef(thanks)).toEqual({ G1: 'sent', S1: 'sent' });
    const sent = await t.runtime.db.query<{ to_address: string; text: string }>(
      'SELECT to_address, text FROM outbox_messages WHERE distribution_id = $1 ORDER BY to_address',
      [thanks],
    );
    expect(sent).toEqual([
      { to_address: 'gina@gold.example', text: 'Thank you, Gina.' },
      { to_address: 'sam@silver.example', text: 'Thank you, Sam.' },
    ]);

    // A thank-you names its invitation.
    const orphan = await api('POST', '/directories/Main/distributions', {
      surveyId: surveyA,
      name: 'Thanks without parent',
      channel: 'email',
      kind: 'thank_you',
      message: { fromName: 'Cloud Kicks', subject: 'Thanks', text: 'Thanks.' },
    });
    expect(orphan.statusCode).toBe(400);
    expect(orphan.json().error.details).toContainEqual({
      path: 'parentId',
      message: 'a thank_you follows an invitation',
    });
  });
});
