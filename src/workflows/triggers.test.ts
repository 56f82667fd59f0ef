import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/harness/distributions.ts';
import { type HttpReceiver, startHttpReceiver } from '../../test/harness/http-receiver.ts';
import { csvFile, FIXTURE_MAPPING } from '../../test/harness/import-helpers.ts';
import { multipart } from '../../test/harness/multipart.ts';
import { markOverdueTickets } from '../tickets/notifications.ts';
import { backoffSeconds } from './engine.ts';
import { createWorkflowWorld, runDelayedNow, type WorkflowWorld } from './testing.ts';

/**
 * Event triggers started by the real event, written by the service that owns it: a partial
 * response (response.created), an uploaded import worked by the imports job (import.completed), a
 * distribution sent to its end (distribution.completed), a ticket changed, resolved, closed, overdue
 * and deleted (ticket.*). And the retry backoff, which grows at each attempt.
 */

let w: WorkflowWorld;
let hook: HttpReceiver;
let admin: { authorization: string };

beforeAll(async () => {
  w = await createWorkflowWorld();
  hook = await startHttpReceiver();
  admin = await w.t.bearerFor('admin');
});
afterAll(async () => {
  await hook?.close();
  await w?.close();
});

const webhookTask = (key: string, body: unknown, retry = { limit: 1, delaySeconds: 0 }) => ({
  key,
  type: 'http.webhook',
  input: { url: `${hook.url}/${key}`, body },
  retry,
});

async function create(definition: Record<string, unknown>) {
  const r = await w.api('POST', '/directories/Main/workflows', { enabled: true, ...definition });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: number };
}

/** Dispatches until the workflow has `count` runs (events written by jobs arrive a little later). */
async function runsStarted(workflowId: number, count: number, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      await w.dispatch();
      return w.runsOf(workflowId);
    },
    (runs) => runs.length >= count,
    `${count} run(s) of workflow ${workflowId}`,
    timeoutMs,
  );
}

const received = (path: string) => hook.requests.filter((r) => r.path === path).map((r) => r.json);

