import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, startE2eServer } from '../harness/e2e-server.ts';
import { type RunningProcess, runRapport } from '../harness/processes.ts';

const ADMIN = { email: 'cx@cloudkicks.example', password: 'correct horse battery staple' };
// On the team of Get Cloudy Consulting (001B) in AccountTeamMember.csv, not of its parent 001A.
const CSM = 'csm@cloudkicks.example';

let server: RunningProcess;
let browser: Browser;
let base: string;
let env: Record<string, string>;
let headers: Record<string, string>;
const ids: Record<string, number> = {};
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

async function signIn(email: string, password: string, at = '/'): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1500, height: 1000 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${base}${at}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('app-shell').waitFor();
  return page;
}

const rowNames = async (page: Page) =>
  (await page.getByTestId('health-table').getByTestId('health-row-name').allTextContents()).map((s) =>
    s.trim(),
  );

beforeAll(async () => {
  ({ server, browser, base, env, headers } = await startE2eServer({
    admin: ADMIN,
    fixtures: { team: true },
  }));
  const accounts = await call<{ items: { id: number; externalRef: string }[] }>(
    'GET',
    '/directories/Main/accounts?limit=50',
  );
  for (const a of accounts.items) ids[a.externalRef] = a.id;
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
  await server?.exited;
});

