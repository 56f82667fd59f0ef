import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/harness/distributions.ts';
import { type HttpReceiver, startHttpReceiver } from '../../test/harness/http-receiver.ts';
import { silentLogger } from '../../test/harness/logger.ts';
import { startSftpServer, type TestSftpServer } from '../../test/harness/sftp-server.ts';
import { createWorkflowWorld, FILES, type WorkflowWorld } from './testing.ts';
import { tickWorkflowSchedules } from './workflows.jobs.ts';

/**
 * The seeds' two workflows end to end, from the templates: every day, SFTP files → the directory
 * with a new mailing list → the survey to that list; a detractor's response → a ticket for the
 * account owner + a Slack message.
 */

let w: WorkflowWorld;
let sftp: TestSftpServer;
let slack: HttpReceiver;

beforeAll(async () => {
  w = await createWorkflowWorld();
  sftp = await startSftpServer();
  slack = await startHttpReceiver();
});
afterAll(async () => {
  await slack?.close();
  await sftp?.close();
  await w?.close();
});

/** Runs the schedule tick as of a moment, as pg-boss's cron would start the job then. */
const tickAt = (at: Date) =>
  tickWorkflowSchedules.run({ at: at.toISOString() }, w.t.runtime, {
    jobId: `tick-${at.getTime()}`,
    retryCount: 0,
    signal: new AbortController().signal,
    logger: silentLogger,
  }) as Promise<{ started: { workflowId: number; runId: number; slot: string }[] }>;

