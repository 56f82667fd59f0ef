import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness/test-app.ts';
import {
  generateOrg,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from '../../integrations/salesforce/emulator/index.ts';
import { apiOf, createSurvey, insertResponses, syncedDirectory } from '../testing.ts';
import { runWriteback, runWritebackOverSurvey } from './writeback.service.ts';

/**
 * Response mapping: 1,000 responses written to a custom object through sObject Collections, once —
 * a re-run creates nothing; updates through Bulk API 2.0 under a condition; upserts on an external
 * id; deletes from event data; every record's outcome and Salesforce error in the run log.
 */

let emulator: SalesforceEmulator;
let t: TestApp;
let admin: { authorization: string };
let directoryId: number;
let connectionId: number;
let surveyId: number;
const api = apiOf(() => t);
const fast = { retry: { attempts: 3, baseDelayMs: 20 }, pollMs: 20 };
const deps = () => ({ db: t.runtime.db, secrets: t.runtime.secrets, logger: t.runtime.logger });

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    bulkJobStepMs: 5,
    customObjects: [
      {
        name: 'Survey_Response__c',
        label: 'Survey Response',
        fields: [
          {
            name: 'Contact__c',
            type: 'reference',
            referenceTo: 'Contact',
            childRelationshipName: 'Survey_Responses__r',
          },
          { name: 'NPS__c', type: 'double', precision: 2, scale: 0 },
          { name: 'Comment__c', type: 'textarea' },
          { name: 'Response_Key__c', type: 'string', length: 80, externalId: true, unique: true },
        ],
      },
    ],
    seed: (store) => void generateOrg(store, { accounts: 201, contactsPerAccount: 5, teamPerAccount: 1 }),
  });
  t = await createTestApp();
  await t.runtime.jobs.startWorkers(t.runtime);
  admin = await t.bearerFor('admin');
  ({ directoryId, connectionId } = await syncedDirectory(t, admin, emulator, 'Customers'));
  surveyId = await createSurvey(t, admin, directoryId);
  await insertResponses(t, surveyId, directoryId, 1000);
  // One more whose contact id is not a Salesforce Id: Salesforce refuses it, and the log says why.
  await t.runtime.db.query(
    `INSERT INTO responses (survey_id, version, resume_token, status, answers, embedded, completed_at)
     VALUES ($1, 1, 'broken-one', 'complete', '{"nps": 10}', '{"sfContactId": "003000000000000AAA"}', now())`,
    [surveyId],
  );
}, 60_000);

afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

