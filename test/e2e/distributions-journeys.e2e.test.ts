import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, startE2eServer } from '../harness/e2e-server.ts';
import type { RunningProcess } from '../harness/processes.ts';

/**
 * Distributions in the browser beyond the email journey: a two-way SMS survey answered from the
 * phone simulator (the dev default provider is the outbox), a schedule in an explicit time zone
 * edited then deleted from the Scheduled tab, and the response funnel page against the API.
 */

const ADMIN = { email: 'cx@cloudkicks.example', password: 'correct horse battery staple' };
/** Ana Ortiz's phone in the fixtures (+1 775-555-5309), as the import stores it. */
const ANA_PHONE = '+17755555309';
let server: RunningProcess;
let browser: Browser;
let base: string;
let headers: Record<string, string>;
let surveyId: number;
let anaId: number;
let listId: number;
const pageErrors: string[] = [];
/** expect.poll on what the UI shows: pages load lazily on a shared, busy machine. */
const UI = { timeout: 15_000, interval: 200 };

interface Stats {
  selected: number;
  inList: number;
  started: number;
  completed: number;
}
interface Distribution {
  id: number;
  status: string;
  scheduledAt: string | null;
  scheduledLocal: string | null;
  timeZone: string;
  message: { subject?: string };
  stats: Stats;
}
type Stage = 'invitations' | 'delivered' | 'opened' | 'started' | 'completed';
const STAGES: Stage[] = ['invitations', 'delivered', 'opened', 'started', 'completed'];
type FunnelRow = Record<Stage, number> & { survey: string; channel: string; responseRate: number | null };
interface Funnel {
  total: Record<Stage, number> & { responseRate: number | null };
  rows: FunnelRow[];
}

/** NPS, then a comment only detractors are asked (display logic). */
const NPS_BY_SMS = {
  title: 'Cloud Kicks feedback',
  elements: [
    {
      type: 'rating',
      name: 'nps',
      isRequired: true,
      rateMin: 0,
      rateMax: 10,
      minRateDescription: 'Not likely',
      maxRateDescription: 'Very likely',
      title: 'How likely are you to recommend us?',
    },
    { type: 'comment', name: 'improve', visibleIf: '{nps} <= 6', title: 'What should we improve?' },
  ],
};

beforeAll(async () => {
  ({ server, browser, base, headers } = await startE2eServer({
    admin: ADMIN,
    fixtures: { mailingList: 'Q4 relationship survey' },
  }));
  const survey = await call<{ id: number }>('POST', '/directories/Main/surveys', {
    name: 'Quick NPS',
    definition: NPS_BY_SMS,
    metrics: { npsQuestion: 'nps' },
  });
  surveyId = survey.id;
  await call('POST', `/surveys/${surveyId}/activate`);
  const contacts = await call<{ items: { id: number; email: string; phone: string | null }[] }>(
    'GET',
    '/directories/Main/contacts?q=ana',
  );
  const ana = contacts.items.find((c) => c.email === 'ana.ortiz@gogetcloudy.com')!;
  expect(ana.phone).toBe(ANA_PHONE);
  anaId = ana.id;
  const lists = await call<{ items: { id: number; name: string }[] }>(
    'GET',
    '/directories/Main/mailing-lists',
  );
  const list = lists.items.find((l) => l.name.includes('Q4 relationship survey'));
  if (!list) throw new Error(`no mailing list: ${JSON.stringify(lists)}`);
  listId = list.id;
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
  await server?.exited;
});

