import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpReceiver, startHttpReceiver } from '../../test/harness/http-receiver.ts';
import { startSftpServer, type TestSftpServer } from '../../test/harness/sftp-server.ts';
import { startSmtpServer, type TestSmtpServer } from '../../test/harness/smtp-server.ts';
import { advanceRun } from './engine.ts';
import { verifyWebhookSignature } from './tasks/http.ts';
import { createWorkflowWorld, FILES, type WorkflowWorld } from './testing.ts';
import { workflowTaskRuns } from './workflows.schema.ts';

/** Each task type against the real thing: an SFTP server, an SMTP server, HTTP receivers, the ticket service. */

let w: WorkflowWorld;
let hook: HttpReceiver;
let sftp: TestSftpServer;
let smtp: TestSmtpServer;

beforeAll(async () => {
  w = await createWorkflowWorld();
  hook = await startHttpReceiver();
  sftp = await startSftpServer();
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await hook?.close();
  await sftp?.close();
  await smtp?.close();
  await w?.close();
});

async function runOnce(definition: Record<string, unknown>, eventId?: number) {
  const created = await w.api('POST', '/directories/Main/workflows', { enabled: false, ...definition });
  expect(created.statusCode, created.body).toBe(201);
  const started = await w.api('POST', `/workflows/${created.json().id}/runs`, eventId ? { eventId } : {});
  expect(started.statusCode, started.body).toBe(202);
  return { workflowId: created.json().id as number, run: await w.waitRun(started.json().id) };
}

/** Runs a finished task again under the same key, as a retry after a crash would. */
async function repeatTask(runId: number, key: string) {
  await w.t.runtime.db.query(
    `UPDATE workflow_task_runs SET status = 'pending', claimed_by = NULL WHERE run_id = $1 AND task_key = $2`,
    [runId, key],
  );
  await w.t.runtime.db.query(`UPDATE workflow_runs SET status = 'running' WHERE id = $1`, [runId]);
  const signal = new AbortController().signal;
  await advanceRun(w.t.runtime, runId, { jobId: 'test-repeat', signal, logger: w.t.runtime.logger });
  return w.waitRun(runId);
}