describe('event triggers, started by the events the other domains write', () => {
  it('response.created: a partial answer starts it; a completed-only workflow waits for completion', {
    timeout: 60_000,
  }, async () => {
    const onCreated = await create({
      name: 'Any answer started',
      trigger: { type: 'event', event: 'response.created', filter: { surveyId: w.surveyId } },
      tasks: [webhookTask('created', { id: '{{ event.response.id }}', who: '{{ event.contact.email }}' })],
    });
    const onCompleted = await create({
      name: 'Completed only',
      trigger: { type: 'event', event: 'response.completed', filter: { surveyId: w.surveyId } },
      tasks: [webhookTask('completed', { id: '{{ event.response.id }}' })],
    });
    const link = await w.api('POST', `/surveys/${w.surveyId}/links`, { contactId: w.ids['003B'] });
    expect(link.statusCode, link.body).toBe(201);
    const token = link.json().token as string;
    const partial = await w.t.app.inject({
      method: 'PUT',
      url: `/api/v1/public/links/${token}/response`,
      payload: { answers: { nps: 7 }, complete: false },
    });
    expect(partial.statusCode, partial.body).toBe(200);
    const responseId = partial.json().responseId as number;
    const [run] = await runsStarted(onCreated.id, 1);
    expect((await w.waitRun(run!.id)).status).toBe('succeeded');
    expect(received('/created')).toEqual([{ id: responseId, who: 'leung@gogetcloudy.com' }]);
    expect(await w.runsOf(onCompleted.id)).toHaveLength(0);
    // Completing it: response.completed now, and no second response.created.
    const complete = await w.t.app.inject({
      method: 'PUT',
      url: `/api/v1/public/links/${token}/response`,
      payload: { answers: { nps: 7, why: 'Fine' }, complete: true },
    });
    expect(complete.statusCode, complete.body).toBe(200);
    const [done] = await runsStarted(onCompleted.id, 1);
    await w.waitRun(done!.id);
    expect(received('/completed')).toEqual([{ id: responseId }]);
    expect(await w.runsOf(onCreated.id)).toHaveLength(1);
  });

  it('import.completed from an uploaded import → survey its new list; distribution.completed when sent', {
    timeout: 90_000,
  }, async () => {
    const onImport = await create({
      name: 'Survey each imported list',
      trigger: { type: 'event', event: 'import.completed' },
      conditions: {
        match: 'all',
        rules: [
          { field: 'importRun.source', op: 'eq', value: 'import' },
          { field: 'importRun.mailingListId', op: 'is_not_empty' },
          { field: 'importRun.counts.contacts.created', op: 'gt', value: 0 },
        ],
      },
      tasks: [
        {
          key: 'send',
          type: 'distribution.send_survey',
          input: {
            surveyId: w.surveyId,
            name: 'After import {{ event.importRun.id }}',
            recipients: { type: 'mailingList', mailingListId: '{{ event.importRun.mailingListId }}' },
            message: { fromName: 'CX', subject: 'Welcome aboard', text: 'Tell us: {{ link }}' },
          },
        },
      ],
    });
    const onSent = await create({
      name: 'Tell the team a distribution is done',
      trigger: { type: 'event', event: 'distribution.completed', filter: { surveyId: w.surveyId } },
      tasks: [
        webhookTask('distributed', {
          id: '{{ event.distribution.id }}',
          name: '{{ event.distribution.name }}',
          survey: '{{ event.survey.name }}',
          sent: '{{ event.distribution.stats.inList }}',
        }),
      ],
    });
    const body = await multipart(
      {
        accounts: csvFile('Account.csv', ['Id,IsDeleted,Name,Parent.Id', '001U,false,Upload Ltd,']),
        contacts: csvFile('Contact.csv', [
          'Id,IsDeleted,AccountId,Title,FirstName,LastName,Email',
          '003U,false,001U,CFO,Una,Upload,una@upload.example',
          '003V,false,001U,Engineer,Vic,Upload,vic@upload.example',
        ]),
      },
      { mapping: FIXTURE_MAPPING, options: { mailingList: 'Upload {{date}}' } },
    );
    const started = await w.t.app.inject({
      method: 'POST',
      url: '/api/v1/directories/Main/imports',
      headers: { ...w.cx, ...body.headers },
      payload: body.payload,
    });
    expect(started.statusCode, started.body).toBe(202);
    const importRunId = started.json().runId as number;
    // The imports job works the run and reports it; the workflow starts on that report.
    const [run] = await runsStarted(onImport.id, 1);
    expect(run!.triggerKey).toBe(`event:import.completed:import_run:${importRunId}`);
    const done = await w.waitRun(run!.id);
    expect(done.status, JSON.stringify(done)).toBe('succeeded');
    const { importRun } = done.triggerData as { importRun: { id: number; mailingListId: number } };
    expect(importRun.id).toBe(importRunId);
    expect(importRun.mailingListId).toBeGreaterThan(0);
    const distributionId = done.tasks[0]!.output.distributionId as number;
    // The list's two contacts are invited, and nobody else.
    const invited = await waitFor(
      async () => (await w.outbox()).filter((m) => m.distributionId === distributionId),
      (items) => items.length >= 2,
      'the invitations',
    );
    expect(invited.map((m) => m.toAddress).sort()).toEqual(['una@upload.example', 'vic@upload.example']);
    // Sent to its end: distribution.completed starts the second workflow.
    const [sentRun] = await runsStarted(onSent.id, 1);
    expect((await w.waitRun(sentRun!.id)).status).toBe('succeeded');
    expect(received('/distributed')).toEqual([
      { id: distributionId, name: `After import ${importRunId}`, survey: 'Relationship 2026', sent: 2 },
    ]);
    // The import that created the world's directory (before the workflow existed) started nothing,
    // and the same import is reported once however often the stream is read.
    await w.dispatch();
    expect(await w.runsOf(onImport.id)).toHaveLength(1);
    expect(await w.runsOf(onSent.id)).toHaveLength(1);
  });

  it('ticket.updated, resolved, closed, overdue and deleted: each its own trigger, with the ticket', {
    timeout: 60_000,
  }, async () => {
    const on = async (event: string) =>
      create({
        name: `On ${event}`,
        trigger: { type: 'event', event },
        tasks: [
          webhookTask(event.replace('ticket.', ''), {
            key: '{{ event.ticket.key }}',
            status: '{{ event.ticket.status }}',
            priority: '{{ event.ticket.priority }}',
            account: '{{ event.account.name }}',
          }),
        ],
      });
    const updated = await on('ticket.updated');
    const resolved = await on('ticket.resolved');
    const closed = await on('ticket.closed');
    const overdue = await on('ticket.overdue');
    const deleted = await on('ticket.deleted');
    const made = await w.api(
      'POST',
      '/directories/Main/tickets',
      { title: 'Shipping delays', accountId: w.ids['001A'], assignTo: { teamRole: 'ACCOUNT_OWNER' } },
      admin,
    );
    expect(made.statusCode, made.body).toBe(201);
    const ticket = made.json() as { id: number; key: string };
    const expected = (status: string, priority: string) => ({
      key: ticket.key,
      status,
      priority,
      account: 'Cloud Kicks Holdings',
    });

    const patched = await w.api('PATCH', `/tickets/${ticket.id}`, { priority: 'urgent' }, admin);
    expect(patched.statusCode, patched.body).toBe(200);
    const [firstUpdate] = await runsStarted(updated.id, 1);
    await w.waitRun(firstUpdate!.id);
    expect(received('/updated')).toEqual([expected('open', 'urgent')]);
    expect(await w.runsOf(resolved.id)).toHaveLength(0);

    // Overdue: its due date passes and the tickets' sweep marks it.
    await w.t.runtime.db.query(`UPDATE tickets SET due_at = now() - interval '1 hour' WHERE id = $1`, [
      ticket.id,
    ]);
    await markOverdueTickets(w.t.runtime.db);
    const [overdueRun] = await runsStarted(overdue.id, 1);
    await w.waitRun(overdueRun!.id);
    expect(received('/overdue')).toEqual([expected('open', 'urgent')]);

    const resolve = await w.api('POST', `/tickets/${ticket.id}/transition`, { status: 'resolved' }, admin);
    expect(resolve.statusCode, resolve.body).toBe(200);
    const [resolvedRun] = await runsStarted(resolved.id, 1);
    await w.waitRun(resolvedRun!.id);
    expect(received('/resolved')).toEqual([expected('resolved', 'urgent')]);
    expect(await w.runsOf(closed.id)).toHaveLength(0);

    const close = await w.api('POST', `/tickets/${ticket.id}/transition`, { status: 'closed' }, admin);
    expect(close.statusCode, close.body).toBe(200);
    const [closedRun] = await runsStarted(closed.id, 1);
    await w.waitRun(closedRun!.id);
    expect(received('/closed')).toEqual([expected('closed', 'urgent')]);

    const gone = await w.api('DELETE', `/tickets/${ticket.id}`, undefined, admin);
    expect(gone.statusCode, gone.body).toBe(204);
    const [deletedRun] = await runsStarted(deleted.id, 1);
    const deletedDone = await w.waitRun(deletedRun!.id);
    expect(deletedDone.status, JSON.stringify(deletedDone)).toBe('succeeded');
    // A deleted ticket is read from the event's payload.
    expect(received('/deleted')).toEqual([expected('closed', 'urgent')]);

    // Each change is reported as an update too (the priority, the two moves), once each; the others once.
    const updates = await runsStarted(updated.id, 3);
    for (const r of updates) await w.waitRun(r.id);
    await w.dispatch();
    expect(await w.runsOf(updated.id)).toHaveLength(3);
    expect(received('/updated').map((b) => (b as { status: string }).status)).toEqual([
      'open',
      'resolved',
      'closed',
    ]);
    for (const wf of [resolved, closed, overdue, deleted]) expect(await w.runsOf(wf.id)).toHaveLength(1);
  });
});

