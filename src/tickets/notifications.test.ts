import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../platform/events/events.ts';
import { jobCatalog } from '../runtime/catalog.ts';
import { systemActor } from '../users/roles.ts';
import { createUser } from '../users/users.service.ts';
import { deliverTicketNotification } from './notifications.ts';
import { createTicketsWorld, daysFromNow, type TicketsWorld } from './testing.ts';
import { checkOverdue } from './tickets.jobs.ts';

let w: TicketsWorld;
const PUBLIC_URL = 'https://rapport.cloudkicks.example';
const OWNER = 'owner.one@cloudkicks.example';

interface OutboxMessage {
  idempotencyKey: string;
  toAddress: string;
  subject: string;
  text: string;
}

const outbox = async (to: string) => {
  const r = await w.api('GET', `/outbox?channel=email&to=${encodeURIComponent(to)}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().items as OutboxMessage[];
};

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const notices = (ticketId: number) =>
  w.t.runtime.db.query<{ id: number; event: string; status: string; idempotency_key: string }>(
    'SELECT id, event, status, idempotency_key FROM ticket_notifications WHERE ticket_id = $1 ORDER BY id',
    [ticketId],
  );
const settled = (ticketId: number, count: number) =>
  waitFor(
    () => notices(ticketId),
    (rows) => rows.length === count && rows.every((r) => !['pending', 'sending'].includes(r.status)),
    `ticket ${ticketId}'s notices`,
  );

const runSweep = () =>
  checkOverdue.run({}, w.t.runtime, {
    jobId: 'test',
    retryCount: 0,
    signal: new AbortController().signal,
    logger: w.t.runtime.logger,
  }) as Promise<{ overdue: number; notices: Record<string, number> }>;

beforeAll(async () => {
  w = await createTicketsWorld({ env: { RAPPORT_PUBLIC_URL: PUBLIC_URL } });
  // The account owner of 001A reads French; csm@ has no locale; dana@ has no Rapport account.
  await createUser(w.t.runtime.db, systemActor('test'), {
    email: OWNER,
    name: 'Olivia One',
    role: 'account_manager',
    password: `pw-${randomBytes(9).toString('base64url')}`,
    locale: 'fr',
  });
  await w.t.runtime.jobs.startWorkers(w.t.runtime);
});

afterAll(async () => {
  await w?.t.close();
});

describe('notifying owners', () => {
  it('emails the owner once when a ticket is created for them, in their language, with a link', async () => {
    const created = await w.api('POST', '/directories/Main/tickets', {
      responseId: w.responses.alanDetractor,
      assignTo: { teamRole: 'ACCOUNT_OWNER' },
      priority: 'urgent',
    });
    expect(created.statusCode, created.body).toBe(201);
    const ticket = created.json();
    const [notice] = await settled(ticket.id, 1);
    expect(notice).toMatchObject({
      event: 'created',
      status: 'sent',
      idempotency_key: `ticket-${ticket.id}-created`,
    });
    const messages = await outbox(OWNER);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      idempotencyKey: `ticket-${ticket.id}-created`,
      subject: `${ticket.key} vous est assigné : Detractor: Alan Johnson (NPS 3)`,
    });
    expect(messages[0]!.text).toContain('Bonjour Olivia One,');
    expect(messages[0]!.text).toContain('Priorité: urgente');
    expect(messages[0]!.text).toContain('Compte: Cloud Kicks Holdings');
    expect(messages[0]!.text).toContain(`${PUBLIC_URL}/tickets/${ticket.id}`);
    expect(messages[0]!.text).not.toContain('compte Rapport');

    // Sent again (a retried job, a sweep): nothing more goes out.
    expect(await deliverTicketNotification(w.t.runtime, notice!.id)).toBe('already-done');
    await w.t.runtime.db.query(`UPDATE ticket_notifications SET status = 'pending' WHERE id = $1`, [
      notice!.id,
    ]);
    expect(await deliverTicketNotification(w.t.runtime, notice!.id)).toBe('sent');
    expect(await outbox(OWNER)).toHaveLength(1);

    const detail = (await w.api('GET', `/tickets/${ticket.id}`)).json();
    expect(detail.notifications).toEqual([
      expect.objectContaining({ event: 'created', to: OWNER, status: 'sent', locale: 'fr' }),
    ]);
  });

  it('emails the new owner on each reassignment, but not someone who takes a ticket themselves', async () => {
    const ticket = (
      await w.api('POST', '/directories/Main/tickets', { title: 'Unassigned at first' })
    ).json();
    await w.api('POST', `/tickets/${ticket.id}/reassign`, { ownerEmail: 'dana@cloudkicks.example' });
    await w.api('POST', `/tickets/${ticket.id}/reassign`, { ownerEmail: OWNER });
    await w.api('POST', `/tickets/${ticket.id}/reassign`, { ownerEmail: 'dana@cloudkicks.example' });
    const rows = await settled(ticket.id, 3);
    expect(rows.map((r) => r.idempotency_key)).toEqual([
      `ticket-${ticket.id}-assigned-1`,
      `ticket-${ticket.id}-assigned-2`,
      `ticket-${ticket.id}-assigned-3`,
    ]);
    // Dana got the last one (English: no user, no locale), and the first unless it went out while
    // the ticket was the owner's; the owner's notice likewise: a notice for a ticket no longer the
    // recipient's when it goes out is skipped. Never one twice.
    const dana = await outbox('dana@cloudkicks.example');
    const danaKeys = dana.map((m) => m.idempotencyKey).sort();
    expect(danaKeys).toContain(`ticket-${ticket.id}-assigned-3`);
    expect([
      [`ticket-${ticket.id}-assigned-3`],
      [`ticket-${ticket.id}-assigned-1`, `ticket-${ticket.id}-assigned-3`],
    ]).toContainEqual(danaKeys);
    // What each notice says happened is what the outbox holds.
    const sentToDana = rows
      .filter((r) => r.status === 'sent' && r.idempotency_key !== `ticket-${ticket.id}-assigned-2`)
      .map((r) => r.idempotency_key);
    expect(sentToDana.sort()).toEqual(danaKeys);
    expect(dana[0]!.subject).toBe(`${ticket.key} assigned to you: Unassigned at first`);
    expect(dana[0]!.text).toContain('You have no Rapport account yet');
    expect(dana[0]!.text).toContain('Hello,');

    // A user who assigns a ticket to themselves is not told about it.
    const me = await w.api('POST', `/tickets/${ticket.id}/reassign`, { ownerEmail: w.cxEmail });
    expect(me.statusCode).toBe(200);
    expect(await notices(ticket.id)).toHaveLength(3);
    // Nobody to tell when nobody owns it.
    const none = (await w.api('POST', '/directories/Main/tickets', { title: 'Nobody’s' })).json();
    expect(await notices(none.id)).toHaveLength(0);
  });

  it('emails the owner once when a ticket becomes overdue (every five minutes, a sweep)', async () => {
    const schedule = jobCatalog.find((j) => j.name === 'tickets.check-overdue')?.schedule;
    expect(schedule?.cron).toBe('*/5 * * * *');

    const late = (
      await w.api('POST', '/directories/Main/tickets', {
        title: 'Call the CFO back',
        accountId: w.ids['001A'],
        ownerEmail: OWNER,
        dueAt: daysFromNow(-1),
      })
    ).json();
    const lateResolved = (
      await w.api('POST', '/directories/Main/tickets', {
        title: 'Already solved',
        ownerEmail: OWNER,
        dueAt: daysFromNow(-1),
      })
    ).json();
    await w.api('POST', `/tickets/${lateResolved.id}/transition`, { status: 'resolved' });
    const lateUnowned = (
      await w.api('POST', '/directories/Main/tickets', { title: 'Late, nobody’s', dueAt: daysFromNow(-2) })
    ).json();
    const onTime = (
      await w.api('POST', '/directories/Main/tickets', {
        title: 'Not yet',
        ownerEmail: OWNER,
        dueAt: daysFromNow(2),
      })
    ).json();
    // Each owned one told its owner it was assigned to them.
    await settled(late.id, 1);
    await settled(onTime.id, 1);

    const first = await runSweep();
    expect(first.overdue).toBe(2); // the owned one and the unowned one
    expect(first.notices).toEqual({ sent: 1 });
    const overdueMail = (await outbox(OWNER)).filter((m) =>
      m.idempotencyKey.startsWith(`ticket-${late.id}-overdue-`),
    );
    expect(overdueMail).toHaveLength(1);
    expect(overdueMail[0]!.subject).toBe(`${late.key} est en retard : Call the CFO back`);
    expect(overdueMail[0]!.text).toMatch(/était dû le .* UTC et il est toujours ouvert\./);
    expect(overdueMail[0]!.text).toContain(`${PUBLIC_URL}/tickets/${late.id}`);

    // The next sweeps find nothing new.
    expect(await runSweep()).toEqual({ overdue: 0, notices: {} });
    expect(
      (await outbox(OWNER))
        .map((m) => m.idempotencyKey.replace(/-overdue-\d+$/, '-overdue'))
        .filter((k) => k.startsWith(`ticket-${late.id}-`)),
    ).toEqual([`ticket-${late.id}-overdue`, `ticket-${late.id}-created`]);
    const events = await readEvents(w.t.runtime.db.orm, { type: 'ticket.overdue', limit: 100 });
    expect(events.items.map((e) => e.subject).sort()).toEqual(
      [`ticket:${late.id}`, `ticket:${lateUnowned.id}`].sort(),
    );
    expect((await notices(lateResolved.id)).map((n) => n.event)).toEqual(['created']);
    expect((await notices(onTime.id)).map((n) => n.event)).toEqual(['created']);

    // A new due date that passes too: a new notice, for that due date.
    await w.api('PATCH', `/tickets/${late.id}`, { dueAt: daysFromNow(-0.5) });
    expect((await runSweep()).notices).toEqual({ sent: 1 });
    expect(
      (await outbox(OWNER)).filter((m) => m.idempotencyKey.startsWith(`ticket-${late.id}-overdue-`)),
    ).toHaveLength(2);
    // Shown overdue in the list, with the view's counts.
    const overdue = (await w.api('GET', '/directories/Main/tickets?overdue=true')).json();
    expect(overdue.items.map((t: { id: number }) => t.id).sort()).toEqual([late.id, lateUnowned.id].sort());
  });

  it('skips a notice that no longer applies by the time it goes out', async () => {
    const ticket = (
      await w.api('POST', '/directories/Main/tickets', {
        title: 'Skipped',
        dueAt: daysFromNow(-1),
        ownerEmail: OWNER,
      })
    ).json();
    await settled(ticket.id, 1);
    // Resolved before the sweep sends its overdue notice: the notice is recorded, then skipped.
    await w.t.runtime.db.query(`UPDATE tickets SET overdue_notified_due = due_at WHERE id = $1`, [ticket.id]);
    await w.t.runtime.db.query(
      `INSERT INTO ticket_notifications (ticket_id, event, idempotency_key, to_address) VALUES ($1, 'overdue', $2, $3)`,
      [ticket.id, `ticket-${ticket.id}-overdue-test`, OWNER],
    );
    await w.api('POST', `/tickets/${ticket.id}/transition`, { status: 'resolved' });
    expect((await runSweep()).notices).toEqual({ skipped: 1 });
    const detail = (await w.api('GET', `/tickets/${ticket.id}`)).json();
    expect(detail.notifications[0]).toMatchObject({
      event: 'overdue',
      status: 'skipped',
      error: 'the ticket is no longer overdue',
    });
  });
});
