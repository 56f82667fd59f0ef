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
});
