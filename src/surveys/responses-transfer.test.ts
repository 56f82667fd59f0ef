import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, importFiles } from '../../test/harness/import-helpers.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import { csvRows } from '../imports/csv/csv-rows.ts';
import { readHeader } from '../imports/csv/read-header.ts';
import { createSecretBox } from '../platform/secrets/secret-box.ts';
import { systemActor } from '../users/roles.ts';
import { guardText, unguardText } from './responses-columns.ts';
import { openResponsesExport, ZExportQuery } from './responses-export.service.ts';

let t: TestApp;
let cx: { authorization: string };
let viewer: { authorization: string };
/** An account manager on the team of 001B (so also sees 001C below it), not of 001A. */
let csm: { cookie: string };
let alanId: number;
let getCloudyId: number;

const DEFINITION = {
  pages: [
    {
      name: 'main',
      elements: [
        { type: 'rating', name: 'nps', rateMin: 0, rateMax: 10, isRequired: true },
        { type: 'rating', name: 'csat', rateMin: 1, rateMax: 5 },
        { type: 'radiogroup', name: 'reason', choices: ['price', 'support', 'product'], showOtherItem: true },
        { type: 'checkbox', name: 'channels', choices: ['email', 'phone', 'portal'] },
        { type: 'matrix', name: 'quality', rows: ['speed', 'care'], columns: [1, 2, 3, 4, 5] },
        { type: 'boolean', name: 'renew' },
        { type: 'text', name: 'seats', inputType: 'number' },
        { type: 'comment', name: 'comment' },
      ],
    },
  ],
};
const EMBEDDED = ['sfContactId', 'sfCaseId', 'region'];
const HEADER =
  'ResponseId,Status,StartedAt,CompletedAt,Language,Channel,ContactExternalRef,ContactEmail,AccountExternalRef,AccountName,NpsScore,NpsCategory,CsatScore,' +
  'nps,csat,reason,reason-Comment,channels,quality.speed,quality.care,renew,seats,comment,sfContactId,sfCaseId,region';

