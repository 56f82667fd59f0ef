import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, startE2eServer } from '../harness/e2e-server.ts';
import type { RunningProcess } from '../harness/processes.ts';

const ADMIN = { email: 'cx@cloudkicks.example', password: 'correct horse battery staple' };
let server: RunningProcess;
let browser: Browser;
let base: string;
let headers: Record<string, string>;
const pageErrors: string[] = [];

const call = async <T>(method: string, url: string, body?: unknown) => {
  const r = await fetch(`${base}/api/v1${url}`, {
    method,
    headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
};

beforeAll(async () => {
  ({ server, browser, base, headers } = await startE2eServer({ admin: ADMIN, fixtures: { team: true } }));

  // A survey answered through its personal links, as respondents would.
  const survey = await call<{ id: number }>('POST', '/directories/Main/surveys', {
    name: 'Relationship NPS',
    definition: {
      elements: [
        { type: 'rating', name: 'nps', title: 'How likely…', rateMin: 0, rateMax: 10 },
        { type: 'rating', name: 'csat', title: 'Satisfaction', rateMin: 1, rateMax: 5 },
        { type: 'comment', name: 'comment', title: 'Why?' },
      ],
    },
    metrics: { npsQuestion: 'nps', csatQuestion: 'csat' },
  });
  await call('POST', `/surveys/${survey.id}/activate`);
  const answers: [string, number, number, string][] = [
    ['alan', 3, 2, 'Too slow, "really"'],
    ['leung', 10, 5, 'Great team'],
    ['zoe', 8, 4, ''],
    ['li', 9, 5, ''],
    ['ana', 6, 3, 'Onboarding, please'],
  ];
  for (const [who, nps, csat, comment] of answers) {
    const found = await call<{ items: { id: number }[] }>('GET', `/directories/Main/contacts?q=${who}`);
    const link = await call<{ token: string }>('POST', `/surveys/${survey.id}/links`, {
      contactId: found.items[0]!.id,
    });
    const r = await fetch(`${base}/api/v1/public/links/${link.token}/response`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { nps, csat, ...(comment ? { comment } : {}) }, complete: true }),
    });
    expect(r.status, await r.text()).toBe(200);
  }
  await call('POST', '/directories/Main/account-health/recompute');
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
  await server?.exited;
});

/** Opens a widget's menu once any other menu has finished closing (Mantine fades them out). */
async function openMenu(page: Page, widget: ReturnType<Page['getByTestId']>) {
  await expect.poll(() => page.locator('[role="menu"]').filter({ visible: true }).count()).toBe(0);
  await widget.getByTestId('widget-menu').click();
}

async function signIn(page: Page) {
  await page.goto(`${base}/dashboards`);
  await page.waitForURL(/\/login/);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('app-shell').waitFor();
}

