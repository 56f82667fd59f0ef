import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Auth, apiOf, waitFor } from '../../test/harness/distributions.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import { loadSegmentFixture, refsOf, type SegmentFixture } from '../segments/testing.ts';
import { closeTransports } from './transport-cache.ts';

/**
 * Recipients by account and client role ("all DECISION_MAKERs of the accounts I own"), contact
 * attributes and account fields piped into the message, the directory's exclusions (do-not-call,
 * fax opt-out, no consent) and their settings, malformed addresses counted and not sent, frequency
 * rules per channel, an SMS test send, the open-tracking pixel and the response funnel by survey
 * and channel. Through the database outbox, on the segment tests' small directory:
 *
 *   A1 Acme Holdings (owner.one ACCOUNT_OWNER) ─ A2 Acme France ─ A3 Acme Lyon; B1 Beta Corp (owner.two)
 *   K1 Alice A1 DECISION_MAKER · K2 Bob A2 END_USER · K3 Chloé A3 DECISION_MAKER (email opt-out)
 *   K4 Dan B1 INFLUENCER · K5 Eve C1 END_USER · K6 Frank (no account)
 */

const ME = 'owner.one@acme.example';
let t: TestApp;
let f: SegmentFixture;
let cx: Auth;
const call = apiOf(() => t);
const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  call(method, url, cx, payload);

let counter = 0;
/** Each distribution's message is its own (the identical-message rule would hold a repeat back). */
const email = (text = 'Hello {{ contact.firstName }}: {{ link }}') => ({
  fromName: 'Acme CX',
  subject: `How are we doing? (${++counter})`,
  text,
});

/** Invitations per survey and channel created here and sent, to check the funnel against. */
const sentBy: Record<string, number> = {};

async function send(body: Record<string, unknown>) {
  const created = await api('POST', `/directories/${f.dir}/distributions`, {
    surveyId: f.surveys.s1,
    name: `Distribution ${++counter}`,
    channel: 'email',
    message: email(),
    ...body,
  });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().id as number;
  const done = await waitFor(
    async () => (await api('GET', `/distributions/${id}`)).json(),
    (d) => ['completed', 'failed', 'paused'].includes(d.status),
    `distribution ${id}`,
  );
  expect(done.status).toBe('completed');
  const key = `${body.surveyId ?? f.surveys.s1}:${body.channel ?? 'email'}`;
  sentBy[key] = (sentBy[key] ?? 0) + done.stats.inList;
  return done as { id: number; stats: Record<string, unknown> };
}

/** Each recipient as `ref` → `status` (or `status:reason`). */
async function fates(id: number) {
  const items = (await api('GET', `/distributions/${id}/recipients?limit=100`)).json().items as {
    contactId: number;
    status: string;
    reason: string | null;
  }[];
  return Object.fromEntries(
    items.map((r) => [
      refsOf([r.contactId], f.contact)[0],
      r.reason && r.status !== 'sent' ? `${r.status}:${r.reason}` : r.status,
    ]),
  );
}

const outbox = async (distributionId: number, channel = 'email') =>
  (await api('GET', `/outbox?channel=${channel}&distributionId=${distributionId}&limit=100`)).json()
    .items as { toAddress: string; subject: string | null; text: string; html: string | null }[];

const setContacts = (set: string, refs: string[]) =>
  t.runtime.db.query(`UPDATE contacts SET ${set} WHERE id = ANY($1::bigint[])`, [
    `{${refs.map((r) => f.contact[r]).join(',')}}`,
  ]);

async function saveRules(rules: Record<string, unknown>) {
  const saved = await api('PUT', `/directories/${f.dir}/sending-rules`, rules);
  expect(saved.statusCode, saved.body).toBe(200);
  return saved.json();
}

beforeAll(async () => {
  t = await createTestApp();
  await t.runtime.jobs.startWorkers(t.runtime);
  f = await loadSegmentFixture(t, 'Distribution audiences');
  // The user sending is an account owner: "the accounts I own" are those whose team names them.
  cx = await t.bearerFor('cx_manager', ME);
  // No frequency rule to begin with: each test below sends to the same few contacts.
  await saveRules({ frequencyRules: [] });
});

