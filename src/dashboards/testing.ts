import { expect } from 'vitest';
import { fixture, importFiles } from '../../test/harness/import-helpers.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import { recomputeDirectory } from '../health/compute.ts';

/**
 * The small directory the dashboard tests read: the fixture accounts (001A Cloud Kicks Holdings,
 * its children 001B Get Cloudy and 001I 東京 Trading, 001B's child 001C Reno), their contacts
 * (Alan 003A decision maker and Leung 003B influencer at 001B, Zoë 003C executive sponsor at 001A,
 * Li 003D decision maker at 001I, Ana 003J program manager at 001C) and teams (csm@ is on 001B's
 * team), two surveys, and responses inserted set-based at chosen ages (one anonymous, without an
 * account), some of them answering invitations.
 */

export interface Fixture {
  t: TestApp;
  cx: { authorization: string; userId: number };
  csm: { authorization: string; userId: number };
  viewer: { authorization: string; userId: number };
  directoryId: number;
  surveyA: number;
  surveyB: number;
  account: Record<string, number>;
  contact: Record<string, number>;
}

/**
 * The responses: [ref, survey, contact, account, nps, csat (1–5), reasons, comment, days ago, invitation].
 * Survey A asks nps (0–10), csat (1–5), reasons (checkboxes) and a comment; survey B nps only.
 */
export const RESPONSES = [
  ['r1', 'A', '003A', '001B', 3, 2, ['price', 'support'], 'Too slow, "really"\nfix it', 10, 'now'],
  ['r2', 'A', '003B', '001B', 10, 5, ['product'], null, 20, 'now'],
  ['r3', 'A', '003C', '001A', 8, 4, [], null, 40, null],
  ['r4', 'A', '003D', '001I', 9, 5, ['product', 'support'], '=HYPERLINK("x")', 5, 'now'],
  ['r5', 'A', '003J', '001C', 6, null, ['price'], null, 15, null],
  ['r6', 'A', '003A', '001B', 9, 4, [], null, 120, 'before'],
  ['r7', 'B', '003B', '001B', 2, null, null, null, 30, null],
  ['r8', 'A', null, null, 10, 5, [], null, 3, null],
  ['r9', 'A', '003C', '001A', 0, 1, [], null, 500, null],
] as const;

const api = (t: TestApp, auth: { authorization: string }) => ({
  async call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) {
    return t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: auth.authorization },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  },
});

export { api };

