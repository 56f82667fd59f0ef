import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { directories } from '../directory/directory.schema.ts';
import { responses } from '../surveys/surveys.schema.ts';
import { TICKET_PRIORITIES, TICKET_SOURCES, TICKET_STATUSES, type TicketPriority } from './model.ts';

export const ticketStatus = pgEnum('ticket_status', TICKET_STATUSES);
/** Declared from low to urgent: the enum's order is the sort order. */
export const ticketPriority = pgEnum('ticket_priority', TICKET_PRIORITIES);
export const ticketSource = pgEnum('ticket_source', TICKET_SOURCES);

/**
 * Per directory: the counter that numbers its tickets (T-1, T-2 …; its row lock serialises
 * creations, so two tickets never share a number and an idempotency key opens one ticket) and
 * its service levels (days to resolve, by priority; null = the defaults).
 */
export const ticketDirectories = pgTable('ticket_directories', {
  directoryId: bigint('directory_id', { mode: 'number' })
    .primaryKey()
    .references(() => directories.id, { onDelete: 'cascade' }),
  lastNumber: integer('last_number').notNull().default(0),
  slaDays: jsonb('sla_days').$type<Record<TicketPriority, number>>(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  updatedBy: text('updated_by'),
});

/**
 * A ticket: something to follow up (a detractor to call back, a complaint to solve) owned by one
 * person, named by email so that it can go to someone who has no Rapport account yet.
 */
export const tickets = pgTable(
  'tickets',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    directoryId: bigint('directory_id', { mode: 'number' })
      .notNull()
      .references(() => directories.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    status: ticketStatus('status').notNull().default('open'),
    priority: ticketPriority('priority').notNull().default('normal'),
    /** Lower case; null = unassigned. */
    ownerEmail: text('owner_email'),
    /** Raised at each (re)assignment: the assignment notice of each is sent once. */
    assignment: integer('assignment').notNull().default(0),
    accountId: bigint('account_id', { mode: 'number' }),
    contactId: bigint('contact_id', { mode: 'number' }),
    responseId: bigint('response_id', { mode: 'number' }).references(() => responses.id, {
      onDelete: 'set null',
    }),
    source: ticketSource('source').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    /** The due date follows the priority's service level until someone sets one by hand. */
    dueFromSla: boolean('due_from_sla').notNull().default(true),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    /** A caller's key (an automation's event id): the same key in a directory opens one ticket. */
    idempotencyKey: text('idempotency_key'),
    /** The due date the overdue notice went out for: a later due date can become overdue again. */
    overdueNotifiedDue: timestamp('overdue_notified_due', { withTimezone: true }),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('tickets_number_idx').on(t.directoryId, t.number),
    uniqueIndex('tickets_idempotency_key_idx')
      .on(t.directoryId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} IS NOT NULL`),
    // The list's three orders (keyset paging on each) and its status filter.
    index('tickets_due_idx').on(t.directoryId, t.dueAt, t.id),
    index('tickets_updated_idx').on(t.directoryId, t.updatedAt, t.id),
    index('tickets_priority_idx').on(t.directoryId, t.priority, t.dueAt, t.id),
    index('tickets_status_idx').on(t.directoryId, t.status, t.dueAt),
    // "Mine", the owners' counts, the account and contact cards, a response's tickets.
    index('tickets_owner_idx').on(t.ownerEmail, t.status),
    index('tickets_account_idx').on(t.accountId, t.status),
    index('tickets_contact_idx').on(t.contactId),
    index('tickets_response_idx').on(t.responseId),
    // The overdue sweep, across directories: only tickets still being worked on.
    index('tickets_active_due_idx').on(t.dueAt).where(sql`${t.status} IN ('open', 'in_progress', 'waiting')`),
  ],
);

/** Internal notes on a ticket (never sent to the customer), oldest first. */
export const ticketNotes = pgTable(
  'ticket_notes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    ticketId: bigint('ticket_id', { mode: 'number' })
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    authorUserId: bigint('author_user_id', { mode: 'number' }),
    /** The author's email (a user) or the automation's label. */
    author: text('author').notNull(),
    text: text('text').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('ticket_notes_ticket_idx').on(t.ticketId, t.id)],
);

/** Every change of a ticket, one row per field: what it was, what it became, who and when. */
export const ticketHistory = pgTable(
  'ticket_history',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    ticketId: bigint('ticket_id', { mode: 'number' })
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    field: text('field').notNull(),
    oldValue: jsonb('old_value'),
    newValue: jsonb('new_value'),
    by: text('by').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('ticket_history_ticket_idx').on(t.ticketId, t.id)],
);

/**
 * The emails a ticket's owner gets (assigned to them, overdue), each once: the row is written in
 * the transaction of its cause, then sent by a job under the key `ticket-<id>-<event>`, which
 * the email provider keeps to one message however often the send is retried.
 */
export const ticketNotifications = pgTable(
  'ticket_notifications',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    ticketId: bigint('ticket_id', { mode: 'number' })
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    /** created | assigned | overdue */
    event: text('event').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    toAddress: text('to_address').notNull(),
    /** pending → sending → sent | failed | skipped */
    status: text('status').notNull().default('pending'),
    locale: text('locale'),
    subject: text('subject'),
    providerMessageId: text('provider_message_id'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('ticket_notifications_key_idx').on(t.idempotencyKey),
    index('ticket_notifications_ticket_idx').on(t.ticketId, t.id),
    index('ticket_notifications_pending_idx').on(t.id).where(sql`${t.status} IN ('pending', 'sending')`),
  ],
);
