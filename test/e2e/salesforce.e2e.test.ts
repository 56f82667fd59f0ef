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
    customObjects: [
      {
        name: 'Client_Contact__c',
        fields: [
          { name: 'First_Name__c', type: 'string', length: 40 },
          { name: 'Last_Name__c', type: 'string', length: 80 },
          { name: 'Account__c', type: 'reference', referenceTo: 'Account' },
        ],
      },
    ],
    seed: (store) => {
      seed = seedCloudKicks(store);
      store.insertMany('Client_Contact__c', [
        { Name: 'CC-1', First_Name__c: 'Ada', Last_Name__c: 'Quinn' },
        { Name: 'CC-2', First_Name__c: 'Bo', Last_Name__c: 'Reyes' },
      ]);
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

  it('Settings → Connections: tests a connection, and lists what uses it before it is disconnected', {
    timeout: 120_000,
  }, async () => {
    // A second org connection used by a sync of another directory.
    await call('POST', '/directories', { name: 'Second' });
    const spare = await call<{ connection: { id: number } }>('POST', '/salesforce/connections', {
      kind: 'client_credentials',
      name: 'Spare org',
      loginUrl: emulator.loginUrl,
      clientId: emulator.clientId,
      clientSecret: emulator.clientSecret,
    });
    await call('PUT', '/directories/Second/salesforce/sync', {
      connectionId: spare.connection.id,
      objects: { Account: {} },
    });

    const page = await signedIn('/settings/connections');
    const table = page.getByTestId('salesforce-connections');
    const row = table.getByRole('row', { name: /Spare org/ });
    await row.getByRole('button', { name: 'Test', exact: true }).click();
    await page.getByText('The connection works.').waitFor();
    const before = emulator.requests().length;
    expect(before).toBeGreaterThan(0);

    // The warning names what would stop: here the other directory's sync; cancel keeps everything.
    await row.getByRole('button', { name: 'Disconnect' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('This task will stop working:').waitFor();
    await dialog.getByTestId('connection-uses').getByText('Directory sync').waitFor();
    await dialog
      .getByTestId('connection-uses')
      .getByText(/\(Second\)/)
      .waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'salesforce-disconnect.png'), fullPage: true });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The first org runs the Main directory's sync, trigger, write-back and lead form: all listed.
    await table
      .getByRole('row', { name: /Cloud Kicks org/ })
      .getByRole('button', { name: 'Disconnect' })
      .click();
    const uses = page.getByRole('dialog').getByTestId('connection-uses');
    for (const kind of ['Directory sync', 'Outbound Message trigger', 'Write-back'])
      await uses.getByText(kind, { exact: false }).first().waitFor();
    await uses.getByText(/CSAT when a case closes/).waitFor();
    await uses.getByText(/CSAT on the contact/).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    // Disconnecting the spare org: it is gone, and the Second directory's sync has no connection.
    await row.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disconnect' }).click();
    await table.getByText('Spare org').waitFor({ state: 'detached' });
    await table.getByText('Cloud Kicks org').waitFor();
    const second = await call<{ sync: { connectionId: number | null } }>(
      'GET',
      '/directories/Second/salesforce/sync',
    );
    expect(second.sync.connectionId).toBeNull();
  });

  it("the sync page: a custom object's fields from describe, the schedule, a run and its report", {
    timeout: 150_000,
  }, async () => {
    await call('POST', '/directories', { name: 'Third' });
    const { items } = await call<{ items: { id: number; name: string }[] }>('GET', '/salesforce/connections');
    const connectionId = items.find((c) => c.name === 'Cloud Kicks org')!.id;
    const mapping = {
      contacts: {
        fields: {
          externalRef: ['Id'],
          firstName: ['First_Name__c'],
          lastName: ['Last_Name__c'],
          isDeleted: ['IsDeleted'],
        },
      },
    };
    // The custom object is named through the API (with the file it feeds and its mapping) …
    await call('PUT', '/directories/Third/salesforce/sync', {
      connectionId,
      objects: { Client_Contact__c: { loadAs: 'contacts', fields: ['Last_Name__c'], mapping } },
    });

    // … and edited on the page like the built-in objects: a field picked from describe, a schedule.
    const page = await signedIn('/salesforce');
    await page.getByTestId('directory-picker').click();
    await page.getByRole('option', { name: 'Third' }).click();
    const card = page.getByTestId('sync-object-Client_Contact__c');
    await card.getByTestId('sync-object-load-Client_Contact__c').getByText('contacts').waitFor();
    await choose(page, card, 'More fields', /\(First_Name__c\)/);
    await page.keyboard.press('Escape');
    await page.getByRole('textbox', { name: 'Schedule (cron)' }).fill('15 3 * * 1-5');
    await page.getByRole('textbox', { name: 'Time zone' }).fill('Europe/Paris');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved').first().waitFor();
    const saved = await call<{
      sync: {
        objects: Record<string, { fields: string[]; loadAs?: string; mapping?: unknown }>;
        schedule: unknown;
      };
    }>('GET', '/directories/Third/salesforce/sync');
    expect(saved.sync.objects.Client_Contact__c).toMatchObject({ loadAs: 'contacts', mapping });
    expect(saved.sync.objects.Client_Contact__c!.fields.sort()).toEqual(['First_Name__c', 'Last_Name__c']);
    expect(saved.sync.schedule).toEqual({ cron: '15 3 * * 1-5', timeZone: 'Europe/Paris' });

    await page.getByTestId('sync-run-now').click();
    const runs = page.getByTestId('sync-runs');
    await runs.getByText('Succeeded').waitFor({ timeout: 60_000 });
    await runs.getByText(/Client_Contact__c:/).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'salesforce-sync-custom.png'), fullPage: true });
    await runs.getByRole('link').first().click();
    await page.waitForURL(/\/directory\/imports\/\d+$/);
    const contacts = await call<{ items: { firstName: string | null; lastName: string }[] }>(
      'GET',
      '/directories/Third/contacts?q=Quinn',
    );
    expect(contacts.items.map((c) => [c.firstName, c.lastName])).toEqual([['Ada', 'Quinn']]);
  });
});
