import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, importFiles } from '../../test/harness/import-helpers.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import { recomputeDirectory } from './compute.ts';

/**
 * The command center's metrics on answers given through the survey links, invitations sent
 * through a distribution, and time moved on by ageing what was written: CSAT, response rate, the
 * trend against the previous period, days since the last contact; and the list's filters
 * (inactivity, band, owner and team role, account attribute) and "health dropped".
 */

let t: TestApp;
let cx: { authorization: string };
let directoryId: number;
let surveyId: number;
const account: Record<string, number> = {};
const contact: Record<string, number> = {};
/** 001B's health before its decision maker turned detractor (the snapshot moved 40 days back). */
let healthBefore: number;

const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: cx.authorization },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Answers through the respondent's path: a personal link's token, or a new link for the contact. */
async function respond(answers: { nps: number; csat: number }, who: { token?: string; contact?: string }) {
  const token =
    who.token ??
    (await api('POST', `/surveys/${surveyId}/links`, { contactId: contact[who.contact!] })).json().token;
  const saved = await t.app.inject({
    method: 'PUT',
    url: `/api/v1/public/links/${token}/response`,
    payload: { answers, complete: true },
  });
  expect(saved.statusCode, saved.body).toBe(200);
  const [row] = await t.runtime.db.query<{ id: number }>(
    'SELECT r.id FROM responses r ORDER BY r.id DESC LIMIT 1',
  );
  return Number(row!.id);
}

/** Sends an email invitation to these contacts through a distribution and returns its figures. */
async function distribute(name: string, contacts: string[]) {
  const sent = await api('POST', '/directories/Main/distributions', {
    surveyId,
    name,
    channel: 'email',
    recipients: { type: 'contacts', contactIds: contacts.map((ref) => contact[ref]) },
    message: {
      fromName: 'Cloud Kicks',
      fromAddress: 'cx@cloudkicks.example',
      subject: `${name}: how are we doing?`,
      text: 'Tell us: {{ link }}',
    },
  });
  expect(sent.statusCode, sent.body).toBe(201);
  const done = await waitFor(
    async () => (await api('GET', `/distributions/${sent.json().id}`)).json(),
    (d) => ['completed', 'failed', 'paused'].includes(d.status),
    `the distribution ${name}`,
  );
  return done.stats;
}

/** Moves responses back in time, as if they had been given `days` days earlier. */
const age = (ids: number[], days: number) =>
  t.runtime.db.query(
    `UPDATE responses SET started_at = started_at - make_interval(days => $2),
       completed_at = completed_at - make_interval(days => $2) WHERE id = ANY($1::bigint[])`,
    [ids, days],
  );

