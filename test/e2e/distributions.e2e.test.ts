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

beforeAll(async () => {
  ({ server, browser, base, headers } = await startE2eServer({
    admin: ADMIN,
    fixtures: { mailingList: 'Q4 relationship survey' },
  }));
  const survey = await call<{ id: number }>('POST', '/directories/Main/surveys', {
    name: 'Relationship NPS',
    template: 'relationship-nps',
  });
  await call('POST', `/surveys/${survey.id}/activate`);
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
  await server?.exited;
});

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const r = await fetch(`${base}/api/v1${url}`, {
    method,
    headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

async function signedIn(url: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${base}${url}`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

describe('an email distribution from the UI', () => {
  let unsubscribeUrl: string;

  it('is written with a live preview for a real contact, sent now, and counted as the seed counts it', async () => {
    const page = await signedIn('/distributions');
    await page.getByTestId('distributions-empty').waitFor();
    await page.getByTestId('new-distribution').click();

    await page.getByTestId('distribution-survey').click();
    await page.getByRole('option', { name: 'Relationship NPS' }).click();
    await page.getByTestId('distribution-name').fill('Q4 relationship');
    await page.getByTestId('mailing-list').click();
    await page.getByRole('option', { name: /Q4 relationship survey/ }).click();
    // The live count of the list, before the rules.
    await page.getByTestId('audience-count').getByText('7 contacts').waitFor();
    await page.getByTestId('from-name').fill('Cloud Kicks');

    // The preview renders the message for a real contact of the list (the first one, or one picked).
    const preview = page.getByTestId('preview-panel');
    await expect.poll(() => page.getByTestId('preview-contact').inputValue()).toMatch(/<.+@.+>$/);
    await page.getByTestId('preview-contact').click();
    await page.getByRole('option', { name: /Ana Ortiz/ }).click();
    expect(await page.getByTestId('preview-contact').inputValue()).toBe(
      'Ana Ortiz <ana.ortiz@gogetcloudy.com>',
    );
    await expect
      .poll(() => preview.getByTestId('preview-subject').textContent())
      .toBe('How are we doing, Ana?');
    expect(await preview.getByTestId('preview-to').textContent()).toBe('ana.ortiz@gogetcloudy.com');
    // The HTML body, in its sandboxed frame, then the plain text.
    const frame = preview.locator('iframe[data-testid="message-frame"]');
    expect(await frame.getAttribute('sandbox')).toBe('');
    await page.frameLocator('[data-testid="preview-panel"] iframe').getByText('Hello Ana,').waitFor();
    await preview.getByRole('tab', { name: 'Text' }).click();
    expect(await preview.getByTestId('preview-text').textContent()).toContain('Hello Ana,');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'distribution-form.png'), fullPage: true });

    // A template error comes back from the server, next to its field.
    const subject = page.getByTestId('email-subject');
    await subject.fill('How are we doing, {{ contact.firstName }');
    await page.getByTestId('distribution-submit').click();
    await page.getByTestId('form-problems').getByText('message.subject').waitFor();
    await subject.fill('How are we doing, {{ contact.firstName }}?');

    await page.getByTestId('distribution-submit').click();
    await page.waitForURL(/\/distributions\/\d+$/);
    await expect
      .poll(() => page.getByTestId('distribution-status').first().textContent(), { timeout: 20_000 })
      .toBe('Sent');
    // The seed's statistics: # selected, # opted out (by reason), # missing email …, # in list.
    await expect.poll(() => page.getByTestId('stat-in-list-value').textContent()).toBe('4');
    expect(await page.getByTestId('stat-selected-value').textContent()).toBe('7');
    expect(await page.getByTestId('stat-opted-out-value').textContent()).toBe('3');
    await page.getByTestId('stat-opted-out').getByText('Email opt-out: 2').waitFor();
    expect(await page.getByTestId('stat-missing-email-value').textContent()).toBe('0');
    await page.getByTestId('recipients-table').getByText('alan@gogetcloudy.com').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'distribution-detail.png'), fullPage: true });

    // In the Sent tab, with its progress.
    await page.getByRole('link', { name: 'Distributions' }).first().click();
    await page.getByTestId('distributions-tab-sent').click();
    const row = page.getByTestId('distributions-sent').getByRole('row', { name: /Q4 relationship/ });
    await row.getByTestId('sent-progress').getByText('4 of 7 sent · 0 completed').waitFor();
    expect(await row.getByTestId('distribution-status').textContent()).toBe('Sent');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'distributions-sent.png'), fullPage: true });

    // The message in the outbox (the default provider), opened.
    await page.getByTestId('distributions-tab-outbox').click();
    await page
      .getByTestId('outbox-table')
      .getByRole('row', { name: /alan@gogetcloudy\.com/ })
      .click();
    const message = page.getByTestId('outbox-message');
    expect(await message.getByTestId('outbox-message-to').textContent()).toBe('alan@gogetcloudy.com');
    await page.frameLocator('[data-testid="outbox-message"] iframe').getByText('Hello Alan,').waitFor();
    await message.getByRole('tab', { name: 'Text' }).click();
    const text = (await message.getByTestId('outbox-message-text').textContent())!;
    expect(text).toContain('Hello Alan,');
    unsubscribeUrl = /(http:\/\/\S+\/u\/\S+)/.exec(text)![1]!;
    expect(unsubscribeUrl.startsWith(`${base}/u/`)).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'outbox-message.png') });
    await page.context().close();
  });

  it('unsubscribes from the link in the message, in the browser’s language', async () => {
    const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 480, height: 800 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(unsubscribeUrl);
    await page.getByTestId('unsubscribe-ask').getByText('Vous ne recevrez plus d’enquêtes').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'unsubscribe-ask.png') });
    await page.getByTestId('unsubscribe-confirm').click();
    await page.getByTestId('unsubscribe-done').getByText('Vous êtes désinscrit').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'unsubscribe-done.png') });

    const contacts = await call<{ items: { email: string; optOuts: { email: boolean } }[] }>(
      'GET',
      '/directories/Main/contacts?q=alan',
    );
    expect(contacts.items.find((c) => c.email === 'alan@gogetcloudy.com')!.optOuts.email).toBe(true);

    // Again later: it says so; a link that was tampered with is refused.
    await page.reload();
    await page.getByTestId('unsubscribe-done').getByText('Vous étiez déjà désinscrit').waitFor();
    await page.goto(`${unsubscribeUrl.slice(0, -4)}AAAA`);
    await page.getByTestId('unsubscribe-error').getByText('Ce lien n’est pas valide').waitFor();
    await context.close();
  });
});