afterAll(async () => {
  await closeTransports(t.runtime.db);
  await t.close();
});

describe('recipients by account and client role', () => {
  it('sends to the DECISION_MAKERs of the accounts I own, with attributes and account fields piped in', async () => {
    const done = await send({
      recipients: {
        type: 'accountRoles',
        roles: ['DECISION_MAKER'],
        teamMemberEmail: ME,
        teamRole: 'ACCOUNT_OWNER',
      },
      message: {
        ...email(
          'Dear {{ contact.firstName }} ({{ role }}, {{ contact.attributes.Department }}, {{ contact.attributes.Plan }} plan, ' +
            '{{ contact.attributes.Seats }} seats), {{ account.name }} in {{ account.attributes.Region }} ' +
            '(ARR {{ account.attributes.ARR }}): {{ link }}',
        ),
        subject: 'For {{ account.name }}: {{ contact.attributes.Plan | upcase }}',
      },
    });
    // A1 is the only account owner.one owns; Chloé (A3, below A1) is a DECISION_MAKER of an
    // account they do not own, Dan holds another role in another owner's account.
    expect(await fates(done.id)).toEqual({ K1: 'sent' });
    expect(done.stats).toMatchObject({ selected: 1, inList: 1 });
    const [row] = await t.runtime.db.query<{ account_id: number; role: string }>(
      'SELECT account_id, role FROM distribution_recipients WHERE distribution_id = $1',
      [done.id],
    );
    expect(refsOf([row!.account_id], f.account)).toEqual(['A1']);
    expect(row!.role).toBe('DECISION_MAKER');

    const [message] = await outbox(done.id);
    expect(message!.toAddress).toBe('alice@acme.example');
    expect(message!.subject).toBe('For Acme Holdings: PRO');
    expect(message!.text).toMatch(
      /^Dear Alice \(DECISION_MAKER, Sales, Pro plan, 10 seats\), Acme Holdings in EMEA \(ARR 500000\): http:\/\/127\.0\.0\.1:3000\/s\/[\w-]{20,}$/,
    );
  });

  it("sends to another owner's INFLUENCERs, and to the roles in picked accounts with or without their descendants", async () => {
    const theirs = await send({
      recipients: {
        type: 'accountRoles',
        roles: ['INFLUENCER'],
        teamMemberEmail: 'owner.two@acme.example',
        teamRole: 'ACCOUNT_OWNER',
      },
    });
    expect(await fates(theirs.id)).toEqual({ K4: 'sent' });
    expect((await outbox(theirs.id)).map((m) => m.toAddress)).toEqual(['dan@beta.example']);

    const tree = await send({
      recipients: { type: 'accountRoles', roles: ['DECISION_MAKER'], accountIds: [f.account.A1!] },
    });
    // Chloé is a DECISION_MAKER of A3, a descendant of A1, and opted out of email.
    expect(await fates(tree.id)).toEqual({ K1: 'sent', K3: 'excluded:email_opt_out' });
    expect(tree.stats).toMatchObject({ selected: 2, optedOut: 1, inList: 1 });

    const own = await send({
      recipients: {
        type: 'accountRoles',
        roles: ['DECISION_MAKER', 'END_USER'],
        accountIds: [f.account.A1!, f.account.A2!],
        includeDescendants: false,
      },
    });
    expect(await fates(own.id)).toEqual({ K1: 'sent', K2: 'sent' });
  });
});

