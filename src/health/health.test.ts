import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, importFiles } from '../../test/harness/import-helpers.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import { recomputeDirectory } from './compute.ts';
import { refreshFromEvents } from './health.jobs.ts';

let t: TestApp;
let cx: { authorization: string };
let csm: { authorization: string };
let directoryId: number;
let surveyId: number;
const account: Record<string, number> = {};
const contact: Record<string, number> = {};

const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers = cx) =>
  t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: headers.authorization },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

/** A complete NPS answer, `daysAgo` days ago, stored as the respondent path stores it. */
async function answer(contactRef: string | null, accountRef: string, score: number, daysAgo: number) {
  const category = score <= 6 ? 'detractor' : score <= 8 ? 'passive' : 'promoter';
  await t.runtime.db.query(
    `INSERT INTO responses (survey_id, version, resume_token, contact_id, account_id, status, answers,
       nps_score, nps_category, started_at, completed_at)
     VALUES ($1, 1, $2, $3, $4, 'complete', $5::jsonb, $6, $7, now() - make_interval(days => $8),
       now() - make_interval(days => $8))`,
    [
      surveyId,
      randomBytes(12).toString('hex'),
      contactRef ? contact[contactRef] : null,
      account[accountRef],
      JSON.stringify({ nps: score }),
      score,
      category,
      daysAgo,
    ],
  );
}

const health = async (ref: string, headers = cx) => {
  const r = await api('GET', `/accounts/${account[ref]}/health`, undefined, headers);
  return { status: r.statusCode, body: r.json() };
};

beforeAll(async () => {
  t = await createTestApp();
  cx = await t.bearerFor('cx_manager');
  csm = await t.bearerFor('account_manager', 'csm@cloudkicks.example');
  expect((await api('POST', '/directories', { name: 'Main' })).statusCode).toBe(201);
  const { run } = await importFiles(t.runtime.db, t.runtime.secrets, 'Main', {
    accounts: fixture('Account.csv'),
    contacts: fixture('Contact.csv'),
    teamMembers: fixture('AccountTeamMember.csv'),
  });
  expect(run.status).toBe('succeeded');
  for (const row of await t.runtime.db.query<{ id: number; external_ref: string; directory_id: number }>(
    'SELECT id, external_ref, directory_id FROM accounts',
  )) {
    account[row.external_ref] = Number(row.id);
    directoryId = Number(row.directory_id);
  }
  for (const row of await t.runtime.db.query<{ id: number; external_ref: string }>(
    'SELECT id, external_ref FROM contacts',
  ))
    contact[row.external_ref] = Number(row.id);
  const survey = await api('POST', '/directories/Main/surveys', {
    name: 'Relationship NPS',
    definition: { elements: [{ type: 'rating', name: 'nps', rateMin: 0, rateMax: 10 }] },
    metrics: { npsQuestion: 'nps' },
  });
  surveyId = survey.json().id;
  await api('POST', `/surveys/${surveyId}/activate`);
  // Get Cloudy (001B, child of 001A): Alan, a decision maker, is a detractor since 12 days; Leung
  // (influencer) a promoter; Alan's older answer (a promoter, 200 days ago) is not his latest.
  await answer('003A', '001B', 9, 200);
  await answer('003A', '001B', 3, 12);
  await answer('003B', '001B', 10, 40);
  // Cloud Kicks Holdings (001A): Zoë, executive sponsor, a passive a year and a half ago only.
  await answer('003C', '001A', 8, 500);
  // 東京 Trading (001I, child of 001A): two anonymous promoters.
  await answer(null, '001I', 10, 5);
  await answer(null, '001I', 9, 6);
  await t.runtime.db.query(
    `UPDATE accounts SET attributes = attributes || '{"RenewalDate":"${new Date(Date.now() + 30 * 86_400_000)
      .toISOString()
      .slice(0, 10)}"}'::jsonb WHERE id = $1`,
    [account['001B']],
  );
  await recomputeDirectory(t.runtime.db, directoryId);
});
afterAll(() => t.close());