beforeAll(async () => {
  t = await createTestApp();
  cx = await t.bearerFor('cx_manager');
  viewer = await t.bearerFor('viewer');
  const manager = await t.addUser('account_manager', 'csm@cloudkicks.example');
  csm = { cookie: await t.signIn(manager.email, manager.password) };
  await api('POST', '/directories', { name: 'Main' });
  await importFiles(t.runtime.db, createSecretBox(randomBytes(32)), 'Main', {
    accounts: fixture('Account.csv'),
    contacts: fixture('Contact.csv'),
    teamMembers: fixture('AccountTeamMember.csv'),
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

function api(
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: unknown,
  headers: { authorization: string } | { cookie: string } = cx,
) {
  return t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

async function newSurvey(name: string, definition: object = DEFINITION) {
  const created = await api('POST', '/directories/Main/surveys', {
    name,
    definition,
    embeddedFields: EMBEDDED,
    metrics: { npsQuestion: 'nps', csatQuestion: 'csat' },
    allowMultipleResponses: true,
  });
  expect(created.statusCode).toBe(201);
  const id: number = created.json().id;
  await api('POST', `/surveys/${id}/activate`);
  return id;
}

async function respond(surveyId: number, link: object, answers: object, extra: object = {}, query = '') {
  const { token } = (await api('POST', `/surveys/${surveyId}/links`, link)).json();
  if (query) await t.app.inject({ url: `/api/v1/public/links/${token}?${query}` });
  const saved = await t.app.inject({
    method: 'PUT',
    url: `/api/v1/public/links/${token}/response`,
    payload: { answers, complete: true, ...extra },
  });
  expect(saved.statusCode, saved.body).toBe(200);
  return saved.json().responseId as number;
}

async function upload(
  surveyId: number,
  csv: string,
  options: { dryRun?: boolean; headers?: { authorization: string } | { cookie: string } } = {},
) {
  const form = new FormData();
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'responses.csv');
  const body = new Response(form);
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/surveys/${surveyId}/responses/import${options.dryRun ? '?dryRun=true' : ''}`,
    headers: { ...(options.headers ?? cx), 'content-type': body.headers.get('content-type')! },
    payload: Buffer.from(await body.arrayBuffer()),
  });
}

/** The records of an exported CSV, read back by the import's own reader. */
async function parseCsv(text: string) {
  async function* source() {
    yield Buffer.from(text, 'utf8');
  }
  const { header, body } = await readHeader(source());
  const rows: Record<string, string>[] = [];
  for await (const row of csvRows(body, {
    delimiter: ',',
    fieldCount: header!.columns.length,
    firstLine: 2,
  })) {
    if ('error' in row) throw new Error(`line ${row.line} ${row.error}`);
    rows.push(Object.fromEntries(header!.columns.map((c, i) => [c, row.fields[i]!])));
  }
  return { columns: header!.columns, rows };
}

const countResponses = async (surveyId: number) =>
  Number(
    (
      await t.runtime.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM responses WHERE survey_id = $1',
        [surveyId],
      )
    )[0]!.n,
  );

describe('exporting responses', () => {
  let surveyId: number;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    surveyId = await newSurvey('Transfer – Q3');
    ids.alan = await respond(
      surveyId,
      { contactId: alanId },
      {
        nps: 9,
        csat: 4,
        reason: 'other',
        'reason-Comment': 'Great, "really" great,\nthanks',
        channels: ['email', 'portal'],
        quality: { speed: 5, care: 4 },
        renew: true,
        seats: 12,
        comment: 'Très bien – Zoë',
      },
      { language: 'fr' },
    );
    ids.anonymous = await respond(surveyId, {}, { nps: 3, comment: '=HYPERLINK("http://x.example")' });
    ids.zoe = await respond(
      surveyId,
      { kind: 'callScript' },
      { nps: 7, channels: ['phone'] },
      { embedded: { sfContactId: '003C', sfCaseId: '500X1', region: 'EMEA, North' } },
    );
    // A partial response: exported with its status, no CompletedAt.
    const { token } = (await api('POST', `/surveys/${surveyId}/links`, {})).json();
    await t.app.inject({
      method: 'PUT',
      url: `/api/v1/public/links/${token}/response`,
      payload: { answers: { nps: 5 } },
    });
  });

  it('writes a UTF-8 CSV with a BOM, one column per question, matrix row and embedded field', async () => {
    const response = await api('GET', `/surveys/${surveyId}/responses/export?format=csv`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      new RegExp(`^attachment; filename="transfer-q3-${surveyId}-responses-\\d{4}-\\d{2}-\\d{2}\\.csv"$`),
    );
    const text = response.body;
    expect(text.startsWith(`\uFEFF${HEADER}\r\n`)).toBe(true);
    // RFC 4180: commas, quotes and line breaks quoted, quotes doubled; accents as they are.
    expect(text).toContain(
      `,003A,alan@gogetcloudy.com,001B,"Get Cloudy Consulting, Inc.",9,promoter,75,9,4,other,"Great, ""really"" great,\nthanks",email;portal,5,4,true,12,Très bien – Zoë,003A,,\r\n`,
    );
    // A respondent's text never reaches a spreadsheet as a formula.
    expect(text).toContain(`,"'=HYPERLINK(""http://x.example"")",`);

    const { columns, rows } = await parseCsv(text);
    expect(columns.join(',')).toBe(HEADER);
    expect(rows.map((r) => r.ResponseId)).toEqual([
      String(ids.alan),
      String(ids.anonymous),
      String(ids.zoe),
      expect.any(String),
    ]);
    expect(rows[0]).toMatchObject({ Status: 'complete', Language: 'fr', Channel: 'web', CsatScore: '75' });
    expect(rows[1]).toMatchObject({ ContactEmail: '', AccountName: '', NpsCategory: 'detractor' });
    expect(rows[2]).toMatchObject({
      ContactExternalRef: '003C',
      ContactEmail: 'zoe@cloudkicks.example',
      AccountExternalRef: '001A',
      AccountName: 'Cloud Kicks Holdings',
      channels: 'phone',
      sfCaseId: '500X1',
      region: 'EMEA, North',
    });
    expect(rows[3]).toMatchObject({ Status: 'partial', CompletedAt: '', nps: '5' });
    expect(new Date(rows[0]!.CompletedAt!).toISOString()).toBe(rows[0]!.CompletedAt);
  });

  it('applies the list filters', async () => {
    const promoters = await api('GET', `/surveys/${surveyId}/responses/export?npsCategory=promoter`);
    expect((await parseCsv(promoters.body)).rows.map((r) => r.ResponseId)).toEqual([String(ids.alan)]);
    const complete = await api('GET', `/surveys/${surveyId}/responses/export?status=complete&format=json`);
    expect(complete.json()).toHaveLength(3);
    const bad = await api('GET', `/surveys/${surveyId}/responses/export?format=xml`);
    expect(bad.statusCode).toBe(400);
    expect((await api('GET', '/surveys/999999/responses/export')).statusCode).toBe(404);
  });

  it('writes JSON: the list endpoint’s objects with the contact and account named', async () => {
    const response = await api('GET', `/surveys/${surveyId}/responses/export?format=json`);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(/\.json"$/);
    const items = response.json();
    const listed = (await api('GET', `/surveys/${surveyId}/responses?limit=10`)).json().items.reverse();
    expect(items).toEqual(listed);
    expect(items[0]).toMatchObject({
      id: ids.alan,
      contactId: alanId,
      contact: { id: alanId, externalRef: '003A', email: 'alan@gogetcloudy.com', name: 'Alan Johnson' },
      account: { id: getCloudyId, externalRef: '001B', name: 'Get Cloudy Consulting, Inc.' },
      answers: { quality: { speed: 5, care: 4 }, 'reason-Comment': 'Great, "really" great,\nthanks' },
    });
    expect(items[1]).toMatchObject({ contact: null, account: null });
    const empty = await api(
      'GET',
      `/surveys/${surveyId}/responses/export?format=json&npsCategory=passive&status=partial`,
    );
    expect(empty.json()).toEqual([]);
  });

  it('shows an account manager only the responses of their accounts: list, one response, export', async () => {
    const listed = await api('GET', `/surveys/${surveyId}/responses`, undefined, csm);
    expect(listed.json().items.map((r: { id: number }) => r.id)).toEqual([ids.alan]);
    expect((await api('GET', `/responses/${ids.alan}`, undefined, csm)).statusCode).toBe(200);
    // Another team's account, and a response with no account at all.
    expect((await api('GET', `/responses/${ids.zoe}`, undefined, csm)).statusCode).toBe(404);
    expect((await api('GET', `/responses/${ids.anonymous}`, undefined, csm)).statusCode).toBe(404);
    const csv = await api('GET', `/surveys/${surveyId}/responses/export`, undefined, csm);
    expect((await parseCsv(csv.body)).rows.map((r) => r.ResponseId)).toEqual([String(ids.alan)]);
    const json = await api('GET', `/surveys/${surveyId}/responses/export?format=json`, undefined, csm);
    expect(json.json().map((r: { id: number }) => r.id)).toEqual([ids.alan]);
    // Everyone else with data:read sees them all.
    expect((await api('GET', `/surveys/${surveyId}/responses`, undefined, viewer)).json().items).toHaveLength(
      4,
    );
  });

  it('streams thousands of responses in batches', async () => {
    const bulk = await newSurvey('Bulk');
    await t.runtime.db.query(
      `INSERT INTO responses (survey_id, version, resume_token, status, channel, answers, nps_score, nps_category, completed_at)
       SELECT $1, 1, 'bulk-' || g, 'complete', 'web', jsonb_build_object('nps', g % 11, 'comment', 'row ' || g || ', "quoted"'),
         g % 11, CASE WHEN g % 11 <= 6 THEN 'detractor' WHEN g % 11 <= 8 THEN 'passive' ELSE 'promoter' END, now()
       FROM generate_series(1, 3000) g`,
      [bulk],
    );
    const csv = await api('GET', `/surveys/${bulk}/responses/export`);
    const { rows } = await parseCsv(csv.body);
    expect(rows).toHaveLength(3000);
    expect(rows[2999]).toMatchObject({ nps: '8', comment: 'row 3000, "quoted"' });
    expect(new Set(rows.map((r) => r.ResponseId)).size).toBe(3000);
    const json = await api('GET', `/surveys/${bulk}/responses/export?format=json`);
    expect(json.json()).toHaveLength(3000);

    // The body is produced batch by batch as it is read: the header, then one chunk per 1,000 rows.
    const file = await openResponsesExport(
      t.runtime.db.orm,
      systemActor('test'),
      bulk,
      ZExportQuery.parse({}),
      { batchSize: 1000 },
    );
    const chunks: string[] = [];
    for await (const chunk of file.body) chunks.push(chunk);
    expect(chunks).toHaveLength(4);
    expect(chunks.slice(1).map((c) => c.split('\r\n').length - 1)).toEqual([1000, 1000, 1000]);
  });

  describe('and importing them back', () => {
    let exported: string;
    let copyId: number;

    beforeAll(async () => {
      exported = (await api('GET', `/surveys/${surveyId}/responses/export?status=complete`)).body;
      copyId = await newSurvey('Transfer copy');
    });

    it('checks first with a dry run, then imports with identical answers, and again creates nothing', async () => {
      const dry = await upload(copyId, exported, { dryRun: true });
      expect(dry.statusCode, dry.body).toBe(200);
      expect(dry.json()).toEqual({
        dryRun: true,
        rows: 3,
        created: 3,
        skipped: 0,
        warningCount: 0,
        warnings: [],
      });
      expect(await countResponses(copyId)).toBe(0);

      const done = await upload(copyId, exported);
      expect(done.json()).toEqual({
        dryRun: false,
        rows: 3,
        created: 3,
        skipped: 0,
        warningCount: 0,
        warnings: [],
      });
      const original = (await api('GET', `/surveys/${surveyId}/responses?status=complete`)).json().items;
      const copied = (await api('GET', `/surveys/${copyId}/responses`)).json().items;
      const pick = (r: Record<string, unknown>) => ({
        answers: r.answers,
        contactId: r.contactId,
        accountId: r.accountId,
        language: r.language,
        npsScore: r.npsScore,
        npsCategory: r.npsCategory,
        csatScore: r.csatScore,
        csatSatisfied: r.csatSatisfied,
        startedAt: r.startedAt,
        completedAt: r.completedAt,
      });
      expect(copied.map(pick)).toEqual(original.map(pick));
      expect(copied.map((r: { externalRef: string }) => r.externalRef)).toEqual(
        original.map((r: { id: number }) => String(r.id)),
      );
      expect(copied[0]).toMatchObject({ status: 'complete', channel: 'import', surveyId: copyId });
      expect(
        copied.find((r: { externalRef: string }) => r.externalRef === String(ids.zoe)).embedded,
      ).toMatchObject({
        sfCaseId: '500X1',
        region: 'EMEA, North',
        sfAccountId: '001A',
      });

      // Idempotent: the same file again, or the export of the copy itself, creates nothing.
      expect((await upload(copyId, exported)).json()).toMatchObject({ created: 0, skipped: 3 });
      const copyExport = (await api('GET', `/surveys/${copyId}/responses/export`)).body;
      expect((await upload(copyId, copyExport)).json()).toMatchObject({ created: 0, skipped: 3 });
      // An export brought back into its own survey is recognised too.
      expect((await upload(surveyId, exported)).json()).toMatchObject({ created: 0, skipped: 3 });
      expect(await countResponses(copyId)).toBe(3);

      // History does not start automations, and the import is in the audit trail.
      const ids_ = copied.map((r: { id: number }) => `response:${r.id}`);
      const events = await t.runtime.db.query('SELECT 1 FROM domain_events WHERE subject = ANY($1::text[])', [
        ids_,
      ]);
      expect(events).toEqual([]);
      const audit = await t.runtime.db.query<{ details: Record<string, unknown> }>(
        `SELECT details FROM audit_events WHERE action = 'responses.imported' AND target_id = $1 ORDER BY id`,
        [String(copyId)],
      );
      expect(audit.map((a) => a.details)).toEqual([
        { file: 'responses.csv', rows: 3, created: 3, skipped: 0, warnings: 0 },
        { file: 'responses.csv', rows: 3, created: 0, skipped: 3, warnings: 0 },
        { file: 'responses.csv', rows: 3, created: 0, skipped: 3, warnings: 0 },
      ]);
    });

    it('refuses viewers and account managers', async () => {
      expect((await upload(copyId, exported, { headers: viewer })).statusCode).toBe(403);
      expect((await upload(copyId, exported, { headers: csm })).statusCode).toBe(403);
    });
  });
});

describe('importing responses from another tool', () => {
  let surveyId: number;
  beforeAll(async () => {
    surveyId = await newSurvey('History');
  });

  it('reports every bad row with its line, column and reason, and stores nothing', async () => {
    const csv = [
      'CompletedAt,nps,reason,comment,Channel',
      '2024-03-01T10:00:00Z,9,price,"two\nlines",web',
      '2024-03-02T10:00:00Z,8,banana,,web',
      '2024-03-03T10:00:00Z,11,,,web',
      '31/12/2023,5,,,web',
      '2024-03-05,,support,,web',
      'short,row',
    ].join('\r\n');
    const response = await upload(surveyId, csv);
    expect(response.statusCode).toBe(400);
    const { error } = response.json();
    expect(error.code).toBe('import_rejected');
    expect(error.message).toBe('The file has 5 problems: nothing was imported');
    expect(error.details).toMatchObject({ rows: 6, problemCount: 5 });
    expect(error.details.problems).toEqual([
      {
        line: 4,
        column: 'reason',
        reason: 'expected one of the choices (price, support, product, other), got "banana"',
      },
      { line: 5, column: 'nps', reason: 'expected a whole number from 0 to 10, got 11' },
      {
        line: 6,
        column: 'CompletedAt',
        reason: 'expected an ISO 8601 date such as 2024-03-31T14:05:00Z or 2024-03-31, got "31/12/2023"',
      },
      { line: 7, column: 'nps', reason: 'an answer is required' },
      { line: 8, column: null, reason: 'the row has 2 fields where the header has 5' },
    ]);
    expect(await countResponses(surveyId)).toBe(0);
    // A dry run reports the same.
    expect((await upload(surveyId, csv, { dryRun: true })).json().error.details.problemCount).toBe(5);
  });

  it('refuses a file without CompletedAt, an empty file, and rows that are not complete', async () => {
    const missing = await upload(surveyId, 'nps\r\n9\r\n');
    expect(missing.json().error.details.problems).toEqual([
      {
        line: 1,
        column: 'CompletedAt',
        reason: 'the column is missing: every response needs the date it was completed',
      },
    ]);
    const partial = await upload(
      surveyId,
      // StartedAt after CompletedAt is kept as given (live responses can differ by a few ms).
      'Status,CompletedAt,StartedAt,nps\r\npartial,2024-01-01,,9\r\nComplete,2024-01-01,2024-01-02,9\r\n,,,9\r\n',
    );
    expect(partial.json().error.details.problems).toEqual([
      {
        line: 2,
        column: 'Status',
        reason: 'expected "complete": only complete responses are imported, got "partial"',
      },
      { line: 4, column: 'CompletedAt', reason: 'required: when the response was completed' },
    ]);
    expect((await upload(surveyId, '')).json().error.details.problems).toEqual([
      { line: 1, column: null, reason: 'the file is empty: expected a header line' },
    ]);
  });

  it('matches contacts by reference or email, warns about what it cannot use, and dedups by content', async () => {
    const csv = [
      '\uFEFFcompletedat;CONTACTEMAIL;ContactExternalRef;AccountExternalRef;NPS;Channels;Quality.Speed;Renew;Seats;Legacy score',
      '2023-11-05T09:30:00+01:00;ALAN@GOGETCLOUDY.COM;;;10;"email; portal";5;yes;3.5;A',
      '2023-11-06T09:30:00Z;nobody@example.com;;;6;;;no;;B',
      '2023-11-07T09:30:00Z;;003J;001Z;8;;;0;;C',
      '2023-11-07T09:30:00Z;;003J;001Z;8;;;0;;C',
    ].join('\n');
    const done = await upload(surveyId, csv);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ rows: 4, created: 4, skipped: 0, warningCount: 7 });
    expect(done.json().warnings).toEqual(
      expect.arrayContaining([
        { line: 1, column: 'Legacy score', reason: 'is not a column of this survey: ignored' },
        { line: 1, column: 'comment', reason: 'no column for this question: imported without its answers' },
        {
          line: 3,
          column: 'ContactEmail',
          reason: 'no contact with email "nobody@example.com" in this directory: imported without a contact',
        },
        {
          line: 4,
          column: 'AccountExternalRef',
          reason: 'no account with external ref "001Z" in this directory: the contact’s account is used',
        },
      ]),
    );
    const items = (await api('GET', `/surveys/${surveyId}/responses`)).json().items.reverse();
    const [ana] = await t.runtime.db.query<{ id: number }>(
      `SELECT id FROM contacts WHERE external_ref = '003J'`,
    );
    const [reno] = await t.runtime.db.query<{ id: number }>(
      `SELECT id FROM accounts WHERE external_ref = '001C'`,
    );
    expect(items[0]).toMatchObject({
      contactId: alanId,
      accountId: getCloudyId,
      completedAt: '2023-11-05T08:30:00.000Z',
      startedAt: '2023-11-05T08:30:00.000Z',
      answers: { nps: 10, channels: ['email', 'portal'], quality: { speed: 5 }, renew: true, seats: 3.5 },
      npsCategory: 'promoter',
      channel: 'import',
      externalRef: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      embedded: { sfContactId: '003A', sfAccountId: '001B', firstName: 'Alan' },
    });
    expect(items[1]).toMatchObject({ contactId: null, accountId: null, answers: { nps: 6, renew: false } });
    expect(items[2]).toMatchObject({ contactId: Number(ana!.id), accountId: Number(reno!.id) });
    // Two identical rows are two responses, each with its own reference.
    expect(items[3].externalRef).toBe(`${items[2].externalRef}:2`);

    const again = await upload(surveyId, csv);
    expect(again.json()).toMatchObject({ created: 0, skipped: 4 });
    expect(await countResponses(surveyId)).toBe(4);
  });

  it('refuses a ResponseId given twice in one file', async () => {
    const csv = 'ResponseId,CompletedAt,nps\r\nX-1,2024-01-01,9\r\nX-2,2024-01-01,9\r\nX-1,2024-01-02,3\r\n';
    expect((await upload(surveyId, csv)).json().error.details.problems).toEqual([
      { line: 4, column: 'ResponseId', reason: 'X-1 is also on line 2' },
    ]);
  });
});

describe('response file cells', () => {
  it('guards text a spreadsheet would run as a formula, reversibly', () => {
    for (const text of ['=1+1', '+33 1 42', '-', '@here', "'=already", "''=twice", 'plain', "'quoted"]) {
      expect(unguardText(guardText(text))).toBe(text);
    }
    expect(guardText('=1+1')).toBe("'=1+1");
    expect(guardText('plain')).toBe('plain');
  });
});
