// The respondent path remembers links it has opened and stores a new response in one statement:
// these tests show it answers exactly as a fresh read would (closed, new version, refusals, expiry,
// a link changed under it, one response per personal link under concurrency).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, importFiles } from '../../test/harness/import-helpers.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import { createSecretBox } from '../platform/secrets/secret-box.ts';

let t: TestApp;
let cx: { authorization: string; userId: number };
let alanId: number;

beforeAll(async () => {
  t = await createTestApp();
  cx = await t.bearerFor('cx_manager');
  await t.app.inject({ method: 'POST', url: '/api/v1/directories', headers: cx, payload: { name: 'Main' } });
  await importFiles(t.runtime.db, createSecretBox(randomBytes(32)), 'Main', {
    accounts: fixture('Account.csv'),
    contacts: fixture('Contact.csv'),
  });
  const [alan] = await t.runtime.db.query<{ id: number }>(
    `SELECT id FROM contacts WHERE email = 'alan@gogetcloudy.com'`,
  );
  alanId = Number(alan!.id);
});
afterAll(() => t.close());

const api = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: cx.authorization },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
const put = (token: string, payload: unknown) =>
  t.app.inject({ method: 'PUT', url: `/api/v1/public/links/${token}/response`, payload: payload as object });

const definition = {
  pages: [
    {
      name: 'p',
      elements: [
        { type: 'rating', name: 'nps', rateMin: 0, rateMax: 10, isRequired: true },
        { type: 'comment', name: 'why', visibleIf: '{nps} <= 6' },
      ],
    },
  ],
};

describe('respondent path with remembered links', () => {
  it('anonymous remembered link: closed, new version, refusals, events, expiry', async () => {
    const survey = (
      await api('POST', '/directories/Main/surveys', {
        name: 'S1',
        definition,
        metrics: { npsQuestion: 'nps' },
      })
    ).json();
    await api('POST', `/surveys/${survey.id}/activate`);
    const { token } = (await api('POST', `/surveys/${survey.id}/links`, {})).json();
    // First save reads the link; the second goes through the remembered link.
    expect((await put(token, { answers: { nps: 3, why: 'a' }, complete: true })).statusCode).toBe(200);
    const second = await put(token, { answers: { nps: 9, why: 'hidden' }, complete: true });
    expect(second.statusCode).toBe(200);
    const events = (await api('GET', `/events?subject=response:${second.json().responseId}`)).json().items;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['response.created', 'response.completed']);
    expect(events[1].payload).toMatchObject({
      responseId: second.json().responseId,
      answers: { nps: 9 },
      npsScore: 9,
      npsCategory: 'promoter',
      channel: 'web',
    });
    // A refusal through the remembered link: the same answer as a fresh read gives.
    const refused = await put(token, { answers: { nps: 11, bogus: 1 }, complete: true });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details).toEqual([
      { path: 'answers.nps', message: 'expected a whole number from 0 to 10, got 11' },
      { path: 'answers.bogus', message: '"bogus" is not a question of this survey' },
    ]);
    // A new version: answers are checked against it at once.
    const v2 = {
      pages: [{ name: 'p', elements: [...definition.pages[0]!.elements, { type: 'text', name: 'extra' }] }],
    };
    expect((await api('PATCH', `/surveys/${survey.id}`, { definition: v2 })).statusCode).toBe(200);
    const onV2 = await put(token, { answers: { nps: 10, extra: 'x' }, complete: true });
    expect(onV2.statusCode).toBe(200);
    const stored = (await api('GET', `/responses/${onV2.json().responseId}`)).json();
    expect(stored).toMatchObject({ version: 2, answers: { nps: 10, extra: 'x' } });
    // Closed: 410, even though the link was remembered open.
    await api('POST', `/surveys/${survey.id}/close`);
    const closed = await put(token, { answers: { nps: 10 }, complete: true });
    expect(closed.statusCode).toBe(410);
    expect(closed.json().error.message).toBe('This survey is closed');
    const rows = await t.runtime.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM responses WHERE survey_id = ${survey.id}`,
    );
    expect(rows[0]!.n).toBe(3);
    const ev = await t.runtime.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM domain_events WHERE payload->>'surveyId' = '${survey.id}'`,
    );
    expect(ev[0]!.n).toBe(6);
  });

  it('anonymous remembered link that expires, and one changed under it', async () => {
    const survey = (await api('POST', '/directories/Main/surveys', { name: 'S2', definition })).json();
    await api('POST', `/surveys/${survey.id}/activate`);
    const { token } = (await api('POST', `/surveys/${survey.id}/links`, {})).json();
    expect((await t.app.inject({ url: `/api/v1/public/links/${token}` })).statusCode).toBe(200);
    await t.runtime.db.query(
      `UPDATE survey_links SET embedded = '{"sfSurveyId":"X1"}' WHERE token = '${token}'`,
    );
    const changed = await put(token, { answers: { nps: 8 }, complete: true });
    expect(changed.statusCode).toBe(200);
    expect((await api('GET', `/responses/${changed.json().responseId}`)).json().embedded).toMatchObject({
      sfSurveyId: 'X1',
    });
    await t.runtime.db.query(
      `UPDATE survey_links SET expires_at = now() - interval '1 minute' WHERE token = '${token}'`,
    );
    const expired = await put(token, { answers: { nps: 8 }, complete: true });
    expect(expired.statusCode).toBe(410);
    expect(expired.json().error.message).toBe('This survey link has expired');
  });

  it('personal link: one response under concurrency, remembered or not', async () => {
    for (const remembered of [false, true]) {
      const survey = (
        await api('POST', '/directories/Main/surveys', { name: `P${remembered}`, definition })
      ).json();
      await api('POST', `/surveys/${survey.id}/activate`);
      const { token } = (await api('POST', `/surveys/${survey.id}/links`, { contactId: alanId })).json();
      if (remembered)
        expect((await t.app.inject({ url: `/api/v1/public/links/${token}` })).statusCode).toBe(200);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => put(token, { answers: { nps: i % 11 }, complete: i % 3 === 0 })),
      );
      const codes = results.map((r) => r.statusCode);
      expect(codes.every((c) => c === 200 || c === 409)).toBe(true);
      const rows = await t.runtime.db.query<{ n: number; contact: number }>(
        `SELECT count(*)::int AS n, max(contact_id)::int AS contact FROM responses WHERE survey_id = ${survey.id}`,
      );
      expect(rows[0]).toEqual({ n: 1, contact: alanId });
      const page = (await t.app.inject({ url: `/api/v1/public/links/${token}` })).json();
      expect(page.embedded).toMatchObject({
        firstName: 'Alan',
        accountName: 'Get Cloudy Consulting, Inc.',
        role: 'DECISION_MAKER',
      });
    }
  });
});