describe('exclusions and malformed addresses', () => {
  it('excludes do-not-call, fax opt-out and no consent, and counts a malformed email without sending it', async () => {
    await setContacts('do_not_call = true', ['K2']);
    await setContacts('fax_opt_out = true', ['K4']);
    await setContacts('consent = false', ['K5']);
    await setContacts(`email = 'frank at free.example'`, ['K6']);
    const done = await send({ recipients: { type: 'mailingList', mailingListId: f.listId } });
    expect(await fates(done.id)).toEqual({
      K1: 'sent',
      K2: 'excluded:do_not_call',
      K3: 'excluded:email_opt_out',
      K4: 'excluded:fax_opt_out',
      K5: 'excluded:no_consent',
      K6: 'missing_email',
    });
    expect(done.stats).toMatchObject({
      selected: 6,
      optedOut: 4,
      excludedByReason: { do_not_call: 1, email_opt_out: 1, fax_opt_out: 1, no_consent: 1 },
      missingEmail: 1,
      inList: 1,
    });
    expect((await outbox(done.id)).map((m) => m.toAddress)).toEqual(['alice@acme.example']);
  });

  it('saves the exclusion settings, and the next distribution follows them', async () => {
    const saved = await saveRules({
      exclusions: { doNotCall: false, faxOptOut: false, noConsent: false },
      frequencyRules: [],
    });
    const expected = {
      exclusions: {
        doNotCall: false,
        faxOptOut: false,
        noConsent: false,
        emailBounced: true,
        requireConsent: false,
      },
      frequencyRules: [],
    };
    expect(saved).toEqual(expected);
    expect((await api('GET', `/directories/${f.dir}/sending-rules`)).json()).toEqual(expected);

    const done = await send({ recipients: { type: 'mailingList', mailingListId: f.listId } });
    // An opt-out of the channel itself always excludes; the malformed address is still not sent.
    expect(await fates(done.id)).toEqual({
      K1: 'sent',
      K2: 'sent',
      K3: 'excluded:email_opt_out',
      K4: 'sent',
      K5: 'sent',
      K6: 'missing_email',
    });
    expect(done.stats).toMatchObject({ selected: 6, optedOut: 1, missingEmail: 1, inList: 4 });

    // Consent required: those never asked are excluded too, the ones who gave it are not.
    await saveRules({ exclusions: { doNotCall: false, faxOptOut: false, requireConsent: true } });
    await setContacts('consent = true', ['K1']);
    const strict = await send({
      recipients: { type: 'contacts', contactIds: [f.contact.K1!, f.contact.K2!, f.contact.K5!] },
    });
    expect(await fates(strict.id)).toEqual({
      K1: 'sent',
      K2: 'excluded:consent_unknown',
      K5: 'excluded:no_consent',
    });
    await saveRules({ exclusions: { doNotCall: false, faxOptOut: false, noConsent: false } });
  });
});

