import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/harness/distributions.ts';
import { type HttpReceiver, startHttpReceiver } from '../../test/harness/http-receiver.ts';
import { silentLogger } from '../../test/harness/logger.ts';
import { startSmtpServer, type TestSmtpServer } from '../../test/harness/smtp-server.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import {
  type CloudKicksSeed,
  type SalesforceEmulator,
  seedCloudKicks,
  startSalesforceEmulator,
} from '../integrations/salesforce/emulator/index.ts';
import { dispatchEvents } from './dispatch.ts';
import { NPS_SURVEY } from './testing.ts';
import { tickWorkflowSchedules } from './workflows.jobs.ts';

/**
 * The "done when", on the Salesforce emulator (driven through jsforce, as production is):
 * the daily workflow, started by advancing its schedule, syncs the org into the directory with a
 * new mailing list and surveys it — the invitations arrive in a real SMTP server; a detractor's
 * response opens a ticket for the account's ACCOUNT_OWNER, tells Slack and writes the score back
 * to the respondent's Contact.
 */

let emulator: SalesforceEmulator;
let seed: CloudKicksSeed;
let t: TestApp;
let smtp: TestSmtpServer;
let slack: HttpReceiver;
let admin: { authorization: string };
let directoryId: number;
let connectionId: number;
let surveyId: number;
let base: string;

const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: admin.authorization },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

/** A completed response of a seed contact; returns its response.completed event's id. */
async function respondAs(sfContactId: string, answers: Record<string, unknown>) {
  const [contact] = await t.runtime.db.query<{ id: number }>(
    `SELECT id FROM contacts WHERE external_ref = $1`,
    [sfContactId],
  );
  const link = await api('POST', `/surveys/${surveyId}/links`, { contactId: Number(contact!.id) });
  expect(link.statusCode, link.body).toBe(201);
  const saved = await t.app.inject({
    method: 'PUT',
    url: `/api/v1/public/links/${link.json().token}/response`,
    payload: { answers, complete: true },
  });
  expect(saved.statusCode, saved.body).toBe(200);
  const responseId = saved.json().responseId as number;
  const [event] = await t.runtime.db.query<{ id: number }>(
    `SELECT id FROM domain_events WHERE type = 'response.completed' AND subject = $1`,
    [`response:${responseId}`],
  );
  return { responseId, eventId: Number(event!.id) };
}

/** Saves a workflow (not enabled) and runs it once on the given event. */
async function runOn(eventId: number, name: string, tasks: unknown[]) {
  const created = await api('POST', `/directories/${directoryId}/workflows`, {
    name,
    enabled: false,
    trigger: { type: 'event', event: 'response.completed', filter: { surveyId } },
    tasks,
  });
  expect(created.statusCode, created.body).toBe(201);
  const started = await api('POST', `/workflows/${created.json().id}/runs`, { eventId });
  expect(started.statusCode, started.body).toBe(202);
  return waitRun(started.json().id);
}

async function waitRun(runId: number, timeoutMs = 60_000) {
  return waitFor(
    () => api('GET', `/workflow-runs/${runId}`).then((r) => r.json()),
    (run) => ['succeeded', 'failed'].includes(run.status),
    `workflow run ${runId}`,
    timeoutMs,
  );
}

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
          { name: 'Response_Key__c', type: 'string', length: 80, externalId: true, unique: true },
        ],
      },
    ],
    customFields: {
      Contact: [{ name: 'Last_NPS__c', type: 'double', label: 'Last NPS', precision: 2, scale: 0 }],
    },
    seed: (store) => {
      seed = seedCloudKicks(store);
    },
  });
  smtp = await startSmtpServer();
  slack = await startHttpReceiver();
  t = await createTestApp();
  await t.runtime.jobs.startWorkers(t.runtime);
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  admin = await t.bearerFor('admin');
  directoryId = (await api('POST', '/directories', { name: 'Cloud Kicks' })).json().id;
  const connection = await api('POST', '/salesforce/connections', {
    kind: 'client_credentials',
    name: 'Cloud Kicks org',
    loginUrl: emulator.loginUrl,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
  });
  expect(connection.statusCode, connection.body).toBe(201);
  connectionId = connection.json().connection.id;
  const sync = await api('PUT', `/directories/${directoryId}/salesforce/sync`, {
    connectionId,
    objects: { Account: {}, Contact: { fields: ['Email'] }, AccountTeamMember: {} },
    mailingList: 'Salesforce {{date}}',
    enabled: false,
  });
  expect(sync.statusCode, sync.body).toBe(200);
  const provider = await api('PUT', '/delivery-providers/email', {
    settings: {
      kind: 'smtp',
      defaultFrom: 'cx@cloudkicks.example',
      smtp: { host: smtp.host, port: smtp.port, secure: false, requireTLS: false },
    },
    ratePerSecond: 100,
  });
  expect(provider.statusCode, provider.body).toBe(200);
  const survey = await api('POST', `/directories/${directoryId}/surveys`, {
    name: 'Relationship NPS',
    definition: NPS_SURVEY,
    metrics: { npsQuestion: 'nps' },
    embeddedFields: ['sfContactId', 'sfAccountId'],
  });
  expect(survey.statusCode, survey.body).toBe(201);
  surveyId = survey.json().id;
  expect((await api('POST', `/surveys/${surveyId}/activate`)).statusCode).toBe(200);
  await dispatchEvents(t.runtime);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await smtp?.close();
  await slack?.close();
  await emulator?.close();
});

