import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST_DIR } from '../../src/platform/http/web.ts';
import { launchBrowser } from '../harness/browser.ts';
import { freePort, REPO_ROOT, type RunningProcess, startRapport, tempDir } from '../harness/processes.ts';

const SCREENSHOTS = path.join(REPO_ROOT, '.test-tmp', 'screenshots');
const ADMIN = { email: 'root@example.test', password: 'correct horse battery' };

let server: RunningProcess;
let browser: Browser;
let base: string;

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
  browser = await launchBrowser();
});

// Uncaught errors in any page: none is acceptable.
const pageErrors: string[] = [];
afterEach(() => {
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
  await server?.exited;
});

describe('signing in to the web UI', () => {
  it('refuses a wrong password, then signs in and shows the navigation frame', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${base}/accounts`);
    await page.waitForURL(/\/login/);

    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByText('Email or password is incorrect').count()).toBeGreaterThan(0);

    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('app-shell').waitFor();
    expect(new URL(page.url()).pathname).toBe('/accounts');
    for (const section of [
      'directory',
      'accounts',
      'surveys',
      'distributions',
      'workflows',
      'dashboards',
      'settings',
    ]) {
      expect(await page.getByTestId(`nav-${section}`).isVisible()).toBe(true);
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, 'frame.png'), fullPage: true });

    // The session survives a reload, and signing out ends it.
    await page.reload();
    await page.getByTestId('app-shell').waitFor();
    await page.getByTestId('user-menu').click();
    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/login/);
    const me = await page.request.get(`${base}/api/v1/auth/me`);
    expect(me.status()).toBe(401);
    await page.close();
  });

  it('follows the browser language, and the language switch', async () => {
    const page = await browser.newPage({ locale: 'fr-FR' });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${base}/login`);
    await page.getByLabel('E-mail').or(page.getByLabel('Adresse e-mail')).first().fill(ADMIN.email);
    await page.getByLabel('Mot de passe', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByTestId('app-shell').waitFor();
    expect(await page.getByTestId('nav-accounts').textContent()).toMatch(/Comptes/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'frame-fr.png') });

    // The switch changes the language at once, and the choice outlives a reload.
    await page.getByTestId('language-switch').click();
    await page.getByRole('option', { name: 'Deutsch' }).click();
    await expect.poll(() => page.getByTestId('nav-settings').textContent()).toMatch(/Einstellungen/);
    await page.reload();
    await page.getByTestId('app-shell').waitFor();
    expect(await page.getByTestId('nav-accounts').textContent()).toMatch(/Accounts/);
    expect(await page.getByTestId('nav-directory').textContent()).toMatch(/Verzeichnis/);
    await page.close();
  });
});