describe('dashboards in the browser', () => {
  it('creates the default dashboard, shows KPIs and charts, exports CSV and PNG, embeds it for an account', async () => {
    const context = await browser.newContext({
      locale: 'en-US',
      viewport: { width: 1440, height: 1000 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(page);
    await page.waitForURL(/\/dashboards$/);
    await page.getByTestId('dashboard-default').click();
    await page.waitForURL(/\/dashboards\/\d+$/);
    await page.getByTestId('dashboard-title').waitFor();
    expect(await page.getByTestId('dashboard-title').textContent()).toBe('Account experience overview');

    // The NPS KPI: 3 promoters-or-passives… 2 promoters (10, 9), 1 passive, 2 detractors → 0.
    const nps = page.getByTestId('widget-kpi-nps');
    await nps.getByTestId('kpi-value').waitFor();
    await expect.poll(() => nps.getByTestId('kpi-value').textContent()).toContain('0');
    expect(await nps.textContent()).toContain('NPS');
    const responses = page.getByTestId('widget-kpi-responses');
    await expect.poll(() => responses.getByTestId('kpi-value').textContent()).toContain('5');
    // Charts drawn: the NPS by role has bars, the NPS trend a line.
    const bars = (testId: string, where: Page = page) =>
      where.getByTestId(testId).locator('path.recharts-rectangle');
    await expect.poll(() => bars('widget-nps-by-role').count()).toBeGreaterThan(0);
    await expect.poll(() => bars('widget-nps-spread').count()).toBeGreaterThan(0);
    await page.getByTestId('widget-nps-trend').locator('svg.recharts-surface').first().waitFor();
    await page.waitForTimeout(600); // chart animations
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-overview.png'), fullPage: true });

    // CSV of a widget: a download, UTF-8 with a BOM, one row per role.
    const byRole = page.getByTestId('widget-nps-by-role');
    await openMenu(page, byRole);
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('widget-csv').filter({ visible: true }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/^account-experience-overview-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = readFileSync((await csv.path())!, 'utf8');
    expect(text.startsWith('\uFEFFrole,label,nps,n\r\n')).toBe(true);
    expect(text).toContain('DECISION_MAKER,DECISION_MAKER,');

    // PNG of a chart: the SVG drawn on a canvas.
    await openMenu(page, byRole);
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('widget-png').filter({ visible: true }).click(),
    ]);
    expect(png.suggestedFilename()).toMatch(/\.png$/);
    const image = readFileSync((await png.path())!);
    expect(image.subarray(1, 4).toString()).toBe('PNG');
    expect(image.length).toBeGreaterThan(2000);
    await png.saveAs(path.join(SCREENSHOTS, 'dashboard-export-bar.png'));

    // The accounts page: risk table and the accounts × roles heat map.
    await page.getByTestId('page-accounts').click();
    await page.getByTestId('widget-accounts-at-risk').getByTestId('table-accounts').waitFor();
    await page
      .getByTestId('widget-accounts-by-role')
      .locator('svg[data-chart="heatmap"] rect')
      .first()
      .waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-accounts.png'), fullPage: true });
    for (const [widget, file] of [
      ['widget-accounts-by-role', 'dashboard-export-heatmap.png'],
      ['widget-accounts-at-risk', 'dashboard-export-table.png'],
    ] as const) {
      await openMenu(page, page.getByTestId(widget));
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('widget-png').filter({ visible: true }).click(),
      ]);
      await download.saveAs(path.join(SCREENSHOTS, file));
    }

    // Edit: add a KPI, narrow it, save.
    await page.getByTestId('page-overview').click();
    await page.getByTestId('dashboard-edit').click();
    await page.getByTestId('add-widget').click();
    await page.getByTestId('add-kpi').click();
    await page.getByTestId('widget-editor').waitFor();
    await page.getByTestId('widget-editor-save').click();
    await page.getByTestId('widget-editor').waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('[data-widget-type="kpi"]').count()).toBe(7);
    const added = page.locator('[data-widget-type="kpi"]').last();
    await openMenu(page, added);
    await page.getByTestId('widget-wider').filter({ visible: true }).click();
    await expect.poll(() => added.getByTestId('widget-size').textContent()).toBe('4×1');
    await page.keyboard.press('Escape');
    await page.waitForTimeout(400);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-editing.png'), fullPage: true });
    await page.getByTestId('dashboard-save').click();
    await page.getByTestId('dashboard-edit').waitFor();
    const saved = await call<{ items: { id: number; widgets: number }[] }>(
      'GET',
      '/directories/Main/dashboards',
    );
    expect(saved.items[0]!.widgets).toBe(14);

    // Embed for a CRM account: the signed URL opens in a fresh browser, no session.
    await page.getByTestId('dashboard-embed').click();
    await page.getByTestId('embed-account').click();
    await page.getByTestId('embed-account').fill('Get Cloudy');
    await page.getByRole('option', { name: /Get Cloudy Consulting/ }).click();
    // In French: the embed page takes the language the URL was made for.
    await page.getByTestId('embed-language').click();
    await page.getByRole('option', { name: 'Français' }).click();
    await page.getByTestId('embed-create').click();
    const url = await page.getByTestId('embed-url').inputValue();
    expect(url).toMatch(/\/embed\/dashboards\//);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-embed-dialog.png') });
    await context.close();

    const crm = await browser.newContext({ locale: 'en-US', viewport: { width: 900, height: 900 } });
    const framed = await crm.newPage();
    framed.on('pageerror', (e) => pageErrors.push(e.message));
    const opened = await framed.goto(url);
    expect(opened?.headers()['content-security-policy']).toContain('frame-ancestors');
    const logs: string[] = [];
    framed.on('console', (m) => logs.push(m.text()));
    framed.on('requestfinished', (r) => logs.push(`${r.method()} ${r.url().slice(0, 120)}`));
    framed.on('requestfailed', (r) => logs.push(`FAILED ${r.url().slice(0, 120)}`));
    await framed
      .getByTestId('embed-dashboard')
      .or(framed.getByTestId('embed-error'))
      .waitFor()
      .catch(async (e) => {
        await framed.screenshot({ path: path.join(SCREENSHOTS, 'debug-embed.png') });
        throw new Error(`${e.message}\n${logs.join('\n')}`);
      });
    if (await framed.getByTestId('embed-error').count()) {
      await framed.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-embed-error.png') });
      throw new Error(`embed: ${await framed.getByTestId('embed-error').textContent()} (${url})`);
    }
    expect(await framed.getByTestId('embed-account').textContent()).toBe(
      'Pour Get Cloudy Consulting, Inc. et ses sous-comptes',
    );
    expect(await framed.getByTestId('widget-kpi-responses').textContent()).toContain('Réponses');
    // Alan (3) and Leung (10) at Get Cloudy, Ana (6) at its child Reno: 3 responses.
    await expect
      .poll(() => framed.getByTestId('widget-kpi-responses').getByTestId('kpi-value').textContent())
      .toContain('3');
    await expect.poll(() => bars('widget-nps-by-role', framed).count()).toBeGreaterThan(0);
    await framed.waitForTimeout(600);
    await framed.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-embedded.png'), fullPage: true });
    await crm.close();
  });
});
