import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, startE2eServer } from '../harness/e2e-server.ts';
import { type RunningProcess, tempDir } from '../harness/processes.ts';

const ADMIN = { email: 'cx@cloudkicks.example', password: 'correct horse battery staple' };
let server: RunningProcess;
let browser: Browser;
let base: string;
let headers: Record<string, string>;
const pageErrors: string[] = [];

beforeAll(async () => {
  ({ server, browser, base, headers } = await startE2eServer({ admin: ADMIN }));
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

describe('the responses of a survey', () => {
  it('lists and filters them, links their downloads, and imports history after a check', async () => {
    await call('POST', '/directories', { name: 'Main' });
    const survey = await call<{ id: number }>('POST', '/directories/Main/surveys', {
      name: 'Case CSAT',
      template: 'case-csat',
    });
    await call('POST', `/surveys/${survey.id}/activate`);
    const { token } = await call<{ token: string }>('POST', `/surveys/${survey.id}/links`, {});
    for (const [csat, complete] of [
      [5, true],
      [2, true],
      [3, false],
    ] as const) {
      const r = await fetch(`${base}/api/v1/public/links/${token}/response`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers: { csat }, complete }),
      });
      expect(r.status).toBe(200);
    }

    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}/surveys/${survey.id}`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('tab-responses').click();

    const rows = page.getByTestId('responses-table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    expect(page.url()).toContain('tab=responses');
    // CSAT filters (a 5 on 1–5 is 100, a 2 is 25; a partial response has no score yet): the table,
    // the URL and the downloads follow.
    const csatCells = () => rows.locator('td:nth-child(6)').allTextContents();
    await page.getByTestId('responses-csat').click();
    await page.getByRole('option', { name: 'Unsatisfied' }).click();
    await expect.poll(csatCells).toEqual(['25']);
    expect(page.url()).toContain('csat=unsatisfied');
    expect(await page.getByTestId('responses-export-json').getAttribute('href')).toBe(
      `/api/v1/surveys/${survey.id}/responses/export?format=json&csat=unsatisfied`,
    );
    await page.getByTestId('responses-csat').click();
    await page.getByRole('option', { name: 'Satisfied', exact: true }).click();
    await expect.poll(csatCells).toEqual(['100']);
    await page.getByTestId('responses-csat').click();
    await page.getByRole('option', { name: 'Satisfied', exact: true }).click(); // deselects it
    await expect.poll(csatCells).toEqual(['', '25', '100']);
    await page.getByTestId('responses-csatMin').fill('20');
    await page.getByTestId('responses-csatMax').fill('50');
    await expect.poll(csatCells).toEqual(['25']);
    await page.getByTestId('responses-csatMin').fill('60');
    await page.getByTestId('responses-csatMax').fill('');
    await expect.poll(csatCells).toEqual(['100']);
    await page.getByTestId('responses-csatMin').fill('');
    await expect.poll(csatCells).toEqual(['', '25', '100']);
    // Filtered to complete responses: the table and the download links follow.
    await page.getByTestId('responses-status').click();
    await page.getByRole('option', { name: 'Complete' }).click();
    await expect.poll(() => rows.count()).toBe(2);
    expect(await page.getByTestId('responses-export-csv').getAttribute('href')).toBe(
      `/api/v1/surveys/${survey.id}/responses/export?format=csv&status=complete`,
    );

    // History from another tool: a bad row is reported by line first, nothing is stored.
    const file = path.join(tempDir(), 'history.csv');
    writeFileSync(
      file,
      'ResponseId,CompletedAt,csat,comment\r\nH-1,2023-05-02T10:00:00Z,4,Fine\r\nH-2,2023-05-03,9,\r\n',
    );
    await page.getByTestId('responses-import').locator('input[type=file]').setInputFiles(file);
    await page.getByTestId('responses-import-check').click();
    const problems = page.getByTestId('responses-import-problems');
    await problems.getByText('expected one of 1, 2, 3, 4, 5, got "9"').waitFor();
    expect(await page.getByTestId('responses-import-run').isDisabled()).toBe(true);

    writeFileSync(
      file,
      'ResponseId,CompletedAt,csat,comment\r\nH-1,2023-05-02T10:00:00Z,4,Fine\r\nH-2,2023-05-03,5,\r\n',
    );
    await page.getByTestId('responses-import').locator('input[type=file]').setInputFiles(file);
    await page.getByTestId('responses-import-check').click();
    await page
      .getByTestId('responses-import-checked')
      .getByText('2 rows read: 2 to create, 0 already imported.')
      .waitFor();
    await page.getByTestId('responses-import-run').click();
    await page.getByTestId('responses-import-done').waitFor();
    await expect.poll(() => rows.count()).toBe(4);
    await page.getByText('Imported', { exact: true }).first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'survey-responses.png'), fullPage: true });
    await context.close();
  });
});