export async function makeFixture(): Promise<Fixture> {
  const t = await createTestApp();
  const cx = await t.bearerFor('cx_manager');
  const csm = await t.bearerFor('account_manager', 'csm@cloudkicks.example');
  const viewer = await t.bearerFor('viewer');
  const call = api(t, cx).call;
  expect((await call('POST', '/directories', { name: 'Main' })).statusCode).toBe(201);
  const { run } = await importFiles(t.runtime.db, t.runtime.secrets, 'Main', {
    accounts: fixture('Account.csv'),
    contacts: fixture('Contact.csv'),
    teamMembers: fixture('AccountTeamMember.csv'),
  });
  expect(run.status).toBe('succeeded');
  const account: Record<string, number> = {};
  const contact: Record<string, number> = {};
  let directoryId = 0;
  for (const row of await t.runtime.db.query<{ id: number; external_ref: string; directory_id: number }>(
    'SELECT id, external_ref, directory_id FROM accounts',
  )) {
    account[row.external_ref] = Number(row.id);
    directoryId = Number(row.directory_id);
  }
  for (const row of await t.runtime.db.query<{ id: number; external_ref: string }>(
    'SELECT id, external_ref FROM contacts',
  ))
    contact[row.external_ref] = Number(row.id);

  const a = await call('POST', '/directories/Main/surveys', {
    name: 'Relationship NPS',
    definition: {
      elements: [
        { type: 'rating', name: 'nps', rateMin: 0, rateMax: 10 },
        { type: 'rating', name: 'csat', rateMin: 1, rateMax: 5 },
        {
          type: 'checkbox',
          name: 'reasons',
          title: 'Why?',
          choices: [
            { value: 'price', text: 'Price' },
            { value: 'support', text: 'Support' },
            { value: 'product', text: 'Product' },
            { value: 'people', text: 'People' },
          ],
        },
        { type: 'comment', name: 'comment' },
      ],
    },
    metrics: { npsQuestion: 'nps', csatQuestion: 'csat' },
  });
  expect(a.statusCode, a.body).toBe(201);
  const b = await call('POST', '/directories/Main/surveys', {
    name: 'Onboarding',
    definition: { elements: [{ type: 'rating', name: 'nps', rateMin: 0, rateMax: 10 }] },
    metrics: { npsQuestion: 'nps' },
  });
  const surveyA = a.json().id as number;
  const surveyB = b.json().id as number;

  // Two invitations runs: one now (Alan, Leung, Li answered; Ana did not), one 121 days ago (Alan answered).
  const [now] = await t.runtime.db.query<{ id: number }>(
    `INSERT INTO distributions (directory_id, survey_id, name, channel, recipients, message, message_hash, status, created_by, updated_by)
     VALUES ($1, $2, 'Q now', 'email', '{}', '{}', 'x', 'completed', 'test', 'test') RETURNING id`,
    [directoryId, surveyA],
  );
  const [before] = await t.runtime.db.query<{ id: number }>(
    `INSERT INTO distributions (directory_id, survey_id, name, channel, recipients, message, message_hash, status, created_by, updated_by)
     VALUES ($1, $2, 'Q before', 'email', '{}', '{}', 'x', 'completed', 'test', 'test') RETURNING id`,
    [directoryId, surveyA],
  );
  const invitation = { now: Number(now!.id), before: Number(before!.id) };
  await t.runtime.db.query(
    `INSERT INTO distribution_recipients (distribution_id, contact_id, account_id, channel, counts_for_frequency, status, sent_at)
     SELECT v.distribution_id, v.contact_id, v.account_id, 'email', true, 'sent', now() - make_interval(days => v.days)
     FROM jsonb_to_recordset($1::jsonb) AS v(distribution_id bigint, contact_id bigint, account_id bigint, days int)`,
    [
      JSON.stringify([
        {
          distribution_id: invitation.now,
          contact_id: contact['003A'],
          account_id: account['001B'],
          days: 11,
        },
        {
          distribution_id: invitation.now,
          contact_id: contact['003B'],
          account_id: account['001B'],
          days: 21,
        },
        {
          distribution_id: invitation.now,
          contact_id: contact['003J'],
          account_id: account['001C'],
          days: 16,
        },
        {
          distribution_id: invitation.now,
          contact_id: contact['003D'],
          account_id: account['001I'],
          days: 6,
        },
        {
          distribution_id: invitation.before,
          contact_id: contact['003A'],
          account_id: account['001B'],
          days: 121,
        },
      ]),
    ],
  );

  // Every response in one INSERT … SELECT, as the respondent path stores them (metrics included).
  const rows = RESPONSES.map(([ref, survey, c, acc, nps, csat, reasons, comment, days, inv]) => ({
    ref,
    survey_id: survey === 'A' ? surveyA : surveyB,
    contact_id: c ? contact[c] : null,
    account_id: acc ? account[acc] : null,
    answers: {
      nps,
      ...(csat === null ? {} : { csat }),
      ...(reasons === null || reasons.length === 0 ? {} : { reasons }),
      ...(comment === null ? {} : { comment }),
    },
    nps,
    csat: csat === null ? null : ((csat - 1) / 4) * 100,
    satisfied: csat === null ? null : csat >= 4,
    days,
    distribution_id: inv === 'now' ? invitation.now : inv === 'before' ? invitation.before : null,
  }));
  await t.runtime.db.query(
    `INSERT INTO responses (survey_id, version, resume_token, contact_id, account_id, distribution_id, status, answers,
       nps_score, nps_category, csat_score, csat_satisfied, external_ref, started_at, completed_at)
     SELECT v.survey_id, 1, 'rt-' || v.ref, v.contact_id, v.account_id, v.distribution_id, 'complete', v.answers,
       v.nps, CASE WHEN v.nps <= 6 THEN 'detractor' WHEN v.nps <= 8 THEN 'passive' ELSE 'promoter' END,
       v.csat, v.satisfied, v.ref, now() - make_interval(days => v.days), now() - make_interval(days => v.days)
     FROM jsonb_to_recordset($1::jsonb) AS v(ref text, survey_id bigint, contact_id bigint, account_id bigint,
       distribution_id bigint, answers jsonb, nps int, csat numeric, satisfied boolean, days int)`,
    [JSON.stringify(rows)],
  );
  // A partial response never counts.
  await t.runtime.db.query(
    `INSERT INTO responses (survey_id, version, resume_token, account_id, status, answers, nps_score, nps_category)
     VALUES ($1, 1, 'rt-partial', $2, 'partial', '{"nps":0}', 0, 'detractor')`,
    [surveyA, account['001B']],
  );
  await recomputeDirectory(t.runtime.db, directoryId);
  return { t, cx, csm, viewer, directoryId, surveyA, surveyB, account, contact };
}
