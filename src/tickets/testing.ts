import type { Response as InjectResponse } from 'light-my-request';
import { expect } from 'vitest';
import { fixture, importFiles } from '../../test/harness/import-helpers.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';

/** What the tickets tests share: the fixtures' directory with its team, and a survey with responses. */

export type Auth = { authorization: string };
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface TicketsWorld {
  t: TestApp;
  cx: Auth;
  cxEmail: string;
  api: (method: Method, url: string, payload?: unknown, auth?: Auth) => Promise<InjectResponse>;
  /** Account and contact ids by external reference (001A …, 003A …). */
  ids: Record<string, number>;
  surveyId: number;
  /** Alan Johnson (003A) answered 3 for account 001A; Zoë (003C) answered 9. */
  responses: { alanDetractor: number; zoePromoter: number };
}

const DEFINITION = {
  pages: [
    {
      name: 'p1',
      elements: [
        { type: 'rating', name: 'nps', rateMin: 0, rateMax: 10, title: 'Recommend us?', isRequired: true },
        { type: 'comment', name: 'why', title: 'Why?' },
      ],
    },
  ],
};

export async function createTicketsWorld(
  options: { env?: Record<string, string> } = {},
): Promise<TicketsWorld> {
  const t = await createTestApp(options.env ? { env: options.env } : {});
  const cxEmail = `cx-${Math.random().toString(36).slice(2, 8)}@cloudkicks.example`;
  const cx = await t.bearerFor('cx_manager', cxEmail);
  const api: TicketsWorld['api'] = (method, url, payload, auth = cx) =>
    t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: auth.authorization },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  expect((await api('POST', '/directories', { name: 'Main' })).statusCode).toBe(201);
  const { run } = await importFiles(t.runtime.db, t.runtime.secrets, 'Main', {
    accounts: fixture('Account.csv'),
    contacts: fixture('Contact.csv'),
    teamMembers: fixture('AccountTeamMember.csv'),
  });
  expect(run.status).not.toBe('failed');
  const ids: Record<string, number> = {};
  for (const table of ['accounts', 'contacts']) {
    const rows = await t.runtime.db.query<{ id: number; external_ref: string }>(
      `SELECT id, external_ref FROM ${table}`,
    );
    for (const r of rows) ids[r.external_ref] = Number(r.id);
  }
  const survey = await api('POST', '/directories/Main/surveys', {
    name: 'Relationship 2026',
    definition: DEFINITION,
    metrics: { npsQuestion: 'nps' },
    embeddedFields: ['sfAccountId'],
  });
  expect(survey.statusCode, survey.body).toBe(201);
  const surveyId = survey.json().id as number;
  expect((await api('POST', `/surveys/${surveyId}/activate`)).statusCode).toBe(200);
  const respond = async (contactId: number, answers: Record<string, unknown>, embedded = {}) => {
    const link = await api('POST', `/surveys/${surveyId}/links`, { contactId, embedded });
    expect(link.statusCode, link.body).toBe(201);
    const saved = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/public/links/${link.json().token}/response`,
      payload: { answers, complete: true },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    return saved.json().responseId as number;
  };
  const alanDetractor = await respond(ids['003A']!, { nps: 3, why: 'Slow support' }, { sfAccountId: '001A' });
  const zoePromoter = await respond(ids['003C']!, { nps: 9 });
  return { t, cx, cxEmail, api, ids, surveyId, responses: { alanDetractor, zoePromoter } };
}

/** An instant `days` from now, as the API takes it. */
export const daysFromNow = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();
