import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpReceiver, startHttpReceiver } from '../../test/harness/http-receiver.ts';
import { queryRows } from '../platform/db/database.ts';
import { systemActor } from '../users/roles.ts';
import { startDueSchedules } from './dispatch.ts';
import { createWorkflowWorld, runDelayedNow, type WorkflowWorld } from './testing.ts';
import { runWorkflowFromCli } from './workflows.operations.ts';
import { workflowCursors, workflows } from './workflows.schema.ts';

let w: WorkflowWorld;
let hook: HttpReceiver;

beforeAll(async () => {
  w = await createWorkflowWorld();
  hook = await startHttpReceiver();
});
afterAll(async () => {
  await hook?.close();
  await w?.close();
});

const webhookTask = (key: string, body: unknown = undefined, retry = { limit: 2, delaySeconds: 0 }) => ({
  key,
  type: 'http.webhook',
  input: { url: `${hook.url}/${key}`, ...(body === undefined ? {} : { body }) },
  retry,
});

async function create(definition: Record<string, unknown>) {
  const r = await w.api('POST', '/directories/Main/workflows', { enabled: true, ...definition });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: number; tasks: { input: Record<string, unknown> }[] };
}

const problemsOf = async (definition: Record<string, unknown>) => {
  const r = await w.api('POST', '/directories/Main/workflows', { name: 'x', ...definition });
  expect(r.statusCode, r.body).toBe(400);
  return (r.json().error.details as { path: string; message: string }[]).map(
    (d) => `${d.path}: ${d.message}`,
  );
};