type Item = {
  accountId: number;
  name: string;
  band: string;
  health: number | null;
  lastFeedbackAt: string | null;
  lastContactAt: string | null;
  [key: string]: unknown;
};
const list = async (query: string) => {
  const r = await api('GET', `/directories/Main/account-health?limit=200&${query}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().items as Item[];
};
const names = (items: Item[]) => items.map((a) => a.name).sort();
const own = async (ref: string) => (await api('GET', `/accounts/${account[ref]}/health`)).json().own;

beforeAll(async () => {
  t = await createTestApp();
  await t.runtime.jobs.startWorkers(t.runtime);
  cx = await t.bearerFor('cx_manager');
  const created = await api('POST', '/directories', { name: 'Main' });
  expect(created.statusCode).toBe(201);
  directoryId = created.json().id;
  const { run } = await importFiles(t.runtime.db, t.runtime.secrets, 'Main', {
    accounts: fixture('Account.csv'),
    contacts: fixture('Contact.csv'),
    teamMembers: fixture('AccountTeamMember.csv'),
  });
  expect(run.status).toBe('succeeded');
  for (const row of await t.runtime.db.query<{ id: number; external_ref: string }>(
    'SELECT id, external_ref FROM accounts WHERE deleted_at IS NULL',
  ))
    account[row.external_ref] = Number(row.id);
  for (const row of await t.runtime.db.query<{ id: number; external_ref: string }>(
    'SELECT id, external_ref FROM contacts',
  ))
    contact[row.external_ref] = Number(row.id);
  const survey = await api('POST', '/directories/Main/surveys', {
    name: 'Relationship survey',
    definition: {
      elements: [
        { type: 'rating', name: 'nps', rateMin: 0, rateMax: 10 },
        { type: 'rating', name: 'csat', rateMin: 1, rateMax: 5 },
      ],
    },
    metrics: { npsQuestion: 'nps', csatQuestion: 'csat' },
  });
  expect(survey.statusCode, survey.body).toBe(201);
  surveyId = survey.json().id;
  expect((await api('POST', `/surveys/${surveyId}/activate`)).statusCode).toBe(200);

  // A year ago and more (the previous period): Alan (decision maker of 001B) a promoter, Leung
  // (influencer) a passive. Scored then, 001B was healthy: that snapshot is 40 days old now.
  const earlier = [
    await respond({ nps: 10, csat: 5 }, { contact: '003A' }),
    await respond({ nps: 8, csat: 4 }, { contact: '003B' }),
  ];
  await recomputeDirectory(t.runtime.db, directoryId);
  healthBefore = (await own('001B')).health;
  await t.runtime.db.query(
    `UPDATE account_health_daily SET day = day - 40 WHERE directory_id = $1 AND day = current_date`,
    [directoryId],
  );
  await age(earlier, 400);

  // An invitation to Alan (001B), No Role (no role in an account) and Ana Ortiz (001C), through the outbox.
  expect(await distribute('Relationship', ['003A', '003F', '003J'])).toMatchObject({ delivered: 3 });
  // Alan answers his invitation: a detractor now, somewhat satisfied (4 of 1–5: 75).
  const mail = (await api('GET', '/outbox?channel=email&to=alan%40gogetcloudy.com')).json().items[0];
  await respond({ nps: 3, csat: 4 }, { token: /\/s\/([\w-]+)/.exec(mail.text)![1]! });
  // The invitations went out 45 days ago; Alan was invited once more today.
  await t.runtime.db.query(
    `UPDATE distribution_recipients SET sent_at = sent_at - interval '45 days' WHERE sent_at IS NOT NULL`,
  );
  expect(await distribute('Relationship again', ['003A'])).toMatchObject({ delivered: 1 });
  // 李 (東京 Trading, 001I) answered twice, 70 days ago: CSAT 2 (25) and 5 (100).
  await age(
    [
      await respond({ nps: 9, csat: 2 }, { contact: '003D' }),
      await respond({ nps: 10, csat: 5 }, { contact: '003D' }),
    ],
    70,
  );
  await t.runtime.db.query(
    `UPDATE accounts SET attributes = attributes || jsonb_build_object('Region', x.region)
     FROM (VALUES ($1::bigint, 'EMEA'), ($2::bigint, 'APAC'), ($3::bigint, 'EMEA')) AS x(id, region)
     WHERE accounts.id = x.id`,
    [account['001B'], account['001I'], account['001C']],
  );
  await recomputeDirectory(t.runtime.db, directoryId);
});
afterAll(() => t.close());

describe('account metrics on answers given through the links', () => {
  it('averages CSAT over the period and divides responses by the invitations sent', async () => {
    const b = await own('001B');
    // In the period: Alan's one answer (the two earlier ones are in the previous period), to two
    // invitations (No Role, invited too, is in no account).
    expect(b).toMatchObject({ responses: 1, csat: 75, responseRate: 0.5 });
    expect(b.components.csat).toBe(75);
    const tokyo = await own('001I');
    expect(tokyo).toMatchObject({ responses: 2, csat: 62.5, responseRate: null });
    expect(tokyo.components.csat).toBe(62.5);
    // Ana was invited and did not answer.
    expect(await own('001C')).toMatchObject({ responses: 0, responseRate: 0, csat: null });
  });

  it('compares NPS with the previous period: the trend, and why NPS falling is a risk', async () => {
    const b = await own('001B');
    // Now: Alan 3 (a detractor) = −100; before: Alan 10 and Leung 8 = 50.
    expect(b).toMatchObject({ nps: -100, npsPrev: 50 });
    expect(b.components.trend).toBe(0);
    expect(b.reasons).toContainEqual({
      code: 'nps_drop',
      severity: 'medium',
      points: 150,
      from: 50,
      to: -100,
    });
    // 東京 Trading has no previous period: no trend.
    expect((await own('001I')).components.trend).toBeUndefined();
  });

  it('counts the days since the last invitation and since the last answer', async () => {
    const b = await own('001B');
    expect(b.daysSinceLastContact).toBe(0);
    expect(Date.now() - Date.parse(b.lastFeedbackAt)).toBeLessThan(3_600_000);
    expect((await own('001C')).daysSinceLastContact).toBe(45);
    const tokyo = await own('001I');
    expect(tokyo.daysSinceLastContact).toBeNull();
    expect(Math.floor((Date.now() - Date.parse(tokyo.lastFeedbackAt)) / 86_400_000)).toBe(70);
  });
});

describe('the command center’s filters', () => {
  it('finds the accounts inactive for 30, 60 or 90 days: no answer and no invitation', async () => {
    const all = await list('');
    const inactive30 = await list('inactiveDays=30');
    // 001B answered today; 001C was invited 45 days ago; 001I answered 70 days ago; the others never.
    expect(names(inactive30)).toEqual(names(all.filter((a) => a.accountId !== account['001B'])));
    expect(names(inactive30)).toContain('Get Cloudy – Reno');
    expect(names(inactive30)).toContain('Orphan Branch');
    const inactive60 = names(await list('inactiveDays=60'));
    expect(inactive60).toContain('東京 Trading KK');
    expect(inactive60).not.toContain('Get Cloudy – Reno');
    expect(inactive60).toContain('Orphan Branch');
    const inactive90 = names(await list('inactiveDays=90'));
    expect(inactive90).not.toContain('東京 Trading KK');
    expect(inactive90).toContain('Cloud Kicks Holdings');
    // A parent's subtree is active when any of its accounts is.
    const subtrees = names(await list('scope=subtree&inactiveDays=30'));
    expect(subtrees).not.toContain('Cloud Kicks Holdings');
    expect(subtrees).toContain('Orphan Branch');
    // The summary counts the same accounts.
    const summary = (await api('GET', '/directories/Main/account-health/summary?inactiveDays=60')).json();
    expect(summary.accounts).toBe(inactive60.length);
    const bad = await api('GET', '/directories/Main/account-health?inactiveDays=soon');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('inactiveDays');
  });

  it('filters by health band', async () => {
    const all = await list('');
    const bands = new Set(all.map((a) => a.band));
    expect(bands.size).toBeGreaterThan(1);
    for (const band of bands)
      expect(names(await list(`band=${band}`))).toEqual(names(all.filter((a) => a.band === band)));
    expect(names(await list('band=insufficient'))).toContain('Orphan Branch');
    const two = await list('band=red,yellow');
    expect(names(two)).toEqual(names(all.filter((a) => a.band === 'red' || a.band === 'yellow')));
    expect(names(two)).toContain('Get Cloudy Consulting, Inc.');
  });

  it('filters by owner, team member and team role', async () => {
    // owner.one is the account owner of 001A and 001B; csm@ the customer success manager of 001B.
    const both = ['Cloud Kicks Holdings', 'Get Cloudy Consulting, Inc.'];
    expect(names(await list('teamMember=owner.one@cloudkicks.example&teamRole=ACCOUNT_OWNER'))).toEqual(both);
    expect(names(await list('teamMember=OWNER.ONE@cloudkicks.example'))).toEqual(both);
    expect(names(await list('teamMember=csm@cloudkicks.example'))).toEqual(['Get Cloudy Consulting, Inc.']);
    expect(await list('teamMember=csm@cloudkicks.example&teamRole=ACCOUNT_OWNER')).toEqual([]);
    expect(names(await list('teamRole=CUSTOMER_SUCCESS_MANAGER'))).toEqual(['Get Cloudy Consulting, Inc.']);
    expect(names(await list('teamRole=SALES_ENGINEER'))).toEqual(['Get Cloudy – Reno']);
    expect(names(await list('teamRole=ACCOUNT_OWNER'))).toEqual(both);
    expect((await api('GET', '/directories/Main/account-health?teamRole=JUGGLER')).statusCode).toBe(400);
  });

  it('filters by a custom account attribute (name in any case, exact value)', async () => {
    expect(names(await list('attribute=Region:EMEA'))).toEqual([
      'Get Cloudy Consulting, Inc.',
      'Get Cloudy – Reno',
    ]);
    expect(names(await list('attribute=region:APAC'))).toEqual(['東京 Trading KK']);
    expect(await list('attribute=Region:emea')).toEqual([]);
    // Combined with another filter.
    expect(names(await list('attribute=Region:EMEA&inactiveDays=30'))).toEqual(['Get Cloudy – Reno']);
    expect((await api('GET', '/directories/Main/account-health?attribute=Region')).statusCode).toBe(400);
  });
});

describe('where to intervene', () => {
  it('lists an account whose health dropped against its snapshot of a month ago', async () => {
    const b = await own('001B');
    expect(healthBefore - b.health).toBeGreaterThanOrEqual(10);
    const where = (await api('GET', '/directories/Main/interventions')).json();
    expect(where.healthDropped.map((a: Item) => a.name)).toEqual(['Get Cloudy Consulting, Inc.']);
    expect(where.healthDropped[0]).toMatchObject({ healthBefore, health: b.health });
    expect(where.totals.healthDropped).toBe(1);
  });
});
