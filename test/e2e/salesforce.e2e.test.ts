import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CloudKicksSeed,
  type SalesforceEmulator,
  seedCloudKicks,
  startSalesforceEmulator,
} from '../../src/integrations/salesforce/emulator/index.ts';
import { SCREENSHOTS, startE2eServer } from '../harness/e2e-server.ts';
import type { RunningProcess } from '../harness/processes.ts';

/**
 * The Salesforce page in a browser, against the emulated org: the sync editor with a list view and
 * a picked campaign (whose mailing list appears after a run), an Outbound Message trigger whose URL
 * the org posts to, a write-back, and Web-to-Lead forms with the day's count.
 */

const ADMIN = { email: 'cx@cloudkicks.example', password: 'correct horse battery staple' };
let emulator: SalesforceEmulator;
let seed: CloudKicksSeed;
let server: RunningProcess;
let browser: Browser;
let base: string;
let headers: Record<string, string>;
const pageErrors: string[] = [];

async function call<T>(method: string, url: string, body?: unknown) {
  const r = await fetch(`${base}/api/v1${url}`, {
    method,
    headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    seed: (store) => {
      seed = seedCloudKicks(store);
    },
  });
  ({ server, browser, base, headers } = await startE2eServer({ admin: ADMIN }));
  await call('POST', '/directories', { name: 'Main' });
  await call('POST', '/salesforce/connections', {
    kind: 'client_credentials',
    name: 'Cloud Kicks org',
    loginUrl: emulator.loginUrl,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
  });
  const survey = await call<{ id: number }>('POST', '/directories/Main/surveys', {
    name: 'Case CSAT',
    definition: {
      pages: [{ name: 'p1', elements: [{ type: 'rating', name: 'csat', rateMin: 1, rateMax: 5 }] }],
    },
  });
  await call('POST', `/surveys/${survey.id}/activate`);
}, 120_000);

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
  await server?.exited;
  await emulator?.close();
});

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

async function choose(
  page: Page,
  scope: ReturnType<Page['locator']> | Page,
  label: string,
  option: string | RegExp,
) {
  // Select inputs are comboboxes; a MultiSelect's search field is a textbox.
  // Required fields' names end with their asterisk.
  const name = new RegExp(`^${label}( \\*)?$`);
  await scope.getByRole('combobox', { name }).or(scope.getByRole('textbox', { name })).first().click();
  await page.getByRole('option', { name: option }).click();
}

describe('the Salesforce page', () => {
  it('edits the sync with a list view and a campaign, manages triggers, write-backs and lead forms', {
    timeout: 180_000,
  }, async () => {
    const page = await signedIn('/salesforce');

    // Sync: a list view for accounts, one picked campaign.
    await choose(page, page, 'Salesforce connection', /Cloud Kicks org/);
    const campaign = page.getByTestId('sync-object-Campaign');
    await campaign.getByRole('checkbox').check();
    await choose(page, campaign, 'Campaigns', /Relationship NPS 2026/);
    await page.keyboard.press('Escape');
    await choose(page, page.getByTestId('sync-object-Account'), 'List view', /Strategic customers/);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved').first().waitFor();
    const saved = await call<{ sync: { objects: Record<string, unknown> } }>(
      'GET',
      '/directories/Main/salesforce/sync',
    );
    expect(saved.sync.objects).toMatchObject({
      Account: { listView: 'Strategic_Customers' },
      Campaign: { ids: [seed.campaigns.nps] },
    });
    await page.getByTestId('sync-run-now').click();
    await page.getByTestId('sync-runs').getByText('Succeeded').waitFor({ timeout: 60_000 });
    await page.getByTestId('campaign-lists').getByText('Relationship NPS 2026').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'salesforce-sync.png'), fullPage: true });

    // Outbound Messages: create a trigger, the org posts to its URL, the notification shows.
    await page.getByTestId('salesforce-tab-triggers').click();
    await page.getByTestId('trigger-new').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/^Name/).fill('CSAT when a case closes');
    await choose(page, dialog, 'Salesforce connection', /Cloud Kicks org/);
    await choose(page, dialog, 'Survey', 'Case CSAT');
    await dialog.getByLabel('Sender name').fill('Cloud Kicks');
    await dialog.getByLabel('Subject').fill('How did we do?');
    await dialog.getByLabel('Message', { exact: true }).fill('Tell us: {{ link }}');
    await dialog.getByTestId('trigger-create').click();
    const url = (await page.getByTestId('trigger-url').first().textContent())!;
    expect(url).toMatch(new RegExp(`^${base}/api/v1/public/salesforce/outbound/\\d+/[\\w-]{20,}$`));
    const sent = await emulator.sendOutboundMessage({
      url,
      objectType: 'Case',
      records: [seed.cases.closedShipping],
    });
    expect(sent.acknowledged).toBe(true);
    await page.getByRole('button', { name: 'Notifications' }).click();
    await page.getByTestId('trigger-notifications').getByText('Survey started').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'salesforce-triggers.png'), fullPage: true });

    // Write-backs: map a response to a contact update.
    await page.getByTestId('salesforce-tab-writebacks').click();
    await page.getByTestId('writeback-new').click();
    await dialog.getByLabel(/^Name/).fill('CSAT on the contact');
    await choose(page, dialog, 'Salesforce connection', /Cloud Kicks org/);
    await dialog.getByLabel(/^Object/).fill('Contact');
    await choose(page, dialog, 'Operation', 'Update');
    await dialog.getByLabel('Record Id').fill('{{ embedded.sfContactId }}');
    await dialog.getByLabel('Field', { exact: true }).fill('Description');
    await dialog.getByLabel('Value', { exact: true }).fill('CSAT {{ response.answers.csat }}');
    await dialog.getByTestId('writeback-save').click();
    const writebacks = page.getByTestId('salesforce-writebacks');
    await writebacks.getByText('CSAT on the contact').waitFor();
    await writebacks.getByRole('button', { name: 'Runs' }).click();
    await page.getByText('No run yet.').waitFor();

    // Web-to-Lead: an API form and a form post one, the day's count, a deletion.
    await page.getByTestId('salesforce-tab-lead-forms').click();
    for (const [name, mode] of [
      ['Promoters (API)', null],
      ['Promoters (form)', 'Web-to-Lead form'],
    ] as const) {
      await page.getByTestId('lead-form-new').click();
      await dialog.getByLabel(/^Name/).fill(name);
      await choose(page, dialog, 'Salesforce connection', /Cloud Kicks org/);
      if (mode) await dialog.getByText(mode, { exact: true }).click();
      await dialog.getByTestId('lead-form-create').click();
      await page.getByTestId('salesforce-lead-forms').getByText(name).waitFor();
    }
    const forms = page.getByTestId('salesforce-lead-forms');
    await forms.getByText('Org: 0 / 500 · this form: 0').waitFor();
    await forms.getByText('Not limited (API calls)').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'salesforce-lead-forms.png'), fullPage: true });
    await forms
      .getByRole('row', { name: /Promoters \(API\)/ })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByTestId('confirm-delete').click();
    await forms.getByText('Promoters (API)').waitFor({ state: 'detached' });
    await forms.getByText('Promoters (form)').waitFor();
  });
});
