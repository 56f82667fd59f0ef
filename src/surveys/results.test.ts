import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, importFiles } from '../../test/harness/import-helpers.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import { createSecretBox } from '../platform/secrets/secret-box.ts';
import { signToken } from '../platform/secrets/signed-token.ts';

let t: TestApp;
let cx: { authorization: string };
let csm: { authorization: string };
let surveyId: number;
const ids: Record<string, number> = {};

const DEFINITION = {
  pages: [
    {
      name: 'p1',
      elements: [
        { type: 'rating', name: 'nps', rateMin: 0, rateMax: 10, title: 'Recommend us?', isRequired: true },
        { type: 'rating', name: 'csat', rateMin: 1, rateMax: 5, title: 'Satisfied?' },
        {
          type: 'radiogroup',
          name: 'renew',
          title: { default: 'Will you renew?', fr: 'Renouvellerez-vous ?' },
          choices: [
            { value: 'likely', text: { default: 'Likely', fr: 'Probablement' } },
            'unsure',
            'unlikely',
          ],
        },
        { type: 'checkbox', name: 'topics', choices: ['support', 'product', 'price'] },
        { type: 'matrix', name: 'aspects', rows: ['speed', 'quality'], columns: [1, 2, 3] },
        { type: 'comment', name: 'why', title: 'Why?' },
      ],
    },
  ],
};

const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers = cx) =>
  t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: headers.authorization },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

async function respond(contactId: number | null, answers: Record<string, unknown>, embedded = {}) {
  const link = await api(
    'POST',
    `/surveys/${surveyId}/links`,
    contactId ? { contactId, embedded } : { kind: 'anonymous' },
  );
  expect(link.statusCode).toBe(201);
  const saved = await t.app.inject({
    method: 'PUT',
    url: `/api/v1/public/links/${link.json().token}/response`,
    payload: { answers, complete: true },
  });
  expect(saved.statusCode, saved.body).toBe(200);
  return saved.json().responseId as number;
}

beforeAll(async () => {
  t = await createTestApp({ env: { RAPPORT_EMBED_FRAME_ANCESTORS: 'https://*.lightning.force.com' } });
  cx = await t.bearerFor('cx_manager');
  // csm@ is on the team of 001B only (001B is a child of 001A, Zoë's account).
  csm = await t.bearerFor('account_manager', 'csm@cloudkicks.example');
  expect((await api('POST', '/directories', { name: 'Main' })).statusCode).toBe(201);
  await importFiles(t.runtime.db, createSecretBox(randomBytes(32)), 'Main', {
    accounts: fixture('Account.csv'),
    contacts: fixture('Contact.csv'),
    teamMembers: fixture('AccountTeamMember.csv'),
  });
  for (const ref of ['003A', '003B', '003C']) {
    const [row] = await t.runtime.db.query<{ id: number }>(
      `SELECT id FROM contacts WHERE external_ref = $1`,
      [ref],
    );
    ids[ref] = Number(row!.id);
  }
  const created = await api('POST', '/directories/Main/surveys', {
    name: 'Relationship 2026',
    definition: DEFINITION,
    metrics: { npsQuestion: 'nps', csatQuestion: 'csat' },
    embeddedFields: ['sfContactId', 'sfAccountId'],
  });
  expect(created.statusCode, created.body).toBe(201);
  surveyId = created.json().id;
  expect((await api('POST', `/surveys/${surveyId}/activate`)).statusCode).toBe(200);

  // Alan (decision maker, 001B): promoter; Leung (influencer, 001B): detractor; Zoë (executive
  // sponsor, 001A): passive, 40 days ago; an anonymous promoter with no account.
  await respond(
    ids['003A']!,
    {
      nps: 10,
      csat: 5,
      renew: 'likely',
      topics: ['support', 'product'],
      aspects: { speed: 3, quality: 2 },
      why: 'Great, "fast" support',
    },
    { sfContactId: '003A', sfAccountId: '001B' },
  );
  await respond(
    ids['003B']!,
    { nps: 5, csat: 2, renew: 'unlikely', topics: ['price'], aspects: { speed: 1 }, why: 'Too expensive' },
    { sfContactId: '003B' },
  );
  const zoe = await respond(ids['003C']!, { nps: 8, csat: 4, renew: 'unsure', topics: [] });
  await t.runtime.db.query(`UPDATE responses SET completed_at = now() - interval '40 days' WHERE id = $1`, [
    zoe,
  ]);
  await respond(null, { nps: 9, renew: 'likely' });
  // A partial response counts in the completion rate, not in the metrics.
  const partial = await api('POST', `/surveys/${surveyId}/links`, { kind: 'anonymous' });
  await t.app.inject({
    method: 'PUT',
    url: `/api/v1/public/links/${partial.json().token}/response`,
    payload: { answers: { nps: 0 } },
  });
});
afterAll(() => t.close());