describe('SMS: phone numbers, per-channel frequency rules, send test', () => {
  const sms = (
    body = 'Hi {{ contact.firstName }}, {{ account.name | default: "there" }} asks: {{ link }}',
  ) => ({
    mode: 'one_way',
    phoneField: 'mobileThenPhone',
    body: `${body} #${++counter}`,
  });
  let first: number;

  it('counts missing and malformed phone numbers, and sends to the valid one only', async () => {
    await setContacts(`mobile_phone = '+33612345678'`, ['K1']);
    await setContacts(`phone = 'call me maybe'`, ['K2']);
    await setContacts(`mobile_phone = '0612'`, ['K5']);
    const done = await send({
      surveyId: f.surveys.s2,
      channel: 'sms',
      message: sms(),
      recipients: {
        type: 'contacts',
        contactIds: [f.contact.K1!, f.contact.K2!, f.contact.K4!, f.contact.K5!],
      },
    });
    first = done.id;
    // The outbox is where an SMS ends: stored is delivered (no status callback will come).
    expect(await fates(done.id)).toEqual({
      K1: 'delivered',
      K2: 'missing_phone',
      K4: 'missing_phone',
      K5: 'missing_phone',
    });
    expect(done.stats).toMatchObject({
      selected: 4,
      missingPhone: 3,
      missingEmail: 0,
      inList: 1,
      delivered: 1,
    });
    const sent = await outbox(done.id, 'sms');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.toAddress).toBe('+33612345678');
    expect(sent[0]!.text).toMatch(
      /^Hi Alice, Acme Holdings asks: http:\/\/127\.0\.0\.1:3000\/s\/[\w-]+ #\d+$/,
    );
  });

  it('holds back a second SMS under an SMS rule, while email is not counted against it nor held by it', async () => {
    await saveRules({
      exclusions: { doNotCall: false, faxOptOut: false, noConsent: false },
      frequencyRules: [{ name: 'SMS: one a week', channel: 'sms', maxMessages: 1, withinHours: 7 * 24 }],
    });
    // Alice had several emails today and one SMS: the email goes, the SMS is held back.
    const byEmail = await send({ recipients: { type: 'contacts', contactIds: [f.contact.K1!] } });
    expect(await fates(byEmail.id)).toEqual({ K1: 'sent' });
    const bySms = await send({
      surveyId: f.surveys.s2,
      channel: 'sms',
      message: sms(),
      recipients: { type: 'contacts', contactIds: [f.contact.K1!, f.contact.K4!] },
    });
    expect(await fates(bySms.id)).toEqual({
      K1: 'frequency_limited:rule:SMS: one a week',
      K4: 'missing_phone',
    });
    expect(bySms.stats).toMatchObject({ selected: 2, frequencyLimited: 1, inList: 0 });

    // An email rule does not count the SMS: Dan (emailed once today, no SMS) is held back by email only.
    await saveRules({
      exclusions: { doNotCall: false, faxOptOut: false, noConsent: false },
      frequencyRules: [{ name: 'Email: one a day', channel: 'email', maxMessages: 1, withinHours: 24 }],
    });
    await setContacts(`mobile_phone = '+15550004444'`, ['K4']);
    const danBySms = await send({
      surveyId: f.surveys.s2,
      channel: 'sms',
      message: sms(),
      recipients: { type: 'contacts', contactIds: [f.contact.K4!] },
    });
    expect(await fates(danBySms.id)).toEqual({ K4: 'delivered' });
    const danByEmail = await send({ recipients: { type: 'contacts', contactIds: [f.contact.K4!] } });
    expect(await fates(danByEmail.id)).toEqual({ K4: 'frequency_limited:rule:Email: one a day' });
    await saveRules({ exclusions: { doNotCall: false, faxOptOut: false, noConsent: false } });
  });

  it('sends a test SMS to a number, rendered for a contact, without counting it', async () => {
    const before = (await api('GET', `/distributions/${first}`)).json().stats;
    const test = await api('POST', `/distributions/${first}/test`, {
      to: '+15550009999',
      contactId: f.contact.K1,
    });
    expect(test.statusCode, test.body).toBe(200);
    expect(test.json()).toMatchObject({ to: '+15550009999', providerMessageId: expect.any(String) });
    const received = (await api('GET', `/outbox?channel=sms&to=${encodeURIComponent('+15550009999')}`)).json()
      .items as { text: string; distributionId: number | null }[];
    expect(received).toHaveLength(1);
    expect(received[0]!.text).toMatch(
      /^Hi Alice, Acme Holdings asks: http:\/\/127\.0\.0\.1:3000\/s\/\S+ #\d+$/,
    );
    expect(received[0]!.distributionId).toBeNull();
    expect((await api('GET', `/distributions/${first}`)).json().stats).toEqual(before);

    const notANumber = await api('POST', `/distributions/${first}/test`, { to: 'alice@acme.example' });
    expect(notANumber.statusCode).toBe(400);
    expect(notANumber.json().error.details).toEqual([
      { path: 'to', message: 'expected an E.164 number (+33612345678)' },
    ]);
  });
});

