import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, startE2eServer } from '../harness/e2e-server.ts';
import type { RunningProcess } from '../harness/processes.ts';

const ADMIN = { email: 'cx@cloudkicks.example', password: 'correct horse battery staple' };
let server: RunningProcess;
let browser: Browser;
let base: string;
let headers: Record<string, string>;
const pageErrors: string[] = [];

beforeAll(async () => {
  ({ server, browser, base, headers } = await startE2eServer({ admin: ADMIN, fixtures: {} }));
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
  await server?.exited;
});

const call = async <T>(method: string, url: string, body?: unknown) => {
  const r = await fetch(`${base}/api/v1${url}`, {
    method,
    headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
};

describe('answering a survey from a personal link', () => {
  it('answers an NPS survey in French with display logic, leaves, resumes and completes', async () => {
    const survey = await call<{ id: number }>('POST', '/directories/Main/surveys', {
      name: 'Relationship NPS',
      template: 'relationship-nps',
    });
    await call('POST', `/surveys/${survey.id}/activate`);
    const contacts = await call<{ items: { id: number }[] }>('GET', '/directories/Main/contacts?q=alan');
    const alan = contacts.items[0]!.id;
    const link = await call<{ token: string; path: string }>('POST', `/surveys/${survey.id}/links`, {
      contactId: alan,
      embedded: { sfSurveyId: 'a0X000000001' },
    });

    const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 420, height: 900 } });
    let page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}${link.path}`);
    await page
      .getByText('Alan, quelle est la probabilité que vous nous recommandiez à un collègue ?')
      .waitFor();
    // Detractor: the "what to improve" question appears, the promoter one does not.
    // SurveyJS names each rating radio after its question, so the item is found by its value.
    await page.locator('label', { has: page.locator('input[type="radio"][value="4"]') }).click();
    const improve = page.getByText('Que devrions-nous améliorer en priorité ?');
    await improve.waitFor();
    expect(await page.getByText('Qu’appréciez-vous le plus dans notre collaboration ?').count()).toBe(0);
    await page.getByRole('textbox').first().fill('Un onboarding plus rapide');
    await page.getByRole('textbox').first().blur();
    // Saved as the respondent goes: the server has the partial response.
    await expect
      .poll(
        async () =>
          (
            (await (await fetch(`${base}/api/v1/public/links/${link.token}`)).json()) as {
              response?: { answers: unknown };
            }
          ).response?.answers,
        {
          timeout: 10_000,
        },
      )
      .toEqual({ nps: 4, detractor_reason: 'Un onboarding plus rapide' });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'survey-fr.png'), fullPage: true });
    await page.close();

    // Coming back later (another browser: the personal link resumes on the server's copy).
    const later = await browser.newContext({ locale: 'fr-FR', viewport: { width: 420, height: 900 } });
    page = await later.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}${link.path}`);
    await improve
      .first()
      .waitFor({ state: 'detached' })
      .catch(() => {});
    await page.getByText('Que devrions-nous améliorer en priorité ?').waitFor();
    expect(await page.getByRole('textbox').first().inputValue()).toBe('Un onboarding plus rapide');
    // Alan is a decision maker: the next page asks about value and renewal.
    await page.getByRole('button', { name: 'Suivant' }).click();
    await page.getByText('Quelle est la probabilité que Get Cloudy Consulting, Inc. renouvelle ?').waitFor();
    await page.getByRole('radio', { name: 'Incertain' }).check({ force: true });
    await page.getByRole('button', { name: 'Terminer' }).click();
    await page.getByTestId('survey-done').waitFor();
    expect(await page.getByTestId('survey-done').textContent()).toContain('Merci');
    await later.close();
    await context.close();

    const responses = await call<{ items: Record<string, unknown>[] }>(
      'GET',
      `/surveys/${survey.id}/responses`,
    );
    expect(responses.items).toHaveLength(1);
    expect(responses.items[0]).toMatchObject({
      status: 'complete',
      contactId: alan,
      language: 'fr',
      npsScore: 4,
      npsCategory: 'detractor',
      answers: { nps: 4, detractor_reason: 'Un onboarding plus rapide', renewal: 'unsure' },
      embedded: {
        sfSurveyId: 'a0X000000001',
        sfContactId: '003A',
        sfAccountId: '001B',
        role: 'DECISION_MAKER',
      },
    });
    const account = await call<{ items: { id: number; externalRef: string }[] }>(
      'GET',
      '/directories/Main/accounts?q=001B',
    );
    expect(responses.items[0]!.accountId).toBe(account.items.find((a) => a.externalRef === '001B')!.id);

    // The link is used up: opening it again says so instead of starting over.
    const again = await browser.newPage({ locale: 'fr-FR' });
    await again.goto(`${base}${link.path}`);
    await again.getByTestId('survey-done').waitFor();
    await again.close();
  });

  it('shows the results with filters, and the response widget of the CRM account', async () => {
    const surveys = await call<{ items: { id: number; name: string }[] }>('GET', '/directories/Main/surveys');
    const survey = surveys.items.find((s) => s.name === 'Relationship NPS')!;
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}/surveys/${survey.id}/results`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // Alan's answer from the first journey: one detractor, a decision maker.
    const nps = page.getByTestId('kpi-nps');
    await nps.getByText('95% interval -100 to 0 · 1 answers').waitFor();
    expect(await nps.getByTestId('nps-score').textContent()).toBe('-100 ± 100');
    await nps.getByText('Few answers').waitFor();
    await page.getByTestId('results-by-role').getByText('Decision maker').waitFor();
    await page.getByTestId('question-detractor_reason').getByText('Un onboarding plus rapide').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'survey-results.png'), fullPage: true });
    // Filtered to influencers: nobody answered yet.
    await page.getByTestId('results-role').click();
    await page.getByRole('option', { name: 'Influencer' }).click();
    await nps.getByText('No answer yet').waitFor();
    expect(page.url()).toContain('role=INFLUENCER');

    // The account's page hands out the widget URL a CRM page frames.
    const accounts = await call<{ items: { id: number; externalRef: string }[] }>(
      'GET',
      '/directories/Main/accounts?q=001B',
    );
    const getCloudy = accounts.items.find((a) => a.externalRef === '001B')!;
    await page.goto(`${base}/accounts/${getCloudy.id}`);
    await page.getByTestId('embed-link-open').click();
    await page.getByTestId('embed-link-make').click();
    const url = await page.getByTestId('embed-link-url').inputValue();
    expect(url).toMatch(/\/embed\/responses\//);
    await context.close();

    // Opened by someone who is not signed in, as an iframe in the CRM would be.
    const crm = await browser.newPage({ locale: 'en-US' });
    crm.on('pageerror', (e) => pageErrors.push(e.message));
    await crm.goto(url);
    const widget = crm.getByTestId('embed-widget');
    await widget.getByText('Alan Johnson · Relationship NPS').waitFor();
    expect(await crm.getByTestId('embed-nps').textContent()).toBe('-100');
    await widget.getByText('Un onboarding plus rapide', { exact: false }).waitFor();
    await crm.screenshot({ path: path.join(SCREENSHOTS, 'response-widget.png'), fullPage: true });
    await crm.goto(url.replace(/\/embed\/responses\/(.)/, '/embed/responses/x$1'));
    await crm.getByTestId('embed-error').waitFor();
    await crm.close();
  });

  it('builds a survey in the UI: questions, logic, translations side by side, JSON, versions and links', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}/surveys`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByTestId('new-survey').click();
    await page.getByTestId('survey-name').fill('Onboarding pulse Q4');
    await page.getByTestId('survey-template').click();
    await page.getByRole('option', { name: 'Onboarding / renewal pulse' }).click();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('question-progress').waitFor();

    // A multiple-choice question, shown only to those whose goals are not met.
    await page.getByTestId('add-question').click();
    await page.getByRole('menuitem', { name: 'Multiple choice' }).click();
    const question = page.getByTestId('question-choices');
    await question.getByLabel('Question', { exact: true }).fill('Which modules hold you back?');
    await question.getByLabel('Show only if').fill('{goals_met} = false');
    await question.getByLabel('Text shown').first().fill('Reporting');
    await question.getByLabel('Stored value').first().fill('reporting');

    // Its French texts, next to the English ones.
    await page.getByRole('tab', { name: 'Translations' }).click();
    await page.getByLabel('choices · title (fr)').fill('Quels modules vous freinent ?');
    await page.getByLabel('choices · reporting (fr)').fill('Rapports');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'survey-translations.png') });

    // The JSON view refuses what is not JSON, and shows the builder's work.
    await page.getByRole('tab', { name: 'JSON' }).click();
    const json = await page.getByTestId('survey-json').inputValue();
    expect(JSON.parse(json).pages[0].elements.at(-1)).toMatchObject({
      name: 'choices',
      visibleIf: '{goals_met} = false',
      title: { default: 'Which modules hold you back?', fr: 'Quels modules vous freinent ?' },
    });
    await page.getByTestId('survey-json').fill('{ not json');
    await page.getByTestId('json-apply').click();
    await page.getByTestId('json-error').waitFor();

    await page.getByTestId('survey-save').click();
    await page.getByText('Version 2 (versions saved: 2)').waitFor();
    await page.getByRole('button', { name: 'Activate' }).click();
    await expect.poll(() => page.getByTestId('survey-status').textContent()).toBe('Active');

    await page.getByRole('tab', { name: 'Links' }).click();
    await page.getByTestId('create-link').click();
    const url = (await page.getByTestId('created-link').locator('code').first().textContent())!;
    expect(url).toMatch(new RegExp(`^${base}/s/[A-Za-z0-9_-]{43}$`));
    await context.close();

    // A French respondent gets the translated question once the logic shows it.
    const respondent = await browser.newContext({ locale: 'fr-FR', viewport: { width: 420, height: 900 } });
    const answer = await respondent.newPage();
    answer.on('pageerror', (e) => pageErrors.push(e.message));
    await answer.goto(url);
    await answer.getByText('Vos objectifs sont-ils atteints ?').waitFor();
    expect(await answer.getByText('Quels modules vous freinent ?').count()).toBe(0);
    await answer.getByText('Non', { exact: true }).click();
    const modules = answer.getByRole('group', { name: 'Quels modules vous freinent ?' });
    await modules.getByText('Rapports').waitFor();
    await respondent.close();
  });
});