const results = async (query = '', headers = cx) => {
  const response = await api('GET', `/surveys/${surveyId}/results${query}`, undefined, headers);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};

describe('survey results', () => {
  it('computes counts, NPS and CSAT with 95% intervals, by role and per question', async () => {
    const r = await results();
    expect(r.counts).toMatchObject({ complete: 4, partial: 1, completionRate: 80 });
    // 2 promoters, 1 passive, 1 detractor: NPS 25; SE = √((.5 + .25 − .25²)/4) = .4146 → ±81.3.
    expect(r.nps).toEqual({
      score: 25,
      n: 4,
      promoters: 2,
      passives: 1,
      detractors: 1,
      margin: 81.3,
      low: -56.3,
      high: 100,
    });
    // CSAT 5, 2, 4 on 1–5 → 100, 25, 75; two in the top two points.
    expect(r.csat.n).toBe(3);
    expect(r.csat.satisfied.percent).toBe(66.7);
    expect(r.csat.satisfied.low).toBeLessThan(66.7);
    expect(r.csat.score.mean).toBe(66.7);
    expect(r.byRole.map((x: { role: string; responses: number }) => [x.role, x.responses])).toEqual([
      ['DECISION_MAKER', 1],
      ['INFLUENCER', 1],
      ['EXECUTIVE_SPONSOR', 1],
    ]);

    const q = Object.fromEntries(r.questions.map((x: { name: string }) => [x.name, x]));
    expect(q.nps.answered).toBe(4);
    expect(q.nps.mean).toBe(8);
    expect(q.nps.options).toHaveLength(11);
    expect(q.nps.options.find((o: { value: number }) => o.value === 10).count).toBe(1);
    expect(q.renew.options).toEqual([
      { value: 'likely', text: 'Likely', count: 2 },
      { value: 'unsure', text: 'unsure', count: 1 },
      { value: 'unlikely', text: 'unlikely', count: 1 },
    ]);
    expect(q.topics.options.map((o: { count: number }) => o.count)).toEqual([1, 1, 1]);
    expect(q.aspects.rows).toEqual([
      {
        value: 'speed',
        text: 'speed',
        counts: [
          { value: 1, count: 1 },
          { value: 2, count: 0 },
          { value: 3, count: 1 },
        ],
      },
      {
        value: 'quality',
        text: 'quality',
        counts: [
          { value: 1, count: 0 },
          { value: 2, count: 1 },
          { value: 3, count: 0 },
        ],
      },
    ]);
    expect(q.why.texts.total).toBe(2);
    expect(q.why.texts.items.map((x: { text: string }) => x.text).sort()).toEqual([
      'Great, "fast" support',
      'Too expensive',
    ]);
    expect(q.nps.texts).toBeNull();
    // Texts in another language of the survey.
    const fr = await results('?locale=fr');
    expect(fr.questions.find((x: { name: string }) => x.name === 'renew').title).toBe('Renouvellerez-vous ?');
  });

  it('filters by account subtree, role and date, and keeps an account manager to their accounts', async () => {
    const [holdings] = await t.runtime.db.query<{ id: number }>(
      `SELECT id FROM accounts WHERE external_ref = '001A'`,
    );
    const subtree = await results(`?accountId=${holdings!.id}`);
    expect(subtree.nps.n).toBe(3);
    const only = await results(`?accountId=${holdings!.id}&subtree=false`);
    expect(only.nps).toMatchObject({ n: 1, passives: 1 });
    const deciders = await results('?role=DECISION_MAKER');
    expect(deciders.nps).toMatchObject({ n: 1, promoters: 1, score: 100 });

    const since = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const recent = await results(`?from=${encodeURIComponent(since)}`);
    expect(recent.nps.n).toBe(3);
    const all = await results();
    expect(all.trend.unit).toBe('week');
    expect(all.trend.points.reduce((s: number, p: { responses: number }) => s + p.responses, 0)).toBe(4);

    // csm@ sees 001B's responses only (Alan and Leung), whatever the filters ask.
    const scoped = await results('', csm);
    expect(scoped.nps).toMatchObject({ n: 2, promoters: 1, detractors: 1 });
    expect((await results(`?accountId=${holdings!.id}&subtree=false`, csm)).nps).toBeNull();

    const bad = await api('GET', `/surveys/${surveyId}/results?role=BOSS`);
    expect(bad.statusCode).toBe(400);
  });
});

