import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, importFiles } from '../../test/harness/import-helpers.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import { refreshFromEvents } from '../health/health.jobs.ts';

let t: TestApp;
let admin: { authorization: string };
let cx: { authorization: string };
let viewer: { authorization: string };
const contact: Record<string, number> = {};
const account: Record<string, number> = {};

/** nps 0–10, csat 1–5 and a comment, with French and German texts. */
const DEFINITION = {
  pages: [
    {
      name: 'p1',
      elements: [
        {
          type: 'rating',
          name: 'nps',
          rateMin: 0,
          rateMax: 10,
          title: { default: 'Would you recommend us?', fr: 'Nous recommanderiez-vous ?', de: 'Empfehlen?' },
        },
        {
          type: 'rating',
          name: 'csat',
          rateMin: 1,
          rateMax: 5,
          title: { default: 'Satisfied?', fr: 'Satisfait ?' },
        },
        { type: 'comment', name: 'why', title: { default: 'Why?', fr: 'Pourquoi ?', de: 'Warum?' } },
      ],
    },
  ],
};

type Headers = { authorization: string };
const api = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  headers: Headers = cx,
) =>
  t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: headers.authorization },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

async function newSurvey(options: Record<string, unknown> = {}, definition: object = DEFINITION) {
  const created = await api('POST', '/directories/Main/surveys', {
    name: `Survey ${Math.random().toString(36).slice(2, 8)}`,
    definition,
    metrics: { npsQuestion: 'nps', csatQuestion: 'csat' },
    ...options,
  });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().id as number;
  expect((await api('POST', `/surveys/${id}/activate`)).statusCode).toBe(200);
  return id;
}

async function linkFor(surveyId: number, body: Record<string, unknown>) {
  const link = await api('POST', `/surveys/${surveyId}/links`, body);
  expect(link.statusCode, link.body).toBe(201);
  return link.json().token as string;
}

const openPage = (token: string, headers: Record<string, string> = {}, query = '') =>
  t.app.inject({ url: `/api/v1/public/links/${token}${query}`, headers });

const save = (token: string, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'PUT', url: `/api/v1/public/links/${token}/response`, payload });

/** A personal (or anonymous) link answered to the end; the response's id. */
async function complete(surveyId: number, contactRef: string | null, answers: Record<string, unknown>) {
  const token = await linkFor(
    surveyId,
    contactRef ? { contactId: contact[contactRef] } : { kind: 'anonymous' },
  );
  const saved = await save(token, { answers, complete: true });
  expect(saved.statusCode, saved.body).toBe(200);
  return saved.json().responseId as number;
}

const listIds = async (surveyId: number, query: string) => {
  const listed = await api('GET', `/surveys/${surveyId}/responses?${query}`);
  expect(listed.statusCode, listed.body).toBe(200);
  return (listed.json().items as { id: number }[]).map((r) => r.id).sort((a, b) => a - b);
};
const sorted = (...ids: number[]) => [...ids].sort((a, b) => a - b);

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.bearerFor('admin');
  cx = await t.bearerFor('cx_manager');
  viewer = await t.bearerFor('viewer');
  expect((await api('POST', '/directories', { name: 'Main' })).statusCode).toBe(201);
  const { run } = await importFiles(t.runtime.db, t.runtime.secrets, 'Main', {
    accounts: fixture('Account.csv'),
    contacts: fixture('Contact.csv'),
  });
  expect(run.status).toBe('succeeded');
  for (const row of await t.runtime.db.query<{ id: number; external_ref: string }>(
    'SELECT id, external_ref FROM contacts',
  ))
    contact[row.external_ref] = Number(row.id);
  for (const row of await t.runtime.db.query<{ id: number; external_ref: string }>(
    'SELECT id, external_ref FROM accounts',
  ))
    account[row.external_ref] = Number(row.id);
});
afterAll(() => t.close());