async function request(method: string, url: string, body?: unknown): Promise<Response> {
  return fetch(`${base}/api/v1${url}`, {
    method,
    headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const r = await request(method, url, body);
  if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

const distribution = (id: number) => call<Distribution>('GET', `/distributions/${id}`);

/** Created through the API, then followed until its send is over. */
async function sentDistribution(body: Record<string, unknown>): Promise<Distribution> {
  const { id } = await call<{ id: number }>('POST', '/directories/Main/distributions', { surveyId, ...body });
  await expect
    .poll(async () => (await distribution(id)).status, { timeout: 30_000, interval: 200 })
    .toBe('completed');
  return distribution(id);
}

async function signedIn(url: string): Promise<Page> {
  const context = await browser.newContext({
    locale: 'en-US',
    timezoneId: 'Europe/Paris',
    viewport: { width: 1400, height: 1000 },
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${base}${url}`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

describe('a two-way SMS survey answered from the phone simulator', () => {
  it('texts the question, re-asks an invalid reply, and records the completed response', async () => {
    const sms = await sentDistribution({
      name: 'NPS by text',
      channel: 'sms',
      recipients: { type: 'contacts', contactIds: [anaId] },
      message: { mode: 'two_way', body: 'Hi {{ contact.firstName }}, Cloud Kicks here.' },
    });
    expect(sms.stats).toMatchObject({ selected: 1, inList: 1, completed: 0 });

    const page = await signedIn('/distributions');
    await page.getByTestId('distributions-tab-phone').click();
    // The numbers that received a text are offered.
    await page.getByTestId('simulator-phone').click();
    await page.getByRole('option', { name: ANA_PHONE }).click();
    const screen = page.getByTestId('simulator-phone-screen');
    const fromBot = screen.getByTestId('simulator-message-out');
    await fromBot.first().getByText('Hi Ana, Cloud Kicks here.', { exact: false }).waitFor();
    expect(await fromBot.first().textContent()).toContain('How likely are you to recommend us?');
    expect(await fromBot.count()).toBe(1);

    // Out of range: asked again, and the reply says why.
    const body = page.getByTestId('simulator-body');
    await body.fill('15');
    await body.press('Enter');
    await expect.poll(() => fromBot.count(), UI).toBe(2);
    expect(await fromBot.nth(1).textContent()).toContain('Reply with a number from 0 (Not likely) to 10');
    await screen.getByTestId('simulator-message-in').getByText('15', { exact: true }).waitFor();
    await screen.getByText('· invalid').waitFor();

    // A detractor's score: the comment question follows (display logic), then the thanks.
    await body.fill('4');
    await page.getByTestId('simulator-send').click();
    await expect.poll(() => fromBot.count(), UI).toBe(3);
    expect(await fromBot.nth(2).textContent()).toContain('What should we improve?');
    await body.fill('Faster answers, please.');
    await body.press('Enter');
    await expect.poll(() => fromBot.count(), UI).toBe(4);
    expect(await fromBot.nth(3).textContent()).toContain('Thank you for your answers!');
    await screen.getByText('· completed').waitFor();
    // The phone's texts (each bubble's first paragraph; the second is its time).
    const mine = await screen
      .getByTestId('simulator-message-in')
      .evaluateAll((bubbles) => bubbles.map((b) => b.querySelector('p')?.textContent));
    expect(mine).toEqual(['15', '4', 'Faster answers, please.']);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'phone-simulator.png'), fullPage: true });

    // The response is the distribution's: counted in its statistics, as the API has them.
    const after = await distribution(sms.id);
    expect(after.stats).toMatchObject({ started: 1, completed: 1 });
    await page.goto(`${base}/distributions/${sms.id}`);
    await expect.poll(() => page.getByTestId('stat-completed-value').textContent(), UI).toBe('1');
    expect(await page.getByTestId('stat-started-value').textContent()).toBe('1');
    expect(await page.getByTestId('stat-in-list-value').textContent()).toBe('1');
    await page.context().close();
  });
});

describe('a scheduled distribution from the Scheduled tab', () => {
  it('is scheduled in an explicit time zone, edited, then deleted', async () => {
    const page = await signedIn('/distributions');
    await page.getByTestId('distributions-empty').waitFor();
    await page.getByTestId('new-distribution').click();
    await page.getByTestId('distribution-survey').click();
    await page.getByRole('option', { name: 'Quick NPS' }).click();
    await page.getByTestId('distribution-name').fill('Spring check-in');
    await page.getByTestId('mailing-list').click();
    await page.getByRole('option', { name: /Q4 relationship survey/ }).click();
    await page.getByTestId('from-name').fill('Cloud Kicks');
    await page.getByTestId('email-subject').fill('Spring check-in for {{ contact.firstName }}');
    await page.getByTestId('distribution-when').getByText('Schedule', { exact: true }).click();
    await page.getByTestId('distribution-at').fill('2030-03-15T09:30');
    // The browser is in Paris; the schedule is New York's wall clock (already on summer time).
    const zone = page.getByTestId('distribution-timezone');
    await zone.click();
    await zone.fill('New_York');
    await page.getByRole('option', { name: 'America/New_York' }).click();
    // (ICU puts a narrow no-break space before AM/PM: \s matches it.)
    await page.getByText(/That is Friday, March 15, 2030 at 2:30\sPM for you\./).waitFor();
    await page.getByTestId('distribution-submit').click();
    await page.waitForURL(/\/distributions\/\d+$/);
    const id = Number(/\/distributions\/(\d+)$/.exec(page.url())![1]);
    await expect
      .poll(() => page.getByTestId('distribution-status').first().textContent(), UI)
      .toBe('Scheduled');

    const scheduled = await distribution(id);
    expect(scheduled).toMatchObject({
      status: 'scheduled',
      scheduledLocal: '2030-03-15T09:30',
      timeZone: 'America/New_York',
      scheduledAt: '2030-03-15T13:30:00.000Z',
      message: { subject: 'Spring check-in for {{ contact.firstName }}' },
    });

    // In the Scheduled tab, at the zone's wall-clock time, with its zone.
    await page.getByRole('link', { name: 'Distributions' }).first().click();
    await page.getByTestId('distributions-tab-scheduled').click();
    const row = page.getByTestId(`distribution-row-${id}`);
    await row.getByText(/Mar 15, 2030, 9:30\sAM/).waitFor();
    await row.getByText('America/New_York').waitFor();
    expect(await page.getByTestId('distributions-scheduled').getByRole('row').count()).toBe(2);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'distributions-scheduled.png'), fullPage: true });

    // Edit: the form comes back with the schedule as given; move it and change the subject.
    await row.getByTestId('row-actions').click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    await page.waitForURL(new RegExp(`/distributions/${id}/edit$`));
    const at = page.getByTestId('distribution-at');
    await expect.poll(() => at.inputValue(), UI).toBe('2030-03-15T09:30');
    expect(await page.getByTestId('distribution-timezone').inputValue()).toBe('America/New_York');
    expect(await page.getByTestId('email-subject').inputValue()).toBe(
      'Spring check-in for {{ contact.firstName }}',
    );
    await at.fill('2030-03-16T14:00');
    await page.getByTestId('email-subject').fill('How was your spring, {{ contact.firstName }}?');
    await page.getByTestId('distribution-submit').click();
    await page.waitForURL(new RegExp(`/distributions/${id}$`));
    await expect.poll(async () => (await distribution(id)).scheduledLocal, UI).toBe('2030-03-16T14:00');
    expect(await distribution(id)).toMatchObject({
      status: 'scheduled',
      timeZone: 'America/New_York',
      scheduledAt: '2030-03-16T18:00:00.000Z',
      message: { subject: 'How was your spring, {{ contact.firstName }}?' },
    });
    await page.getByRole('link', { name: 'Distributions' }).first().click();
    await page.getByTestId('distributions-tab-scheduled').click();
    await row.getByText(/Mar 16, 2030, 2:00\sPM/).waitFor();

    // Delete: confirmed, gone from the list and from the API.
    await row.getByTestId('row-actions').click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByTestId('confirm-delete').click();
    await page.getByTestId('distributions-empty').waitFor();
    expect((await request('GET', `/distributions/${id}`)).status).toBe(404);
    const list = await call<{ items: unknown[] }>('GET', '/directories/Main/distributions?tab=scheduled');
    expect(list.items).toEqual([]);
    await page.context().close();
  });
});

describe('the response funnel page', () => {
  it('shows the API’s figures, by survey and channel, and filtered by channel', async () => {
    // Beside the SMS survey answered above: an email invitation to the list, sent now.
    const email = await sentDistribution({
      name: 'Quick NPS by email',
      channel: 'email',
      recipients: { type: 'mailingList', mailingListId: listId },
      message: {
        fromName: 'Cloud Kicks',
        subject: 'Quick question, {{ contact.firstName }}',
        text: 'Hello {{ contact.firstName }}, {{ link }}',
      },
    });
    expect(email.stats.inList).toBeGreaterThan(0);
    const funnel = await call<Funnel>('GET', '/directories/Main/response-funnel');
    const bySms = funnel.rows.find((r) => r.channel === 'sms')!;
    const byEmail = funnel.rows.find((r) => r.channel === 'email')!;
    expect(bySms).toMatchObject({ survey: 'Quick NPS', invitations: 1, started: 1, completed: 1 });
    expect(byEmail).toMatchObject({ survey: 'Quick NPS', invitations: email.stats.inList, completed: 0 });
    expect(funnel.total.invitations).toBe(1 + email.stats.inList);

    const page = await signedIn('/distributions');
    await page.getByTestId('distributions-tab-funnel').click();
    const table = page.getByTestId('funnel-table');
    const cells = async (channel: 'SMS' | 'Email') => {
      const row = table.getByRole('row').filter({ has: page.getByText(channel, { exact: true }) });
      await row.waitFor();
      return (await row.getByRole('cell').allTextContents()).map((s) => s.trim());
    };
    const shown = (r: FunnelRow, channel: string) => [
      'Quick NPS',
      channel,
      ...STAGES.map((stage) => String(r[stage])),
      r.responseRate === null ? '—' : `${r.responseRate} %`,
    ];
    expect(await cells('SMS')).toEqual(shown(bySms, 'SMS'));
    expect(await cells('Email')).toEqual(shown(byEmail, 'Email'));
    expect(await table.locator('tbody tr').count()).toBe(2);
    // The totals, each stage against the invitations.
    const totals = page.getByRole('table').filter({ has: page.getByTestId('funnel-rate') });
    const labels = ['Invitations sent', 'Delivered', 'Opened', 'Started', 'Completed'];
    for (const [i, stage] of STAGES.entries()) {
      const row = totals.getByRole('row').filter({ has: page.getByRole('rowheader', { name: labels[i] }) });
      expect(await row.getByRole('cell').first().textContent()).toBe(String(funnel.total[stage]));
    }
    expect(await page.getByTestId('funnel-rate').textContent()).toBe(`${funnel.total.responseRate} %`);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'response-funnel.png'), fullPage: true });

    // Filtered to SMS: the URL holds the filter, and the figures are the API's for it.
    await page.getByRole('combobox', { name: 'Channel' }).click();
    await page.getByRole('option', { name: 'SMS' }).click();
    await page.waitForURL(/channel=sms/);
    await expect.poll(() => table.locator('tbody tr').count(), UI).toBe(1);
    const smsOnly = await call<Funnel>('GET', '/directories/Main/response-funnel?channel=sms');
    expect(await page.getByTestId('funnel-rate').textContent()).toBe(`${smsOnly.total.responseRate} %`);
    expect(smsOnly.total.responseRate).toBe(100);
    expect(await cells('SMS')).toEqual(shown(smsOnly.rows[0]!, 'SMS'));
    await page.context().close();
  });
});