describe('the account management command center', () => {
  it('ranks Get Cloudy first once its decision maker answers 3, and says why', async () => {
    // Alan Johnson, decision maker of Get Cloudy Consulting (001B), answers 3 through his own link.
    const survey = await call<{ id: number }>('POST', '/directories/Main/surveys', {
      name: 'Relationship NPS',
      template: 'relationship-nps',
    });
    await call('POST', `/surveys/${survey.id}/activate`);
    const contacts = await call<{ items: { id: number }[] }>('GET', '/directories/Main/contacts?q=alan');
    const link = await call<{ path: string }>('POST', `/surveys/${survey.id}/links`, {
      contactId: contacts.items[0]!.id,
    });
    const respondent = await browser.newPage({ locale: 'en-US' });
    respondent.on('pageerror', (e) => pageErrors.push(e.message));
    await respondent.goto(`${base}${link.path}`);
    await respondent.getByText('Alan, how likely are you to recommend us to a colleague?').waitFor();
    await respondent.locator('label', { has: respondent.locator('input[type="radio"][value="3"]') }).click();
    await respondent.getByRole('button', { name: 'Next' }).click();
    await respondent.getByRole('button', { name: 'Complete' }).click();
    await respondent.getByTestId('survey-done').waitFor();
    await respondent.close();

    // Recompute now (a job), and wait until the account's health says so.
    await call('POST', '/directories/Main/account-health/recompute');
    await expect
      .poll(
        async () => {
          const h = await call<{ own: { risk: string; reasons: { code: string }[] } | null }>(
            'GET',
            `/accounts/${ids['001B']}/health`,
          );
          return h.own?.reasons.some((r) => r.code === 'detractor_key_role') ? h.own.risk : null;
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBe('high');

    // The home page is the command center.
    const page = await signIn(ADMIN.email, ADMIN.password);
    expect(new URL(page.url()).pathname).toBe('/');
    const table = page.getByTestId('health-table');
    await table.waitFor();
    const first = table.locator('tbody tr').first();
    expect(await first.getByTestId('health-row-name').textContent()).toBe('Get Cloudy Consulting, Inc.');
    const reason = await first.getByTestId('health-row-reason').textContent();
    expect(reason).toContain('Decision maker detractor');
    expect(reason).toContain('Alan Johnson, 3/10');
    expect(await first.getByTestId('risk-badge').textContent()).toBe('High');
    // The KPI strip counts it, and "where to intervene" lists it with the reason in words.
    expect(await page.getByTestId('kpi-risk-high').textContent()).toContain('1');
    const detractors = page.getByTestId('intervene-detractorDecisionMakers');
    await detractors.getByRole('link', { name: 'Get Cloudy Consulting, Inc.' }).waitFor();
    expect(await detractors.getByTestId('risk-reason').first().textContent()).toMatch(
      /^Decision maker detractor \(Alan Johnson, 3\/10\) (today|yesterday)$/,
    );
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'command-center.png'), fullPage: true });

    // Filters live in the URL: high risk only, then with child accounts.
    await page.getByTestId('kpi-risk-high').click();
    await expect.poll(() => rowNames(page), { timeout: 15_000 }).toEqual(['Get Cloudy Consulting, Inc.']);
    expect(page.url()).toContain('risk=high');
    await page.getByTestId('filter-subtree').click();
    await expect.poll(() => page.url()).toContain('scope=subtree');
    // With its descendants, the parent holding Get Cloudy carries the risk too.
    await expect.poll(() => rowNames(page), { timeout: 15_000 }).toContain('Cloud Kicks Holdings');
    await page.context().close();
  });

  it('finds the accounts inactive for 30 days: no answer and no survey sent', async () => {
    const page = await signIn(ADMIN.email, ADMIN.password);
    await page.getByTestId('health-table').waitFor();
    await expect.poll(() => rowNames(page), { timeout: 15_000 }).toContain('Get Cloudy Consulting, Inc.');
    await page.getByTestId('filter-inactive').click();
    await page.getByRole('option', { name: '30+ days' }).click();
    await expect.poll(() => page.url()).toContain('inactive=30');
    // Alan answered today: Get Cloudy is active; its branch in Reno has never been heard from.
    const inactive = (
      await call<{ items: { name: string }[] }>('GET', '/directories/Main/account-health?inactiveDays=30')
    ).items
      .map((a) => a.name)
      .sort();
    expect(inactive).toContain('Get Cloudy – Reno');
    expect(inactive).not.toContain('Get Cloudy Consulting, Inc.');
    await expect.poll(async () => (await rowNames(page)).sort(), { timeout: 15_000 }).toEqual(inactive);
    // The KPI strip counts the same accounts.
    await expect
      .poll(() => page.getByTestId('kpi-accounts').textContent(), { timeout: 15_000 })
      .toContain(`${inactive.length} account`);
    await page.context().close();
  });

  it('explains the account: risk reasons, components and weights, hierarchy, contacts by role', async () => {
    const page = await signIn(ADMIN.email, ADMIN.password, `/accounts/${ids['001B']}`);
    const section = page.getByTestId('account-health');
    await section.waitFor();
    const reasons = section.getByTestId('account-risk');
    expect(await reasons.getByTestId('risk-badge').textContent()).toBe('High');
    expect(await reasons.getByTestId('risk-reason').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Decision maker detractor \(Alan Johnson, 3\/10\)/)]),
    );
    // Every component with its 0–100 and its weight in the model.
    const nps = section.getByTestId('component-nps');
    expect(await nps.getByTestId('component-value').textContent()).toBe('0');
    expect(await nps.getByTestId('component-weight').textContent()).toBe('40');
    expect(await section.getByTestId('component-recency').getByTestId('component-value').textContent()).toBe(
      '100',
    );
    expect(await section.getByTestId('health-formula').textContent()).toMatch(
      /^Health = the sum of the points/,
    );
    // The hierarchy with badges, contacts by role with the latest score, the feedback.
    await page.getByTestId(`tree-node-${ids['001C']}`).getByTestId('health-badge').waitFor();
    const alan = page.getByTestId('contacts-by-role').getByRole('row', { name: /Alan/ });
    expect(await alan.getByTestId('nps-score-badge').textContent()).toBe('3');
    await page.getByTestId('account-feedback').getByText('3/10 · Detractor', { exact: false }).waitFor();
    await page.getByTestId('account-team').getByText(CSM).waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'account-health.png'), fullPage: true });

    // With its child accounts.
    await page.getByTestId('health-scope').getByText('With its child accounts').click();
    await expect.poll(() => section.getAttribute('data-scope')).toBe('subtree');
    expect(page.url()).toContain('scope=subtree');
    await section
      .getByTestId('health-formula')
      .getByText(/ARR-weighted average/)
      .waitFor();
    await page.context().close();
  });

  it('edits the health model in the settings, and says why churn cannot be fitted yet', async () => {
    const page = await signIn(ADMIN.email, ADMIN.password, '/settings/health-model');
    await page.getByTestId('model-weights').waitFor();
    await page.getByTestId('churn-fit').getByTestId('fit-not-fitted').waitFor();
    const drop = page.getByTestId('model-npsDropPoints');
    await drop.fill('25');
    await page.getByTestId('save-health-model').click();
    await page.getByText('Saved: every account is being recomputed.').waitFor();
    expect(
      (await call<{ npsDropPoints: number }>('GET', '/directories/Main/health-model')).npsDropPoints,
    ).toBe(25);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'health-model.png'), fullPage: true });
    await page.context().close();
  });

  it('shows an account manager only the accounts of their team', async () => {
    const created = await runRapport(
      ['user', 'create', '--email', CSM, '--role', 'account_manager', '--json'],
      env,
    );
    expect(created.code, created.output).toBe(0);
    const { generatedPassword } = JSON.parse(created.stdout) as { generatedPassword: string };
    const page = await signIn(CSM, generatedPassword);
    await page.getByTestId('health-table').waitFor();
    await expect
      .poll(async () => (await rowNames(page)).sort())
      .toEqual(['Get Cloudy Consulting, Inc.', 'Get Cloudy – Reno']);
    expect(await page.getByTestId('health-table').textContent()).not.toContain('Cloud Kicks Holdings');
    await page
      .getByTestId('intervene-detractorDecisionMakers')
      .getByRole('link', { name: 'Get Cloudy Consulting, Inc.' })
      .waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({
      path: path.join(SCREENSHOTS, 'command-center-account-manager.png'),
      fullPage: true,
    });

    // Their account's page: the tree starts at the account (its parent is not theirs to see).
    await page.getByTestId('health-table').getByRole('link', { name: 'Get Cloudy Consulting, Inc.' }).click();
    await page
      .getByTestId('account-health')
      .getByTestId('account-risk')
      .getByTestId('risk-reason')
      .first()
      .waitFor();
    await page.getByTestId(`tree-node-${ids['001B']}`).waitFor();
    expect(await page.getByTestId('account-tree').textContent()).not.toContain('Cloud Kicks Holdings');
    // Named in the breadcrumbs (the account API gives the ancestors) but not a link to a page they cannot open.
    await expect.poll(() => page.getByRole('link', { name: 'Cloud Kicks Holdings' }).count()).toBe(0);
    await page.getByTestId('health-components').waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({
      path: path.join(SCREENSHOTS, 'account-health-account-manager.png'),
      fullPage: true,
    });
    await page.context().close();
  });
});