describe('deleting a response', () => {
  const ownHealth = async (ref: string) => {
    const r = await api('GET', `/accounts/${account[ref]}/health`);
    expect(r.statusCode, r.body).toBe(200);
    return r.json().own as { npsAnswers: number; detractors: number } | null;
  };
  /** Runs the health refresher (as its job does, every second) until the account's health passes. */
  async function refreshUntil(
    ref: string,
    done: (own: { npsAnswers: number; detractors: number }) => boolean,
  ) {
    const started = Date.now();
    for (;;) {
      await refreshFromEvents(t.runtime.db);
      const own = await ownHealth(ref);
      if (own && done(own)) return own;
      if (Date.now() - started > 10_000)
        throw new Error(`health of ${ref} not refreshed: ${JSON.stringify(own)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('removes it in one transaction with its audit entry and a response.deleted event, and refreshes account health', async () => {
    const surveyId = await newSurvey();
    // Leung (003B) answers for Get Cloudy (001B): a detractor, which its health picks up.
    const id = await complete(surveyId, '003B', { nps: 2, why: 'Slow support' });
    await refreshUntil('001B', (own) => own.detractors === 1);

    // A viewer may not delete; nothing happens.
    expect((await api('DELETE', `/responses/${id}`, undefined, viewer)).statusCode).toBe(403);
    expect((await api('GET', `/responses/${id}`)).statusCode).toBe(200);

    const deleted = await api('DELETE', `/responses/${id}`);
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect((await api('GET', `/responses/${id}`)).statusCode).toBe(404);
    expect(await listIds(surveyId, '')).toEqual([]);
    expect((await api('DELETE', `/responses/${id}`)).statusCode).toBe(404);

    const audit = (
      await api('GET', `/audit-events?targetType=response&targetId=${id}`, undefined, admin)
    ).json();
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({
      action: 'response.deleted',
      details: { surveyId, contactId: contact['003B'], status: 'complete' },
    });
    expect(audit.items[0].actorLabel).toMatch(/^cx_manager-.*\(token\)$/);

    // The outbox tells its readers, once: created, completed, then deleted (the second DELETE was a 404).
    const events = (await api('GET', `/events?subject=response:${id}`)).json().items;
    expect(events.map((e: { type: string }) => e.type)).toEqual([
      'response.created',
      'response.completed',
      'response.deleted',
    ]);
    expect(events[2].payload).toMatchObject({
      responseId: id,
      surveyId,
      contactId: contact['003B'],
      accountId: account['001B'],
      status: 'complete',
      npsCategory: 'detractor',
    });

    // The refresher reads that event: the account no longer counts the deleted answer.
    const own = await refreshUntil('001B', (h) => h.detractors === 0);
    expect(own.npsAnswers).toBe(0);
  });
});

describe('the respondent page’s language', () => {
  it('follows the contact’s own language, else the browser’s, and then the one the respondent chose', async () => {
    const surveyId = await newSurvey();
    await t.runtime.db.query(`UPDATE contacts SET language = 'de' WHERE id = $1`, [contact['003A']]);
    await t.runtime.db.query(`UPDATE contacts SET language = 'it' WHERE id = $1`, [contact['003C']]);
    const french = { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' };

    // Alan reads German, whatever his browser says.
    const alan = await linkFor(surveyId, { contactId: contact['003A'] });
    const page = await openPage(alan, french);
    expect(page.statusCode, page.body).toBe(200);
    expect(page.json().locale).toBe('de');
    // Leung has no language of his own: his browser's.
    const leung = await linkFor(surveyId, { contactId: contact['003B'] });
    expect((await openPage(leung, french)).json().locale).toBe('fr');
    expect((await openPage(leung)).json().locale).toBe('en');
    // Zoë's Italian is not a language of this survey: her browser's, else the default.
    const zoe = await linkFor(surveyId, { contactId: contact['003C'] });
    expect((await openPage(zoe, french)).json().locale).toBe('fr');
    expect((await openPage(zoe)).json().locale).toBe('en');

    // A save that names no language stores the contact's.
    expect((await save(alan, { answers: { nps: 9 } })).statusCode).toBe(200);
    const [stored] = (await api('GET', `/surveys/${surveyId}/responses?contactId=${contact['003A']}`)).json()
      .items;
    expect(stored.language).toBe('de');
    // Alan switches to French on the page: his response resumes in French from then on.
    expect((await save(alan, { answers: { nps: 9 }, language: 'fr' })).statusCode).toBe(200);
    expect((await openPage(alan)).json().locale).toBe('fr');
  });
});

describe('a response across survey versions', () => {
  const v1 = {
    elements: [
      { type: 'rating', name: 'nps', rateMin: 0, rateMax: 10 },
      { type: 'radiogroup', name: 'renew', choices: ['likely', 'unsure', 'unlikely'] },
    ],
  };
  const v2 = {
    elements: [
      { type: 'rating', name: 'nps', rateMin: 0, rateMax: 10 },
      { type: 'radiogroup', name: 'renew', choices: ['yes', 'no'] },
      { type: 'text', name: 'role', isRequired: true },
    ],
  };

  it('is finished and checked on the version it was started on, after a new one is published', async () => {
    const created = await api('POST', '/directories/Main/surveys', {
      name: 'Versioned',
      definition: v1,
      metrics: { npsQuestion: 'nps' },
    });
    const surveyId = created.json().id as number;
    await api('POST', `/surveys/${surveyId}/activate`);
    const token = await linkFor(surveyId, { contactId: contact['003A'] });
    expect((await save(token, { answers: { nps: 6 } })).json()).toMatchObject({ status: 'partial' });

    const published = await api('PATCH', `/surveys/${surveyId}`, { definition: v2 });
    expect(published.json().currentVersion).toBe(2);

    // The page resumes on version 1; a new respondent gets version 2.
    const resumed = (await openPage(token)).json();
    expect(resumed.survey.version).toBe(1);
    expect(resumed.survey.definition).toEqual(v1);
    const fresh = await linkFor(surveyId, { contactId: contact['003B'] });
    expect((await openPage(fresh)).json().survey.version).toBe(2);

    // Version 2's answers are refused for it, and nothing changes.
    const refused = await save(token, { answers: { nps: 6, renew: 'yes' }, complete: true });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details).toEqual([
      { path: 'answers.renew', message: 'expected one of the choices (likely, unsure, unlikely), got "yes"' },
    ]);
    expect((await openPage(token)).json().response.answers).toEqual({ nps: 6 });

    // Version 1's answers complete it (version 2's required "role" does not apply), kept as version 1.
    const done = await save(token, { answers: { nps: 6, renew: 'likely' }, complete: true });
    expect(done.statusCode, done.body).toBe(200);
    const [response] = (await api('GET', `/surveys/${surveyId}/responses?status=complete`)).json().items;
    expect(response).toMatchObject({
      version: 1,
      answers: { nps: 6, renew: 'likely' },
      npsCategory: 'detractor',
    });
    // The same answers on the new version are refused: 'likely' is not one of its choices.
    const onV2 = await save(fresh, { answers: { nps: 6, renew: 'likely', role: 'CFO' }, complete: true });
    expect(onV2.statusCode).toBe(400);
    expect(onV2.json().error.details).toEqual([
      { path: 'answers.renew', message: 'expected one of the choices (yes, no), got "likely"' },
    ]);
  });
});

describe('the responses list’s filters', () => {
  let surveyId: number;
  const r: Record<string, number> = {};

  beforeAll(async () => {
    surveyId = await newSurvey();
    // CSAT on 1–5 is stored as the share of the scale: 5 → 100, 2 → 25, 4 → 75, 3 → 50.
    r.alan = await complete(surveyId, '003A', { nps: 10, csat: 5 });
    r.leung = await complete(surveyId, '003B', { nps: 3, csat: 2 });
    r.zoe = await complete(surveyId, '003C', { nps: 8, csat: 4 });
    r.anonymous = await complete(surveyId, null, { nps: 9, csat: 3 });
    r.noCsat = await complete(surveyId, null, { nps: 9 });
    await t.runtime.db.query(
      `UPDATE responses SET started_at = now() - interval '40 days', completed_at = now() - interval '40 days'
       WHERE id = $1`,
      [r.zoe],
    );
  });

  it('filters by contact, account and date range', async () => {
    expect(await listIds(surveyId, `contactId=${contact['003A']}`)).toEqual([r.alan]);
    expect(await listIds(surveyId, `accountId=${account['001B']}`)).toEqual(sorted(r.alan!, r.leung!));
    expect(await listIds(surveyId, `accountId=${account['001A']}`)).toEqual([r.zoe]);
    expect(await listIds(surveyId, `contactId=${contact['003A']}&accountId=${account['001A']}`)).toEqual([]);

    const monthAgo = encodeURIComponent(new Date(Date.now() - 30 * 86_400_000).toISOString());
    const fiftyDaysAgo = encodeURIComponent(new Date(Date.now() - 50 * 86_400_000).toISOString());
    expect(await listIds(surveyId, `from=${monthAgo}`)).toEqual(
      sorted(r.alan!, r.leung!, r.anonymous!, r.noCsat!),
    );
    expect(await listIds(surveyId, `to=${monthAgo}`)).toEqual([r.zoe]);
    expect(await listIds(surveyId, `from=${fiftyDaysAgo}&to=${monthAgo}`)).toEqual([r.zoe]);
    expect(await listIds(surveyId, `to=${fiftyDaysAgo}`)).toEqual([]);

    const bad = await api('GET', `/surveys/${surveyId}/responses?from=yesterday`);
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().error)).toContain('from');
  });

  it('filters by CSAT score range and by satisfied or not, in the list and the export', async () => {
    expect(await listIds(surveyId, 'csatMin=50')).toEqual(sorted(r.alan!, r.zoe!, r.anonymous!));
    expect(await listIds(surveyId, 'csatMax=50')).toEqual(sorted(r.leung!, r.anonymous!));
    expect(await listIds(surveyId, 'csatMin=50&csatMax=80')).toEqual(sorted(r.zoe!, r.anonymous!));
    expect(await listIds(surveyId, 'csatMin=0')).not.toContain(r.noCsat);
    // Satisfied: the top two points of the scale (4 and 5 on 1–5).
    expect(await listIds(surveyId, 'csat=satisfied')).toEqual(sorted(r.alan!, r.zoe!));
    expect(await listIds(surveyId, 'csat=unsatisfied')).toEqual(sorted(r.leung!, r.anonymous!));
    expect(await listIds(surveyId, `csat=satisfied&accountId=${account['001B']}`)).toEqual([r.alan]);

    const exported = await api('GET', `/surveys/${surveyId}/responses/export?format=json&csatMin=60`);
    expect(exported.statusCode, exported.body).toBe(200);
    const rows = JSON.parse(exported.body) as { id: number }[];
    expect(rows.map((x) => x.id).sort((a, b) => a - b)).toEqual(sorted(r.alan!, r.zoe!));

    for (const url of ['responses', 'responses/export']) {
      const empty = await api('GET', `/surveys/${surveyId}/${url}?csatMin=80&csatMax=20`);
      expect(empty.statusCode).toBe(400);
      expect(empty.json().error.details).toEqual([
        { path: 'csatMin', message: 'expected at most csatMax (20), got 80' },
      ]);
    }
    const outOfRange = await api('GET', `/surveys/${surveyId}/responses?csatMax=101`);
    expect(outOfRange.statusCode).toBe(400);
    expect(JSON.stringify(outOfRange.json().error)).toContain('csatMax');
    expect((await api('GET', `/surveys/${surveyId}/responses?csat=happy`)).statusCode).toBe(400);
  });
});

describe('one response per personal link unless the survey allows more', () => {
  const countFor = async (surveyId: number) =>
    (await api('GET', `/surveys/${surveyId}/responses?contactId=${contact['003A']}&status=complete`)).json()
      .items.length as number;

  it('refuses a second completion when the survey takes one response per link', async () => {
    const surveyId = await newSurvey();
    const token = await linkFor(surveyId, { contactId: contact['003A'] });
    expect((await save(token, { answers: { nps: 9 }, complete: true })).statusCode).toBe(200);
    const again = await save(token, { answers: { nps: 2 }, complete: true });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toBe('This survey has already been answered with this link');
    expect((await openPage(token)).json()).toMatchObject({ alreadyCompleted: true });
    expect(await countFor(surveyId)).toBe(1);
    const [kept] = (await api('GET', `/surveys/${surveyId}/responses`)).json().items;
    expect(kept.answers).toEqual({ nps: 9 });
  });

  it('takes a new response on each completion when the survey allows more', async () => {
    const surveyId = await newSurvey({ allowMultipleResponses: true });
    const token = await linkFor(surveyId, { contactId: contact['003A'] });
    const first = await save(token, { answers: { nps: 9 }, complete: true });
    expect(first.statusCode).toBe(200);
    // The page offers a fresh response, not the finished one.
    expect((await openPage(token)).json()).toMatchObject({ alreadyCompleted: false, response: null });
    const second = await save(token, { answers: { nps: 2 }, complete: true });
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json().responseId).not.toBe(first.json().responseId);
    expect(await countFor(surveyId)).toBe(2);
    const items = (await api('GET', `/surveys/${surveyId}/responses`)).json().items;
    expect(items.map((x: { npsCategory: string }) => x.npsCategory)).toEqual(['detractor', 'promoter']);
    expect(items.every((x: { contactId: number }) => x.contactId === contact['003A'])).toBe(true);
  });
});

describe('the response widget of a lead (sfLeadId)', () => {
  it('shows the completed responses that carried the lead’s id, and nothing else', async () => {
    const surveyId = await newSurvey({ embeddedFields: ['sfLeadId', 'sfContactId'] });
    const link = (await api('POST', `/surveys/${surveyId}/links`, { kind: 'callScript' })).json();
    const visit = async (lead: string, answers: Record<string, unknown>, finished = true) => {
      const saved = await save(link.token, { answers, complete: finished, embedded: { sfLeadId: lead } });
      expect(saved.statusCode, saved.body).toBe(200);
    };
    await visit('00Q000000000001', { nps: 10, why: 'Quick demo' });
    await visit('00Q000000000001', { nps: 4 });
    await visit('00Q000000000001', { nps: 0 }, false); // partial: not shown
    await visit('00Q000000000002', { nps: 9 });
    // A lead id that is also a contact's reference matches only what carried it as a lead.
    await complete(surveyId, '003A', { nps: 10 });

    const widget = async (value: string) => {
      const made = await api('POST', '/embeds/responses', {
        directory: 'Main',
        record: { field: 'sfLeadId', value },
      });
      expect(made.statusCode, made.body).toBe(201);
      const opened = await t.app.inject({ url: `/api/v1/public/embeds/responses/${made.json().token}` });
      expect(opened.statusCode, opened.body).toBe(200);
      return opened.json();
    };
    const lead = await widget('00Q000000000001');
    expect(lead.record).toEqual({ field: 'sfLeadId', value: '00Q000000000001' });
    expect(lead.responses).toBe(2);
    expect(lead.nps).toMatchObject({ n: 2, promoters: 1, detractors: 1, score: 0 });
    expect(
      lead.latest.map((x: { npsScore: number }) => x.npsScore).sort((a: number, b: number) => a - b),
    ).toEqual([4, 10]);
    expect(lead.latest.find((x: { npsScore: number }) => x.npsScore === 10).comments).toEqual([
      { question: 'Why?', text: 'Quick demo' },
    ]);
    expect(lead.latest.every((x: { contactName: string | null }) => x.contactName === null)).toBe(true);
    expect((await widget('00Q000000000002')).responses).toBe(1);
    expect((await widget('003A')).responses).toBe(0);
  });
});
