import { and, asc, eq, getTableColumns, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { getAccount } from '../directory/accounts.service.ts';
import { accountInSubtree } from '../directory/conditions.ts';
import { getContact } from '../directory/contacts.service.ts';
import { findDirectory } from '../directory/directories.service.ts';
import {
  type AccountRef,
  accountsByIds,
  type ContactRef,
  contactsByIds,
} from '../directory/lookups.service.ts';
import { TEAM_ROLES, type TeamRole } from '../directory/roles.ts';
import { accountVisible, teamScopeEmail } from '../directory/scope.ts';
import type { Database, Executor, Tx } from '../platform/db/database.ts';
import { AppError, badRequest, conflict, notFound, validationFailed } from '../platform/errors.ts';
import { type EventType, emitEvent } from '../platform/events/events.ts';
import { decodeCursor, encodeCursor } from '../platform/http/paging.ts';
import type { JobQueue } from '../platform/jobs/job-queue.ts';
import { getResponse } from '../surveys/responses.service.ts';
import { getSurveyRow } from '../surveys/surveys.service.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, authorize, systemActor } from '../users/roles.ts';
import { findUserByEmail, type UserRow, ZEmail } from '../users/users.service.ts';
import {
  ACTIVE_STATUSES,
  canTransition,
  slaDueAt,
  TICKET_PRIORITIES,
  TICKET_SOURCES,
  TICKET_STATUSES,
  type TicketPriority,
  type TicketSource,
  type TicketStatus,
  TRANSITIONS,
  ticketKey,
} from './model.ts';
import { listTicketNotifications, queueNotification } from './notifications.ts';
import { slaDaysOf } from './settings.service.ts';
import { ticketDirectories, ticketHistory, ticketNotes, tickets } from './tickets.schema.ts';

/** What creating and changing tickets needs: the database, and the job queue for notices. */
export interface TicketDeps {
  db: Database;
  jobs: JobQueue;
}

type TicketRow = typeof tickets.$inferSelect;

const lookupActor = systemActor('tickets');

// ---------------------------------------------------------------------------------------------
// Inputs

const ZId = z.number().int().positive();
const ZTitle = z.string().trim().min(1, { error: 'the title cannot be empty' }).max(300);
const ZDescription = z.string().max(20_000);
const ZDueAt = z.iso.datetime({ offset: true, error: 'expected a date and time with its offset (ISO 8601)' });
const ZTags = z
  .array(z.string().trim().min(1, { error: 'a tag cannot be empty' }).max(50))
  .max(20)
  .transform((tags) => [...new Set(tags)]);
const ZNoteText = z.string().trim().min(1, { error: 'the note is empty' }).max(20_000);

export const ZTicketCreate = z
  .object({
    /** Optional when the ticket comes from a response: then "Detractor: Alan Johnson (NPS 3)". */
    title: ZTitle.optional(),
    description: ZDescription.default(''),
    priority: z.enum(TICKET_PRIORITIES).default('normal'),
    /** The owner, by email (lower-cased; they may have no Rapport account yet); null = unassigned. */
    ownerEmail: ZEmail.nullable().optional(),
    /**
     * Or the owner from the account's team: the member with this role (the first by email when
     * several hold it); `fallbackEmail` when nobody does, else the ticket is unassigned.
     */
    assignTo: z
      .object({ teamRole: z.enum(TEAM_ROLES), fallbackEmail: ZEmail.optional() })
      .strict()
      .optional(),
    /** Default: the response's account and contact. */
    accountId: ZId.nullable().optional(),
    contactId: ZId.nullable().optional(),
    responseId: ZId.nullable().optional(),
    /** Default: manual from a session or the CLI, api with a token, workflow for automations. */
    source: z.enum(TICKET_SOURCES).optional(),
    /** Default: now + the directory's service level for the priority. */
    dueAt: ZDueAt.optional(),
    tags: ZTags.default([]),
    /** The same key twice in a directory opens one ticket: the second call returns the first. */
    idempotencyKey: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.ownerEmail !== undefined && v.assignTo)
      ctx.addIssue({ code: 'custom', path: ['assignTo'], message: 'give ownerEmail or assignTo, not both' });
    if (!v.title && !v.responseId)
      ctx.addIssue({
        code: 'custom',
        path: ['title'],
        message: 'a title is required (or a responseId to name the ticket after)',
      });
  });
export type TicketCreateInput = z.input<typeof ZTicketCreate>;

export const ZTicketUpdate = z
  .object({
    title: ZTitle,
    description: ZDescription,
    priority: z.enum(TICKET_PRIORITIES),
    /** null: the due date follows the priority's service level again. */
    dueAt: ZDueAt.nullable(),
    tags: ZTags,
    accountId: ZId.nullable(),
    contactId: ZId.nullable(),
  })
  .partial()
  .strict();

export const ZTransition = z
  .object({
    status: z.enum(TICKET_STATUSES),
    /** A note added with the move (the resolution, what the customer is waiting for …). */
    note: ZNoteText.optional(),
  })
  .strict();

export const ZNoteCreate = z.object({ text: ZNoteText }).strict();