describe('the seed’s daily workflow (SFTP variant)', () => {
  it('imports the day’s files with a new mailing list and surveys that list', {
    timeout: 90_000,
  }, async () => {
    writeFileSync(
      path.join(sftp.root, 'Account.csv'),
      `${[...FILES.accounts, '001N,false,New Customer Ltd,001A'].join('\r\n')}\r\n`,
    );
    writeFileSync(
      path.join(sftp.root, 'Contact.csv'),
      `${[
        ...FILES.contacts,
        '003N,false,001N,VP Operations,Nina,New,nina@newcustomer.example',
        '003M,false,001N,Engineer,Mo,New,mo@newcustomer.example',
      ].join('\r\n')}\r\n`,
    );
    writeFileSync(
      path.join(sftp.root, 'AccountTeamMember.csv'),
      `${[...FILES.team, '001N,owner.n@cloudkicks.example,Account Owner,false'].join('\r\n')}\r\n`,
    );
    const source = await w.api('POST', '/directories/Main/sftp-sources', {
      name: 'Nightly export',
      host: sftp.host,
      port: sftp.port,
      username: sftp.username,
      password: sftp.password,
      paths: { accounts: '/Account.csv', contacts: '/Contact.csv', teamMembers: '/AccountTeamMember.csv' },
      hostKeyFingerprint: sftp.hostKeyFingerprint,
    });
    expect(source.statusCode, source.body).toBe(201);

    const templates = await w.api('GET', '/workflow-templates');
    expect(templates.json().items.map((t: { key: string }) => t.key)).toEqual(
      expect.arrayContaining(['sftp-daily-import-survey', 'detractor-ticket-slack']),
    );
    const created = await w.api('POST', '/directories/Main/workflow-templates/sftp-daily-import-survey', {
      sftpSourceId: source.json().source.id,
      surveyId: w.surveyId,
      time: '06:00',
      timeZone: 'Europe/Rome',
      fromName: 'Cloud Kicks',
      enabled: true,
    });
    expect(created.statusCode, created.body).toBe(201);
    const workflow = created.json();
    expect(workflow.tasks.map((t: { key: string; type: string }) => `${t.key}:${t.type}`)).toEqual([
      'extract:sftp.extract',
      'load:directory.load_b2b',
      'distribute:distribution.send_survey',
    ]);
    expect(workflow.nextRuns).toHaveLength(3);

    // Nothing is due yet; tomorrow at 06:00 in Rome it is.
    expect((await tickAt(new Date())).started.filter((s) => s.workflowId === workflow.id)).toEqual([]);
    const tomorrow = new Date(workflow.nextRuns[0]);
    const { started } = await tickAt(new Date(tomorrow.getTime() + 30_000));
    const mine = started.filter((s) => s.workflowId === workflow.id);
    expect(mine).toEqual([
      { workflowId: workflow.id, runId: expect.any(Number), slot: tomorrow.toISOString() },
    ]);
    // The same slot ticked again (another process, a retry): no second run.
    expect((await tickAt(new Date(tomorrow.getTime() + 50_000))).started).toEqual([]);

    const run = await w.waitRun(mine[0]!.runId, 60_000);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    const load = run.tasks[1]!.output as { mailingListId: number; counts: { contacts: { created: number } } };
    expect(load.counts.contacts.created).toBe(2);
    const lists = (await w.api('GET', '/directories/Main/mailing-lists')).json().items as {
      id: number;
      name: string;
      members: number;
    }[];
    const list = lists.find((l) => l.id === load.mailingListId)!;
    expect(list.name).toMatch(/^Daily import \d{4}-\d{2}-\d{2} #\d+$/);
    expect(list.members).toBe(5);
    const distribute = run.tasks[2]!.output as { distributionId: number };
    expect(run.tasks[2]!.input).toMatchObject({
      recipients: { type: 'mailingList', mailingListId: load.mailingListId },
    });

    // The distribution sends to the new list: one invitation per contact, each with its link.
    const sent = await waitFor(
      () => w.api('GET', `/distributions/${distribute.distributionId}`).then((r) => r.json()),
      (d) => d.status === 'completed',
      'the distribution',
      60_000,
    );
    expect(sent.stats).toMatchObject({ selected: 5, inList: 5 });
    const messages = (await w.outbox()).filter((m) => m.distributionId === distribute.distributionId);
    expect(messages.map((m) => m.toAddress).sort()).toEqual([
      'alan@gogetcloudy.com',
      'leung@gogetcloudy.com',
      'mo@newcustomer.example',
      'nina@newcustomer.example',
      'zoe@cloudkicks.example',
    ]);
    const nina = messages.find((m) => m.toAddress === 'nina@newcustomer.example')!;
    expect(nina.subject).toBe('How are we doing, Nina?');
    expect(nina.text).toMatch(/\/s\/[A-Za-z0-9_-]{20,}/);
  });
});

describe('detractor → ticket for the ACCOUNT_OWNER + Slack', () => {
  it('opens the ticket and tells Slack on a detractor’s real response, not on a promoter’s', {
    timeout: 60_000,
  }, async () => {
    const created = await w.api('POST', '/directories/Main/workflow-templates/detractor-ticket-slack', {
      surveyId: w.surveyId,
      slackWebhookUrl: `${slack.url}/services/T1/B1/secret`,
      role: 'DECISION_MAKER',
      enabled: true,
    });
    expect(created.statusCode, created.body).toBe(201);
    const workflowId = created.json().id as number;

    await w.respond('003C', { nps: 2, why: 'Not a decision maker' }); // EXECUTIVE_SPONSOR: no
    const promoter = await w.respond('003A', { nps: 10 });
    const detractor = await w.respond('003A', { nps: 3, why: 'Onboarding took months' });
    await w.dispatch();
    const runs = await w.runsOf(workflowId);
    expect(runs).toHaveLength(1);
    const run = await w.waitRun(runs[0]!.id);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect((run.triggerData as { response: { id: number } }).response.id).toBe(detractor);
    expect((run.triggerData as { response: { id: number } }).response.id).not.toBe(promoter);

    const ticket = run.tasks[0]!.output as { ticketId: number; key: string; ownerEmail: string };
    expect(ticket.ownerEmail).toBe('owner.b@cloudkicks.example'); // 001B's ACCOUNT_OWNER
    const detail = (await w.api('GET', `/tickets/${ticket.ticketId}`)).json();
    expect(detail).toMatchObject({
      source: 'workflow',
      priority: 'high',
      responseId: detractor,
      ownerEmail: 'owner.b@cloudkicks.example',
      account: { externalRef: '001B' },
      tags: ['detractor'],
    });
    expect(detail.description).toBe(
      'Alan Johnson (DECISION_MAKER) of Get Cloudy Consulting answered 3 to "Relationship 2026".',
    );

    const [post] = await slack.waitFor(1);
    expect(post!.path).toBe('/services/T1/B1/secret');
    const body = post!.json as { text: string; blocks: { type: string; elements?: { url: string }[] }[] };
    expect(body.text).toContain(`Ticket ${ticket.key} is assigned to owner.b@cloudkicks.example`);
    expect(body.blocks.find((b) => b.type === 'actions')!.elements![0]!.url).toMatch(
      new RegExp(`/tickets/${ticket.ticketId}$`),
    );
    // The event read again (a second dispatcher pass) opens nothing more.
    await w.dispatch();
    expect(await w.runsOf(workflowId)).toHaveLength(1);
  });
});