describe('opens and the response funnel', () => {
  it('records an open from the pixel once, and reports the funnel by survey and by channel', async () => {
    const done = await send({
      surveyId: f.surveys.s2,
      recipients: { type: 'contacts', contactIds: [f.contact.K1!, f.contact.K2!] },
      message: {
        ...email(),
        html: '<p>Hello {{ contact.firstName }}, <a href="{{ link }}">answer</a></p>',
        trackOpens: true,
      },
    });
    expect(done.stats).toMatchObject({ inList: 2, opened: 0 });
    const messages = await outbox(done.id);
    const alice = messages.find((m) => m.toAddress === 'alice@acme.example')!;
    const pixel = /<img src="http:\/\/127\.0\.0\.1:3000(\/api\/v1\/public\/opens\/[^"]+)"/.exec(
      alice.html!,
    )?.[1];
    expect(pixel).toBeDefined();

    const opened = await t.app.inject({ method: 'GET', url: pixel! });
    expect(opened.statusCode).toBe(200);
    expect(opened.headers['content-type']).toBe('image/gif');
    expect(opened.headers['cache-control']).toBe('no-store');
    expect(opened.rawPayload.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    const openedAt = async () =>
      (
        await t.runtime.db.query<{ contact_id: number; opened_at: Date | null }>(
          'SELECT contact_id, opened_at FROM distribution_recipients WHERE distribution_id = $1 ORDER BY contact_id',
          [done.id],
        )
      ).map((r) => [refsOf([r.contact_id], f.contact)[0], r.opened_at && new Date(r.opened_at).getTime()]);
    const once = await openedAt();
    expect(once.find(([ref]) => ref === 'K1')![1]).toEqual(expect.any(Number));
    expect(once.find(([ref]) => ref === 'K2')![1]).toBeNull();
    // Opened again: the first open stays. A forged token still gets the image, and records nothing.
    await t.app.inject({ method: 'GET', url: pixel! });
    const forged = await t.app.inject({
      method: 'GET',
      url: pixel!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    });
    expect(forged.statusCode).toBe(200);
    expect(forged.headers['content-type']).toBe('image/gif');
    expect(await openedAt()).toEqual(once);
    expect((await api('GET', `/distributions/${done.id}`)).json().stats).toMatchObject({ opened: 1 });

    // Alice answers through her link.
    const token = /\/s\/([\w-]+)/.exec(alice.text)![1]!;
    const answered = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/public/links/${token}/response`,
      payload: { answers: { nps: 9 }, complete: true },
    });
    expect(answered.statusCode, answered.body).toBe(200);

    const s2 = (await api('GET', `/directories/${f.dir}/response-funnel?surveyId=${f.surveys.s2}`)).json();
    const s2Name = 'Distribution audiences onboarding';
    expect(s2.rows).toEqual([
      {
        surveyId: f.surveys.s2,
        survey: s2Name,
        channel: 'email',
        invitations: 2,
        delivered: 2,
        opened: 1,
        started: 1,
        completed: 1,
        responseRate: 50,
      },
      {
        surveyId: f.surveys.s2,
        survey: s2Name,
        channel: 'sms',
        invitations: sentBy[`${f.surveys.s2}:sms`],
        delivered: sentBy[`${f.surveys.s2}:sms`],
        opened: 0,
        started: 0,
        completed: 0,
        responseRate: 0,
      },
    ]);
    expect(sentBy[`${f.surveys.s2}:sms`]).toBe(2);
    expect(s2.total).toMatchObject({ invitations: 4, opened: 1, started: 1, completed: 1, responseRate: 25 });

    const bySms = (await api('GET', `/directories/${f.dir}/response-funnel?channel=sms`)).json();
    expect(bySms.rows.map((r: { survey: string; channel: string }) => [r.survey, r.channel])).toEqual([
      [s2Name, 'sms'],
    ]);
    expect(bySms.total.invitations).toBe(2);

    const all = (await api('GET', `/directories/${f.dir}/response-funnel`)).json();
    expect(
      all.rows.map((r: { surveyId: number; channel: string; invitations: number }) => [
        r.surveyId,
        r.channel,
        r.invitations,
      ]),
    ).toEqual([
      [f.surveys.s2, 'email', 2],
      [f.surveys.s2, 'sms', 2],
      [f.surveys.s1, 'email', sentBy[`${f.surveys.s1}:email`]],
    ]);
    expect(all.total.invitations).toBe(4 + sentBy[`${f.surveys.s1}:email`]!);
  });
});