describe('saving: piped values are checked against the trigger and the earlier tasks', () => {
  const onResponse = { type: 'event', event: 'response.completed', filter: { surveyId: 0 } };
  const trigger = () => ({ ...onResponse, filter: { surveyId: w.surveyId } });

  it('names the task and field of a reference to a missing task, a later task or a missing field', async () => {
    const problems = await problemsOf({
      trigger: trigger(),
      tasks: [
        {
          key: 'ticket',
          type: 'tickets.create',
          input: { title: 'NPS {{ event.response.answers.npss }}', responseId: '{{ event.response.id }}' },
        },
        {
          key: 'notify',
          type: 'http.webhook',
          input: {
            url: 'https://example.test/hook',
            body: { a: '{{ tasks.tickt.key }}', b: '{{ tasks.ticket.ky }}', c: '{{ tasks.later.status }}' },
          },
        },
        webhookTask('later'),
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^tasks\[0\]\.input\.title: task "ticket", title: .*the event has no field "npss" \(in response\.answers\)/,
        ),
        expect.stringMatching(
          /^tasks\[1\]\.input\.body\.a: task "notify", body\.a: .*there is no task "tickt"/,
        ),
        expect.stringMatching(
          /^tasks\[1\]\.input\.body\.b: task "notify", body\.b: .*task "ticket" has no field "ky"/,
        ),
        expect.stringMatching(
          /^tasks\[1\]\.input\.body\.c: task "notify", body\.c: .*task "later" runs after this one/,
        ),
      ]),
    );
  });

  it('refuses a value of the wrong type where it goes, at save time', async () => {
    const problems = await problemsOf({
      trigger: trigger(),
      tasks: [
        { key: 'ticket', type: 'tickets.create', input: { responseId: '{{ event.response.id }}' } },
        {
          key: 'send',
          type: 'distribution.send_survey',
          input: {
            surveyId: w.surveyId,
            name: 'Follow-up',
            // text where a number goes; an object where a number goes; a list written into text
            recipients: { type: 'mailingList', mailingListId: '{{ event.contact.email }}' },
            message: { fromName: 'CX', subject: '{{ event.contact.roles }}', text: '{{ link }}' },
          },
        },
        {
          key: 'update',
          type: 'directory.update_contact',
          input: { contactId: '{{ tasks.ticket }}', attributes: { A: 1 } },
        },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/recipients\.mailingListId: .*expected whole number, got string/),
        expect.stringMatching(/message\.subject: .*expected text, got list of string/),
        expect.stringMatching(/task "update", contactId: .*expected whole number, got object/),
      ]),
    );
  });

  it('checks conditions against the event: unknown fields, impossible comparisons, values outside an enum', async () => {
    const problems = await problemsOf({
      trigger: trigger(),
      conditions: {
        match: 'all',
        rules: [
          { field: 'response.answers.nps', op: 'lte', value: 6 },
          { field: 'contact.rol', op: 'eq', value: 'DECISION_MAKER' },
          { match: 'any', rules: [{ field: 'contact.role', op: 'eq', value: 'DECISON_MAKER' }] },
          { field: 'response.npsScore', op: 'gt', value: 'high' },
        ],
      },
      tasks: [webhookTask('a')],
    });
    expect(problems).toEqual([
      'conditions.rules[1].field: event.contact has no field "rol"',
      expect.stringMatching(
        /^conditions\.rules\[2\]\.rules\[0\]\.value: contact\.role is one of DECISION_MAKER, .*"DECISON_MAKER" is not/,
      ),
      'conditions.rules[3].value: response.npsScore is a number: compare it with a number',
    ]);
  });

  it('still offers the event’s fields while a condition is half written (no field yet)', async () => {
    const check = await w.api('POST', '/directories/Main/workflows/check', {
      definition: {
        name: 'x',
        trigger: trigger(),
        conditions: { match: 'all', rules: [{ field: '', op: 'eq', value: '' }] },
        tasks: [webhookTask('a')],
      },
    });
    expect(check.statusCode, check.body).toBe(200);
    const { problems, variables } = check.json();
    expect(problems).toEqual([expect.objectContaining({ path: 'conditions.rules[0].field' })]);
    expect(variables[0].event.map((v: { path: string }) => v.path)).toEqual(
      expect.arrayContaining(['event.response.answers.nps', 'event.contact.role']),
    );
    // A broken task still leaves nothing to offer: only conditions are set aside.
    const broken = await w.api('POST', '/directories/Main/workflows/check', {
      definition: {
        name: 'x',
        trigger: trigger(),
        conditions: { match: 'all', rules: [{ field: '', op: 'eq', value: '' }] },
        tasks: [{ key: 'Bad key', type: 'http.webhook', input: {} }],
      },
    });
    expect(broken.json().variables).toEqual([]);
  });

  it('accepts the seed’s piping: a new mailing list into "Distribute survey"', async () => {
    const created = await create({
      name: 'typed pipe',
      enabled: false,
      trigger: { type: 'schedule', schedule: { kind: 'daily', time: '06:00', timeZone: 'Europe/Rome' } },
      tasks: [
        {
          key: 'load',
          type: 'directory.load_b2b',
          input: { files: { contacts: { path: '/srv/Contact.csv' } }, mailingList: 'Daily {{date}}' },
        },
        {
          key: 'distribute',
          type: 'distribution.send_survey',
          input: {
            surveyId: w.surveyId,
            name: 'Daily {{ run.id }}',
            recipients: { type: 'mailingList', mailingListId: '{{ tasks.load.mailingListId }}' },
            message: { fromName: 'CX', subject: 'Hi {{ contact.firstName }}', text: 'Answer: {{ link }}' },
          },
        },
      ],
    });
    expect(created.id).toBeGreaterThan(0);
    const check = await w.api('POST', '/directories/Main/workflows/check', {
      definition: { name: 'x', trigger: trigger(), tasks: [webhookTask('a'), webhookTask('b')] },
    });
    expect(check.statusCode, check.body).toBe(200);
    const { problems, variables } = check.json();
    expect(problems).toEqual([]);
    const paths = variables[1].event.map((v: { path: string }) => v.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'event.response.answers.nps',
        'event.contact.role',
        'event.account.team.ACCOUNT_OWNER',
      ]),
    );
    expect(variables[1].tasks.map((t: { key: string }) => t.key)).toEqual(['a']);
    expect(variables[1].tasks[0].variables.map((v: { path: string }) => v.path)).toContain('tasks.a.status');
  });
});

