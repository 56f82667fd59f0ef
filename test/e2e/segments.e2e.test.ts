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

const call = async <T>(method: string, url: string, body?: unknown) => {
  const r = await fetch(`${base}/api/v1${url}`, {
    method,
    headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
};

beforeAll(async () => {
  ({ server, browser, base, headers } = await startE2eServer({ admin: ADMIN, fixtures: {} }));

  // Detractors in accounts of three tiers (the fixture's Tier__c account attribute): Alan at Get
  // Cloudy (B), Ana at Get Cloudy – Reno (C), Zoë at Cloud Kicks Holdings (A); Leung, also at Get
  // Cloudy, is a promoter.
  const survey = await call<{ id: number }>('POST', '/directories/Main/surveys', {
    name: 'Relationship NPS',
    definition: {
      elements: [{ type: 'rating', name: 'nps', title: 'How likely…', rateMin: 0, rateMax: 10 }],
    },
    metrics: { npsQuestion: 'nps' },
  });
  await call('POST', `/surveys/${survey.id}/activate`);
  for (const [who, nps] of [
    ['alan', 3],
    ['ana', 5],
    ['zoe', 2],
    ['leung', 10],
  ] as const) {
    const found = await call<{ items: { id: number }[] }>('GET', `/directories/Main/contacts?q=${who}`);
    const link = await call<{ token: string }>('POST', `/surveys/${survey.id}/links`, {
      contactId: found.items[0]!.id,
    });
    const r = await fetch(`${base}/api/v1/public/links/${link.token}/response`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { nps }, complete: true }),
    });
    expect(r.status, await r.text()).toBe(200);
  }
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
  await server?.exited;
});

describe('the segment editor', () => {
  it('builds rules with a live count, saves the segment, and lists it with the API’s count', async () => {
    const everyone = await call<{ count: number }>('POST', '/directories/Main/segments/preview', {
      entity: 'contact',
      rules: { all: [] },
    });
    expect(everyone.count).toBeGreaterThan(3);

    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1500, height: 1100 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}/segments`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('new-segment').click();
    await page.getByTestId('segment-name').fill('Tier B detractors');

    const count = page.getByTestId('segment-live-count');
    await expect.poll(() => count.textContent()).toBe(`${everyone.count} members`);

    // Detractor in the last 90 days (the condition's default scope).
    const root = page.getByTestId('rule-group-0');
    await root.getByTestId('add-condition').click();
    const what = page.getByTestId('condition-what');
    await what.nth(0).click();
    await page.getByRole('option', { name: 'Latest NPS category' }).click();
    await expect.poll(() => page.getByLabel('In the last (days)').inputValue()).toBe('90');
    await expect.poll(() => count.textContent()).toBe('3 members');

    // …and holds a role in an account of tier B.
    await root.getByTestId('add-condition').last().click();
    await what.nth(1).click();
    await page.getByRole('option', { name: 'Holds a role in an account' }).click();
    const nested = page.getByTestId('rule-group-1');
    await nested.getByTestId('add-condition').click();
    await what.nth(2).click();
    await page.getByRole('option', { name: 'Tier__c', exact: true }).click();
    await nested.getByTestId('condition-value').fill('B');
    await expect.poll(() => count.textContent()).toBe('1 member');
    const sample = page.getByTestId('segment-preview').getByTestId('segment-members');
    await expect
      .poll(() => sample.locator('tbody tr').allTextContents())
      .toEqual([expect.stringContaining('Alan Johnson')]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'segment-editor.png'), fullPage: true });

    await page.getByTestId('save-segment').click();
    await page.waitForURL(/\/segments\/\d+$/);
    const id = Number(page.url().split('/').pop());
    const saved = await call<{ name: string; count: number; rules: unknown }>('GET', `/segments/${id}`);
    expect(saved).toMatchObject({ name: 'Tier B detractors', count: 1 });
    expect(JSON.stringify(saved.rules)).toContain('"categories":["detractor"]');
    const members = await call<{ items: { email: string | null }[] }>('GET', `/segments/${id}/members`);
    expect(members.items.map((m) => m.email).sort()).toEqual(['alan@gogetcloudy.com']);

    // Listed with the same count.
    await page.getByRole('link', { name: 'Segments' }).first().click();
    const row = page.getByTestId('segments-table').locator('tbody tr', { hasText: 'Tier B detractors' });
    await expect.poll(() => row.getByTestId('segment-count').textContent()).toBe('1');
    await context.close();
  });
});