describe('account health', () => {
  it('computes an account’s own metrics, role-weighted NPS, coverage, health and risk with reasons', async () => {
    const { body } = await health('001B');
    const own = body.own;
    // Latest answers: Alan 3 (detractor, weight 3), Leung 10 (promoter, weight 2).
    expect(own).toMatchObject({
      npsAnswers: 2,
      promoters: 1,
      detractors: 1,
      nps: 0,
      weightedNps: -20,
      responses: 3, // Alan's earlier answer counts as a response, not in the NPS
    });
    // Key roles present: decision maker (Alan) and influencer (Leung), both heard from.
    expect(own.coverage).toBe(1);
    expect(own.silentRoles).toEqual([]);
    expect(own.risk).toBe('high');
    const codes = own.reasons.map((r: { code: string }) => r.code);
    expect(codes).toContain('detractor_key_role');
    expect(own.reasons.find((r: { code: string }) => r.code === 'detractor_key_role')).toMatchObject({
      role: 'DECISION_MAKER',
      contact: 'Alan Johnson',
      score: 3,
      days: 12,
    });
    expect(own.renewalDate).not.toBeNull();
    expect(own.components.nps).toBe(40);
    expect(own.health).toBeGreaterThan(0);
    expect(body.contactsByRole.find((c: { name: string }) => c.name === 'Alan Johnson')).toMatchObject({
      role: 'DECISION_MAKER',
      npsScore: 3,
      npsCategory: 'detractor',
    });
  });

  it('rolls metrics up through the hierarchy, and says when there is too little signal', async () => {
    const { body } = await health('001A');
    // 001A alone: Zoë's answer is outside the 365-day window: insufficient signal, executive sponsor silent.
    expect(body.own).toMatchObject({ npsAnswers: 0, band: 'insufficient', risk: 'unknown' });
    expect(body.own.silentRoles).toEqual(['EXECUTIVE_SPONSOR']);
    // With its descendants (001B, 001C under it, 001I): Alan 3, Leung 10, two anonymous 10 and 9.
    expect(body.subtree).toMatchObject({ npsAnswers: 4, promoters: 3, detractors: 1, nps: 50 });
    expect(body.subtree.risk).toBe('high');
    expect(body.children.map((c: { name: string }) => c.name).sort()).toEqual([
      'Get Cloudy Consulting, Inc.',
      '東京 Trading KK',
    ]);
  });

  it('ranks accounts by risk, filters them, and keeps account managers to their team’s accounts', async () => {
    const list = (await api('GET', '/directories/Main/account-health?scope=own')).json().items;
    expect(list[0].name).toBe('Get Cloudy Consulting, Inc.');
    expect(list[0].owner).toBe('owner.one@cloudkicks.example');
    const high = (await api('GET', '/directories/Main/account-health?risk=high')).json().items;
    expect(high.map((a: { name: string }) => a.name)).toEqual(['Get Cloudy Consulting, Inc.']);
    const roots = (await api('GET', '/directories/Main/account-health?level=0&scope=subtree')).json().items;
    expect(roots.map((a: { name: string }) => a.name)).toContain('Cloud Kicks Holdings');
    expect(roots.map((a: { name: string }) => a.name)).not.toContain('Get Cloudy Consulting, Inc.');
    const mine = (await api('GET', '/directories/Main/account-health', undefined, csm)).json().items;
    // csm@ is on 001B's team: 001B and its descendants (001C) only.
    expect(mine.map((a: { name: string }) => a.name).sort()).toEqual([
      'Get Cloudy Consulting, Inc.',
      'Get Cloudy – Reno',
    ]);
    expect((await health('001A', csm)).status).toBe(404);
    const where = (await api('GET', '/directories/Main/interventions')).json();
    expect(where.detractorDecisionMakers.map((a: { name: string }) => a.name)).toEqual([
      'Get Cloudy Consulting, Inc.',
    ]);
    expect(where.renewalsAtRisk.map((a: { name: string }) => a.name)).toEqual([
      'Get Cloudy Consulting, Inc.',
    ]);
    expect(where.silentKeyRoles.map((a: { name: string }) => a.name)).toContain('Cloud Kicks Holdings');
  });

  it('reflects a new response in its account and its ancestors within seconds', async () => {
    const link = await api('POST', `/surveys/${surveyId}/links`, { contactId: contact['003C'] });
    const saved = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/public/links/${link.json().token}/response`,
      payload: { answers: { nps: 2 }, complete: true },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const started = Date.now();
    let refreshed = 0;
    while (refreshed === 0 && Date.now() - started < 5000) {
      await new Promise((r) => setTimeout(r, 250));
      refreshed = await refreshFromEvents(t.runtime.db);
    }
    expect(refreshed).toBeGreaterThan(0);
    const { body } = await health('001A');
    expect(body.own).toMatchObject({ npsAnswers: 1, detractors: 1, risk: 'high' });
    expect(body.subtree.detractors).toBe(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('keeps a configurable model, and fits churn on accounts with an outcome', async () => {
    const model = (await api('GET', '/directories/Main/health-model')).json();
    expect(model.weights.nps).toBe(40);
    const bad = await api('PUT', '/directories/Main/health-model', { ...model, windowDays: 2 });
    expect(bad.statusCode).toBe(400);
    const saved = await api('PUT', '/directories/Main/health-model', {
      ...model,
      weights: { ...model.weights, trend: 0 },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const fit = (await api('GET', '/directories/Main/health-model/fit')).json();
    expect(fit).toMatchObject({ fitted: false });
  });
});

describe('the command center’s summary and tree', () => {
  it('sums the list’s accounts by risk and band, and gives each node of a tree its health', async () => {
    await recomputeDirectory(t.runtime.db, directoryId);
    const summaryResponse = await api('GET', '/directories/Main/account-health/summary');
    expect(summaryResponse.statusCode, summaryResponse.body).toBe(200);
    const summary = summaryResponse.json();
    const list = (await api('GET', '/directories/Main/account-health?limit=200')).json().items;
    expect(summary.accounts).toBe(list.length);
    expect(Object.values(summary.byRisk as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(
      list.length,
    );
    expect(summary.byRisk.high).toBe(list.filter((a: { risk: string }) => a.risk === 'high').length);
    expect(summary.renewalsSoon).toBe(1);
    const mine = (await api('GET', '/directories/Main/account-health/summary', undefined, csm)).json();
    expect(mine.accounts).toBe(2);
    const tree = (await api('GET', `/accounts/${account['001A']}/health-tree?depth=2`)).json().items;
    expect(tree.map((n: { name: string; depth: number }) => [n.depth, n.name])).toEqual(
      expect.arrayContaining([
        [0, 'Cloud Kicks Holdings'],
        [1, 'Get Cloudy Consulting, Inc.'],
        [2, 'Get Cloudy – Reno'],
      ]),
    );
    expect((await api('GET', `/accounts/${account['001A']}/health-tree`, undefined, csm)).statusCode).toBe(
      404,
    );
    // An account manager does not learn the names of accounts above theirs.
    const reno = (await api('GET', `/accounts/${account['001C']}`, undefined, csm)).json();
    expect(reno.ancestors.map((a: { displayName: string }) => a.displayName)).toEqual([
      'Get Cloudy Consulting, Inc.',
    ]);
  });
});

describe('tickets in account health', () => {
  it('counts an account’s open tickets, lowers its health and says why', async () => {
    const before = (await health('001I')).body.own;
    const created = await api('POST', '/directories/Main/tickets', {
      title: 'Follow up the last survey',
      accountId: account['001I'],
      priority: 'high',
    });
    expect(created.statusCode, created.body).toBe(201);
    const started = Date.now();
    while (Date.now() - started < 5000 && (await refreshFromEvents(t.runtime.db)) === 0)
      await new Promise((r) => setTimeout(r, 250));
    const open = (await health('001I')).body.own;
    expect(open.openTickets).toBe(1);
    expect(open.components.tickets).toBe(80);
    expect(open.reasons.map((r: { code: string }) => r.code)).toContain('open_tickets');
    expect(before.components.tickets).toBeUndefined(); // no ticket in the directory yet: not a signal
    const resolved = await api('POST', `/tickets/${created.json().id}/transition`, { status: 'resolved' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    const again = Date.now();
    while (Date.now() - again < 5000 && (await refreshFromEvents(t.runtime.db)) === 0)
      await new Promise((r) => setTimeout(r, 250));
    const closed = (await health('001I')).body.own;
    expect(closed.openTickets).toBe(0);
    expect(closed.components.tickets).toBe(100);
    expect(closed.health).toBeGreaterThan(open.health);
  });
});
