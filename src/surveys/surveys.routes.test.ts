import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, importFiles } from '../../test/harness/import-helpers.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import { createSecretBox } from '../platform/secrets/secret-box.ts';

let t: TestApp;
let cx: { authorization: string; userId: number };
let viewer: { authorization: string; userId: number };
let alanId: number;
let getCloudyId: number;

beforeAll(async () => {
  t = await createTestApp();
  cx = await t.bearerFor('cx_manager');
  viewer = await t.bearerFor('viewer');
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/directories',
    headers: cx,
    payload: { name: 'Main' },
  });
  expect(created.statusCode).toBe(201);
  await importFiles(t.runtime.db, createSecretBox(randomBytes(32)), 'Main', {
    accounts: fixture('Account.csv'),
    contacts: fixture('Contact.csv'),
  });
  const [alan] = await t.runtime.db.query<{ id: number }>(
    `SELECT id FROM contacts WHERE email = 'alan@gogetcloudy.com'`,
  );
  const [account] = await t.runtime.db.query<{ id: number }>(
    `SELECT id FROM accounts WHERE external_ref = '001B'`,
  );
  alanId = Number(alan!.id);
  getCloudyId = Number(account!.id);
});
afterAll(() => t.close());

const api = (
  method: 'GET' | 'POST' | 'PATCH' | 'PUT',
  url: string,
  payload?: unknown,
  headers: { authorization: string } = cx,
) =>
  t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: headers.authorization },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

