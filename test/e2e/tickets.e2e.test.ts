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
  ({ server, browser, base, headers } = await startE2eServer({ admin: ADMIN, fixtures: { team: true } }));
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

describe('closing the loop on a detractor', () => {
  it('opens a ticket from a response, works it, and finds it in the lists and on the account', async () => {
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
      embeddedFields: ['sfAccountId'],
    });
    await call('POST', `/surveys/${survey.id}/activate`);
    const contacts = await call<{ items: { id: number }[] }>('GET', '/directories/Main/contacts?q=alan');
    const link = await call<{ token: string }>('POST', `/surveys/${survey.id}/links`, {
      contactId: contacts.items[0]!.id,
      embedded: { sfAccountId: '001A' },
    });
    const answered = await fetch(`${base}/api/v1/public/links/${link.token}/response`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { nps: 3 }, complete: true }),
    });
    expect(answered.status).toBe(200);
    // An older ticket, past its due date: the overdue tab shows it in red.
    await call('POST', '/directories/Main/tickets', {
      title: 'Renewal call overdue',
      ownerEmail: ADMIN.email,
      dueAt: new Date(Date.now() - 86_400_000).toISOString(),
      priority: 'high',
    });

    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}/surveys/${survey.id}?tab=responses`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // "Open a ticket" on the response: pre-filled, owned by the account's owner.
    await page.getByTestId('responses-table').getByTestId('open-ticket').click();
    const form = page.getByTestId('ticket-form');
    expect(await form.getByTestId('ticket-title-input').inputValue()).toBe('Detractor: Alan Johnson (NPS 3)');
    expect(await form.getByTestId('ticket-account-input').inputValue()).toBe('Cloud Kicks Holdings');
    await form.getByText('Urgent', { exact: true }).click();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'ticket-form.png') });
    await form.getByTestId('ticket-submit').click();

    await page.waitForURL(/\/tickets\/\d+$/);
    await page.getByTestId('ticket-title').getByText('Detractor: Alan Johnson (NPS 3)').waitFor();
    const details = page.getByTestId('ticket-details');
    await details.getByText('owner.one@cloudkicks.example').waitFor();
    expect(await details.getByTestId('ticket-account').textContent()).toBe('Cloud Kicks Holdings');
    expect(await details.getByTestId('ticket-contact').textContent()).toBe('Alan Johnson');
    await details.getByText('NPS 3').waitFor();
    await page
      .getByTestId('ticket-notifications')
      .getByText('Assigned → owner.one@cloudkicks.example')
      .waitFor();

    // Work it: a note, then a move.
    await page.getByTestId('ticket-note-input').fill('Called Alan: the SSO setup is blocking them.');
    await page.getByTestId('ticket-note-submit').click();
    await page.getByTestId('ticket-note').getByText('Called Alan: the SSO setup is blocking them.').waitFor();
    await page.getByTestId('transition-in_progress').click();
    await page.getByTestId('ticket-status').getByText('In progress').waitFor();
    await page.getByTestId('ticket-history').getByText('Status: Open → In progress').waitFor();
    // A closed ticket only offers to reopen.
    await page.getByTestId('transition-closed').click();
    await page.getByTestId('ticket-status').getByText('Closed').waitFor();
    expect(await page.getByTestId('ticket-transitions').getByRole('button').allTextContents()).toEqual([
      'Reopen',
    ]);
    await page.getByTestId('transition-open').click();
    await page.getByTestId('ticket-status').getByText('Open').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'ticket.png'), fullPage: true });

    // The lists: all, then overdue (the due date in red), then mine.
    await page.getByTestId('nav-tickets').click();
    await page.getByTestId('tickets-tab-all').click();
    const rows = page.getByTestId('tickets-table').getByTestId('ticket-row');
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByTestId('tickets-tab-overdue').click();
    await expect.poll(() => rows.count()).toBe(1);
    await rows.getByText('Renewal call overdue').waitFor();
    expect(await rows.locator('[data-overdue="true"]').count()).toBe(1);
    await page.getByTestId('tickets-tab-mine').click();
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByTestId('tickets-search').fill('detractor');
    await page.getByTestId('tickets-empty').waitFor();
    await page.getByTestId('tickets-tab-all').click();
    await expect.poll(() => rows.count()).toBe(1);
    await rows.getByText('Detractor: Alan Johnson (NPS 3)').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'tickets.png'), fullPage: true });
    // The directory's service levels: two days for urgent tickets from now on.
    await page.getByTestId('tickets-sla').click();
    const urgent = page.getByRole('dialog').getByLabel('Urgent');
    await expect.poll(() => urgent.inputValue()).toBe('1 days');
    await urgent.fill('2');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    const settings = await call<{ slaDays: Record<string, number> }>(
      'GET',
      '/directories/Main/ticket-settings',
    );
    expect(settings.slaDays).toEqual({ urgent: 2, high: 3, normal: 7, low: 14 });

    // The account's page lists its open tickets.
    await rows.getByText('Detractor: Alan Johnson (NPS 3)').click();
    await page.getByTestId('ticket-account').click();
    await page.getByTestId('tickets-card').getByText('Detractor: Alan Johnson (NPS 3)').waitFor();
    await page
      .getByTestId('tickets-card')
      .screenshot({ path: path.join(SCREENSHOTS, 'account-tickets.png') });
    await context.close();
  });
});
