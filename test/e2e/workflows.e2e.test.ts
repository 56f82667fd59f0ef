import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, startE2eServer } from '../harness/e2e-server.ts';
import { type HttpReceiver, startHttpReceiver } from '../harness/http-receiver.ts';
import type { RunningProcess } from '../harness/processes.ts';

const ADMIN = { email: 'cx@cloudkicks.example', password: 'correct horse battery staple' };
let server: RunningProcess;
let browser: Browser;
let base: string;
let headers: Record<string, string>;
let slack: HttpReceiver;
let surveyId: number;
const pageErrors: string[] = [];

beforeAll(async () => {
  slack = await startHttpReceiver();
  ({ server, browser, base, headers } = await startE2eServer({ admin: ADMIN, fixtures: { team: true } }));
  const survey = await call<{ id: number }>('POST', '/directories/Main/surveys', {
    name: 'Relationship NPS',
    definition: {
      pages: [
        {
          name: 'p1',
          elements: [{ type: 'rating', name: 'nps', rateMin: 0, rateMax: 10, isRequired: true }],
        },
      ],
    },
    metrics: { npsQuestion: 'nps' },
  });
  surveyId = survey.id;
  await call('POST', `/surveys/${surveyId}/activate`);
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await slack?.close();
  server?.child.kill('SIGTERM');
  await server?.exited;
});

