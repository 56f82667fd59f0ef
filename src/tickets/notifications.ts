import { and, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { accountsByIds, contactsByIds } from '../directory/lookups.service.ts';
import { cachedTransport } from '../distributions/transport-cache.ts';
import { type Executor, queryRows, type Tx } from '../platform/db/database.ts';
import { emitEvent } from '../platform/events/events.ts';
import { defineJob, type JobDeps } from '../platform/jobs/define-job.ts';
import type { JobQueue } from '../platform/jobs/job-queue.ts';
import { findUserByEmail } from '../users/users.service.ts';
import { ACTIVE_STATUSES, type NotificationEvent, ticketKey } from './model.ts';
import { notificationLocale, renderNotification } from './notification-text.ts';
import { ticketNotifications, tickets } from './tickets.schema.ts';

/**
 * Owners hear about their tickets by email: when one is assigned to them (created or reassigned)
 * and when it becomes overdue. Each notice is a ticket_notifications row written in the
 * transaction of its cause, with its idempotency key `ticket-<id>-<event>`; a job sends it
 * through the configured email provider (the outbox unless an admin set SMTP), which keeps one
 * message per key however many times a send is retried. The overdue sweep also sends any notice
 * whose job was lost.
 */

export type NotifyDeps = Pick<JobDeps, 'db' | 'secrets' | 'config' | 'logger'>;

/** A send that went wrong for a while (provider down): the job retries it with backoff. */
export class TemporaryFailure extends Error {}

/** After this many attempts a notice that keeps failing temporarily is given up (status failed). */
const MAX_ATTEMPTS = 8;
/** A notice claimed longer ago than this was cut off by a crash: it may be sent again (same key). */
const STALE_CLAIM = sql`now() - interval '10 minutes'`;

/** Where links in emails point: the public URL, else this server's own address. */
export function publicUrlOf(config: NotifyDeps['config']): string {
  const { http } = config;
  if (http.publicUrl) return http.publicUrl;
  return `http://${http.host.includes(':') ? `[${http.host}]` : http.host}:${http.port}`;
}

export const notificationKey = (ticketId: number, event: string) => `ticket-${ticketId}-${event}`;

export const notifyTicketOwner = defineJob({
  name: 'tickets.notify-owner',
  payload: z.object({ notificationId: z.number().int().positive() }),
  retry: { limit: MAX_ATTEMPTS, delaySeconds: 30, backoff: true, maxDelaySeconds: 1800 },
  expireInSeconds: 300,
  async run({ notificationId }, deps) {
    return { outcome: await deliverTicketNotification(deps, notificationId) };
  },
});

/**
 * Records a notice (once per key: a second call with the same key does nothing) and queues its
 * send in the same transaction. `eventKey` is the key's last part: created, assigned-2, overdue-….
 */
export async function queueNotification(
  tx: Tx,
  jobs: JobQueue,
  notice: { ticketId: number; event: NotificationEvent; eventKey: string; to: string },
): Promise<number | null> {
  const id = await insertNotice(tx, notice);
  if (id) await jobs.send(notifyTicketOwner, { notificationId: id }, { tx });
  return id;
}

type Outcome = 'sent' | 'skipped' | 'failed' | 'already-done';

async function settle(
  db: Executor,
  id: number,
  status: 'sent' | 'skipped' | 'failed' | 'pending',
  fields: Partial<typeof ticketNotifications.$inferInsert> = {},
) {
  await db
    .update(ticketNotifications)
    .set({ status, ...fields, ...(status === 'sent' ? { sentAt: new Date() } : {}) })
    .where(eq(ticketNotifications.id, id));
}

/**
 * Sends one notice: claims it (so two workers do not both send), checks it still makes sense
 * (the ticket was not reassigned or resolved meanwhile), renders it in the owner's language and
 * hands it to the email provider under its idempotency key.
 */
export async function deliverTicketNotification(deps: NotifyDeps, id: number): Promise<Outcome> {
  const { db } = deps;
  const [notice] = await db.orm
    .update(ticketNotifications)
    .set({ status: 'sending', claimedAt: new Date(), attempts: sql`${ticketNotifications.attempts} + 1` })
    .where(
      and(
        eq(ticketNotifications.id, id),
        sql`(${ticketNotifications.status} = 'pending' OR (${ticketNotifications.status} = 'sending' AND ${ticketNotifications.claimedAt} < ${STALE_CLAIM}))`,
      ),
    )
    .returning();
  if (!notice) return 'already-done';
  const [ticket] = await db.orm.select().from(tickets).where(eq(tickets.id, notice.ticketId));
  if (!ticket) {
    await settle(db.orm, id, 'skipped', { error: 'the ticket was deleted' });
    return 'skipped';
  }
  const active = (ACTIVE_STATUSES as readonly string[]).includes(ticket.status);
  const skip =
    ticket.ownerEmail !== notice.toAddress
      ? 'the ticket was reassigned before the notice went out'
      : notice.event === 'overdue' && (!active || ticket.dueAt.getTime() > Date.now())
        ? 'the ticket is no longer overdue'
        : null;
  const user = await findUserByEmail(db.orm, notice.toAddress);
  const reason = skip ?? (user?.disabledAt ? 'the owner’s user is disabled' : null);
  if (reason) {
    await settle(db.orm, id, 'skipped', { error: reason });
    return 'skipped';
  }
  const [accounts, contacts] = await Promise.all([
    accountsByIds(db.orm, ticket.accountId ? [ticket.accountId] : []),
    contactsByIds(db.orm, ticket.contactId ? [ticket.contactId] : []),
  ]);
  const contact = ticket.contactId ? contacts.get(ticket.contactId) : undefined;
  const locale = notificationLocale(user?.locale);
  const { subject, text } = renderNotification({
    event: notice.event as NotificationEvent,
    locale,
    key: ticketKey(ticket.number),
    title: ticket.title,
    description: ticket.description,
    status: ticket.status,
    priority: ticket.priority,
    dueAt: ticket.dueAt,
    ownerName: user?.name || null,
    ownerHasAccount: !!user,
    accountName: (ticket.accountId ? accounts.get(ticket.accountId)?.name : null) ?? null,
    contactName: contact ? (contact.name ?? contact.email) : null,
    url: `${publicUrlOf(deps.config)}/tickets/${ticket.id}`,
  });
  let outcome: Awaited<ReturnType<Awaited<ReturnType<typeof cachedTransport>>['send']>>;
  try {
    const transport = await cachedTransport(db, deps.secrets, 'email', publicUrlOf(deps.config));
    outcome = await transport.send({
      channel: 'email',
      idempotencyKey: notice.idempotencyKey,
      to: notice.toAddress,
      subject,
      text,
      headers: { 'X-Rapport-Ticket': String(ticket.id) },
    });
  } catch (error) {
    outcome = { status: 'failed', permanent: false, code: null, message: (error as Error).message };
  }
  if (outcome.status === 'sent') {
    await settle(db.orm, id, 'sent', {
      subject,
      locale,
      providerMessageId: outcome.providerMessageId,
      error: null,
    });
    return 'sent';
  }
  if (outcome.permanent || notice.attempts >= MAX_ATTEMPTS) {
    await settle(db.orm, id, 'failed', { subject, locale, error: outcome.message });
    deps.logger.warn({ ticketId: ticket.id, notificationId: id }, `ticket notice failed: ${outcome.message}`);
    return 'failed';
  }
  await settle(db.orm, id, 'pending', { error: outcome.message });
  throw new TemporaryFailure(`The email provider did not take the notice (${outcome.message}): retrying`);
}

/**
 * Marks the tickets that became overdue since the last sweep (still being worked on, due date
 * past, not yet noticed for this due date) and records a notice for each owner; emits
 * ticket.overdue. Set-based, in batches, each in its own transaction.
 */
export async function markOverdueTickets(db: NotifyDeps['db'], batch = 500) {
  const noticeIds: number[] = [];
  let count = 0;
  for (;;) {
    const marked = await db.orm.transaction(async (tx) => {
      const rows = await queryRows<{
        id: number;
        directory_id: number;
        number: number;
        owner_email: string | null;
        due_at: Date | string;
        due_epoch: string;
      }>(
        tx,
        sql`WITH due AS (
              SELECT id FROM tickets
              WHERE status IN ('open', 'in_progress', 'waiting') AND due_at < now()
                AND overdue_notified_due IS DISTINCT FROM due_at
              ORDER BY due_at LIMIT ${batch} FOR UPDATE SKIP LOCKED)
            UPDATE tickets t SET overdue_notified_due = t.due_at FROM due WHERE t.id = due.id
            RETURNING t.id, t.directory_id, t.number, t.owner_email, t.due_at,
              floor(extract(epoch FROM t.due_at))::bigint::text AS due_epoch`,
      );
      for (const row of rows) {
        const id = Number(row.id);
        if (row.owner_email) {
          // The sweep that marks them sends them right after: no job per notice.
          const noticeId = await insertNotice(tx, {
            ticketId: id,
            event: 'overdue',
            eventKey: `overdue-${row.due_epoch}`,
            to: row.owner_email,
          });
          if (noticeId) noticeIds.push(noticeId);
        }
        await emitEvent(tx, 'ticket.overdue', `ticket:${id}`, {
          ticketId: id,
          directoryId: Number(row.directory_id),
          number: row.number,
          key: ticketKey(row.number),
          ownerEmail: row.owner_email,
          dueAt: new Date(row.due_at).toISOString(),
        });
      }
      return rows.length;
    });
    count += marked;
    if (marked < batch) break;
  }
  return { tickets: count, noticeIds };
}

async function insertNotice(
  tx: Tx,
  notice: { ticketId: number; event: NotificationEvent; eventKey: string; to: string },
): Promise<number | null> {
  const [row] = await tx
    .insert(ticketNotifications)
    .values({
      ticketId: notice.ticketId,
      event: notice.event,
      idempotencyKey: notificationKey(notice.ticketId, notice.eventKey),
      toAddress: notice.to,
    })
    .onConflictDoNothing()
    .returning({ id: ticketNotifications.id });
  return row?.id ?? null;
}

/**
 * The overdue sweep, every few minutes: new overdue tickets get their notice, then every notice
 * still waiting (just recorded, or whose job was lost, or left `sending` by a crash) is sent.
 */
export async function checkOverdueTickets(
  deps: NotifyDeps,
  options: { pendingOlderThanSeconds?: number } = {},
) {
  const { tickets: overdue } = await markOverdueTickets(deps.db);
  const waiting = await queryRows<{ id: number }>(
    deps.db.orm,
    sql`SELECT id FROM ticket_notifications
        WHERE (status = 'pending' AND (event = 'overdue'
                 OR created_at < now() - make_interval(secs => ${options.pendingOlderThanSeconds ?? 60})))
           OR (status = 'sending' AND claimed_at < ${STALE_CLAIM})
        ORDER BY id LIMIT 1000`,
  );
  const outcomes: Record<string, number> = {};
  for (const { id } of waiting) {
    let outcome: string;
    try {
      outcome = await deliverTicketNotification(deps, Number(id));
    } catch (error) {
      if (!(error instanceof TemporaryFailure)) throw error;
      outcome = 'retry';
    }
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  return { overdue, notices: outcomes };
}

/** A ticket's notices, newest first (the ticket page shows who was told what). */
export async function listTicketNotifications(db: Executor, ticketId: number) {
  const rows = await db
    .select()
    .from(ticketNotifications)
    .where(eq(ticketNotifications.ticketId, ticketId))
    .orderBy(desc(ticketNotifications.id))
    .limit(100);
  return rows.map((n) => ({
    id: n.id,
    event: n.event as NotificationEvent,
    to: n.toAddress,
    status: n.status,
    locale: n.locale,
    subject: n.subject,
    error: n.error,
    createdAt: n.createdAt.toISOString(),
    sentAt: n.sentAt?.toISOString() ?? null,
  }));
}