describe('retry backoff', () => {
  it('doubles the delay at each attempt, at most an hour', () => {
    const retry = { limit: 10, delaySeconds: 30 };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffSeconds(retry, attempt))).toEqual([30, 60, 120, 240, 480]);
    expect(backoffSeconds(retry, 9)).toBe(3600);
    expect(backoffSeconds({ limit: 3, delaySeconds: 0 }, 3)).toBe(0);
  });

  it('schedules each retry of a failing task later than the one before', { timeout: 60_000 }, async () => {
    const wf = await create({
      name: 'Backs off',
      trigger: { type: 'manual' },
      tasks: [webhookTask('backoff', { b: 1 }, { limit: 3, delaySeconds: 100 })],
    });
    hook.respondTo('/backoff', { status: 500 }, { status: 500 }, { status: 500 });
    const runId = (await w.api('POST', `/workflows/${wf.id}/runs`, {})).json().id as number;
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const task = await waitFor(
        async () => (await w.api('GET', `/workflow-runs/${runId}`)).json().tasks[0],
        (t: { attempts: number; status: string; nextAttemptAt: string }) =>
          t.attempts === attempt && t.status === 'pending',
        `attempt ${attempt} to fail`,
      );
      // The delayed job waits as long as the task says.
      const [job] = await w.t.runtime.db.query<{ wait: number }>(
        `SELECT extract(epoch FROM start_after - now())::float AS wait FROM pgboss.job
         WHERE name = 'workflows.advance' AND state IN ('created', 'retry') AND start_after > now()
         ORDER BY start_after DESC LIMIT 1`,
      );
      const wait = (Date.parse(task.nextAttemptAt) - Date.now()) / 1000;
      expect(Math.abs(Number(job!.wait) - wait)).toBeLessThan(5);
      waits.push(wait);
      // Its time comes now rather than after the wait.
      await w.t.runtime.db.query(`UPDATE workflow_task_runs SET next_attempt_at = now() WHERE run_id = $1`, [
        runId,
      ]);
      await runDelayedNow(w.t);
    }
    // 100 s, 200 s, 400 s (less the few moments the test took).
    expect(waits[0]).toBeGreaterThan(90);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[1]).toBeGreaterThan(190);
    expect(waits[1]).toBeLessThanOrEqual(200);
    expect(waits[2]).toBeGreaterThan(390);
    expect(waits[2]).toBeLessThanOrEqual(400);
    const done = await w.waitRun(runId);
    expect(done.tasks[0]).toMatchObject({ status: 'succeeded', attempts: 4 });
  });
});
