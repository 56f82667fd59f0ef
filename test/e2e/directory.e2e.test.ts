import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST_DIR } from '../../src/platform/http/web.ts';
import { launchBrowser } from '../harness/browser.ts';
import { freePort, REPO_ROOT, type RunningProcess, startRapport, tempDir } from '../harness/processes.ts';
import { startSftpServer, type TestSftpServer } from '../harness/sftp-server.ts';

const SCREENSHOTS = path.join(REPO_ROOT, '.test-tmp', 'screenshots');
const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'b2b');
const ADMIN = { email: 'root@example.test', password: 'correct horse battery' };

let server: RunningProcess;
let browser: Browser;
let page: Page;
let base: string;
let sftp: TestSftpServer;
// Uncaught errors in the page: none is acceptable.
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(path.join(WEB_DIST_DIR, 'index.html')))
    throw new Error('Build the web UI first: npm run build');
  mkdirSync(SCREENSHOTS, { recursive: true });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = startRapport(['start', '--no-build-ui'], {
    RAPPORT_DATA_DIR: tempDir(),
    PORT: String(port),
    RAPPORT_ADMIN_EMAIL: ADMIN.email,
    RAPPORT_ADMIN_PASSWORD: ADMIN.password,
  });
  await server.waitForOutput(/is running at/);
  sftp = await startSftpServer();
  mkdirSync(path.join(sftp.root, 'crm'));
  mkdirSync(path.join(sftp.root, 'done'));
  copyFileSync(path.join(FIXTURES, 'Account.csv'), path.join(sftp.root, 'crm', 'Account.csv'));
  browser = await launchBrowser();
  page = await browser.newPage({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${base}/directory`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('app-shell').waitFor();
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await sftp?.close();
  server?.child.kill('SIGTERM');
  await server?.exited;
});

describe('the directory in the browser', () => {
  it('creates a directory, uploads the three Salesforce files and shows the run report', async () => {
    await page.getByRole('button', { name: 'New directory' }).first().click();
    await page.getByLabel('Directory name').fill('Customers');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('directory-picker').waitFor();

    await page.getByTestId('directory-tab-imports').click();
    const inputs = page.locator('input[type=file]');
    await inputs.nth(0).setInputFiles(path.join(FIXTURES, 'Account.csv'));
    await inputs.nth(1).setInputFiles(path.join(FIXTURES, 'Contact.csv'));
    await inputs.nth(2).setInputFiles(path.join(FIXTURES, 'AccountTeamMember.csv'));
    await page.getByLabel(/new mailing list named/).fill('Survey wave {{date}}');
    await page.getByTestId('start-import').click();

    await page.waitForURL(/\/directory\/imports\/\d+$/);
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 30_000 })
      .toBe('Succeeded');
    const contactsCreated = page.getByTestId('counts-contacts').locator('[data-count=created]');
    expect(await contactsCreated.textContent()).toBe('7');
    expect(await page.getByTestId('counts-teamMembers').locator('[data-count=rejected]').textContent()).toBe(
      '2',
    );
    const issues = page.getByTestId('import-issues');
    expect(await issues.getByText('duplicate Id in this file (first on line 3): row ignored').count()).toBe(
      1,
    );
    expect(await issues.getByText('expected an email address').count()).toBe(1);

    // The full report downloads with the session cookie.
    const href = await page.getByTestId('errors-csv').getAttribute('href');
    const report = await page.request.get(`${base}${href}`);
    expect(report.status()).toBe(200);
    expect(await report.text()).toMatch(/Contact\.csv.*,9,Email,not-an-email,expected an email address/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'import-run.png'), fullPage: true });

    // The run's mailing list holds the imported contacts.
    await page.getByText(/Contacts added to mailing list/).click();
    await page.getByTestId('contacts-table').waitFor();
    expect(await page.getByTestId('contacts-table').locator('tbody tr').count()).toBe(7);
  });

  it('searches contacts and opens a profile with its accounts and roles', async () => {
    await page.goto(`${base}/directory/contacts`);
    await page.getByTestId('contacts-search').fill('leung');
    await expect
      .poll(() => page.getByTestId('contacts-table').locator('tbody tr').count(), { timeout: 10_000 })
      .toBe(1);
    await page.getByRole('link', { name: 'Leung Chan' }).click();
    await page.getByTestId('contact-name').waitFor();
    expect(await page.getByTestId('contact-name').textContent()).toBe('Leung Chan');
    expect(await page.getByText('Get Cloudy Consulting, Inc.').count()).toBeGreaterThan(0);
    expect(await page.getByText('Influencer').count()).toBeGreaterThan(0);
    expect(await page.getByText(/Survey wave \d{4}-\d{2}-\d{2} #\d+/).count()).toBe(1);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'contact.png'), fullPage: true });
  });

  it('shows an account with its hierarchy, contacts by role and team', async () => {
    await page.getByTestId('nav-accounts').click();
    await page.getByTestId('accounts-table').waitFor();
    await page.getByRole('link', { name: 'Get Cloudy Consulting, Inc.' }).click();
    await page.getByTestId('account-name').waitFor();
    const tree = page.getByTestId('account-tree');
    await tree.waitFor();
    expect(await tree.getByText('Cloud Kicks Holdings').count()).toBe(1);
    expect(await tree.getByText('Get Cloudy – Reno').count()).toBe(1);
    expect(await page.getByTestId('contacts-by-role').getByText('Alan Johnson').count()).toBe(1);
    expect(await page.getByTestId('contacts-by-role').getByText('Decision maker').count()).toBe(1);
    expect(await page.getByTestId('account-team').getByText('owner.one@cloudkicks.example').count()).toBe(1);
    expect(await page.getByTestId('account-team').getByText('Account owner').count()).toBe(1);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'account.png'), fullPage: true });

    // Up the hierarchy through the tree.
    await tree.getByRole('link', { name: 'Cloud Kicks Holdings' }).click();
    await expect.poll(() => page.getByTestId('account-name').textContent()).toBe('Cloud Kicks Holdings');
  });

  it('edits the mapping: a new Title value maps to a client role and is saved', async () => {
    await page.goto(`${base}/directory/mapping`);
    const table = page.getByTestId('value-table-clientRoles');
    await table.waitFor();
    await table.getByLabel('Value (* matches any text)').fill('Janitor');
    await table.getByRole('button', { name: 'Add value' }).click();
    await table.getByLabel('Janitor → Role').waitFor();
    await page.getByTestId('save-mapping').click();
    await page.getByText('Saved').first().waitFor();

    const response = await page.request.get(`${base}/api/v1/directories/Customers/mapping`);
    const body = (await response.json()) as {
      saved: boolean;
      mapping: { clientRoles: { values: Record<string, string> } };
    };
    expect(body.saved).toBe(true);
    expect(body.mapping.clientRoles.values.Janitor).toBe('DECISION_MAKER');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'mapping.png'), fullPage: true });
  });

  it('imports from an SFTP source set up in the UI, pinning its host key and archiving the file', async () => {
    await page.goto(`${base}/directory/imports`);
    await page.getByRole('button', { name: 'Add an SFTP source' }).click();
    await page.getByLabel(/^Name/).fill('CRM export');
    await page.getByLabel(/^Host/).fill(sftp.host);
    await page.getByLabel('Port', { exact: true }).fill(String(sftp.port));
    await page.getByLabel(/^User/).fill(sftp.username);
    await page.getByRole('textbox', { name: 'Password' }).fill(sftp.password);
    await page.getByLabel('Remote path of the Accounts file').fill('/crm/Account.csv');
    await page.getByLabel(/Move files to this folder/).fill('/done');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('CRM export').waitFor();
    // The password never comes back to the browser.
    const sources = await page.request.get(`${base}/api/v1/directories/Customers/sftp-sources`);
    expect(await sources.text()).not.toContain(sftp.password);

    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText(`Connected. Host key ${sftp.hostKeyFingerprint}`).waitFor();
    await page.getByRole('button', { name: 'Import now' }).click();
    await page.waitForURL(/\/directory\/imports\/\d+$/);
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 30_000 })
      .toBe('Succeeded');
    expect(await page.getByTestId('counts-accounts').locator('[data-count=unchanged]').textContent()).toBe(
      '9',
    );
    // Archived after the run commits, under a time-stamped name.
    await expect
      .poll(() => existsSync(path.join(sftp.root, 'crm', 'Account.csv')), { timeout: 10_000 })
      .toBe(false);
    expect(readdirSync(path.join(sftp.root, 'done')).some((name) => name.endsWith('Account.csv'))).toBe(true);
  });

  it('creates an API token in Settings that then works as a Bearer token', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByRole('tab', { name: 'API tokens' }).click();
    await page.getByLabel('Token name').fill('CRM widget');
    await page.getByRole('button', { name: 'Create' }).click();
    const token = (await page.getByTestId('new-token').textContent()) ?? '';
    expect(token).toMatch(/^rap_/);
    const me = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe(ADMIN.email);

    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('Revoked').waitFor();
    const after = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'tokens.png'), fullPage: true });
  });
});
