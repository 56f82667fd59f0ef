import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../users/roles.ts';
import { csvCell, widgetCsv } from './csv.ts';
import { type DashboardFilters, type Widget, ZDashboardFilters, ZWidget } from './model.ts';
import { api, type Fixture, makeFixture, RESPONSES } from './testing.ts';
import { type WidgetData, widgetData } from './widget-data.ts';

let f: Fixture;
const admin: Actor = { kind: 'system', label: 'test' };
let csm: Actor;

beforeAll(async () => {
  f = await makeFixture();
  csm = {
    kind: 'user',
    userId: f.csm.userId,
    email: 'csm@cloudkicks.example',
    name: '',
    role: 'account_manager',
    via: 'token',
  };
}, 120_000);
afterAll(() => f?.t.close());

const widget = (raw: Record<string, unknown>): Widget => ZWidget.parse({ id: 'w', ...raw });
const filters = (raw: Record<string, unknown> = {}): DashboardFilters =>
  ZDashboardFilters.parse({ date: { type: 'preset', preset: 'last_90_days' }, ...raw });

async function data<T extends WidgetData['type']>(
  raw: Record<string, unknown>,
  filter: Record<string, unknown> = {},
  actor: Actor = admin,
): Promise<Extract<WidgetData, { type: T }>> {
  return (await widgetData(
    f.t.runtime.db.orm,
    { actor, directoryId: f.directoryId, filters: filters(filter) },
    widget(raw),
  )) as Extract<WidgetData, { type: T }>;
}

const kpi = (metric: string, filter: Record<string, unknown> = {}, actor: Actor = admin) =>
  data<'kpi'>({ type: 'kpi', settings: { metric } }, filter, actor);
const count = async (filter: Record<string, unknown> = {}, actor: Actor = admin) =>
  (await kpi('responses', filter, actor)).value;
const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