describe('surveys, links and responses over the API', () => {
  it('creates a survey from the relationship NPS template and versions a changed definition', async () => {
    const templates = (await api('GET', '/survey-templates')).json().items.map((x: { key: string }) => x.key);
    expect(templates).toEqual(['relationship-nps', 'case-csat', 'onboarding-pulse']);

    const created = await api('POST', '/directories/Main/surveys', {
      name: 'Relationship NPS 2026',
      template: 'relationship-nps',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      status: 'draft',
      currentVersion: 1,
      metrics: { npsQuestion: 'nps' },
    });

    const bad = await api('POST', '/directories/Main/surveys', {
      name: 'Broken',
      definition: { elements: [{ type: 'text', name: 'a' }] },
      metrics: { npsQuestion: 'a' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([
      { path: 'metrics.npsQuestion', message: '"a" is not a rating question of this survey' },
    ]);
    expect(
      (await api('POST', '/directories/Main/surveys', { name: 'x', template: 'relationship-nps' }, viewer))
        .statusCode,
    ).toBe(403);

    const id = created.json().id;
    const survey = (await api('GET', `/surveys/${id}`)).json();
    const definition = structuredClone(survey.definition);
    definition.pages[0].elements.push({ type: 'comment', name: 'anything_else' });
    const updated = await api('PATCH', `/surveys/${id}`, { definition });
    expect(updated.json().currentVersion).toBe(2);
    // Saving the same definition again is not a new version.
    expect(
      (await api('PATCH', `/surveys/${id}`, { definition, name: 'Relationship NPS' })).json().currentVersion,
    ).toBe(2);
    expect(
      (await api('GET', `/surveys/${id}`)).json().versions.map((v: { version: number }) => v.version),
    ).toEqual([2, 1]);
  });

  it('takes a personal link in French: partial save, resume, checked completion, one response per link', async () => {
    const survey = (
      await api('POST', '/directories/Main/surveys', { name: 'Q4 NPS', template: 'relationship-nps' })
    ).json();
    const link = await api('POST', `/surveys/${survey.id}/links`, {
      contactId: alanId,
      embedded: { sfSurveyId: 'a0X000000001' },
    });
    expect(link.statusCode).toBe(201);
    const { token, kind } = link.json();
    expect(kind).toBe('personal');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(
      (await api('POST', `/surveys/${survey.id}/links`, { embedded: { color: 'red' } })).json().error.details,
    ).toEqual([{ path: 'embedded.color', message: '"color" is not an embedded data field of this survey' }]);

    // A draft survey is not open yet.
    const early = await t.app.inject({ url: `/api/v1/public/links/${token}` });
    expect(early.statusCode).toBe(410);
    await api('POST', `/surveys/${survey.id}/activate`);

    const page = await t.app.inject({
      url: `/api/v1/public/links/${token}`,
      headers: { 'accept-language': 'fr-FR,fr;q=0.9' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.json()).toMatchObject({
      locale: 'fr',
      embedded: {
        firstName: 'Alan',
        accountName: 'Get Cloudy Consulting, Inc.',
        role: 'DECISION_MAKER',
        sfContactId: '003A',
        sfAccountId: '001B',
        sfSurveyId: 'a0X000000001',
      },
      response: null,
    });

    const save = (payload: unknown) =>
      t.app.inject({
        method: 'PUT',
        url: `/api/v1/public/links/${token}/response`,
        payload: payload as object,
      });
    expect((await save({ answers: { nps: 4 }, language: 'fr' })).json()).toMatchObject({ status: 'partial' });
    const resumed = (await t.app.inject({ url: `/api/v1/public/links/${token}` })).json();
    expect(resumed.response).toMatchObject({ status: 'partial', answers: { nps: 4 } });
    expect(resumed.locale).toBe('fr');

    // Bad submissions are refused with the question and the reason, and nothing changes.
    const refused = await save({ answers: { nps: 12, renewal: 'maybe' }, complete: true });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details).toEqual([
      { path: 'answers.nps', message: 'expected a whole number from 0 to 10, got 12' },
      {
        path: 'answers.renewal',
        message: 'expected one of the choices (likely, unsure, unlikely), got "maybe"',
      },
    ]);
    expect((await t.app.inject({ url: `/api/v1/public/links/${token}` })).json().response.answers).toEqual({
      nps: 4,
    });

    const done = await save({
      answers: {
        nps: 4,
        detractor_reason: 'Onboarding was slow',
        promoter_reason: 'hidden',
        renewal: 'unsure',
      },
      complete: true,
    });
    expect(done.json()).toMatchObject({ status: 'complete' });
    const again = await save({ answers: { nps: 10 }, complete: true });
    expect(again.statusCode).toBe(409);
    expect((await t.app.inject({ url: `/api/v1/public/links/${token}` })).json().alreadyCompleted).toBe(true);

    const listed = (
      await api('GET', `/surveys/${survey.id}/responses?npsCategory=detractor`, undefined, viewer)
    ).json();
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({
      status: 'complete',
      contactId: alanId,
      accountId: getCloudyId,
      language: 'fr',
      npsScore: 4,
      npsCategory: 'detractor',
      // The promoter follow-up was hidden by display logic: dropped.
      answers: { nps: 4, detractor_reason: 'Onboarding was slow', renewal: 'unsure' },
      embedded: { sfSurveyId: 'a0X000000001', sfContactId: '003A', role: 'DECISION_MAKER' },
    });

    await api('POST', `/surveys/${survey.id}/close`);
    expect((await t.app.inject({ url: `/api/v1/public/links/${token}` })).json().error).toMatchObject({
      code: 'gone',
      message: 'This survey is closed',
    });
  });

  it('lets anonymous respondents resume only their own response', async () => {
    const survey = (
      await api('POST', '/directories/Main/surveys', { name: 'CSAT', template: 'case-csat' })
    ).json();
    await api('POST', `/surveys/${survey.id}/activate`);
    const { token } = (await api('POST', `/surveys/${survey.id}/links`, {})).json();
    const put = (payload: unknown) =>
      t.app.inject({
        method: 'PUT',
        url: `/api/v1/public/links/${token}/response`,
        payload: payload as object,
      });
    const first = (await put({ answers: { csat: 2 } })).json();
    const second = (await put({ answers: { csat: 5 } })).json();
    expect(first.resumeToken).not.toBe(second.resumeToken);
    const mine = (
      await t.app.inject({ url: `/api/v1/public/links/${token}?resume=${first.resumeToken}` })
    ).json();
    expect(mine.response.answers).toEqual({ csat: 2 });
    expect((await t.app.inject({ url: `/api/v1/public/links/${token}` })).json().response).toBeNull();
    const done = await put({ answers: { csat: 4 }, complete: true, resumeToken: second.resumeToken });
    expect(done.json().status).toBe('complete');
    const listed = (await api('GET', `/surveys/${survey.id}/responses?status=complete`)).json();
    expect(listed.items).toEqual([
      expect.objectContaining({ csatScore: 75, contactId: null, answers: { csat: 4 } }),
    ]);
  });

  it('opens call-script links with CRM merge fields, for the record they name', async () => {
    const survey = (
      await api('POST', '/directories/Main/surveys', { name: 'Case CSAT by phone', template: 'case-csat' })
    ).json();
    await api('POST', `/surveys/${survey.id}/activate`);
    expect(
      (await api('POST', `/surveys/${survey.id}/links`, { kind: 'callScript', contactId: alanId }))
        .statusCode,
    ).toBe(400);
    const link = (await api('POST', `/surveys/${survey.id}/links`, { kind: 'callScript' })).json();
    expect(link).toMatchObject({ kind: 'callScript', contactId: null });
    expect(link.template).toBe(
      `/s/${link.token}?sfContactId={!sfContactId}&sfAccountId={!sfAccountId}&sfCaseId={!sfCaseId}&firstName={!firstName}`,
    );

    // The agent opens it from Leung's case: declared fields are taken, anything else is ignored.
    const query = 'sfContactId=003B&sfCaseId=500X1&plantedField=oops';
    const page = (await t.app.inject({ url: `/api/v1/public/links/${link.token}?${query}` })).json();
    expect(page.embedded).toMatchObject({
      sfContactId: '003B',
      sfCaseId: '500X1',
      firstName: 'Leung',
      sfAccountId: '001B',
    });
    expect(page.embedded).not.toHaveProperty('plantedField');
    const put = (payload: unknown) =>
      t.app.inject({
        method: 'PUT',
        url: `/api/v1/public/links/${link.token}/response`,
        payload: payload as object,
      });
    const started = (
      await put({ answers: { csat: 1 }, embedded: { sfContactId: '003B', sfCaseId: '500X1' } })
    ).json();
    // Resuming keeps the record the response was started for, whatever a later URL says.
    const done = await put({
      answers: { csat: 1 },
      complete: true,
      resumeToken: started.resumeToken,
      embedded: { sfContactId: '003A' },
    });
    expect(done.json().status).toBe('complete');
    const [response] = (await api('GET', `/surveys/${survey.id}/responses`)).json().items;
    const [leung] = await t.runtime.db.query<{ id: number }>(
      `SELECT id FROM contacts WHERE external_ref = '003B'`,
    );
    expect(response).toMatchObject({
      contactId: Number(leung!.id),
      accountId: getCloudyId,
      embedded: { sfContactId: '003B', sfCaseId: '500X1', sfAccountId: '001B' },
    });

    // Each step left its event in the outbox, in order, for automations to pick up.
    const events = (await api('GET', `/events?subject=response:${response.id}`)).json().items;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['response.created', 'response.completed']);
    expect(events[1].payload).toMatchObject({
      responseId: response.id,
      surveyId: survey.id,
      contactId: Number(leung!.id),
      answers: { csat: 1 },
      csatScore: 0,
    });
    expect((await api('GET', '/events?type=response.', undefined, viewer)).statusCode).toBe(403);
  });
});