/** Form controls in an accessibility snapshot that have no name (Playwright's own name computation). */
const unnamedControls = (snapshot: string) =>
  snapshot
    .split('\n')
    .filter((line) =>
      /^\s*- (textbox|radio|checkbox|combobox|listbox|spinbutton|slider|switch|searchbox|button)\b(?!\s+")/.test(
        line,
      ),
    );

describe('the respondent page’s accessibility', () => {
  it('names every control, speaks the survey’s language and outlines the survey with headings', async () => {
    const fr = (en: string, text: string) => ({ default: en, fr: text });
    const survey = await call<{ id: number }>('POST', '/directories/Main/surveys', {
      name: 'Accessible pulse',
      definition: {
        pages: [
          {
            name: 'p1',
            elements: [
              {
                type: 'rating',
                name: 'nps',
                rateMin: 0,
                rateMax: 10,
                title: fr('Would you recommend us?', 'Nous recommanderiez-vous ?'),
              },
              {
                type: 'radiogroup',
                name: 'renew',
                title: fr('Will you renew?', 'Renouvellerez-vous ?'),
                choices: [
                  { value: 'yes', text: fr('Yes', 'Oui') },
                  { value: 'no', text: fr('No', 'Non') },
                ],
              },
              {
                type: 'checkbox',
                name: 'topics',
                title: fr('What matters most?', 'Qu’est-ce qui compte le plus ?'),
                choices: [{ value: 'support', text: fr('Support', 'Assistance') }, 'price'],
              },
              { type: 'boolean', name: 'goals', title: fr('Goals met?', 'Objectifs atteints ?') },
              { type: 'text', name: 'role', title: fr('Your role', 'Votre fonction') },
              {
                type: 'dropdown',
                name: 'size',
                title: fr('Team size', 'Taille de l’équipe'),
                choices: ['1-10', '11-50', '50+'],
              },
              {
                type: 'matrix',
                name: 'aspects',
                title: fr('Rate each aspect', 'Notez chaque aspect'),
                rows: [{ value: 'speed', text: fr('Speed', 'Rapidité') }],
                columns: [1, 2, 3],
              },
              { type: 'comment', name: 'why', title: fr('Why?', 'Pourquoi ?') },
            ],
          },
        ],
      },
      metrics: { npsQuestion: 'nps' },
    });
    await call('POST', `/surveys/${survey.id}/activate`);
    const link = await call<{ path: string }>('POST', `/surveys/${survey.id}/links`, { kind: 'anonymous' });

    const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 420, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}${link.path}`);
    await page.getByText('Nous recommanderiez-vous ?').waitFor();

    // The document and the survey say which language they are in; the tab names the survey.
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    expect(await page.locator('main').getAttribute('lang')).toBe('fr');
    expect(await page.title()).toBe('Accessible pulse');

    // One h1 (the survey), and each question a heading under it.
    expect(await page.getByRole('heading', { level: 1 }).count()).toBe(1);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Accessible pulse');
    for (const title of [
      'Nous recommanderiez-vous ?',
      'Renouvellerez-vous ?',
      'Pourquoi ?',
      'Votre fonction',
    ])
      await expect.poll(() => page.getByRole('heading', { name: title, level: 2 }).count()).toBe(1);

    // Every control has an accessible name, as a screen reader would announce it.
    const snapshot = await page.locator('main').ariaSnapshot();
    expect(snapshot).toContain('- radio "Oui"');
    expect(unnamedControls(snapshot), snapshot).toEqual([]);
    expect(await page.getByRole('textbox', { name: 'Votre fonction' }).count()).toBe(1);
    expect(await page.getByRole('textbox', { name: 'Pourquoi ?' }).count()).toBe(1);
    expect(await page.getByRole('checkbox', { name: 'Assistance' }).count()).toBe(1);
    // Every image has a text alternative (or is marked as decoration).
    const images = await page.locator('main img:not([alt])').count();
    expect(images).toBe(0);
    await context.close();

    // An Italian browser gets the survey's default texts (it has no Italian): the document says English.
    const italian = await browser.newContext({ locale: 'it-IT', viewport: { width: 420, height: 900 } });
    const other = await italian.newPage();
    other.on('pageerror', (e) => pageErrors.push(e.message));
    await other.goto(`${base}${link.path}`);
    await other.getByText('Would you recommend us?').waitFor();
    expect(await other.locator('html').getAttribute('lang')).toBe('en');
    await italian.close();
  });
});