async function call<T>(method: string, url: string, body?: unknown) {
  const r = await fetch(`${base}/api/v1${url}`, {
    method,
    headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

async function signedIn(at: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${base}${at}`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

describe('workflows in the browser', () => {
  it('copies the detractor template, adds a piped email from the palette, and runs on a real response', {
    timeout: 240_000,
  }, async () => {
    const page = await signedIn('/workflows');
    await page.getByTestId('workflow-templates').click();
    await page
      .getByTestId('template-detractor-ticket-slack')
      .getByRole('button', { name: 'Use this template' })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('[data-field="surveyId"]').click();
    await page.getByRole('option', { name: `Relationship NPS (#${surveyId})` }).click();
    await dialog.locator('[data-field="slackWebhookUrl"]').fill(`${slack.url}/services/T/B/X`);
    await dialog.getByRole('switch', { name: 'Turn on now' }).check({ force: true });
    await page.getByTestId('template-create').click();
    await page.waitForURL(/\/workflows\/\d+$/);
    const workflowId = Number(page.url().split('/').at(-1));
    await page.getByTestId('task-ticket').waitFor();
    await page.getByTestId('task-slack').waitFor();
    expect(await page.getByTestId('condition-rule').count()).toBe(1);

    // A task from the palette, with values piped in from the {a} menu.
    await page.getByTestId('add-task').click();
    await page.getByTestId('palette-notify.email').click();
    const email = page.getByTestId('task-email');
    await email.getByRole('button', { name: 'Add' }).first().click();
    // The {a} menu of the list's first address (the list's own menu would pipe a whole list).
    await email.locator('[data-field="to[0]"]').locator('..').getByTestId('pipe-menu').click();
    await page.getByRole('menuitem').filter({ hasText: 'event.account.team.ACCOUNT_OWNER' }).click();
    expect(await email.locator('[data-field="to[0]"]').inputValue()).toBe(
      '{{ event.account.team.ACCOUNT_OWNER }}',
    );
    // A wrong reference is named before saving.
    await email.locator('[data-field="subject"]').fill('Detractor {{ tasks.nope.key }}');
    await page
      .getByTestId('workflow-problems')
      .getByText('there is no task "nope"', { exact: false })
      .waitFor();
    await email.locator('[data-field="subject"]').fill('Detractor: ticket {{ tasks.ticket.key }}');
    await email.locator('[data-field="text"]').fill('See {{ tasks.ticket.url }}');
    await page.getByTestId('workflow-problems').waitFor({ state: 'detached' });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'workflow-editor.png'), fullPage: true });
    await page.getByTestId('save-workflow').click();
    await page.getByText('Saved').first().waitFor();
    const saved = await call<{ tasks: { key: string; input: Record<string, unknown> }[]; enabled: boolean }>(
      'GET',
      `/workflows/${workflowId}`,
    );
    expect(saved.enabled).toBe(true);
    expect(saved.tasks.map((t) => t.key)).toEqual(['ticket', 'slack', 'email']);
    expect(saved.tasks[2]!.input).toMatchObject({
      to: ['{{ event.account.team.ACCOUNT_OWNER }}'],
      subject: 'Detractor: ticket {{ tasks.ticket.key }}',
    });

    // A detractor answers; the server's dispatcher starts the run.
    const contacts = await call<{ items: { id: number }[] }>('GET', '/directories/Main/contacts?q=alan');
    const link = await call<{ token: string }>('POST', `/surveys/${surveyId}/links`, {
      contactId: contacts.items[0]!.id,
    });
    const answered = await fetch(`${base}/api/v1/public/links/${link.token}/response`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { nps: 2 }, complete: true }),
    });
    expect(answered.status).toBe(200);
    await expect
      .poll(
        async () =>
          (await call<{ items: { status: string }[] }>('GET', `/workflows/${workflowId}/runs`)).items[0]
            ?.status,
        {
          timeout: 150_000,
          interval: 1000,
        },
      )
      .toBe('succeeded');
    await slack.waitFor(1);

    await page.goto(`${base}/workflows/${workflowId}/runs`);
    await page.getByTestId('runs-table').getByRole('link').first().click();
    await page.waitForURL(/\/runs\/\d+$/);
    await page.getByTestId('run-status').first().getByText('Succeeded').waitFor();
    await page.getByTestId('run-task-email').click();
    await page.getByTestId('run-task-email').getByText('owner.one@cloudkicks.example').first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'workflow-run.png'), fullPage: true });
  });

  it('builds a manual workflow from scratch and runs it now', async () => {
    const page = await signedIn('/workflows/new');
    await page.getByTestId('workflow-name').fill('Ping the team');
    await page.getByTestId('add-task').click();
    await page.getByTestId('palette-http.webhook').click();
    const hook = page.getByTestId('task-webhook');
    await hook.locator('[data-field="url"]').fill(`${slack.url}/ping`);
    await page.getByTestId('save-workflow').click();
    await page.waitForURL(/\/workflows\/\d+$/);
    await page.getByTestId('run-now').click();
    await page.waitForURL(/\/runs\/\d+$/);
    await page.getByTestId('run-status').first().getByText('Succeeded').waitFor();
    expect(slack.requests.some((r) => r.path === '/ping')).toBe(true);
    await page.goto(`${base}/workflows`);
    await page.getByTestId('workflows-table').getByText('Ping the team').waitFor();
  });
  it('edits the trigger (weekly in a time zone, then an event) and the conditions in the editor', {
    timeout: 120_000,
  }, async () => {
    const created = await call<{ id: number }>('POST', '/directories/Main/workflows', {
      name: 'Edit my trigger',
      trigger: { type: 'manual' },
      tasks: [{ key: 'ping', type: 'http.webhook', input: { url: `${slack.url}/edited` } }],
    });
    const page = await signedIn(`/workflows/${created.id}`);
    const saveAndRead = async () => {
      await page.getByTestId('save-workflow').click();
      await page.getByText('Saved').first().waitFor();
      return call<{ trigger: Record<string, unknown>; conditions: unknown }>(
        'GET',
        `/workflows/${created.id}`,
      );
    };

    // A weekly schedule, Mondays and Fridays at 08:30 in Rome; the next runs are shown.
    await page.getByTestId('trigger-type').getByText('On a schedule').click();
    await page.getByRole('combobox', { name: 'Frequency' }).click();
    await page.getByRole('option', { name: 'Every week' }).click();
    await page.getByText('Fri', { exact: true }).click();
    await page.getByLabel('Time', { exact: true }).fill('08:30');
    const zone = page.getByRole('combobox', { name: 'Time zone' });
    await zone.click();
    await zone.fill('Europe/Rome');
    await page.getByRole('option', { name: 'Europe/Rome' }).click();
    await page.getByTestId('next-runs').waitFor();
    let saved = await saveAndRead();
    expect(saved.trigger).toEqual({
      type: 'schedule',
      schedule: { kind: 'weekly', days: ['mon', 'fri'], time: '08:30', timeZone: 'Europe/Rome' },
    });
    expect((await page.getByTestId('next-runs').textContent()) ?? '').toMatch(/Next runs:.+·.+·/);

    // An event with a survey, and conditions on its answers and the contact's role.
    await page.getByTestId('trigger-type').getByText('On an event').click();
    await page.getByTestId('trigger-survey').click();
    await page.getByRole('option', { name: 'Relationship NPS' }).click();
    await page.getByTestId('add-conditions').click();
    const rules = page.getByTestId('condition-rule');
    const inputsOf = (rule: number) => rules.nth(rule).locator('input:not([type="hidden"])');
    const pick = async (rule: number, placeholderOrIndex: number, text: string, option: string | RegExp) => {
      const input = inputsOf(rule).nth(placeholderOrIndex);
      await input.click();
      if (text) await input.fill(text);
      await page.getByRole('option', { name: option }).first().click();
    };
    await pick(0, 0, 'response.answers.nps', /^response\.answers\.nps \(/);
    await pick(0, 1, '', 'at most');
    // A value that is not a number is named before saving.
    await inputsOf(0).nth(2).fill('high');
    await page
      .getByTestId('workflow-problems')
      .getByText('compare it with a number', { exact: false })
      .waitFor();
    await inputsOf(0).nth(2).fill('6');
    await page.getByTestId('workflow-problems').waitFor({ state: 'detached' });
    await page.getByTestId('add-condition').click();
    await pick(1, 0, 'contact.role', /^contact\.role \(/);
    await pick(1, 1, '', 'is one of');
    await inputsOf(1).nth(2).fill('DECISION_MAKER, INFLUENCER');
    await page.getByText('Any', { exact: true }).click();
    saved = await saveAndRead();
    expect(saved.trigger).toEqual({
      type: 'event',
      event: 'response.completed',
      filter: { surveyId },
    });
    expect(saved.conditions).toEqual({
      match: 'any',
      rules: [
        { field: 'response.answers.nps', op: 'lte', value: 6 },
        { field: 'contact.role', op: 'in', value: ['DECISION_MAKER', 'INFLUENCER'] },
      ],
    });
    // Reloaded, the editor shows what was saved.
    await page.reload();
    await rules.nth(1).waitFor();
    expect(await rules.count()).toBe(2);
    expect(await inputsOf(1).nth(2).inputValue()).toBe('DECISION_MAKER, INFLUENCER');
  });
});