export const ZReassign = z
  .object({
    /** The new owner; null = unassigned. */
    ownerEmail: ZEmail.nullable().optional(),
    /** Or the member of the account's team with this role. */
    teamRole: z.enum(TEAM_ROLES).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.ownerEmail === undefined) === (v.teamRole === undefined))
      ctx.addIssue({ code: 'custom', path: ['ownerEmail'], message: 'give either ownerEmail or teamRole' });
  });

const ZBool = z.enum(['true', 'false']).transform((v) => v === 'true');
const list = <T extends string>(values: readonly [T, ...T[]], name: string) =>
  z
    .string()
    .max(200)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values, { error: `expected ${name}: ${values.join(', ')}` })).min(1));

export const ZTicketQuery = z.object({
  /** Comma-separated statuses; `active` = open, in_progress and waiting. */
  status: list([...TICKET_STATUSES, 'active'], 'statuses').optional(),
  priority: list(TICKET_PRIORITIES, 'priorities').optional(),
  /** An owner's email, or `none` for unassigned tickets. */
  owner: z.string().trim().toLowerCase().max(320).optional(),
  /** The tickets the caller owns. */
  mine: ZBool.optional(),
  accountId: z.coerce.number().int().positive().optional(),
  /** With accountId: the tickets of its descendants too. */
  subtree: ZBool.optional(),
  contactId: z.coerce.number().int().positive().optional(),
  responseId: z.coerce.number().int().positive().optional(),
  /** Still being worked on and past their due date. */
  overdue: ZBool.optional(),
  tag: z.string().trim().max(50).optional(),
  /** Words of the title or description, or a ticket number (T-42, 42). */
  q: z.string().trim().max(200).optional(),
  sort: z.enum(['due', 'priority', 'updated']).default('due'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type TicketQuery = z.output<typeof ZTicketQuery>;
export type TicketFilters = Omit<TicketQuery, 'sort' | 'limit' | 'cursor'>;

// ---------------------------------------------------------------------------------------------
// Access and views

/**
 * The tickets an actor may see: everyone with data:read sees the directory's tickets, except an
 * account manager, who sees those of the accounts on their team (with their descendants) and
 * those they own.
 */
export function ticketVisible(actor: Actor): SQL {
  const email = teamScopeEmail(actor);
  if (!email) return sql`true`;
  return sql`(${tickets.ownerEmail} = ${email} OR ${accountVisible(actor, sql`${tickets.accountId}`)})`;
}

const byOf = (actor: Actor) => (actor.kind === 'user' ? actor.email : `system:${actor.label}`);
const isActive = (status: TicketStatus) => (ACTIVE_STATUSES as readonly string[]).includes(status);
const iso = (d: Date | null) => d?.toISOString() ?? null;

interface Refs {
  accounts: Map<number, AccountRef>;
  contacts: Map<number, ContactRef>;
  owners: Map<string, UserRow | undefined>;
}

async function loadRefs(db: Executor, rows: TicketRow[]): Promise<Refs> {
  const owners = [...new Set(rows.flatMap((r) => (r.ownerEmail ? [r.ownerEmail] : [])))];
  const [accounts, contacts, users] = await Promise.all([
    accountsByIds(
      db,
      rows.flatMap((r) => (r.accountId ? [r.accountId] : [])),
    ),
    contactsByIds(
      db,
      rows.flatMap((r) => (r.contactId ? [r.contactId] : [])),
    ),
    Promise.all(owners.map((email) => findUserByEmail(db, email))),
  ]);
  return { accounts, contacts, owners: new Map(owners.map((email, i) => [email, users[i]])) };
}

export function toTicketView(row: TicketRow, refs: Refs, now = Date.now()) {
  const owner = row.ownerEmail ? refs.owners.get(row.ownerEmail) : undefined;
  return {
    id: row.id,
    directoryId: row.directoryId,
    number: row.number,
    key: ticketKey(row.number),
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    ownerEmail: row.ownerEmail,
    owner: row.ownerEmail
      ? { email: row.ownerEmail, name: owner?.name || null, hasAccount: !!owner && !owner.disabledAt }
      : null,
    accountId: row.accountId,
    account: (row.accountId ? refs.accounts.get(row.accountId) : undefined) ?? null,
    contactId: row.contactId,
    contact: (row.contactId ? refs.contacts.get(row.contactId) : undefined) ?? null,
    responseId: row.responseId,
    source: row.source,
    dueAt: row.dueAt.toISOString(),
    dueFromSla: row.dueFromSla,
    overdue: isActive(row.status) && row.dueAt.getTime() < now,
    tags: row.tags,
    allowedTransitions: [...TRANSITIONS[row.status]],
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    resolvedAt: iso(row.resolvedAt),
    closedAt: iso(row.closedAt),
  };
}
export type TicketView = ReturnType<typeof toTicketView>;

async function viewOf(db: Executor, row: TicketRow): Promise<TicketView> {
  return toTicketView(row, await loadRefs(db, [row]));
}

/** A ticket the actor may see, locked for the change when `lock`; 404 otherwise. */
async function ticketRow(db: Executor, actor: Actor, id: number, lock = false): Promise<TicketRow> {
  const query = db
    .select()
    .from(tickets)
    .where(and(eq(tickets.id, id), ticketVisible(actor)));
  const [row] = lock ? await query.for('update', { of: tickets }) : await query;
  if (!row) throw notFound(`No ticket ${id}`);
  return row;
}

function eventPayload(row: TicketRow) {
  return {
    ticketId: row.id,
    directoryId: row.directoryId,
    number: row.number,
    key: ticketKey(row.number),
    status: row.status,
    priority: row.priority,
    ownerEmail: row.ownerEmail,
    accountId: row.accountId,
    contactId: row.contactId,
    responseId: row.responseId,
  };
}

async function emitTicketEvent(tx: Tx, type: EventType, row: TicketRow, extra: Record<string, unknown> = {}) {
  await emitEvent(tx, type, `ticket:${row.id}`, { ...eventPayload(row), ...extra });
}

interface Change {
  field: string;
  old: unknown;
  new: unknown;
}

async function recordHistory(tx: Tx, ticketId: number, actor: Actor, changes: Change[]) {
  if (changes.length === 0) return;
  await tx.insert(ticketHistory).values(
    changes.map((c) => ({
      ticketId,
      field: c.field,
      oldValue: c.old ?? null,
      newValue: c.new ?? null,
      by: byOf(actor),
    })),
  );
}

/** The owner gets an email when a ticket becomes theirs, unless they gave it to themselves. */
async function noticeAssignment(tx: Tx, jobs: JobQueue, actor: Actor, row: TicketRow, created: boolean) {
  if (!row.ownerEmail) return;
  if (actor.kind === 'user' && actor.email.toLowerCase() === row.ownerEmail) return;
  await queueNotification(tx, jobs, {
    ticketId: row.id,
    event: created ? 'created' : 'assigned',
    eventKey: created ? 'created' : `assigned-${row.assignment}`,
    to: row.ownerEmail,
  });
}

// ---------------------------------------------------------------------------------------------
// References: the directory records a ticket points to, checked to be of its directory

const fieldError = (path: string, message: string) => validationFailed(message, [{ path, message }]);

async function checkedAccount(db: Executor, directoryId: number, accountId: number, path = 'accountId') {
  let account: Awaited<ReturnType<typeof getAccount>>;
  try {
    account = await getAccount(db, lookupActor, accountId);
  } catch (error) {
    if (error instanceof AppError && error.status === 404)
      throw fieldError(path, `There is no account ${accountId}`);
    throw error;
  }
  if (account.directoryId !== directoryId)
    throw fieldError(path, `Account ${accountId} is not in this ticket's directory`);
  if (account.deleted) throw fieldError(path, `Account ${accountId} (${account.displayName}) is deleted`);
  return account;
}

async function checkedContact(db: Executor, directoryId: number, contactId: number) {
  let contact: Awaited<ReturnType<typeof getContact>>;
  try {
    contact = await getContact(db, lookupActor, contactId);
  } catch (error) {
    if (error instanceof AppError && error.status === 404)
      throw fieldError('contactId', `There is no contact ${contactId}`);
    throw error;
  }
  if (contact.directoryId !== directoryId)
    throw fieldError('contactId', `Contact ${contactId} is not in this ticket's directory`);
  if (contact.deleted) throw fieldError('contactId', `Contact ${contactId} is deleted`);
  return contact;
}

/** The member of the account's team holding `role` (the first by email when several do). */
async function teamMemberOf(db: Executor, directoryId: number, accountId: number, role: TeamRole) {
  const account = await checkedAccount(db, directoryId, accountId);
  const members = account.team
    .filter((m) => m.role === role)
    .map((m) => m.email.toLowerCase())
    .sort();
  return { account, email: members[0] ?? null };
}

type ResponseView = Awaited<ReturnType<typeof getResponse>>;

/** "Detractor: Alan Johnson (NPS 3)", the title of a ticket opened on a response. */
export function titleForResponse(
  response: Pick<ResponseView, 'npsScore' | 'npsCategory' | 'csatScore' | 'contact'>,
) {
  const who = response.contact?.name ?? response.contact?.email ?? 'Anonymous respondent';
  const category = response.npsCategory
    ? `${response.npsCategory.slice(0, 1).toUpperCase()}${response.npsCategory.slice(1)}`
    : 'Response';
  const score =
    response.npsScore !== null
      ? ` (NPS ${response.npsScore})`
      : response.csatScore !== null
        ? ` (CSAT ${response.csatScore})`
        : '';
  return `${category}: ${who}${score}`;
}

// ---------------------------------------------------------------------------------------------
// Create

interface PreparedTicket {
  directoryId: number;
  title: string;
  description: string;
  priority: TicketPriority;
  ownerEmail: string | null;
  accountId: number | null;
  contactId: number | null;
  responseId: number | null;
  source: TicketSource;
  dueAt: Date | null;
  tags: string[];
  idempotencyKey: string | null;
  assignedBy: string | null;
}

const defaultSource = (actor: Actor): TicketSource =>
  actor.kind === 'system' ? 'workflow' : actor.via === 'token' ? 'api' : 'manual';

async function findByKey(db: Executor, directoryId: number, key: string) {
  const [row] = await db
    .select()
    .from(tickets)
    .where(and(eq(tickets.directoryId, directoryId), eq(tickets.idempotencyKey, key)));
  return row;
}

/** Checks the input against the directory (references, team) before the transaction that writes. */
async function prepareTicket(
  db: Executor,
  actor: Actor,
  directoryId: number,
  data: z.output<typeof ZTicketCreate>,
): Promise<PreparedTicket> {
  let response: ResponseView | null = null;
  if (data.responseId) {
    try {
      response = await getResponse(db, actor, data.responseId);
    } catch (error) {
      if (error instanceof AppError && error.status === 404)
        throw fieldError('responseId', `There is no response ${data.responseId}`);
      throw error;
    }
    const survey = await getSurveyRow(db, response.surveyId);
    if (survey.directoryId !== directoryId)
      throw fieldError('responseId', `Response ${data.responseId} is not in this directory`);
  }
  const accountId = data.accountId !== undefined ? data.accountId : (response?.accountId ?? null);
  const contactId = data.contactId !== undefined ? data.contactId : (response?.contactId ?? null);
  if (contactId) await checkedContact(db, directoryId, contactId);
  let ownerEmail = data.ownerEmail ?? null;
  let assignedBy: string | null = null;
  if (data.assignTo) {
    if (!accountId)
      throw fieldError(
        'assignTo',
        'Assigning by team role needs an account (accountId, or a response that has one)',
      );
    const member = await teamMemberOf(db, directoryId, accountId, data.assignTo.teamRole);
    ownerEmail = member.email ?? data.assignTo.fallbackEmail ?? null;
    assignedBy = member.email ? `team:${data.assignTo.teamRole}` : ownerEmail ? 'fallback' : null;
  } else if (accountId) {
    await checkedAccount(db, directoryId, accountId);
  }
  const title = data.title ?? (response ? titleForResponse(response) : null);
  if (!title) throw fieldError('title', 'A title is required');
  return {
    directoryId,
    title,
    description: data.description,
    priority: data.priority,
    ownerEmail,
    accountId,
    contactId,
    responseId: data.responseId ?? null,
    source: data.source ?? defaultSource(actor),
    dueAt: data.dueAt ? new Date(data.dueAt) : null,
    tags: data.tags,
    idempotencyKey: data.idempotencyKey ?? null,
    assignedBy,
  };
}

async function insertTicket(
  tx: Tx,
  jobs: JobQueue,
  actor: Actor,
  t: PreparedTicket,
): Promise<{ row: TicketRow; created: boolean }> {
  // The directory's counter row, locked: creations in one directory take turns, so numbers are
  // consecutive and an idempotency key checked here cannot be taken by a concurrent call.
  await tx.insert(ticketDirectories).values({ directoryId: t.directoryId }).onConflictDoNothing();
  const [counter] = await tx
    .select()
    .from(ticketDirectories)
    .where(eq(ticketDirectories.directoryId, t.directoryId))
    .for('update');
  if (t.idempotencyKey) {
    const existing = await findByKey(tx, t.directoryId, t.idempotencyKey);
    if (existing) return { row: existing, created: false };
  }
  const number = counter!.lastNumber + 1;
  await tx
    .update(ticketDirectories)
    .set({ lastNumber: number })
    .where(eq(ticketDirectories.directoryId, t.directoryId));
  const now = new Date();
  const sla = { ...(await slaDaysOf(tx, t.directoryId)) };
  const [row] = await tx
    .insert(tickets)
    .values({
      directoryId: t.directoryId,
      number,
      title: t.title,
      description: t.description,
      priority: t.priority,
      ownerEmail: t.ownerEmail,
      assignment: t.ownerEmail ? 1 : 0,
      accountId: t.accountId,
      contactId: t.contactId,
      responseId: t.responseId,
      source: t.source,
      dueAt: t.dueAt ?? slaDueAt(now, t.priority, sla),
      dueFromSla: !t.dueAt,
      tags: t.tags,
      idempotencyKey: t.idempotencyKey,
      createdBy: byOf(actor),
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  const ticket = row!;
  await recordHistory(tx, ticket.id, actor, [
    {
      field: 'created',
      old: null,
      new: {
        status: ticket.status,
        priority: ticket.priority,
        ownerEmail: ticket.ownerEmail,
        dueAt: ticket.dueAt.toISOString(),
        source: ticket.source,
        ...(t.assignedBy ? { assignedBy: t.assignedBy } : {}),
      },
    },
  ]);
  await noticeAssignment(tx, jobs, actor, ticket, true);
  await emitTicketEvent(tx, 'ticket.created', ticket, {
    title: ticket.title,
    source: ticket.source,
    dueAt: ticket.dueAt.toISOString(),
  });
  await recordAudit(tx, actor, {
    action: 'ticket.created',
    targetType: 'ticket',
    targetId: ticket.id,
    details: {
      directoryId: ticket.directoryId,
      number: ticket.number,
      ownerEmail: ticket.ownerEmail,
      source: ticket.source,
      ...(ticket.responseId ? { responseId: ticket.responseId } : {}),
      ...(ticket.idempotencyKey ? { idempotencyKey: ticket.idempotencyKey } : {}),
    },
  });
  return { row: ticket, created: true };
}

/**
 * Opens a ticket in a directory: by hand (the API), or from an automation (a workflow reacting to
 * a detractor's response.completed event), which passes an `idempotencyKey` such as the event's
 * id, so that an event delivered twice opens one ticket: the second call returns the first ticket
 * with `created: false`. `assignTo: { teamRole }` picks the owner from the account's team.
 */
export async function createTicketFor(
  deps: TicketDeps,
  actor: Actor,
  directory: string | number,
  input: TicketCreateInput,
): Promise<{ ticket: TicketView; created: boolean }> {
  authorize(actor, 'data:write');
  const data = ZTicketCreate.parse(input);
  const dir = await findDirectory(deps.db.orm, directory);
  if (data.idempotencyKey) {
    const existing = await findByKey(deps.db.orm, dir.id, data.idempotencyKey);
    if (existing) return { ticket: await viewOf(deps.db.orm, existing), created: false };
  }
  const prepared = await prepareTicket(deps.db.orm, actor, dir.id, data);
  const { row, created } = await deps.db.orm.transaction((tx) =>
    insertTicket(tx, deps.jobs, actor, prepared),
  );
  return { ticket: await viewOf(deps.db.orm, row), created };
}

/** The same, inside a transaction the caller holds (the ticket exists only if it commits). */
export async function createTicketInTransaction(
  tx: Tx,
  jobs: JobQueue,
  actor: Actor,
  directoryId: number,
  input: TicketCreateInput,
): Promise<{ ticket: TicketView; created: boolean }> {
  authorize(actor, 'data:write');
  const data = ZTicketCreate.parse(input);
  const prepared = await prepareTicket(tx, actor, directoryId, data);
  const { row, created } = await insertTicket(tx, jobs, actor, prepared);
  return { ticket: await viewOf(tx, row), created };
}

// ---------------------------------------------------------------------------------------------
// Read

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** The conditions of a directory's tickets an actor may see, filtered (the list and the summary share them). */
export function ticketConditions(actor: Actor, directoryId: number, f: Partial<TicketFilters>): SQL[] {
  const where: SQL[] = [eq(tickets.directoryId, directoryId), ticketVisible(actor)];
  if (f.status) {
    const statuses = [...new Set(f.status.flatMap((s) => (s === 'active' ? [...ACTIVE_STATUSES] : [s])))];
    where.push(
      sql`${tickets.status} IN (${sql.join(
        statuses.map((s) => sql`${s}`),
        sql`, `,
      )})`,
    );
  }
  if (f.priority)
    where.push(
      sql`${tickets.priority} IN (${sql.join(
        f.priority.map((p) => sql`${p}`),
        sql`, `,
      )})`,
    );
  if (f.owner)
    where.push(f.owner === 'none' ? sql`${tickets.ownerEmail} IS NULL` : eq(tickets.ownerEmail, f.owner));
  if (f.mine) {
    if (actor.kind !== 'user') throw badRequest('mine: only a user owns tickets');
    where.push(eq(tickets.ownerEmail, actor.email.toLowerCase()));
  }
  if (f.accountId) where.push(accountInSubtree(sql`${tickets.accountId}`, f.accountId, f.subtree ?? false));
  if (f.contactId) where.push(eq(tickets.contactId, f.contactId));
  if (f.responseId) where.push(eq(tickets.responseId, f.responseId));
  if (f.overdue)
    where.push(sql`${tickets.status} IN ('open', 'in_progress', 'waiting') AND ${tickets.dueAt} < now()`);
  if (f.tag) where.push(sql`${f.tag} = ANY(${tickets.tags})`);
  if (f.q) {
    const number = /^(?:t-?|#)?(\d{1,9})$/i.exec(f.q);
    const pattern = `%${escapeLike(f.q)}%`;
    where.push(
      sql`(${tickets.title} ILIKE ${pattern} OR ${tickets.description} ILIKE ${pattern}${
        number ? sql` OR ${tickets.number} = ${Number(number[1])}` : sql``
      })`,
    );
  }
  return where;
}

const TIMESTAMP_TEXT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9:.]+([+-][0-9:]+|Z)?$/;
const badCursor = () => badRequest('The cursor is not valid: start again from the first page');

/** One page of a directory's tickets, filtered, in one of three orders, with keyset cursors. */
export async function listTickets(
  db: Executor,
  actor: Actor,
  directoryRef: string | number,
  query: TicketQuery,
) {
  authorize(actor, 'data:read');
  const directory = await findDirectory(db, directoryRef);
  const where = ticketConditions(actor, directory.id, query);
  const cursorLength = query.sort === 'priority' ? 3 : 2;
  const cursor = decodeCursor(query.cursor, cursorLength);
  if (query.cursor && !cursor) throw badCursor();
  let order: SQL[];
  if (query.sort === 'updated') {
    order = [sql`${tickets.updatedAt} DESC`, sql`${tickets.id} DESC`];
    if (cursor) {
      const [at, id] = cursor;
      if (typeof at !== 'string' || !TIMESTAMP_TEXT.test(at) || typeof id !== 'number') throw badCursor();
      where.push(sql`(${tickets.updatedAt}, ${tickets.id}) < (${at}::timestamptz, ${id})`);
    }
  } else if (query.sort === 'priority') {
    order = [sql`${tickets.priority} DESC`, sql`${tickets.dueAt} ASC`, sql`${tickets.id} ASC`];
    if (cursor) {
      const [priority, due, id] = cursor;
      if (
        !TICKET_PRIORITIES.includes(priority as TicketPriority) ||
        typeof due !== 'string' ||
        !TIMESTAMP_TEXT.test(due) ||
        typeof id !== 'number'
      )
        throw badCursor();
      where.push(sql`(${tickets.priority} < ${priority}::ticket_priority OR (${tickets.priority} = ${priority}::ticket_priority
        AND (${tickets.dueAt}, ${tickets.id}) > (${due}::timestamptz, ${id})))`);
    }
  } else {
    order = [sql`${tickets.dueAt} ASC`, sql`${tickets.id} ASC`];
    if (cursor) {
      const [due, id] = cursor;
      if (typeof due !== 'string' || !TIMESTAMP_TEXT.test(due) || typeof id !== 'number') throw badCursor();
      where.push(sql`(${tickets.dueAt}, ${tickets.id}) > (${due}::timestamptz, ${id})`);
    }
  }
  const rows = await db
    .select({
      ...getTableColumns(tickets),
      // Full precision (microseconds) for the cursor: a Date would round to milliseconds.
      dueText: sql<string>`${tickets.dueAt}::text`,
      updatedText: sql<string>`${tickets.updatedAt}::text`,
    })
    .from(tickets)
    .where(and(...where))
    .orderBy(...order)
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const refs = await loadRefs(db, page);
  const last = page.at(-1);
  const nextCursor =
    rows.length > query.limit && last
      ? encodeCursor(
          query.sort === 'updated'
            ? [last.updatedText, last.id]
            : query.sort === 'priority'
              ? [last.priority, last.dueText, last.id]
              : [last.dueText, last.id],
        )
      : null;
  const now = Date.now();
  return { items: page.map((row) => toTicketView(row, refs, now)), nextCursor };
}

/** Counts for a summary: by status, and of the tickets still being worked on, by priority and owner. */
export async function ticketSummary(
  db: Executor,
  actor: Actor,
  directoryRef: string | number,
  filters: Partial<TicketFilters>,
) {
  authorize(actor, 'data:read');
  const directory = await findDirectory(db, directoryRef);
  const { status: _status, overdue: _overdue, ...rest } = filters;
  const rows = await db
    .select({
      status: tickets.status,
      priority: tickets.priority,
      ownerEmail: tickets.ownerEmail,
      n: sql<number>`count(*)::int`,
      overdue: sql<number>`(count(*) FILTER (WHERE ${tickets.status} IN ('open', 'in_progress', 'waiting') AND ${tickets.dueAt} < now()))::int`,
    })
    .from(tickets)
    .where(and(...ticketConditions(actor, directory.id, rest)))
    .groupBy(tickets.status, tickets.priority, tickets.ownerEmail);
  const byStatus = Object.fromEntries(TICKET_STATUSES.map((s) => [s, 0])) as Record<TicketStatus, number>;
  const byPriority = Object.fromEntries(
    TICKET_PRIORITIES.map((p) => [p, { active: 0, overdue: 0 }]),
  ) as Record<TicketPriority, { active: number; overdue: number }>;
  const owners = new Map<string | null, { active: number; overdue: number }>();
  let total = 0;
  let active = 0;
  let overdue = 0;
  for (const r of rows) {
    const n = Number(r.n);
    const late = Number(r.overdue);
    total += n;
    byStatus[r.status] += n;
    if (!isActive(r.status)) continue;
    active += n;
    overdue += late;
    byPriority[r.priority].active += n;
    byPriority[r.priority].overdue += late;
    const o = owners.get(r.ownerEmail) ?? { active: 0, overdue: 0 };
    o.active += n;
    o.overdue += late;
    owners.set(r.ownerEmail, o);
  }
  const emails = [...owners.keys()].filter((e): e is string => e !== null);
  const users = await Promise.all(emails.map((e) => findUserByEmail(db, e)));
  const names = new Map(emails.map((e, i) => [e, users[i]?.name || null]));
  return {
    total,
    active,
    overdue,
    byStatus,
    byPriority,
    byOwner: [...owners.entries()]
      .map(([email, counts]) => ({
        ownerEmail: email,
        ownerName: email ? (names.get(email) ?? null) : null,
        ...counts,
      }))
      .sort(
        (a, b) =>
          b.overdue - a.overdue ||
          b.active - a.active ||
          (a.ownerEmail ?? '').localeCompare(b.ownerEmail ?? ''),
      ),
  };
}

/** A ticket with its notes, its history, the notices its owners got and its source response. */
export async function getTicket(db: Executor, actor: Actor, id: number) {
  authorize(actor, 'data:read');
  const row = await ticketRow(db, actor, id);
  const [view, notes, history, notifications, response] = await Promise.all([
    viewOf(db, row),
    db.select().from(ticketNotes).where(eq(ticketNotes.ticketId, id)).orderBy(asc(ticketNotes.id)),
    db.select().from(ticketHistory).where(eq(ticketHistory.ticketId, id)).orderBy(asc(ticketHistory.id)),
    listTicketNotifications(db, id),
    row.responseId ? getResponse(db, lookupActor, row.responseId).catch(() => null) : Promise.resolve(null),
  ]);
  return {
    ...view,
    notes: notes.map((n) => ({
      id: n.id,
      author: n.author,
      text: n.text,
      createdAt: n.createdAt.toISOString(),
    })),
    history: history.map((h) => ({
      id: h.id,
      field: h.field,
      oldValue: h.oldValue,
      newValue: h.newValue,
      by: h.by,
      at: h.at.toISOString(),
    })),
    notifications,
    response: response
      ? {
          id: response.id,
          surveyId: response.surveyId,
          status: response.status,
          npsScore: response.npsScore,
          npsCategory: response.npsCategory,
          csatScore: response.csatScore,
          completedAt: response.completedAt,
        }
      : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Change

/** Changes fields (title, description, priority, due date, tags, account, contact). */
export async function updateTicket(
  deps: TicketDeps,
  actor: Actor,
  id: number,
  input: z.input<typeof ZTicketUpdate>,
) {
  authorize(actor, 'data:write');
  const patch = ZTicketUpdate.parse(input);
  const row = await deps.db.orm.transaction(async (tx) => {
    const before = await ticketRow(tx, actor, id, true);
    const set: Partial<typeof tickets.$inferInsert> = {};
    const changes: Change[] = [];
    const change = <K extends keyof TicketRow>(
      field: K,
      value: TicketRow[K],
      shown = (v: TicketRow[K]) => v as unknown,
    ) => {
      const same =
        value instanceof Date && before[field] instanceof Date
          ? value.getTime() === (before[field] as Date).getTime()
          : JSON.stringify(value) === JSON.stringify(before[field]);
      if (same) return;
      (set as Record<string, unknown>)[field] = value;
      changes.push({ field, old: shown(before[field]), new: shown(value) });
    };
    if (patch.title !== undefined) change('title', patch.title);
    if (patch.description !== undefined) change('description', patch.description);
    if (patch.tags !== undefined) change('tags', patch.tags);
    if (patch.accountId !== undefined) {
      if (patch.accountId) await checkedAccount(tx, before.directoryId, patch.accountId);
      change('accountId', patch.accountId);
    }
    if (patch.contactId !== undefined) {
      if (patch.contactId) await checkedContact(tx, before.directoryId, patch.contactId);
      change('contactId', patch.contactId);
    }
    if (patch.priority !== undefined) change('priority', patch.priority);
    const priority = patch.priority ?? before.priority;
    const dateShown = (d: Date) => d.toISOString();
    if (patch.dueAt) {
      change('dueAt', new Date(patch.dueAt), dateShown);
      change('dueFromSla', false);
    } else if (patch.dueAt === null || (before.dueFromSla && priority !== before.priority)) {
      // Back to (or still following) the service level of the priority, from the creation.
      const sla = await slaDaysOf(tx, before.directoryId);
      change('dueAt', slaDueAt(before.createdAt, priority, sla), dateShown);
      change('dueFromSla', true);
    }
    if (changes.length === 0) return before;
    const [after] = await tx
      .update(tickets)
      .set({ ...set, updatedAt: new Date() })
      .where(eq(tickets.id, id))
      .returning();
    const visible = changes.filter((c) => c.field !== 'dueFromSla');
    await recordHistory(tx, id, actor, visible);
    await emitTicketEvent(tx, 'ticket.updated', after!, { changes: visible });
    await recordAudit(tx, actor, {
      action: 'ticket.updated',
      targetType: 'ticket',
      targetId: id,
      details: { number: after!.number, changes: visible },
    });
    return after!;
  });
  return viewOf(deps.db.orm, row);
}

/**
 * Moves a ticket to another status, if the move is allowed (TRANSITIONS). Account managers may
 * do this on the tickets they see (tickets:work).
 */
export async function transitionTicket(
  deps: TicketDeps,
  actor: Actor,
  id: number,
  input: z.input<typeof ZTransition>,
) {
  authorize(actor, 'tickets:work');
  const data = ZTransition.parse(input);
  const row = await deps.db.orm.transaction(async (tx) => {
    const before = await ticketRow(tx, actor, id, true);
    const key = ticketKey(before.number);
    if (before.status === data.status)
      throw conflict(`${key} is already ${data.status}`, { field: 'status' });
    if (!canTransition(before.status, data.status))
      throw conflict(
        `${key} cannot go from ${before.status} to ${data.status}: from ${before.status} it can go to ${TRANSITIONS[before.status].join(', ')}`,
        { field: 'status', from: before.status, to: data.status, allowed: TRANSITIONS[before.status] },
      );
    const now = new Date();
    const reopened = !isActive(before.status) && isActive(data.status);
    const [after] = await tx
      .update(tickets)
      .set({
        status: data.status,
        updatedAt: now,
        ...(data.status === 'resolved' ? { resolvedAt: now, closedAt: null } : {}),
        ...(data.status === 'closed' ? { closedAt: now, resolvedAt: before.resolvedAt ?? now } : {}),
        ...(reopened ? { resolvedAt: null, closedAt: null } : {}),
      })
      .where(eq(tickets.id, id))
      .returning();
    const ticket = after!;
    const changes = [{ field: 'status', old: before.status, new: data.status }];
    await recordHistory(tx, id, actor, changes);
    let noteId: number | null = null;
    if (data.note) noteId = await insertNote(tx, actor, id, data.note);
    await emitTicketEvent(tx, 'ticket.updated', ticket, { changes, ...(noteId ? { noteId } : {}) });
    if (data.status === 'resolved')
      await emitTicketEvent(tx, 'ticket.resolved', ticket, { from: before.status });
    if (data.status === 'closed') await emitTicketEvent(tx, 'ticket.closed', ticket, { from: before.status });
    await recordAudit(tx, actor, {
      action: 'ticket.status_changed',
      targetType: 'ticket',
      targetId: id,
      details: { number: ticket.number, from: before.status, to: data.status },
    });
    return ticket;
  });
  return viewOf(deps.db.orm, row);
}

async function insertNote(tx: Tx, actor: Actor, ticketId: number, text: string): Promise<number> {
  const [note] = await tx
    .insert(ticketNotes)
    .values({
      ticketId,
      authorUserId: actor.kind === 'user' ? actor.userId : null,
      author: byOf(actor),
      text,
    })
    .returning({ id: ticketNotes.id });
  return note!.id;
}

/** Adds an internal note. Account managers may do this on the tickets they see (tickets:work). */
export async function addTicketNote(
  db: Database,
  actor: Actor,
  id: number,
  input: z.input<typeof ZNoteCreate>,
) {
  authorize(actor, 'tickets:work');
  const data = ZNoteCreate.parse(input);
  return db.orm.transaction(async (tx) => {
    const before = await ticketRow(tx, actor, id, true);
    const noteId = await insertNote(tx, actor, id, data.text);
    const [after] = await tx
      .update(tickets)
      .set({ updatedAt: new Date() })
      .where(eq(tickets.id, id))
      .returning();
    await emitTicketEvent(tx, 'ticket.updated', after!, { noteId });
    await recordAudit(tx, actor, {
      action: 'ticket.note_added',
      targetType: 'ticket',
      targetId: id,
      details: { number: before.number, noteId },
    });
    const [note] = await tx.select().from(ticketNotes).where(eq(ticketNotes.id, noteId));
    return { id: note!.id, author: note!.author, text: note!.text, createdAt: note!.createdAt.toISOString() };
  });
}

/** Gives a ticket to someone else (by email, or the account team's member of a role); they get an email. */
export async function reassignTicket(
  deps: TicketDeps,
  actor: Actor,
  id: number,
  input: z.input<typeof ZReassign>,
) {
  authorize(actor, 'data:write');
  const data = ZReassign.parse(input);
  const row = await deps.db.orm.transaction(async (tx) => {
    const before = await ticketRow(tx, actor, id, true);
    let owner: string | null;
    if (data.teamRole) {
      if (!before.accountId)
        throw fieldError('teamRole', `${ticketKey(before.number)} has no account, so no account team`);
      const member = await teamMemberOf(tx, before.directoryId, before.accountId, data.teamRole);
      if (!member.email)
        throw fieldError(
          'teamRole',
          `Nobody on the team of ${member.account.displayName} is ${data.teamRole}`,
        );
      owner = member.email;
    } else {
      owner = data.ownerEmail ?? null;
    }
    if (owner === before.ownerEmail) return before;
    const [after] = await tx
      .update(tickets)
      .set({ ownerEmail: owner, assignment: sql`${tickets.assignment} + 1`, updatedAt: new Date() })
      .where(eq(tickets.id, id))
      .returning();
    const ticket = after!;
    const changes = [{ field: 'ownerEmail', old: before.ownerEmail, new: owner }];
    await recordHistory(tx, id, actor, changes);
    await noticeAssignment(tx, deps.jobs, actor, ticket, false);
    await emitTicketEvent(tx, 'ticket.updated', ticket, { changes });
    await recordAudit(tx, actor, {
      action: 'ticket.reassigned',
      targetType: 'ticket',
      targetId: id,
      details: { number: ticket.number, from: before.ownerEmail, to: owner },
    });
    return ticket;
  });
  return viewOf(deps.db.orm, row);
}

export async function deleteTicket(db: Database, actor: Actor, id: number) {
  authorize(actor, 'data:write');
  await db.orm.transaction(async (tx) => {
    const before = await ticketRow(tx, actor, id, true);
    await tx.delete(tickets).where(eq(tickets.id, id));
    await emitTicketEvent(tx, 'ticket.deleted', before);
    await recordAudit(tx, actor, {
      action: 'ticket.deleted',
      targetType: 'ticket',
      targetId: id,
      details: { directoryId: before.directoryId, number: before.number, title: before.title },
    });
  });
}