describe('the seed’s workflows on Salesforce', () => {
  it('every day: Salesforce → directory with a new mailing list → the survey, received over SMTP', {
    timeout: 120_000,
  }, async () => {
    const created = await api(
      'POST',
      `/directories/${directoryId}/workflow-templates/salesforce-daily-sync-survey`,
      {
        surveyId,
        time: '07:30',
        timeZone: 'America/Los_Angeles',
        fromName: 'Cloud Kicks',
        enabled: true,
      },
    );
    expect(created.statusCode, created.body).toBe(201);
    const workflow = created.json();
    const slot = new Date(workflow.nextRuns[0]);
    const tick = (await tickWorkflowSchedules.run(
      { at: new Date(slot.getTime() + 5_000).toISOString() },
      t.runtime,
      {
        jobId: 'tick',
        retryCount: 0,
        signal: new AbortController().signal,
        logger: silentLogger,
      },
    )) as { started: { workflowId: number; runId: number }[] };
    const started = tick.started.find((s) => s.workflowId === workflow.id)!;
    const run = await waitRun(started.runId, 90_000);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    const synced = run.tasks[0].output as {
      mailingListId: number;
      counts: { contacts: { created: number } };
    };
    const contactsInOrg = emulator.store.records('Contact');
    expect(synced.counts.contacts.created).toBe(contactsInOrg.length);
    expect(synced.mailingListId).toBeGreaterThan(0);
    const { distributionId } = run.tasks[1].output;
    const done = await waitFor(
      () => api('GET', `/distributions/${distributionId}`).then((r) => r.json()),
      (d) => d.status === 'completed',
      'the distribution',
      60_000,
    );
    const emails = contactsInOrg.map((c) => String(c.Email).toLowerCase()).filter((e) => e.includes('@'));
    expect(done.stats.inList).toBe(emails.length);
    await smtp.waitFor(emails.length);
    const received = smtp.messages.filter((m) => m.subject?.startsWith('How are we doing'));
    expect(received.map((m) => m.envelope.to[0]!.toLowerCase()).sort()).toEqual([...emails].sort());
    expect(received.find((m) => m.envelope.to[0] === 'alan@gogetcloudy.com')!.text).toMatch(
      /\/s\/[\w-]{20,}/,
    );
  });

  it('a detractor: ticket for the ACCOUNT_OWNER, Slack, and the score written back to the Contact', {
    timeout: 60_000,
  }, async () => {
    const writeback = await api('POST', `/directories/${directoryId}/salesforce/writebacks`, {
      name: 'Last NPS to the Contact',
      connectionId,
      object: 'Contact',
      operation: 'update',
      recordId: '{{ embedded.sfContactId }}',
      fields: { Last_NPS__c: '{{ response.answers.nps }}' },
    });
    expect(writeback.statusCode, writeback.body).toBe(201);
    const created = await api(
      'POST',
      `/directories/${directoryId}/workflow-templates/detractor-ticket-slack`,
      {
        surveyId,
        slackWebhookUrl: `${slack.url}/services/T9/B9/xyz`,
        writebackId: writeback.json().id,
        enabled: true,
      },
    );
    expect(created.statusCode, created.body).toBe(201);
    const workflowId = created.json().id as number;
    const [alan] = await t.runtime.db.query<{ id: number }>(
      `SELECT id FROM contacts WHERE external_ref = $1`,
      [seed.contacts.alan],
    );
    const link = await api('POST', `/surveys/${surveyId}/links`, { contactId: Number(alan!.id) });
    const saved = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/public/links/${link.json().token}/response`,
      payload: { answers: { nps: 3, why: 'The sizing guide is wrong' }, complete: true },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    await dispatchEvents(t.runtime);
    const runs = (await api('GET', `/workflows/${workflowId}/runs`)).json().items;
    expect(runs).toHaveLength(1);
    const run = await waitRun(runs[0].id);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(run.tasks.map((task: { key: string }) => task.key)).toEqual(['ticket', 'slack', 'salesforce']);
    const owner = emulator.store.get('User', seed.users.eliza)!;
    expect(run.tasks[0].output.ownerEmail).toBe(String(owner.Email).toLowerCase());
    const [post] = await slack.waitFor(1);
    expect((post!.json as { text: string }).text).toContain(run.tasks[0].output.key);
    expect(run.tasks[2].output).toMatchObject({
      operation: 'update',
      object: 'Contact',
      outcome: 'updated',
      recordId: seed.contacts.alan,
    });
    expect(emulator.store.get('Contact', seed.contacts.alan)!.Last_NPS__c).toBe(3);
  });

  it('a Salesforce rule’s outbound message starts the workflow of its trigger, with the record’s fields', {
    timeout: 60_000,
  }, async () => {
    const trigger = await api('POST', `/directories/${directoryId}/salesforce/triggers`, {
      name: 'Case closed',
      connectionId,
      object: 'Case',
      action: { kind: 'event' },
    });
    expect(trigger.statusCode, trigger.body).toBe(201);
    const created = await api('POST', `/directories/${directoryId}/workflows`, {
      name: 'Closed case follow-up',
      enabled: true,
      trigger: {
        type: 'event',
        event: 'salesforce.outbound_message',
        filter: { salesforceTriggerId: trigger.json().id },
      },
      conditions: { match: 'all', rules: [{ field: 'salesforce.fields.Status', op: 'eq', value: 'Closed' }] },
      tasks: [
        {
          key: 'ticket',
          type: 'tickets.create',
          input: {
            title: 'Case {{ event.salesforce.fields.CaseNumber }}: {{ event.salesforce.fields.Subject }}',
            ownerEmail: null,
          },
        },
      ],
    });
    expect(created.statusCode, created.body).toBe(201);
    const sent = await emulator.sendOutboundMessage({
      url: `${base}${trigger.json().path}`,
      objectType: 'Case',
      records: [seed.cases.closedShipping],
      fields: ['CaseNumber', 'Status', 'Subject', 'ContactId'],
    });
    expect(sent.acknowledged).toBe(true);
    await dispatchEvents(t.runtime);
    const runs = (await api('GET', `/workflows/${created.json().id}/runs`)).json().items;
    expect(runs).toHaveLength(1);
    const run = await waitRun(runs[0].id);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    const closed = emulator.store.get('Case', seed.cases.closedShipping)!;
    expect(run.tasks[0].output.title).toBe(`Case ${closed.CaseNumber}: ${closed.Subject}`);
  });
  it('writes to Salesforce as tasks: insert, then upsert by external id, then delete the inserted record', {
    timeout: 60_000,
  }, async () => {
    const writeback = async (body: Record<string, unknown>) => {
      const r = await api('POST', `/directories/${directoryId}/salesforce/writebacks`, {
        connectionId,
        ...body,
      });
      expect(r.statusCode, r.body).toBe(201);
      return r.json().id as number;
    };
    const insert = await writeback({
      name: 'Response as a record',
      object: 'Survey_Response__c',
      operation: 'insert',
      fields: {
        Name: 'Inserted {{ response.id }}',
        Contact__c: '{{ embedded.sfContactId }}',
        NPS__c: '{{ response.answers.nps }}',
      },
    });
    const upsert = await writeback({
      name: 'Response by key',
      object: 'Survey_Response__c',
      operation: 'upsert',
      externalIdField: 'Response_Key__c',
      fields: {
        Response_Key__c: 'R-{{ response.id }}',
        Name: 'Upserted {{ response.id }} after {{ tasks.insert.recordId }}',
        NPS__c: '{{ response.answers.nps }}',
      },
    });
    const remove = await writeback({
      name: 'Remove the inserted record',
      object: 'Survey_Response__c',
      operation: 'delete',
      recordId: '{{ tasks.insert.recordId }}',
    });
    const { responseId, eventId } = await respondAs(seed.contacts.leung, { nps: 9, why: 'Good' });
    const tasks = [
      { key: 'insert', type: 'salesforce.writeback', input: { writebackId: insert } },
      { key: 'upsert', type: 'salesforce.writeback', input: { writebackId: upsert } },
      { key: 'remove', type: 'salesforce.writeback', input: { writebackId: remove } },
    ];
    const run = await runOn(eventId, 'Responses to Salesforce records', tasks);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    const [inserted, upserted, deleted] = run.tasks.map(
      (task: { output: Record<string, unknown> }) => task.output,
    );
    expect(inserted).toMatchObject({ operation: 'insert', object: 'Survey_Response__c', outcome: 'created' });
    const insertedId = inserted.recordId as string;
    expect(insertedId).toMatch(/^[a-zA-Z0-9]{18}$/);
    expect(upserted).toMatchObject({ operation: 'upsert', outcome: 'upserted' });
    const byKey = emulator.store
      .records('Survey_Response__c')
      .filter((r) => r.Response_Key__c === `R-${responseId}`);
    expect(byKey).toHaveLength(1);
    expect(byKey[0]).toMatchObject({
      Id: upserted.recordId,
      NPS__c: 9,
      Name: `Upserted ${responseId} after ${insertedId}`,
    });
    expect(deleted).toMatchObject({ operation: 'delete', outcome: 'deleted', recordId: insertedId });
    // Deleted: in the org's recycle bin.
    expect(emulator.store.get('Survey_Response__c', insertedId)).toMatchObject({
      Name: `Inserted ${responseId}`,
      IsDeleted: true,
    });

    // The same response again in a second workflow: the upsert updates the keyed record (no second
    // one), and the insert's ledger keeps it from being created twice.
    const again = await runOn(eventId, 'Upsert again', [
      { key: 'insert', type: 'salesforce.writeback', input: { writebackId: insert } },
      { key: 'upsert', type: 'salesforce.writeback', input: { writebackId: upsert } },
    ]);
    expect(again.status, JSON.stringify(again)).toBe('succeeded');
    expect(again.tasks[0].output).toMatchObject({ outcome: 'already_done', recordId: insertedId });
    expect(again.tasks[1].output).toMatchObject({ outcome: 'upserted', recordId: upserted.recordId });
    expect(
      emulator.store.records('Survey_Response__c').filter((r) => r.Response_Key__c === `R-${responseId}`),
    ).toHaveLength(1);
  });

  it('sends a response to Salesforce as a Lead through a Web-to-Lead form, once per response', {
    timeout: 60_000,
  }, async () => {
    const form = await api('POST', `/directories/${directoryId}/salesforce/lead-forms`, {
      name: 'Promoters to leads',
      connectionId,
      mode: 'form',
      formUrl: `${emulator.url}/servlet/servlet.WebToLead?encoding=UTF-8`,
      fields: {
        first_name: '{{ contact.firstName }}',
        last_name: 'Promoter {{ response.id }}',
        email: '{{ contact.email }}',
        company: '{{ account.name }}',
        lead_source: 'Web',
      },
    });
    expect(form.statusCode, form.body).toBe(201);
    const { responseId, eventId } = await respondAs(seed.contacts.alan, { nps: 10 });
    const before = emulator.webToLead.submissions().length;
    const tasks = [{ key: 'lead', type: 'salesforce.web_to_lead', input: { formId: form.json().id } }];
    const run = await runOn(eventId, 'Promoters become leads', tasks);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(['sent', 'created']).toContain(run.tasks[0].output.status);
    const submissions = emulator.webToLead.submissions().slice(before);
    expect(submissions).toHaveLength(1);
    expect(submissions[0]!.form).toMatchObject({
      oid: emulator.orgId.slice(0, 15),
      first_name: 'Alan',
      last_name: `Promoter ${responseId}`,
      email: 'alan@gogetcloudy.com',
      company: 'Get Cloudy Consulting',
    });
    const lead = await waitFor(
      async () => emulator.store.records('Lead').find((l) => l.LastName === `Promoter ${responseId}`),
      (found) => found !== undefined,
      'the lead',
    );
    expect(lead).toMatchObject({ FirstName: 'Alan', LeadSource: 'Web' });
    // A re-run of the whole run: the connector knows this response was sent.
    const rerun = await api('POST', `/workflow-runs/${run.id}/rerun`, { mode: 'all' });
    expect(rerun.statusCode, rerun.body).toBe(202);
    const second = await waitRun(rerun.json().id);
    expect(second.status, JSON.stringify(second)).toBe('succeeded');
    expect(second.tasks[0].output.status).toBe('already_sent');
    expect(emulator.webToLead.submissions().slice(before)).toHaveLength(1);
  });
});