describe('widget data', () => {
  it('KPIs: NPS, CSAT, responses, response rate with the previous period’s value and delta', async () => {
    // Last 90 days: r1 3, r2 10, r3 8, r4 9, r5 6, r7 2, r8 10 → 3 promoters, 1 passive, 3 detractors.
    // The 90 days before: r6 9 (a promoter).
    expect(await kpi('nps')).toMatchObject({
      unit: 'score',
      value: 0,
      n: 7,
      previous: 100,
      delta: -100,
    });
    // CSAT (top two boxes of 1–5): r1 2, r2 5, r3 4, r4 5, r8 5 → 4 of 5; before: r6 4.
    expect(await kpi('csat')).toMatchObject({ unit: 'percent', value: 80, n: 5, previous: 100, delta: -20 });
    expect(await kpi('responses')).toMatchObject({ value: 7, previous: 1, delta: 6 });
    // Invitations: 4 sent in the period, 3 answered (Ana did not); before: 1 of 1.
    expect(await kpi('response_rate')).toMatchObject({ value: 75, n: 4, previous: 100, delta: -25 });
    // No comparison asked: no previous value.
    expect(await data<'kpi'>({ type: 'kpi', settings: { metric: 'nps', compare: false } })).toMatchObject({
      previous: null,
      delta: null,
      previousPeriod: null,
    });
    // All time has no period before it.
    expect(await kpi('nps', { date: { type: 'preset', preset: 'all_time' } })).toMatchObject({
      n: 9,
      previous: null,
    });
  });

  it('KPIs of account health and risk read the accounts’ current health', async () => {
    const [expected] = await f.t.runtime.db.query<{ avg: number; scored: number; high: number }>(
      `SELECT avg(health)::float8 AS avg, count(health)::int AS scored, count(*) FILTER (WHERE risk = 'high')::int AS high
       FROM account_health WHERE scope = 'own' AND directory_id = $1`,
      [f.directoryId],
    );
    const health = await kpi('avg_health');
    expect(health.value).toBe(Math.round(expected!.avg * 10) / 10);
    expect(health.n).toBe(expected!.scored);
    expect((await kpi('high_risk_accounts')).value).toBe(expected!.high);
    expect(expected!.high).toBeGreaterThan(0);
    // Within 001B's subtree (001B, 001C) only.
    const [mine] = await f.t.runtime.db.query<{ high: number }>(
      `SELECT count(*) FILTER (WHERE risk = 'high')::int AS high FROM account_health
       WHERE scope = 'own' AND account_id IN ($1, $2)`,
      [f.account['001B'], f.account['001C']],
    );
    expect((await kpi('high_risk_accounts', { accountId: f.account['001B'] })).value).toBe(mine!.high);
  });

  it('trend: NPS and responses per month, every bucket of the period, equal to the responses grouped by hand', async () => {
    const trend = await data<'trend'>(
      { type: 'trend', settings: { metric: 'nps', interval: 'month' } },
      { date: { type: 'preset', preset: 'last_365_days' } },
    );
    expect(trend.points.length).toBeGreaterThanOrEqual(12);
    expect(trend.points.length).toBeLessThanOrEqual(13);
    // Brute force: the responses of the last 365 days, bucketed by their month.
    const expected = new Map<string, { p: number; d: number; n: number }>();
    for (const [, , , , nps, , , , days] of RESPONSES) {
      if (days >= 364) continue;
      const at = new Date(Date.now() - days * 86_400_000);
      const key = `${at.toISOString().slice(0, 7)}-01`;
      const e = expected.get(key) ?? { p: 0, d: 0, n: 0 };
      e.n++;
      if (nps >= 9) e.p++;
      if (nps <= 6) e.d++;
      expected.set(key, e);
    }
    for (const point of trend.points) {
      const e = expected.get(point.bucket);
      expect(point.n).toBe(e?.n ?? 0);
      expect(point.value).toBe(e ? Math.round(((e.p - e.d) / e.n) * 1000) / 10 : null);
    }
    const weekly = await data<'trend'>({
      type: 'trend',
      settings: { metric: 'responses', interval: 'week' },
    });
    expect(weekly.points.reduce((s, p) => s + p.n, 0)).toBe(7);
    expect(weekly.points.every((p) => p.value === p.n)).toBe(true);
    // Weeks start on Monday.
    expect(weekly.points.every((p) => new Date(`${p.bucket}T00:00:00Z`).getUTCDay() === 1)).toBe(true);
  });

  it('bar by client role, by survey, by account attribute and by a choice question’s options', async () => {
    const byRole = await data<'bar'>({ type: 'bar', settings: { metric: 'nps', by: 'role' } });
    expect(byRole.bars).toEqual([
      { key: 'DECISION_MAKER', label: 'DECISION_MAKER', value: 0, n: 2 }, // r1 3, r4 9
      { key: 'INFLUENCER', label: 'INFLUENCER', value: 0, n: 2 }, // r2 10, r7 2
      { key: 'PROGRAM_MANAGER', label: 'PROGRAM_MANAGER', value: -100, n: 1 }, // r5 6
      { key: 'EXECUTIVE_SPONSOR', label: 'EXECUTIVE_SPONSOR', value: 0, n: 1 }, // r3 8
    ]);
    const bySurvey = await data<'bar'>({ type: 'bar', settings: { metric: 'nps', by: 'survey' } });
    expect(bySurvey.bars).toEqual([
      { key: String(f.surveyA), label: 'Relationship NPS', value: 16.7, n: 6 },
      { key: String(f.surveyB), label: 'Onboarding', value: -100, n: 1 },
    ]);
    const byTier = await data<'bar'>({
      type: 'bar',
      settings: { metric: 'responses', by: 'attribute', attribute: 'tier__c' },
    });
    expect(Object.fromEntries(byTier.bars.map((b) => [b.key, b.value]))).toEqual({ A: 2, B: 3, C: 1, '': 1 });
    const byReason = await data<'bar'>({
      type: 'bar',
      settings: { metric: 'nps', by: 'question', surveyId: f.surveyA, question: 'reasons' },
    });
    expect(byReason.bars).toEqual([
      { key: 'price', label: 'Price', value: -100, n: 2 }, // r1 3, r5 6
      { key: 'support', label: 'Support', value: 0, n: 2 }, // r1 3, r4 9
      { key: 'product', label: 'Product', value: 100, n: 2 }, // r2 10, r4 9
      { key: 'people', label: 'People', value: null, n: 0 },
    ]);
    const counted = await data<'bar'>({
      type: 'bar',
      settings: { metric: 'responses', by: 'question', surveyId: f.surveyA, question: 'reasons', limit: 2 },
    });
    expect(counted.bars.map((b) => [b.key, b.value])).toEqual([
      ['price', 2],
      ['support', 2],
    ]);
    // A text question cannot be charted by option; a survey of no directory of ours is not found.
    await expect(
      data({ type: 'bar', settings: { by: 'question', surveyId: f.surveyA, question: 'comment' } }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      data({ type: 'bar', settings: { by: 'question', surveyId: 999_999, question: 'x' } }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('NPS distribution: 11 bins coloured by category', async () => {
    const dist = await data<'nps_distribution'>({ type: 'nps_distribution' });
    expect(dist.bins.map((b) => b.count)).toEqual([0, 0, 1, 1, 0, 0, 1, 0, 1, 1, 2]);
    expect(dist.bins.slice(0, 7).every((b) => b.category === 'detractor')).toBe(true);
    expect(dist.bins.slice(7).map((b) => b.category)).toEqual(['passive', 'passive', 'promoter', 'promoter']);
    expect(dist).toMatchObject({ n: 7, nps: 0, promoters: 3, passives: 1, detractors: 3 });
  });

  it('tables: accounts by risk with their NPS and last feedback, and the latest responses', async () => {
    const accounts = await data<'table'>({ type: 'table', settings: { source: 'accounts', sort: 'risk' } });
    expect(accounts.total).toBe(7);
    const [first, second] = accounts.accounts!;
    expect([first!.risk, second!.risk]).toEqual(['high', 'high']);
    const cloudy = accounts.accounts!.find((a) => a.externalRef === '001B')!;
    // r1 3, r2 10, r7 2 → 1 promoter, 2 detractors.
    expect(cloudy).toMatchObject({ name: 'Get Cloudy Consulting, Inc.', nps: -33.3, responses: 3 });
    expect(new Date(cloudy.lastFeedbackAt!).getTime()).toBeGreaterThan(Date.now() - 11 * 86_400_000);
    const withFeedback = await data<'table'>({
      type: 'table',
      settings: { source: 'accounts', sort: 'nps', onlyWithResponses: true },
    });
    expect(withFeedback.accounts!.map((a) => a.externalRef)).toEqual(['001C', '001B', '001A', '001I']);
    const latest = await data<'table'>({ type: 'table', settings: { source: 'responses', limit: 3 } });
    expect(latest.total).toBe(7);
    expect(latest.responses!.map((r) => r.npsScore)).toEqual([10, 9, 3]); // r8, r4, r1
    expect(latest.responses![2]).toMatchObject({
      contact: 'Alan Johnson',
      role: 'DECISION_MAKER',
      account: 'Get Cloudy Consulting, Inc.',
      comment: 'Too slow, "really"\nfix it',
      csatScore: 25,
    });
  });

  it('heat map: accounts × client roles, NPS or the latest score of each cell', async () => {
    const map = await data<'heatmap'>({ type: 'heatmap', settings: {} });
    expect(map.roles).toEqual(['DECISION_MAKER', 'INFLUENCER', 'PROGRAM_MANAGER', 'EXECUTIVE_SPONSOR']);
    expect(map.accounts[0]).toMatchObject({ name: 'Get Cloudy Consulting, Inc.', n: 3 });
    const cell = (m: typeof map, ref: string, role: string) =>
      m.cells.find((c) => c.accountId === f.account[ref] && c.role === role);
    expect(cell(map, '001B', 'INFLUENCER')).toEqual({
      accountId: f.account['001B'],
      role: 'INFLUENCER',
      value: 0, // r2 10, r7 2
      n: 2,
    });
    expect(cell(map, '001I', 'DECISION_MAKER')?.value).toBe(100);
    const latest = await data<'heatmap'>({
      type: 'heatmap',
      settings: { metric: 'latest_score', roles: ['INFLUENCER', 'END_USER'] },
    });
    // Chosen roles stay as columns, even empty ones.
    expect(latest.roles).toEqual(['INFLUENCER', 'END_USER']);
    expect(cell(latest, '001B', 'INFLUENCER')?.value).toBe(10); // r2 (20 days) is more recent than r7 (30)
    const allTime = await data<'heatmap'>(
      { type: 'heatmap', settings: { metric: 'latest_score', accounts: 1 } },
      { date: { type: 'preset', preset: 'all_time' } },
    );
    expect(allTime.accounts.map((a) => a.name)).toEqual(['Get Cloudy Consulting, Inc.']);
    expect(cell(allTime, '001B', 'DECISION_MAKER')?.value).toBe(3); // Alan: r1 (10 days), not r6
  });
});

describe('filters', () => {
  it('date: presets and an absolute range (both days included)', async () => {
    // The last 30 days are today and the 29 before: r7 (30 days ago) is out.
    expect(await count({ date: { type: 'preset', preset: 'last_30_days' } })).toBe(5); // r1 r2 r4 r5 r8
    expect(await count({ date: { type: 'preset', preset: 'last_365_days' } })).toBe(8);
    expect(await count({ date: { type: 'preset', preset: 'all_time' } })).toBe(9);
    expect(await count({ date: { type: 'range', from: day(45), to: day(25) } })).toBe(2); // r3 r7
    expect(await count({ date: { type: 'range', from: day(10), to: day(10) } })).toBe(1); // r1
  });

  it('surveys, account subtree, client roles and account attribute', async () => {
    expect(await count({ surveyIds: [f.surveyB] })).toBe(1);
    expect(await count({ surveyIds: [f.surveyA, f.surveyB] })).toBe(7);
    // 001B with its child 001C: r1 r2 r5 r7; alone: r1 r2 r7; 001A's subtree: all but the anonymous r8.
    expect(await count({ accountId: f.account['001B'] })).toBe(4);
    expect(await count({ accountId: f.account['001B'], subtree: false })).toBe(3);
    expect(await count({ accountId: f.account['001A'] })).toBe(6);
    expect(await count({ roles: ['DECISION_MAKER'] })).toBe(2); // r1 r4
    expect(await count({ roles: ['DECISION_MAKER', 'INFLUENCER'] })).toBe(4);
    expect(await count({ attribute: { name: 'TIER__C', value: 'A' } })).toBe(2); // r3 r4
    expect(await count({ attribute: { name: 'Tier__c', value: 'Z' } })).toBe(0);
    // Combined: decision makers of 001A's subtree in the last 30 days.
    expect(
      await count({
        accountId: f.account['001A'],
        roles: ['DECISION_MAKER'],
        date: { type: 'preset', preset: 'last_30_days' },
      }),
    ).toBe(2);
    // The role filter narrows the by-role bars and the heat map's columns.
    const bars = await data<'bar'>({ type: 'bar', settings: { by: 'role' } }, { roles: ['INFLUENCER'] });
    expect(bars.bars.map((b) => b.key)).toEqual(['INFLUENCER']);
    const map = await data<'heatmap'>({ type: 'heatmap', settings: {} }, { roles: ['INFLUENCER'] });
    expect(map.roles).toEqual(['INFLUENCER']);
    // Account figures take the account conditions: accounts of tier C only.
    const accounts = await data<'table'>(
      { type: 'table', settings: { source: 'accounts' } },
      { attribute: { name: 'tier__c', value: 'C' } },
    );
    expect(accounts.accounts!.map((a) => a.externalRef).sort()).toEqual(['001C', '001E', '001F', '001G']);
  });

  it('segment: an account segment’s accounts, a contact segment’s contacts (src/segments)', async () => {
    const make = async (entity: string, rules: unknown) => {
      const made = await api(f.t, f.cx).call('POST', '/directories/Main/segments', {
        name: `${entity} ${Math.random()}`,
        entity,
        rules,
      });
      expect(made.statusCode, made.body).toBe(201);
      return made.json().id as number;
    };
    const accounts = await make('account', {
      type: 'field',
      field: 'externalRef',
      op: 'in',
      value: ['001A', '001I'],
    });
    expect(await count({ segmentId: accounts })).toBe(2); // r3 r4
    const table = await data<'table'>(
      { type: 'table', settings: { source: 'accounts' } },
      { segmentId: accounts },
    );
    expect(table.accounts!.map((a) => a.externalRef).sort()).toEqual(['001A', '001I']);
    const leung = await make('contact', { type: 'field', field: 'externalRef', op: 'eq', value: '003B' });
    expect(await count({ segmentId: leung })).toBe(2); // r2 r7
    const hisAccounts = await data<'table'>(
      { type: 'table', settings: { source: 'accounts' } },
      { segmentId: leung },
    );
    expect(hisAccounts.accounts!.map((a) => a.externalRef)).toEqual(['001B']);
    // Still within what the viewer may see.
    expect(await count({ segmentId: accounts }, csm)).toBe(0);
    await expect(count({ segmentId: 999_999 })).rejects.toMatchObject({ status: 404 });
  });

  it('an account manager sees their team’s accounts only, whatever the filters say', async () => {
    // csm@ is on 001B's team: 001B and its child 001C (r1 r2 r5 r7); never the anonymous r8.
    expect(await count({}, csm)).toBe(4);
    expect(await count({ accountId: f.account['001A'] }, csm)).toBe(4);
    expect(await count({ accountId: f.account['001I'] }, csm)).toBe(0);
    const accounts = await data<'table'>({ type: 'table', settings: { source: 'accounts' } }, {}, csm);
    expect(accounts.accounts!.map((a) => a.externalRef).sort()).toEqual(['001B', '001C']);
    const map = await data<'heatmap'>({ type: 'heatmap', settings: {} }, {}, csm);
    expect(map.accounts.map((a) => a.name).sort()).toEqual([
      'Get Cloudy Consulting, Inc.',
      'Get Cloudy – Reno',
    ]);
    const latest = await data<'table'>({ type: 'table', settings: { source: 'responses' } }, {}, csm);
    expect(
      latest.responses!.every((r) => ['001B', '001C'].some((ref) => f.account[ref] === r.accountId)),
    ).toBe(true);
    // Invitations and health too.
    expect((await kpi('response_rate', {}, csm)).n).toBe(3); // Alan, Leung, Ana
    expect((await kpi('high_risk_accounts', {}, csm)).n).toBe(2);
  });
});

describe('CSV', () => {
  it('quotes, neutralises formulas, keeps numbers, starts with a BOM', async () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell(-33.3)).toBe('-33.3');
    expect(csvCell(null)).toBe('');
    const latest = await data<'table'>({ type: 'table', settings: { source: 'responses' } });
    const text = widgetCsv(latest);
    expect(text.startsWith('\uFEFFresponse_id,completed_at,survey,account,contact,role,nps_score')).toBe(
      true,
    );
    expect(text).toContain('"Too slow, ""really""\nfix it"');
    expect(text).toContain(`"'=HYPERLINK(""x"")"`);
    expect(text.endsWith('\r\n')).toBe(true);
    const accounts = widgetCsv(await data<'table'>({ type: 'table', settings: { source: 'accounts' } }));
    expect(accounts).toContain('"Get Cloudy Consulting, Inc.",001B,');
    expect(accounts).toContain(',-33.3,3,');
    const map = widgetCsv(await data<'heatmap'>({ type: 'heatmap', settings: { roles: ['INFLUENCER'] } }));
    expect(map.split('\r\n')[0]).toBe('\uFEFFaccount_id,account,INFLUENCER,INFLUENCER_n');
  });
});
