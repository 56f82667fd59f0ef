import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../platform/secrets/signed-token.ts';
import { api, type Fixture, makeFixture } from './testing.ts';

let f: Fixture;
let cx: ReturnType<typeof api>['call'];
let csm: ReturnType<typeof api>['call'];
let viewer: ReturnType<typeof api>['call'];
let overview: { id: number; version: number; pages: { id: string; widgets: { id: string }[] }[] };

const publicGet = (url: string) => f.t.app.inject({ method: 'GET', url: `/api/v1${url}` });

beforeAll(async () => {
  f = await makeFixture();
  cx = api(f.t, f.cx).call;
  csm = api(f.t, f.csm).call;
  viewer = api(f.t, f.viewer).call;
}, 120_000);
afterAll(() => f?.t.close());

const responsesOf = (widgets: { widgetId: string; data: { type: string; value?: number } | null }[]) =>
  widgets.find((w) => w.widgetId === 'kpi-responses')?.data?.value;

describe('dashboards', () => {
  it('creates the default "Account experience overview" on demand', async () => {
    const made = await cx('POST', '/directories/Main/dashboards/from-template', {});
    expect(made.statusCode, made.body).toBe(201);
    overview = made.json();
    expect(made.json()).toMatchObject({
      name: 'Account experience overview',
      visibility: 'shared',
      template: 'overview',
      version: 1,
      filters: { date: { type: 'preset', preset: 'last_365_days' }, accountId: null, roles: [] },
    });
    expect(overview.pages.map((p) => p.id)).toEqual(['overview', 'accounts']);
    expect(overview.pages[0]!.widgets.map((w) => w.id)).toContain('kpi-nps');
    const list = (await viewer('GET', '/directories/Main/dashboards')).json();
    expect(list.items).toEqual([
      expect.objectContaining({
        id: overview.id,
        name: 'Account experience overview',
        pages: 2,
        widgets: 13,
      }),
    ]);
  });

  it('computes a page’s widgets at once, under the saved filters or the viewer’s', async () => {
    const page = await cx('POST', `/dashboards/${overview.id}/pages/overview/data`, {});
    expect(page.statusCode, page.body).toBe(200);
    const widgets = page.json().widgets;
    expect(widgets).toHaveLength(10);
    expect(widgets.every((w: { error: unknown }) => w.error === null)).toBe(true);
    expect(responsesOf(widgets)).toBe(8); // the last 365 days
    const narrowed = await cx('POST', `/dashboards/${overview.id}/pages/overview/data`, {
      filters: { date: { type: 'preset', preset: 'last_30_days' }, roles: ['DECISION_MAKER'] },
    });
    expect(responsesOf(narrowed.json().widgets)).toBe(2);
    const one = await cx('POST', `/dashboards/${overview.id}/widgets/nps-by-role/data`, {});
    expect(one.json()).toMatchObject({ type: 'bar', by: 'role' });
    expect((await cx('POST', `/dashboards/${overview.id}/widgets/nope/data`, {})).statusCode).toBe(404);
    expect((await cx('POST', `/dashboards/${overview.id}/pages/nope/data`, {})).statusCode).toBe(404);
    // An account manager reads the same shared dashboard with their accounts’ data only.
    expect(
      responsesOf((await csm('POST', `/dashboards/${overview.id}/pages/overview/data`, {})).json().widgets),
    ).toBe(
      5, // 001B and 001C in the last 365 days: r1 r2 r5 r6 r7
    );
  });

  it('exports a widget’s data as CSV, under the filters given in the query', async () => {
    const filters = encodeURIComponent(JSON.stringify({ date: { type: 'preset', preset: 'all_time' } }));
    const csv = await cx(
      'GET',
      `/dashboards/${overview.id}/widgets/latest-responses/data.csv?filters=${filters}`,
    );
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(
      /^attachment; filename="account-experience-overview-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(csv.body.startsWith('\uFEFFresponse_id,')).toBe(true);
    expect(csv.body.trim().split('\r\n')).toHaveLength(1 + 9);
    const bad = await cx('GET', `/dashboards/${overview.id}/widgets/latest-responses/data.csv?filters=nope`);
    expect(bad.statusCode).toBe(400);
  });

  it('saves changes with their version, checks every widget’s settings, refuses a stale save', async () => {
    const current = (await cx('GET', `/dashboards/${overview.id}`)).json();
    const pages = structuredClone(current.pages);
    pages[0].widgets.push({
      id: 'reasons',
      type: 'bar',
      title: 'Why',
      w: 6,
      h: 3,
      settings: { metric: 'responses', by: 'question', surveyId: f.surveyA, question: 'reasons' },
    });
    const saved = await cx('PUT', `/dashboards/${overview.id}`, {
      ...current,
      pages,
      version: current.version,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().version).toBe(current.version + 1);
    const stale = await cx('PUT', `/dashboards/${overview.id}`, { ...current, version: current.version });
    expect(stale.statusCode).toBe(409);
    // A bar by question needs its survey and question; widget ids are unique in a dashboard.
    const invalid = structuredClone(pages);
    invalid[0].widgets.push({ id: 'q2', type: 'bar', settings: { by: 'question' } });
    invalid[1].widgets.push({ ...invalid[0].widgets[0] });
    const refused = await cx('PUT', `/dashboards/${overview.id}`, { ...current, pages: invalid });
    expect(refused.statusCode).toBe(400);
    const paths = refused
      .json()
      .error.details.map((d: { path: string }) => d.path)
      .join(' ');
    expect(paths).toContain('surveyId');
    expect(paths).toContain('id');
    const kpiWidget = await cx('POST', `/dashboards/${overview.id}/widgets/reasons/data`, {});
    expect(kpiWidget.json().bars.map((b: { label: string }) => b.label)).toEqual([
      'Price',
      'Support',
      'Product',
      'People',
    ]);
  });

  it('lets a viewer read but not change; keeps a personal dashboard to its owner', async () => {
    expect((await viewer('GET', `/dashboards/${overview.id}`)).statusCode).toBe(200);
    const current = (await viewer('GET', `/dashboards/${overview.id}`)).json();
    expect((await viewer('PUT', `/dashboards/${overview.id}`, current)).statusCode).toBe(403);
    expect((await viewer('DELETE', `/dashboards/${overview.id}`)).statusCode).toBe(403);
    expect((await viewer('POST', '/directories/Main/dashboards/from-template', {})).statusCode).toBe(403);
    expect(
      (await viewer('POST', '/directories/Main/dashboards', { name: 'Mine', pages: [{ id: 'p' }] }))
        .statusCode,
    ).toBe(403);
    expect((await csm('PUT', `/dashboards/${overview.id}`, current)).statusCode).toBe(403);

    const mine = await cx('POST', '/directories/Main/dashboards', {
      name: 'My view',
      visibility: 'personal',
      pages: [{ id: 'p', widgets: [{ id: 'k', type: 'kpi', settings: { metric: 'nps' } }] }],
    });
    expect(mine.statusCode, mine.body).toBe(201);
    const other = api(f.t, await f.t.bearerFor('cx_manager')).call;
    expect((await other('GET', `/dashboards/${mine.json().id}`)).statusCode).toBe(404);
    expect((await other('DELETE', `/dashboards/${mine.json().id}`)).statusCode).toBe(404);
    const seen = (await other('GET', '/directories/Main/dashboards'))
      .json()
      .items.map((d: { id: number }) => d.id);
    expect(seen).not.toContain(mine.json().id);
    const own = (await cx('GET', '/directories/Main/dashboards')).json().items;
    expect(own.find((d: { id: number }) => d.id === mine.json().id)).toMatchObject({ mine: true });
    // Someone else may not hide a shared dashboard by making it personal.
    const shared = (await cx('GET', `/dashboards/${overview.id}`)).json();
    expect(
      (await other('PUT', `/dashboards/${overview.id}`, { ...shared, visibility: 'personal' })).statusCode,
    ).toBe(403);
    expect((await cx('DELETE', `/dashboards/${mine.json().id}`)).statusCode).toBe(204);
  });
});

describe('embedding for a CRM account', () => {
  let token: string;

  it('signs a URL for one account (by its CRM id), forced to that account’s subtree', async () => {
    const made = await cx('POST', '/embeds/dashboards', {
      dashboardId: overview.id,
      sfAccountId: '001B',
      expiresInMinutes: 30,
      locale: 'fr',
    });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().path).toMatch(/^\/embed\/dashboards\/.+/);
    expect(made.json().url).toMatch(/^http:\/\/.+\/embed\/dashboards\//);
    expect(made.json().account).toMatchObject({ id: f.account['001B'], externalRef: '001B' });
    token = made.json().token;
    const opened = await publicGet(`/public/embeds/dashboards/${token}`);
    expect(opened.statusCode, opened.body).toBe(200);
    const body = opened.json();
    expect(body).toMatchObject({
      account: { id: f.account['001B'], name: 'Get Cloudy Consulting, Inc.' },
      locale: 'fr',
      filters: { accountId: f.account['001B'], subtree: true },
      pageId: 'overview',
      widgetId: null,
    });
    expect(body.dashboard.pages.map((p: { id: string }) => p.id)).toEqual(['overview', 'accounts']);
    // 001B and its child 001C over the last 365 days: r1 r2 r5 r6 r7.
    expect(responsesOf(body.widgets)).toBe(5);
    const accounts = await publicGet(`/public/embeds/dashboards/${token}?page=accounts`);
    const table = accounts
      .json()
      .widgets.find((w: { widgetId: string }) => w.widgetId === 'accounts-at-risk');
    expect(table.data.accounts.map((a: { externalRef: string }) => a.externalRef).sort()).toEqual([
      '001B',
      '001C',
    ]);
  });

  it('lets the viewer change the period, never the account', async () => {
    const shorter = await publicGet(`/public/embeds/dashboards/${token}?date=last_30_days`);
    expect(responsesOf(shorter.json().widgets)).toBe(3); // r1 r2 r5
    const widened = await publicGet(
      `/public/embeds/dashboards/${token}?accountId=${f.account['001A']}&subtree=true&filters=${encodeURIComponent(
        JSON.stringify({ accountId: f.account['001A'] }),
      )}`,
    );
    expect(widened.statusCode).toBe(200);
    expect(widened.json().filters.accountId).toBe(f.account['001B']);
    expect(responsesOf(widened.json().widgets)).toBe(5);
  });

  it('refuses a forged, altered, foreign or expired token', async () => {
    const [payload, ...mac] = token.split('.');
    const altered = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    altered.a = f.account['001A'];
    const forged = `${Buffer.from(JSON.stringify(altered)).toString('base64url')}.${mac.join('.')}`;
    expect((await publicGet(`/public/embeds/dashboards/${forged}`)).statusCode).toBe(403);
    expect((await publicGet(`/public/embeds/dashboards/${'x'.repeat(40)}`)).statusCode).toBe(403);
    // Signed for another purpose (the response widget): not a dashboard token.
    const foreign = signToken(
      f.t.runtime.secrets,
      'embed:responses',
      { ...altered },
      new Date(Date.now() + 60_000),
    );
    expect((await publicGet(`/public/embeds/dashboards/${foreign}`)).statusCode).toBe(403);
    const expired = signToken(
      f.t.runtime.secrets,
      'embed:dashboards',
      { ...altered, a: f.account['001B'] },
      new Date(Date.now() - 1000),
    );
    const gone = await publicGet(`/public/embeds/dashboards/${expired}`);
    expect(gone.statusCode).toBe(410);
    expect(gone.json().error.code).toBe('gone');
  });

  it('embeds one widget; keeps the maker’s access (an account manager: their accounts only)', async () => {
    const one = await cx('POST', '/embeds/dashboards', {
      dashboardId: overview.id,
      widgetId: 'accounts-by-role',
      accountId: f.account['001A'],
    });
    expect(one.statusCode, one.body).toBe(201);
    const opened = (await publicGet(`/public/embeds/dashboards/${one.json().token}`)).json();
    expect(opened.widgetId).toBe('accounts-by-role');
    expect(opened.dashboard.pages).toHaveLength(1);
    expect(opened.dashboard.pages[0].widgets.map((w: { id: string }) => w.id)).toEqual(['accounts-by-role']);
    expect(opened.widgets[0].data.type).toBe('heatmap');

    // csm@ sees 001B's subtree: not 001A, nor an account that does not exist.
    expect(
      (await csm('POST', '/embeds/dashboards', { dashboardId: overview.id, accountId: f.account['001A'] }))
        .statusCode,
    ).toBe(404);
    expect(
      (await cx('POST', '/embeds/dashboards', { dashboardId: overview.id, sfAccountId: 'NOPE' })).statusCode,
    ).toBe(404);
    expect((await cx('POST', '/embeds/dashboards', { dashboardId: overview.id })).statusCode).toBe(400);
    const theirs = await csm('POST', '/embeds/dashboards', { dashboardId: overview.id, sfAccountId: '001B' });
    expect(theirs.statusCode, theirs.body).toBe(201);
    const view = (await publicGet(`/public/embeds/dashboards/${theirs.json().token}?page=accounts`)).json();
    const table = view.widgets.find((w: { widgetId: string }) => w.widgetId === 'accounts-at-risk');
    expect(table.data.accounts.map((a: { externalRef: string }) => a.externalRef).sort()).toEqual([
      '001B',
      '001C',
    ]);
  });

  it('stops when the dashboard is gone', async () => {
    const made = await cx('POST', '/directories/Main/dashboards/from-template', { name: 'Temporary' });
    const embed = await cx('POST', '/embeds/dashboards', {
      dashboardId: made.json().id,
      sfAccountId: '001B',
    });
    expect((await publicGet(`/public/embeds/dashboards/${embed.json().token}`)).statusCode).toBe(200);
    expect((await cx('DELETE', `/dashboards/${made.json().id}`)).statusCode).toBe(204);
    expect((await publicGet(`/public/embeds/dashboards/${embed.json().token}`)).statusCode).toBe(410);
  });
});