async function latestRun(writebackId: number, previous: number | null) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [run] = (await api('GET', `/salesforce/writebacks/${writebackId}/runs`, admin)).json().items;
    if (run && run.id !== previous && run.finishedAt) return run;
    if (Date.now() > deadline) throw new Error('the write-back did not finish');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('write-back', () => {
  it('inserts one custom record per response (1,000 through Collections), and a re-run creates none', async () => {
    const created = await api('POST', `/directories/${directoryId}/salesforce/writebacks`, admin, {
      name: 'Responses to Salesforce',
      connectionId,
      object: 'Survey_Response__c',
      operation: 'insert',
      fields: {
        Name: 'Response {{ response.id }}',
        Contact__c: '{{ embedded.sfContactId }}',
        NPS__c: '{{ response.answers.nps }}',
        Comment__c: '{{ response.answers.comment }}',
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const writeback = created.json();

    const from = emulator.requests().length;
    expect(
      (await api('POST', `/salesforce/writebacks/${writeback.id}/runs`, admin, { surveyId })).statusCode,
    ).toBe(202);
    const first = await latestRun(writeback.id, null);
    expect(first).toMatchObject({
      status: 'partial',
      method: 'collections',
      counts: { total: 1001, created: 1000, failed: 1 },
    });
    expect(emulator.store.count('Survey_Response__c')).toBe(1000);
    const writes = emulator
      .requests()
      .slice(from)
      .filter((r) => r.method === 'POST' && r.path.endsWith('/composite/sobjects'));
    expect(writes).toHaveLength(6);

    const log = (await api('GET', `/salesforce/writeback-runs/${first.id}/results?limit=500`, admin)).json()
      .items;
    expect(log.find((r: { outcome: string }) => r.outcome === 'failed')).toMatchObject({
      errorCode: expect.stringMatching(/INVALID_CROSS_REFERENCE_KEY|MALFORMED_ID/),
      message: expect.any(String),
    });
    const sample = log.find((r: { outcome: string }) => r.outcome === 'created');
    const record = emulator.store.get('Survey_Response__c', sample.sfId)!;
    const responseId = Number(sample.sourceKey.replace('response:', ''));
    const [response] = await t.runtime.db.query<{
      answers: { nps: number; comment: string };
      embedded: { sfContactId: string };
    }>('SELECT answers, embedded FROM responses WHERE id = $1', [responseId]);
    expect(record).toMatchObject({
      Name: `Response ${responseId}`,
      Contact__c: response!.embedded.sfContactId,
      NPS__c: response!.answers.nps,
      Comment__c: response!.answers.comment,
    });

    await api('POST', `/salesforce/writebacks/${writeback.id}/runs`, admin, { surveyId });
    const second = await latestRun(writeback.id, first.id);
    expect(second.counts).toMatchObject({ total: 1001, already_done: 1000, failed: 1 });
    expect(second.counts.created).toBeUndefined();
    expect(emulator.store.count('Survey_Response__c')).toBe(1000);
  });

  it('with a key field, settles inserts whose answer was lost by looking them up instead of sending them again', async () => {
    const created = await api('POST', `/directories/${directoryId}/salesforce/writebacks`, admin, {
      name: 'Keyed responses',
      connectionId,
      object: 'Survey_Response__c',
      operation: 'insert',
      externalIdField: 'Response_Key__c',
      fields: { Name: 'Keyed {{ response.id }}', NPS__c: '{{ response.answers.nps }}' },
      condition: 'response.answers.nps >= 9',
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    const before = emulator.store.count('Survey_Response__c');
    const first = await runWritebackOverSurvey(deps(), { kind: 'system', label: 'test' }, id, surveyId, fast);
    expect(first.counts).toMatchObject({ total: 1001, skipped: 819, created: 182 });
    expect(emulator.store.count('Survey_Response__c')).toBe(before + 182);
    // As if the process had died after Salesforce created them but before their ids were saved.
    await t.runtime.db.query(
      "UPDATE salesforce_writeback_ledger SET state = 'pending', sf_id = NULL WHERE writeback_id = $1",
      [id],
    );
    const again = await runWritebackOverSurvey(deps(), { kind: 'system', label: 'test' }, id, surveyId, fast);
    expect(again.counts).toMatchObject({ already_done: 182, skipped: 819 });
    expect(emulator.store.count('Survey_Response__c')).toBe(before + 182);
  });

  it('a 5xx during a write-back: a lost insert batch is sent again on the next run, once; an update is retried at once', async () => {
    const created = await api('POST', `/directories/${directoryId}/salesforce/writebacks`, admin, {
      name: 'Through a flaky org',
      connectionId,
      object: 'Survey_Response__c',
      operation: 'insert',
      externalIdField: 'Response_Key__c',
      fields: { Name: 'Fault {{ event.n }}', NPS__c: '{{ event.nps }}' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    // 250 records: two sObject Collections calls (200 and 50).
    const sources = Array.from({ length: 250 }, (_, n) => ({
      key: `event:fault-${n}`,
      data: { event: { n, nps: n % 11 } },
    }));
    const faulty = () =>
      emulator.store.records('Survey_Response__c').filter((r) => String(r.Name).startsWith('Fault '));
    const run = (what: typeof sources) =>
      runWriteback(deps(), id, what, { source: 'event', createdBy: 'test', ...fast });

    // The first call answers 503: a create is never repeated blindly, so its 200 stay in doubt.
    emulator.faults.inject({
      kind: 'serverError',
      status: 503,
      method: 'POST',
      path: /\/composite\/sobjects$/,
    });
    const from = emulator.requests().length;
    const first = await run(sources);
    expect(first.counts).toMatchObject({ total: 250, in_doubt: 200, created: 50 });
    const posts = emulator
      .requests()
      .slice(from)
      .filter((r) => r.method === 'POST' && r.path.endsWith('/composite/sobjects'));
    expect(posts.map((r) => r.status)).toEqual([503, 200]);
    expect(faulty()).toHaveLength(50);
    const log = (await api('GET', `/salesforce/writeback-runs/${first.id}/results?limit=500`, admin)).json()
      .items;
    expect(log.filter((r: { outcome: string }) => r.outcome === 'in_doubt')).toHaveLength(200);

    // The next run looks the 200 up by their key, finds none, sends them; the 50 are done already.
    const second = await run(sources);
    expect(second.counts).toMatchObject({ total: 250, created: 200, already_done: 50 });
    const third = await run(sources);
    expect(third.counts).toMatchObject({ total: 250, already_done: 250 });
    const records = faulty();
    expect(records).toHaveLength(250);
    expect(new Set(records.map((r) => r.Response_Key__c)).size).toBe(250);
    expect(records.map((r) => r.Response_Key__c).sort()).toEqual(sources.map((s) => s.key).sort());

    // An update is safe to repeat: two 500s are retried within the run, every record updated once.
    const update = await api('POST', `/directories/${directoryId}/salesforce/writebacks`, admin, {
      name: 'Flaky update',
      connectionId,
      object: 'Survey_Response__c',
      operation: 'update',
      recordId: '{{ event.recordId }}',
      fields: { Comment__c: 'Retried {{ event.recordId }}' },
    });
    expect(update.statusCode, update.body).toBe(201);
    emulator.faults.inject({
      kind: 'serverError',
      status: 500,
      method: 'PATCH',
      path: /\/composite\/sobjects$/,
      times: 2,
    });
    const before = emulator.requests().length;
    const updated = await runWriteback(
      deps(),
      update.json().id,
      records.map((r) => ({ key: `event:update-${r.Id}`, data: { event: { recordId: r.Id } } })),
      { source: 'event', createdBy: 'test', ...fast },
    );
    expect(updated).toMatchObject({ status: 'succeeded', counts: { total: 250, updated: 250 } });
    const patches = emulator
      .requests()
      .slice(before)
      .filter((r) => r.method === 'PATCH' && r.path.endsWith('/composite/sobjects'));
    expect(patches.map((r) => r.status)).toEqual([500, 500, 200, 200]);
    for (const r of faulty()) expect(r.Comment__c).toBe(`Retried ${r.Id}`);
    expect(faulty()).toHaveLength(250);
  });

  it('updates contacts through Bulk API 2.0 under a condition, and upserts on an external id without duplicates', async () => {
    const update = await api('POST', `/directories/${directoryId}/salesforce/writebacks`, admin, {
      name: 'NPS on the contact',
      connectionId,
      object: 'Contact',
      operation: 'update',
      recordId: '{{ embedded.sfContactId }}',
      fields: { Description: 'Latest NPS {{ response.answers.nps }}: {{ response.answers.comment }}' },
      condition: 'response.answers.nps <= 6',
      bulkThreshold: 100,
    });
    expect(update.statusCode, update.body).toBe(201);
    const updated = await runWritebackOverSurvey(
      deps(),
      { kind: 'system', label: 'test' },
      update.json().id,
      surveyId,
      fast,
    );
    expect(updated).toMatchObject({ method: 'bulk', counts: { updated: 637, skipped: 364 } });
    const described = emulator.store
      .records('Contact')
      .filter((c) => String(c.Description ?? '').startsWith('Latest NPS'));
    expect(described).toHaveLength(637);

    const upsert = await api('POST', `/directories/${directoryId}/salesforce/writebacks`, admin, {
      name: 'Upserted responses',
      connectionId,
      object: 'Survey_Response__c',
      operation: 'upsert',
      externalIdField: 'Response_Key__c',
      fields: {
        Response_Key__c: 'R-{{ response.id }}',
        Name: 'Upserted {{ response.id }}',
        NPS__c: '{{ response.answers.nps }}',
      },
      bulkThreshold: 500,
    });
    expect(upsert.statusCode, upsert.body).toBe(201);
    const before = emulator.store.count('Survey_Response__c');
    const once = await runWritebackOverSurvey(
      deps(),
      { kind: 'system', label: 'test' },
      upsert.json().id,
      surveyId,
      fast,
    );
    expect(once).toMatchObject({ method: 'bulk', status: 'succeeded', counts: { upserted: 1001 } });
    const twice = await runWritebackOverSurvey(
      deps(),
      { kind: 'system', label: 'test' },
      upsert.json().id,
      surveyId,
      fast,
    );
    expect(twice.counts).toMatchObject({ upserted: 1001 });
    expect(emulator.store.count('Survey_Response__c')).toBe(before + 1001);
  });

  it('deletes records named by event data (the workflow entry point), and a repeat finds them gone', async () => {
    const created = await api('POST', `/directories/${directoryId}/salesforce/writebacks`, admin, {
      name: 'Remove upserted',
      connectionId,
      object: 'Survey_Response__c',
      operation: 'delete',
      recordId: '{{ event.recordId }}',
      condition: "event.reason == 'gdpr'",
    });
    expect(created.statusCode, created.body).toBe(201);
    const targets = emulator.store
      .records('Survey_Response__c')
      .filter((r) => String(r.Name).startsWith('Upserted'))
      .slice(0, 3);
    const sources = [
      ...targets.map((r) => ({ key: `event:${r.Id}`, data: { event: { recordId: r.Id, reason: 'gdpr' } } })),
      { key: 'event:other', data: { event: { recordId: targets[0]!.Id, reason: 'other' } } },
    ];
    const run = await runWriteback(deps(), created.json().id, sources, {
      source: 'event',
      createdBy: 'test',
      ...fast,
    });
    expect(run.counts).toMatchObject({ deleted: 3, skipped: 1 });
    for (const r of targets) expect(emulator.store.get('Survey_Response__c', r.Id)!.IsDeleted).toBe(true);
    const again = await runWriteback(deps(), created.json().id, sources, {
      source: 'event',
      createdBy: 'test',
      ...fast,
    });
    expect(again.counts).toMatchObject({ already_done: 3, skipped: 1 });
  });

  it('refuses fields the object does not have, compound fields and bad templates', async () => {
    const refused = await api('POST', `/directories/${directoryId}/salesforce/writebacks`, admin, {
      name: 'Broken',
      connectionId,
      object: 'Contact',
      operation: 'update',
      recordId: '{{ embedded.sfContactId }}',
      fields: { Nope__c: 'x', MailingAddress: 'y', Description: '{{ unclosed' },
    });
    expect(refused.statusCode).toBe(400);
    const messages = refused
      .json()
      .error.details.map((d: { path: string; message: string }) => `${d.path}: ${d.message}`);
    expect(messages.join('\n')).toMatch(/fields.Description/);
  });
});