describe('tasks against real parts', () => {
  it('extracts the three files from a saved SFTP source and loads them with a new mailing list', async () => {
    writeFileSync(
      path.join(sftp.root, 'Account.csv'),
      `${[...FILES.accounts, '001S,false,Sftp Corp,'].join('\r\n')}\r\n`,
    );
    writeFileSync(
      path.join(sftp.root, 'Contact.csv'),
      `${[...FILES.contacts, '003S,false,001S,CTO,Sam,Sftp,sam@sftp.example'].join('\r\n')}\r\n`,
    );
    writeFileSync(path.join(sftp.root, 'AccountTeamMember.csv'), `${FILES.team.join('\r\n')}\r\n`);
    const source = await w.api('POST', '/directories/Main/sftp-sources', {
      name: 'Exports',
      host: sftp.host,
      port: sftp.port,
      username: sftp.username,
      password: sftp.password,
      paths: { accounts: '/Account.csv', contacts: '/Contact.csv', teamMembers: '/AccountTeamMember.csv' },
      hostKeyFingerprint: sftp.hostKeyFingerprint,
    });
    expect(source.statusCode, source.body).toBe(201);
    const sourceId = source.json().source.id as number;
    const { run } = await runOnce({
      name: 'SFTP load',
      trigger: { type: 'manual' },
      tasks: [
        { key: 'extract', type: 'sftp.extract', input: { sourceId } },
        {
          key: 'load',
          type: 'directory.load_b2b',
          input: { files: '{{ tasks.extract.files }}', mailingList: 'SFTP {{date}}' },
        },
      ],
    });
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    const extract = run.tasks[0]!.output as {
      files: Record<string, { path: string; remotePath: string; bytes: number }>;
      fileCount: number;
    };
    expect(extract.fileCount).toBe(3);
    expect(extract.files.contacts).toMatchObject({ remotePath: '/Contact.csv', sourceId });
    // The run's download folder is gone once the run ended.
    expect(existsSync(extract.files.contacts!.path)).toBe(false);
    const load = run.tasks[1]!.output as {
      importRunId: number;
      mailingListId: number;
      counts: Record<string, Record<string, number>>;
    };
    expect(load.mailingListId).toBeGreaterThan(0);
    expect(load.counts.accounts!.created).toBe(1);
    expect(load.counts.contacts!.created).toBe(1);
    const members = await w.t.runtime.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM mailing_list_members WHERE mailing_list_id = $1',
      [load.mailingListId],
    );
    expect(Number(members[0]!.n)).toBe(4);
    // The directory's import is reported to automations once.
    const events = await w.api('GET', `/events?type=import.completed&subject=import_run:${load.importRunId}`);
    expect(events.statusCode, events.body).toBe(200);
    expect(events.json().items).toHaveLength(1);
    expect(events.json().items[0].payload).toMatchObject({
      runId: load.importRunId,
      mailingListId: load.mailingListId,
    });
  });

  it('emails through SMTP, once per recipient and key, with piped text', async () => {
    const admin = await w.t.bearerFor('admin');
    const provider = await w.api(
      'PUT',
      '/delivery-providers/email',
      {
        settings: {
          kind: 'smtp',
          defaultFrom: 'cx@cloudkicks.example',
          smtp: { host: smtp.host, port: smtp.port, secure: false, requireTLS: false },
        },
        ratePerSecond: 50,
      },
      admin,
    );
    expect(provider.statusCode, provider.body).toBe(200);
    const responseId = await w.respond('003A', { nps: 2, why: 'Too slow' });
    const [event] = await w.t.runtime.db.query<{ id: number }>(
      `SELECT id FROM domain_events WHERE type = 'response.completed' AND subject = $1`,
      [`response:${responseId}`],
    );
    const before = smtp.messages.length;
    const { run } = await runOnce(
      {
        name: 'Notify the owner',
        trigger: { type: 'event', event: 'response.completed', filter: { surveyId: w.surveyId } },
        tasks: [
          {
            key: 'mail',
            type: 'notify.email',
            input: {
              to: [
                '{{ event.account.team.ACCOUNT_OWNER }}',
                'cx-team@cloudkicks.example',
                '{{ event.account.team.SALES_ENGINEER }}',
              ],
              subject:
                '{% if event.response.npsScore <= 6 %}Detractor{% else %}Response{% endif %}: {{ event.contact.name }}',
              text: '{{ event.contact.name }} answered {{ event.response.npsScore }}: "{{ event.response.answers.why }}"',
            },
          },
        ],
      },
      Number(event!.id),
    );
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(run.tasks[0]!.output).toEqual({
      sent: 2,
      recipients: ['owner.b@cloudkicks.example', 'cx-team@cloudkicks.example'],
    });
    const got = await smtp.waitFor(before + 2);
    const mine = got.slice(before);
    expect(mine.map((m) => m.envelope.to[0]).sort()).toEqual([
      'cx-team@cloudkicks.example',
      'owner.b@cloudkicks.example',
    ]);
    expect(mine[0]!.subject).toBe('Detractor: Alan Johnson');
    expect(mine[0]!.text?.trim()).toBe('Alan Johnson answered 2: "Too slow"');
    // Run again under the same key (a retry after a crash): SMTP gets the same Message-IDs.
    await repeatTask(run.id, 'mail');
    const again = await smtp.waitFor(before + 4);
    expect(new Set(again.slice(before).map((m) => m.messageId)).size).toBe(2);
    await w.api(
      'PUT',
      '/delivery-providers/email',
      { settings: { kind: 'outbox' }, ratePerSecond: 50 },
      admin,
    );
  });

  it('emails through the outbox at most once per key, even when the task runs again', async () => {
    const { run } = await runOnce({
      name: 'Outbox',
      trigger: { type: 'manual' },
      tasks: [
        {
          key: 'mail',
          type: 'notify.email',
          input: { to: ['once@cloudkicks.example'], subject: 'Run {{ run.id }}', text: 'Hello' },
        },
      ],
    });
    expect(run.status).toBe('succeeded');
    await repeatTask(run.id, 'mail');
    const sent = (await w.outbox()).filter((m) => m.toAddress === 'once@cloudkicks.example');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.subject).toBe(`Run ${run.id}`);
  });

  it('posts Slack text and blocks, with piped values escaped', async () => {
    const responseId = await w.respond('003C', { nps: 1, why: '<!channel> & <b>bold</b>' });
    const [event] = await w.t.runtime.db.query<{ id: number }>(
      `SELECT id FROM domain_events WHERE type = 'response.completed' AND subject = $1`,
      [`response:${responseId}`],
    );
    const { run } = await runOnce(
      {
        name: 'Slack',
        trigger: { type: 'event', event: 'response.completed', filter: { surveyId: w.surveyId } },
        tasks: [
          {
            key: 'slack',
            type: 'notify.slack',
            input: {
              webhookUrl: `${hook.url}/services/T000/B000/XXXX`,
              title: 'Detractor: {{ event.account.name }}',
              text: '*{{ event.contact.name }}* said: {{ event.response.answers.why }}',
              fields: [
                { label: 'Score', value: '{{ event.response.npsScore }}' },
                { label: 'Comment', value: '{{ event.response.answers.why }}' },
              ],
              linkUrl: 'https://rapport.example/tickets',
            },
          },
        ],
      },
      Number(event!.id),
    );
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    const request = hook.requests.find((r) => r.path === '/services/T000/B000/XXXX')!;
    expect(request.headers['content-type']).toMatch(/application\/json/);
    expect(request.json).toEqual({
      text: 'Detractor: Cloud Kicks Holdings: *Zoe Lukas* said: &lt;!channel&gt; &amp; &lt;b&gt;bold&lt;/b&gt;',
      blocks: [
        {
          type: 'header',
          text: { type: 'plain_text', text: 'Detractor: Cloud Kicks Holdings', emoji: true },
        },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: '*Zoe Lukas* said: &lt;!channel&gt; &amp; &lt;b&gt;bold&lt;/b&gt;' },
        },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Score*\n1' },
            { type: 'mrkdwn', text: '*Comment*\n&lt;!channel&gt; &amp; &lt;b&gt;bold&lt;/b&gt;' },
          ],
        },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              text: { type: 'plain_text', text: 'Open' },
              url: 'https://rapport.example/tickets',
            },
          ],
        },
      ],
    });
  });

  it('posts Teams messages as an Adaptive Card (Workflows) or a MessageCard (connector)', async () => {
    const { run } = await runOnce({
      name: 'Teams',
      trigger: { type: 'manual' },
      tasks: [
        {
          key: 'card',
          type: 'notify.teams',
          input: {
            webhookUrl: `${hook.url}/teams/workflow`,
            title: 'Run {{ run.id }}',
            text: 'All good',
            facts: [{ label: 'Workflow', value: '{{ workflow.name }}' }],
          },
        },
        {
          key: 'legacy',
          type: 'notify.teams',
          input: {
            webhookUrl: `${hook.url}/teams/connector`,
            format: 'message_card',
            title: 'Legacy',
            text: 'Hello',
            linkUrl: 'https://rapport.example',
          },
        },
      ],
    });
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    const card = hook.requests.find((r) => r.path === '/teams/workflow')!.json as Record<string, unknown>;
    expect(card).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: `Run ${run.id}`, weight: 'Bolder', size: 'Medium', wrap: true },
              { type: 'TextBlock', text: 'All good', wrap: true },
              { type: 'FactSet', facts: [{ title: 'Workflow', value: 'Teams' }] },
            ],
          },
        },
      ],
    });
    const legacy = hook.requests.find((r) => r.path === '/teams/connector')!.json as Record<string, unknown>;
    expect(legacy).toMatchObject({
      '@type': 'MessageCard',
      '@context': 'https://schema.org/extensions',
      summary: 'Legacy',
      title: 'Legacy',
      text: 'Hello',
      potentialAction: [
        { '@type': 'OpenUri', name: 'Open', targets: [{ os: 'default', uri: 'https://rapport.example' }] },
      ],
    });
  });

  it('signs webhooks with HMAC-SHA256 over the timestamp and body; a replay or a change fails the check', async () => {
    const secret = 'a-shared-secret-of-some-length';
    const { run } = await runOnce({
      name: 'Signed',
      trigger: { type: 'manual' },
      tasks: [
        {
          key: 'hook',
          type: 'http.webhook',
          input: {
            url: `${hook.url}/signed`,
            secret,
            headers: { 'X-Tenant': 'cloudkicks' },
            body: { workflow: '{{ workflow.name }}', run: '{{ run.id }}' },
          },
        },
      ],
    });
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(run.tasks[0]!.input.secret).toBe('[secret]');
    const request = hook.requests.find((r) => r.path === '/signed')!;
    expect(request.json).toEqual({ workflow: 'Signed', run: run.id });
    expect(request.headers['x-tenant']).toBe('cloudkicks');
    expect(request.headers['x-rapport-delivery']).toBe(run.tasks[0]!.output.deliveryId);
    const header = request.headers['x-rapport-signature'] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, header, request.body)).toMatchObject({ ok: true });
    expect(verifyWebhookSignature(secret, header, request.body.replace('Signed', 'Forged'))).toEqual({
      ok: false,
      reason: 'signature mismatch',
    });
    expect(verifyWebhookSignature('another-secret-entirely', header, request.body)).toEqual({
      ok: false,
      reason: 'signature mismatch',
    });
    // Replayed ten minutes later: refused.
    const later = new Date(Date.now() + 10 * 60_000);
    expect(verifyWebhookSignature(secret, header, request.body, { now: later })).toEqual({
      ok: false,
      reason: 'timestamp too old or in the future',
    });
  });

  it('opens a ticket for the ACCOUNT_OWNER of the response’s account, once per key', async () => {
    const responseId = await w.respond('003A', { nps: 0, why: 'Angry' });
    const [event] = await w.t.runtime.db.query<{ id: number }>(
      `SELECT id FROM domain_events WHERE type = 'response.completed' AND subject = $1`,
      [`response:${responseId}`],
    );
    const { run } = await runOnce(
      {
        name: 'Ticket',
        trigger: { type: 'event', event: 'response.completed', filter: { surveyId: w.surveyId } },
        tasks: [
          {
            key: 'ticket',
            type: 'tickets.create',
            input: {
              responseId: '{{ event.response.id }}',
              assignTo: { teamRole: 'ACCOUNT_OWNER' },
              priority: 'high',
              description: '{{ event.contact.name }}: {{ event.response.answers.why }}',
              tags: ['detractor'],
            },
          },
        ],
      },
      Number(event!.id),
    );
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    const out = run.tasks[0]!.output as {
      ticketId: number;
      ownerEmail: string;
      created: boolean;
      title: string;
      accountId: number;
    };
    expect(out).toMatchObject({
      ownerEmail: 'owner.b@cloudkicks.example',
      created: true,
      accountId: w.ids['001B'],
    });
    expect(out.title).toMatch(/Alan Johnson/);
    const ticket = (await w.api('GET', `/tickets/${out.ticketId}`)).json();
    expect(ticket).toMatchObject({
      source: 'workflow',
      responseId,
      description: 'Alan Johnson: Angry',
      tags: ['detractor'],
    });
    const again = await repeatTask(run.id, 'ticket');
    expect(again.tasks[0]!.output).toMatchObject({ ticketId: out.ticketId, created: false });
    const [row] = await w.t.runtime.db.orm
      .select()
      .from(workflowTaskRuns)
      .where(eq(workflowTaskRuns.runId, run.id));
    expect(row!.attempts).toBe(2);
  });
  it('distributes a survey to a segment, and to the contacts a previous task returned', async () => {
    const segment = await w.api('POST', '/directories/Main/segments', {
      name: 'Alan and Zoe',
      entity: 'contact',
      rules: { type: 'field', field: 'externalRef', op: 'in', value: ['003A', '003C'] },
    });
    expect(segment.statusCode, segment.body).toBe(201);
    // An outside system answers which contacts to survey.
    hook.respondTo('/who', { status: 200, body: JSON.stringify({ contactIds: [w.ids['003B']] }) });
    const message = { fromName: 'CX', subject: 'Hello {{ contact.firstName }}', text: 'Answer: {{ link }}' };
    const { run } = await runOnce({
      name: 'Segment and picked contacts',
      trigger: { type: 'manual' },
      tasks: [
        {
          key: 'toSegment',
          type: 'distribution.send_survey',
          input: {
            surveyId: w.surveyId,
            name: 'To the segment',
            recipients: { type: 'segment', segmentId: segment.json().id },
            message,
          },
        },
        { key: 'who', type: 'http.webhook', input: { url: `${hook.url}/who`, body: { ask: 'who' } } },
        {
          key: 'toPicked',
          type: 'distribution.send_survey',
          input: {
            surveyId: w.surveyId,
            name: 'To the picked contacts',
            recipients: { type: 'contacts', contactIds: '{{ tasks.who.response.contactIds }}' },
            message,
          },
        },
      ],
    });
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(run.tasks[2]!.input.recipients).toEqual({ type: 'contacts', contactIds: [w.ids['003B']] });
    const sentTo = async (distributionId: number, count: number) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const mine = (await w.outbox()).filter((m) => m.distributionId === distributionId);
        if (mine.length >= count || Date.now() > deadline) return mine;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const segmentId = run.tasks[0]!.output.distributionId as number;
    const pickedId = run.tasks[2]!.output.distributionId as number;
    const toSegment = await sentTo(segmentId, 2);
    expect(toSegment.map((m) => m.toAddress).sort()).toEqual([
      'alan@gogetcloudy.com',
      'zoe@cloudkicks.example',
    ]);
    expect(toSegment.find((m) => m.toAddress === 'zoe@cloudkicks.example')!.subject).toBe('Hello Zoe');
    const toPicked = await sentTo(pickedId, 1);
    expect(toPicked.map((m) => m.toAddress)).toEqual(['leung@gogetcloudy.com']);
    // Run again under the same key (a retry after a crash): the same distribution, no second one.
    const again = await repeatTask(run.id, 'toPicked');
    expect(again.tasks[2]!.output.distributionId).toBe(pickedId);
    const distributions = (
      await w.api('GET', `/directories/Main/distributions?surveyId=${w.surveyId}`)
    ).json();
    expect(
      (distributions.items as { name: string }[]).filter((d) => d.name === 'To the picked contacts'),
    ).toHaveLength(1);
  });

  it('refuses a segment of another directory when the workflow is saved', async () => {
    const other = await w.api('POST', '/directories', { name: 'Other' });
    expect(other.statusCode, other.body).toBe(201);
    const segment = await w.api('POST', '/directories/Other/segments', {
      name: 'Elsewhere',
      entity: 'contact',
      rules: { type: 'field', field: 'externalRef', op: 'eq', value: '003A' },
    });
    expect(segment.statusCode, segment.body).toBe(201);
    const r = await w.api('POST', '/directories/Main/workflows', {
      name: 'Wrong segment',
      trigger: { type: 'manual' },
      tasks: [
        {
          key: 'send',
          type: 'distribution.send_survey',
          input: {
            surveyId: w.surveyId,
            name: 'x',
            recipients: { type: 'segment', segmentId: segment.json().id },
            message: { fromName: 'CX', subject: 's', text: '{{ link }}' },
          },
        },
      ],
    });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().error.details).toEqual([
      expect.objectContaining({
        path: 'tasks[0].input.recipients.segmentId',
        message: expect.stringMatching(/no segment \d+ in this directory/),
      }),
    ]);
  });
});