describe('runs', () => {
  it('starts on a matching event only (trigger, survey, conditions), pipes the event and earlier outputs', async () => {
    const wf = await create({
      name: 'Detractor decision makers',
      trigger: { type: 'event', event: 'response.completed', filter: { surveyId: w.surveyId } },
      conditions: {
        match: 'all',
        rules: [
          { field: 'response.answers.nps', op: 'lte', value: 6 },
          { field: 'contact.role', op: 'eq', value: 'DECISION_MAKER' },
        ],
      },
      tasks: [
        webhookTask('first', {
          nps: '{{ event.response.answers.nps }}',
          who: '{{ event.contact.firstName }} ({{ event.account.name }})',
        }),
        webhookTask('second', {
          previous: '{{ tasks.first.status }}',
          delivery: '{{ tasks.first.deliveryId }}',
          owner: '{{ event.account.team.ACCOUNT_OWNER }}',
        }),
      ],
    });
    const before = hook.requests.length;
    await w.respond('003A', { nps: 3, why: 'Slow' }); // Alan: Sales Manager → DECISION_MAKER
    await w.respond('003B', { nps: 2 }); // Leung: Analyst → END_USER
    await w.respond('003A', { nps: 9 });
    expect(await w.dispatch()).toBe(1);
    const [run] = await w.runsOf(wf.id);
    const done = await w.waitRun(run!.id);
    expect(done.status, JSON.stringify(done)).toBe('succeeded');
    const got = hook.requests.slice(before);
    expect(got.map((r) => r.path)).toEqual(['/first', '/second']);
    expect(got[0]!.json).toEqual({ nps: 3, who: 'Alan (Get Cloudy Consulting)' });
    expect(got[1]!.json).toEqual({
      previous: 200,
      delivery: `wf${wf.id}-run${run!.id}-first`,
      owner: 'owner.b@cloudkicks.example',
    });
    expect(done.tasks.map((t) => [t.key, t.status, t.attempts])).toEqual([
      ['first', 'succeeded', 1],
      ['second', 'succeeded', 1],
    ]);
    expect(done.tasks[0]!.input).toMatchObject({ url: `${hook.url}/first`, body: { nps: 3 } });
    expect(done.tasks[0]!.durationMs).toBeGreaterThanOrEqual(0);
    expect((done.triggerData as { contact: { role: string } }).contact.role).toBe('DECISION_MAKER');
  });

  it('starts one run per workflow and event, however many times the event is read', async () => {
    const wf = await create({
      name: 'Every response',
      trigger: { type: 'event', event: 'response.completed', filter: { surveyId: w.surveyId } },
      tasks: [webhookTask('only')],
    });
    await w.respond('003C', { nps: 10 });
    await w.dispatch();
    expect(await w.runsOf(wf.id)).toHaveLength(1);
    // The event delivered again: the cursor moved back, as after a crash before it was saved.
    const [cursor] = await w.t.runtime.db.orm
      .select()
      .from(workflowCursors)
      .where(eq(workflowCursors.stream, 'domain_events'));
    await w.t.runtime.db.orm
      .update(workflowCursors)
      .set({ lastId: cursor!.lastId - 5 })
      .where(eq(workflowCursors.stream, 'domain_events'));
    expect(await w.dispatch()).toBe(0);
    const runs = await w.runsOf(wf.id);
    expect(runs).toHaveLength(1);
    await w.waitRun(runs[0]!.id);
  });

  it('reads an event whose id became visible after a later one (a gap in the stream)', async () => {
    const wf = await create({
      name: 'Gap',
      trigger: { type: 'event', event: 'response.completed', filter: { surveyId: w.surveyId } },
      conditions: {
        match: 'all',
        rules: [{ field: 'response.answers.why', op: 'contains', value: 'gap-test' }],
      },
      tasks: [webhookTask('gap')],
    });
    const db = w.t.runtime.db;
    // An id taken by a transaction that commits later: reserve one, let a later event commit first.
    const [reserved] = await queryRows<{ id: number }>(
      db.orm,
      sql`SELECT nextval(pg_get_serial_sequence('domain_events', 'id'))::bigint AS id`,
    );
    await w.respond('003C', { nps: 8, why: 'no' });
    await w.dispatch();
    const [cursor] = await db.orm
      .select()
      .from(workflowCursors)
      .where(eq(workflowCursors.stream, 'domain_events'));
    expect(cursor!.gaps.some((g) => g.from <= Number(reserved!.id) && g.to >= Number(reserved!.id))).toBe(
      true,
    );
    const responseId = await w.respond('003A', { nps: 5, why: 'gap-test' });
    const [event] = await queryRows<{ payload: unknown }>(
      db.orm,
      sql`SELECT payload FROM domain_events WHERE subject = ${`response:${responseId}`} AND type = 'response.completed'`,
    );
    await db.orm.execute(sql`DELETE FROM domain_events WHERE subject = ${`response:${responseId}`}`);
    await w.dispatch();
    expect(await w.runsOf(wf.id)).toHaveLength(0);
    await db.orm.execute(
      sql`INSERT INTO domain_events (id, type, subject, payload) OVERRIDING SYSTEM VALUE VALUES (${Number(reserved!.id)}, 'response.completed', ${`response:${responseId}`}, ${JSON.stringify(event!.payload)}::jsonb)`,
    );
    await w.dispatch();
    const runs = await w.runsOf(wf.id);
    expect(runs).toHaveLength(1);
    await w.waitRun(runs[0]!.id);
  });

  it('reads what happened after a workflow was turned on, even before the dispatcher’s first pass', async () => {
    // A new installation: the dispatcher has never run.
    await w.t.runtime.db.orm.delete(workflowCursors);
    const wf = await create({
      name: 'First of its kind',
      trigger: { type: 'event', event: 'response.completed', filter: { surveyId: w.surveyId } },
      tasks: [webhookTask('firstPass')],
    });
    await w.respond('003B', { nps: 7 });
    await w.dispatch();
    const runs = await w.runsOf(wf.id);
    expect(runs).toHaveLength(1);
    await w.waitRun(runs[0]!.id);
  });

  it('retries a failing task with backoff, then goes on', async () => {
    const wf = await create({
      name: 'Flaky',
      trigger: { type: 'manual' },
      tasks: [webhookTask('flaky', { x: 1 }, { limit: 3, delaySeconds: 0 }), webhookTask('after')],
    });
    hook.respondTo('/flaky', { status: 503 }, { status: 500 });
    const started = await w.api('POST', `/workflows/${wf.id}/runs`, {});
    expect(started.statusCode, started.body).toBe(202);
    const done = await w.waitRun(started.json().id);
    expect(done.status).toBe('succeeded');
    expect(done.tasks[0]).toMatchObject({ key: 'flaky', status: 'succeeded', attempts: 3, error: null });
    const deliveries = hook.requests.filter((r) => r.path === '/flaky');
    // The same delivery id on each attempt: the receiver can tell a retry from a new message.
    expect(new Set(deliveries.slice(-3).map((r) => r.headers['x-rapport-delivery'])).size).toBe(1);
  });

  it('stops at a failed task, tells the owner by email, and re-runs from the failure or from the start', async () => {
    const wf = await create({
      name: 'Breaks',
      ownerEmail: 'owner@cloudkicks.example',
      trigger: { type: 'manual' },
      tasks: [
        webhookTask('ok1'),
        webhookTask('breaks', { n: 1 }, { limit: 1, delaySeconds: 0 }),
        webhookTask('never'),
      ],
    });
    hook.respondTo('/breaks', { status: 500 }, { status: 502, body: 'bad gateway' });
    const started = await w.api('POST', `/workflows/${wf.id}/runs`, {});
    const failed = await w.waitRun(started.json().id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/Task "breaks" failed: 127\.0\.0\.1:\d+ answered 502: bad gateway/);
    expect(failed.tasks.map((t) => [t.key, t.status, t.attempts])).toEqual([
      ['ok1', 'succeeded', 1],
      ['breaks', 'failed', 2],
      ['never', 'pending', 0],
    ]);
    // The owner hears about it, once.
    const deadline = Date.now() + 10_000;
    let notice: { toAddress: string; subject: string; text: string } | undefined;
    while (!notice && Date.now() < deadline) {
      notice = (await w.outbox()).find((m) => m.subject.includes(`(run ${failed.id})`));
      if (!notice) await new Promise((r) => setTimeout(r, 100));
    }
    expect(notice).toMatchObject({
      toAddress: 'owner@cloudkicks.example',
      subject: `Workflow "Breaks" failed (run ${failed.id})`,
    });
    expect(notice!.text).toContain(`/workflows/${wf.id}/runs/${failed.id}`);

    const calls = hook.requests.length;
    const resumed = await w.api('POST', `/workflow-runs/${failed.id}/rerun`, { mode: 'from_failure' });
    expect(resumed.statusCode, resumed.body).toBe(202);
    const again = await w.waitRun(resumed.json().id);
    expect(again.status).toBe('succeeded');
    expect(again.tasks.map((t) => [t.key, t.status, t.attempts])).toEqual([
      ['ok1', 'succeeded', 0],
      ['breaks', 'succeeded', 1],
      ['never', 'succeeded', 1],
    ]);
    expect(hook.requests.slice(calls).map((r) => r.path)).toEqual(['/breaks', '/never']);
    const all = await w.api('POST', `/workflow-runs/${failed.id}/rerun`, { mode: 'all' });
    expect((await w.waitRun(all.json().id)).tasks.every((t) => t.attempts === 1)).toBe(true);
  });

  it('fails at once, without retries, when a piped value does not fit at run time', async () => {
    const wf = await create({
      name: 'Nullable pipe',
      trigger: { type: 'event', event: 'import.completed' },
      tasks: [
        {
          key: 'send',
          type: 'distribution.send_survey',
          input: {
            surveyId: w.surveyId,
            name: 'x',
            recipients: { type: 'mailingList', mailingListId: '{{ event.importRun.mailingListId }}' },
            message: { fromName: 'CX', subject: 's', text: '{{ link }}' },
          },
        },
      ],
    });
    const started = await w.api('POST', `/workflows/${wf.id}/runs`, {});
    const done = await w.waitRun(started.json().id);
    expect(done.status).toBe('failed');
    expect(done.tasks[0]).toMatchObject({ attempts: 1 });
    expect(done.tasks[0]!.error).toMatch(/recipients\.mailingListId/);
  });

  it('starts a scheduled workflow once per slot, never for a slot before it was enabled', async () => {
    const wf = await create({
      name: 'Daily',
      trigger: { type: 'schedule', schedule: { kind: 'daily', time: '06:00', timeZone: 'Europe/Rome' } },
      tasks: [webhookTask('daily', { at: '{{ event.scheduledAt }}' })],
    });
    const deps = w.t.runtime;
    expect((await startDueSchedules(deps)).filter((s) => s.workflowId === wf.id)).toEqual([]);
    const tomorrow = new Date(Date.now() + 36 * 3600_000);
    const first = (await startDueSchedules(deps, tomorrow)).filter((s) => s.workflowId === wf.id);
    expect(first).toHaveLength(1);
    // 06:00 in Rome is 04:00 or 05:00 UTC.
    expect(first[0]!.slot).toMatch(/T0[45]:00:00\.000Z$/);
    expect(
      (await startDueSchedules(deps, new Date(tomorrow.getTime() + 60_000))).filter(
        (s) => s.workflowId === wf.id,
      ),
    ).toEqual([]);
    const done = await w.waitRun(first[0]!.runId);
    expect(done.status).toBe('succeeded');
    expect(hook.requests.at(-1)!.json).toEqual({ at: first[0]!.slot });
  });

  it('keeps secrets sealed: never shown, kept when the marker is sent back', async () => {
    const created = await create({
      name: 'Slack',
      enabled: false,
      trigger: { type: 'manual' },
      tasks: [
        {
          key: 'slack',
          type: 'notify.slack',
          input: { webhookUrl: `${hook.url}/slack-secret-path`, text: 'Hello' },
        },
      ],
    });
    const marker = created.tasks[0]!.input.webhookUrl as { $secret: string };
    expect(marker.$secret).toMatch(/^[0-9a-f]{16}$/);
    const [row] = await w.t.runtime.db.orm.select().from(workflows).where(eq(workflows.id, created.id));
    expect(JSON.stringify(row!.tasks)).not.toContain('slack-secret-path');
    const updated = await w.api('PUT', `/workflows/${created.id}`, {
      name: 'Slack (renamed)',
      trigger: { type: 'manual' },
      tasks: [
        {
          key: 'renamed',
          type: 'notify.slack',
          input: { webhookUrl: marker, text: 'Hello {{ workflow.name }}' },
        },
      ],
    });
    expect(updated.statusCode, updated.body).toBe(200);
    const run = await w.api('POST', `/workflows/${created.id}/runs`, {});
    const done = await w.waitRun(run.json().id);
    expect(done.status).toBe('succeeded');
    expect(hook.requests.at(-1)!.path).toBe('/slack-secret-path');
    expect(done.tasks[0]!.input.webhookUrl).toBe('[secret]');
    const bad = await w.api('PUT', `/workflows/${created.id}`, {
      name: 'x',
      trigger: { type: 'manual' },
      tasks: [
        {
          key: 'renamed',
          type: 'notify.slack',
          input: { webhookUrl: { $secret: '0000000000000000' }, text: 'x' },
        },
      ],
    });
    expect(bad.statusCode).toBe(400);
  });

  it('lets a workflow start on attribute changes, but not on its own', async () => {
    const writer = await create({
      name: 'Save NPS into the directory',
      trigger: { type: 'event', event: 'response.completed', filter: { surveyId: w.surveyId } },
      tasks: [
        {
          key: 'save',
          type: 'directory.update_contact',
          input: {
            contactId: '{{ event.contact.id }}',
            attributes: {
              LastNPS: '{{ event.response.npsScore }}',
              LastPlan: '{{ event.response.answers.plan }}',
            },
          },
        },
      ],
    });
    const watcher = await create({
      name: 'NPS changed',
      trigger: { type: 'event', event: 'contact.attribute_changed', filter: { field: 'lastnps' } },
      tasks: [
        webhookTask('changed', {
          field: '{{ event.change.field }}',
          value: '{{ event.change.newValue }}',
          who: '{{ event.contact.email }}',
        }),
      ],
    });
    await w.respond('003B', { nps: 4, plan: 'gold' });
    await w.dispatch();
    const [writeRun] = await w.runsOf(writer.id);
    const written = await w.waitRun(writeRun!.id);
    expect(written.status, JSON.stringify(written)).toBe('succeeded');
    expect(written.tasks[0]!.output).toMatchObject({ changedCount: 2 });
    await w.dispatch();
    const [watchRun] = await w.runsOf(watcher.id);
    expect(watchRun).toBeDefined();
    await w.waitRun(watchRun!.id);
    expect(hook.requests.at(-1)!.json).toEqual({ field: 'LastNPS', value: 4, who: 'leung@gogetcloudy.com' });
    // Its own change does not start the writer again.
    expect(await w.runsOf(writer.id)).toHaveLength(1);
  });

  it('starts on ticket events, with the ticket, its account and contact', async () => {
    const wf = await create({
      name: 'New tickets',
      trigger: { type: 'event', event: 'ticket.created' },
      tasks: [
        webhookTask('newTicket', {
          key: '{{ event.ticket.key }}',
          account: '{{ event.account.name }}',
          owner: '{{ event.ticket.ownerEmail }}',
        }),
      ],
    });
    const ticket = await w.api('POST', '/directories/Main/tickets', {
      title: 'Renewal risk',
      accountId: w.ids['001B'],
      assignTo: { teamRole: 'CUSTOMER_SUCCESS_MANAGER' },
    });
    expect(ticket.statusCode, ticket.body).toBe(201);
    await w.dispatch();
    const [run] = await w.runsOf(wf.id);
    expect((await w.waitRun(run!.id)).status).toBe('succeeded');
    expect(hook.requests.at(-1)!.json).toEqual({
      key: ticket.json().key,
      account: 'Get Cloudy Consulting',
      owner: 'csm.b@cloudkicks.example',
    });
  });

  it('runs a workflow to its end from the CLI, waiting out a retry', async () => {
    const wf = await create({
      name: 'From the shell',
      trigger: { type: 'manual' },
      tasks: [webhookTask('shell', { z: 1 }, { limit: 2, delaySeconds: 1 })],
    });
    hook.respondTo('/shell', { status: 503 });
    const run = await runWorkflowFromCli(w.t.runtime, systemActor('cli'), {
      id: wf.id,
      wait: true,
      maxWaitSeconds: 60,
    });
    expect(run.status).toBe('succeeded');
    expect(run.tasks[0]).toMatchObject({ key: 'shell', status: 'succeeded', attempts: 2 });
    expect(run.createdBy).toBe('system:cli');
  });

  it('cancels a run waiting for a retry: nothing more runs', async () => {
    const wf = await create({
      name: 'Cancel me',
      trigger: { type: 'manual' },
      tasks: [webhookTask('toCancel', { c: 1 }, { limit: 2, delaySeconds: 600 }), webhookTask('neverRuns')],
    });
    hook.respondTo('/toCancel', { status: 500 });
    const runId = (await w.api('POST', `/workflows/${wf.id}/runs`, {})).json().id as number;
    const deadline = Date.now() + 10_000;
    while (
      (await w.api('GET', `/workflow-runs/${runId}`)).json().tasks[0].status !== 'pending' ||
      hook.requests.every((r) => r.path !== '/toCancel')
    ) {
      if (Date.now() > deadline) throw new Error('the first attempt did not happen');
      await new Promise((r) => setTimeout(r, 100));
    }
    const cancelled = await w.api('POST', `/workflow-runs/${runId}/cancel`);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json().tasks.map((t: { status: string }) => t.status)).toEqual(['skipped', 'skipped']);
    await runDelayedNow(w.t);
    await new Promise((r) => setTimeout(r, 1500));
    expect(hook.requests.some((r) => r.path === '/neverRuns')).toBe(false);
    expect((await w.api('GET', `/workflow-runs/${runId}`)).json().status).toBe('cancelled');
    expect((await w.api('POST', `/workflow-runs/${runId}/cancel`)).statusCode).toBe(400);
  });

  it('runs delayed retries when their time comes', async () => {
    const wf = await create({
      name: 'Later',
      trigger: { type: 'manual' },
      tasks: [webhookTask('laterRetry', { y: 1 }, { limit: 2, delaySeconds: 600 })],
    });
    hook.respondTo('/laterRetry', { status: 500 });
    const started = await w.api('POST', `/workflows/${wf.id}/runs`, {});
    const runId = started.json().id as number;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const run = (await w.api('GET', `/workflow-runs/${runId}`)).json();
      if (run.tasks[0].attempts === 1 && run.tasks[0].status === 'pending') {
        expect(Date.parse(run.tasks[0].nextAttemptAt) - Date.now()).toBeGreaterThan(500_000);
        break;
      }
      if (Date.now() > deadline) throw new Error(JSON.stringify(run));
      await new Promise((r) => setTimeout(r, 100));
    }
    await w.t.runtime.db.query(`UPDATE workflow_task_runs SET next_attempt_at = now() WHERE run_id = $1`, [
      runId,
    ]);
    await runDelayedNow(w.t);
    expect((await w.waitRun(runId)).status).toBe('succeeded');
  });
});
