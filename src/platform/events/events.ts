import { and, asc, eq, gt, like, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { domainEvents } from './events.schema.ts';

/** Every event type a domain emits; a new one is added here so readers can rely on the list. */
export const EVENT_TYPES = [
  'response.created',
  'response.completed',
  'response.deleted',
  'distribution.completed',
  'ticket.created',
  'ticket.updated',
  'ticket.resolved',
  'ticket.closed',
  'ticket.overdue',
  'ticket.deleted',
  'salesforce.outbound_message',
  'import.completed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Call inside the transaction that makes the change the event reports. */
export async function emitEvent(
  executor: Executor,
  type: EventType,
  subject: string,
  payload: Record<string, unknown>,
): Promise<void> {
  await executor.insert(domainEvents).values({ type, subject, payload });
}

export interface EventQuery {
  /** Exact type, or a prefix ending in "." ("response.") for a family. */
  type?: string | undefined;
  subject?: string | undefined;
  after?: number | undefined;
  limit: number;
}

/** Events in the order they happened, from a reader's cursor (the last id it saw). */
export async function readEvents(executor: Executor, query: EventQuery) {
  const where: SQL[] = [];
  if (query.type)
    where.push(
      query.type.endsWith('.')
        ? like(domainEvents.type, `${query.type}%`)
        : eq(domainEvents.type, query.type),
    );
  if (query.subject) where.push(eq(domainEvents.subject, query.subject));
  if (query.after) where.push(gt(domainEvents.id, query.after));
  const rows = await executor
    .select()
    .from(domainEvents)
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(domainEvents.id))
    .limit(query.limit);
  return {
    items: rows.map((r) => ({
      id: r.id,
      type: r.type,
      subject: r.subject,
      payload: r.payload,
      at: r.at.toISOString(),
    })),
    nextCursor: rows.length === query.limit ? String(rows.at(-1)!.id) : null,
  };
}