describe('the response widget of a CRM record', () => {
  const openEmbed = (token: string) =>
    t.app.inject({ method: 'GET', url: `/api/v1/public/embeds/responses/${token}` });

  it('hands out a signed, expiring URL that shows the record’s responses', async () => {
    const made = await api('POST', '/embeds/responses', {
      directory: 'Main',
      record: { field: 'sfAccountId', value: '001B' },
      expiresInMinutes: 15,
    });
    expect(made.statusCode, made.body).toBe(201);
    const { token, url, expiresAt } = made.json();
    expect(url).toMatch(/\/embed\/responses\/.+/);
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);

    const widget = await openEmbed(token);
    expect(widget.statusCode, widget.body).toBe(200);
    const body = widget.json();
    expect(body.responses).toBe(2);
    expect(body.nps).toMatchObject({ n: 2, promoters: 1, detractors: 1, score: 0 });
    expect(body.latest.map((x: { contactName: string }) => x.contactName).sort()).toEqual([
      'Alan Johnson',
      'Leung Chan',
    ]);
    const leung = body.latest.find((x: { contactName: string }) => x.contactName === 'Leung Chan');
    expect(leung.comments).toEqual([{ question: 'Why?', text: 'Too expensive' }]);

    // By contact id: the id the link carried, or the contact's own external reference.
    const contact = await api('POST', '/embeds/responses', {
      directory: 'Main',
      record: { field: 'sfContactId', value: '003C' },
    });
    expect((await openEmbed(contact.json().token)).json().responses).toBe(1);
  });

  it('refuses altered and expired tokens, and keeps its maker’s access', async () => {
    const made = (
      await api('POST', '/embeds/responses', {
        directory: 'Main',
        record: { field: 'sfAccountId', value: '001B' },
      })
    ).json();
    const [payload, ...signature] = made.token.split('.');
    const altered = JSON.parse(Buffer.from(payload, 'base64url').toString());
    altered.value = '001A';
    const forged = `${Buffer.from(JSON.stringify(altered)).toString('base64url')}.${signature.join('.')}`;
    expect((await openEmbed(forged)).statusCode).toBe(403);

    const expired = signToken(
      t.runtime.secrets,
      'embed:responses',
      { kind: 'responses', dir: altered.dir, field: 'sfAccountId', value: '001B', uid: null },
      new Date(Date.now() - 1000),
    );
    const gone = await openEmbed(expired);
    expect(gone.statusCode).toBe(410);
    expect(gone.json().error.message).toMatch(/expired/);

    // An account manager's widget of an account outside their team shows nothing.
    const mine = await api(
      'POST',
      '/embeds/responses',
      { directory: 'Main', record: { field: 'sfContactId', value: '003C' } },
      csm,
    );
    expect((await openEmbed(mine.json().token)).json().responses).toBe(0);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/embeds/responses',
          payload: { directory: 'Main' },
        })
      ).statusCode,
    ).toBe(401);
  });

  it('lets only the configured CRM origins frame the widget page', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/embed/responses/abc' });
    expect(page.headers['content-security-policy']).toContain(
      'frame-ancestors https://*.lightning.force.com',
    );
    expect(page.headers['x-frame-options']).toBeUndefined();
    const other = await t.app.inject({ method: 'GET', url: '/surveys' });
    expect(other.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(other.headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});

describe('an account’s feedback timeline', () => {
  it('lists its responses across surveys, with its child accounts on request, within the viewer’s scope', async () => {
    const [holdings] = await t.runtime.db.query<{ id: number }>(
      `SELECT id FROM accounts WHERE external_ref = '001A'`,
    );
    const [getCloudy] = await t.runtime.db.query<{ id: number }>(
      `SELECT id FROM accounts WHERE external_ref = '001B'`,
    );
    const own = (await api('GET', `/accounts/${getCloudy!.id}/responses`)).json();
    expect(own.items.map((r: { contactName: string }) => r.contactName).sort()).toEqual([
      'Alan Johnson',
      'Leung Chan',
    ]);
    expect(own.items.find((r: { contactName: string }) => r.contactName === 'Leung Chan').comments).toEqual([
      { question: 'Why?', text: 'Too expensive' },
    ]);
    const subtree = (await api('GET', `/accounts/${holdings!.id}/responses?scope=subtree&limit=2`)).json();
    expect(subtree.items).toHaveLength(2);
    expect(subtree.nextCursor).not.toBeNull();
    expect((await api('GET', `/accounts/${holdings!.id}/responses`, undefined, csm)).statusCode).toBe(404);
  });
});
