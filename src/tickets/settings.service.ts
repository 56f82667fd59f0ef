import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { findDirectory } from '../directory/directories.service.ts';
import type { Database, Executor } from '../platform/db/database.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { DEFAULT_SLA_DAYS, TICKET_PRIORITIES, type TicketPriority } from './model.ts';
import { ticketDirectories } from './tickets.schema.ts';

const ZDays = (priority: TicketPriority) =>
  z
    .number({ error: `${priority}: expected a number of days` })
    .positive({ error: `${priority}: the number of days must be above 0` })
    .max(365, { error: `${priority}: at most 365 days` });

/** Days to resolve a ticket, per priority; fractions are hours (0.5 = 12 hours). */
export const ZSlaDays = z
  .object(
    Object.fromEntries(TICKET_PRIORITIES.map((p) => [p, ZDays(p)])) as Record<TicketPriority, z.ZodNumber>,
  )
  .strict();

export const ZTicketSettingsUpdate = z.object({
  /** Omitted priorities keep their current value; null goes back to the defaults. */
  slaDays: ZSlaDays.partial().nullable(),
});

/** The service levels a directory's new tickets get their due date from. */
export async function slaDaysOf(db: Executor, directoryId: number): Promise<Record<TicketPriority, number>> {
  const [row] = await db
    .select({ slaDays: ticketDirectories.slaDays })
    .from(ticketDirectories)
    .where(eq(ticketDirectories.directoryId, directoryId));
  return { ...DEFAULT_SLA_DAYS, ...(row?.slaDays ?? {}) };
}

export async function getTicketSettings(db: Executor, actor: Actor, directoryRef: string | number) {
  authorize(actor, 'data:read');
  const directory = await findDirectory(db, directoryRef);
  const [row] = await db
    .select()
    .from(ticketDirectories)
    .where(eq(ticketDirectories.directoryId, directory.id));
  return {
    directoryId: directory.id,
    slaDays: { ...DEFAULT_SLA_DAYS, ...(row?.slaDays ?? {}) },
    defaults: DEFAULT_SLA_DAYS,
    custom: !!row?.slaDays,
    updatedAt: row?.slaDays ? row.updatedAt.toISOString() : null,
    updatedBy: row?.slaDays ? row.updatedBy : null,
  };
}

/**
 * Changes the service levels new tickets (and tickets whose priority changes later) get their due
 * date from; due dates already set stay as they are.
 */
export async function updateTicketSettings(
  db: Database,
  actor: Actor,
  directoryRef: string | number,
  input: z.input<typeof ZTicketSettingsUpdate>,
) {
  authorize(actor, 'data:write');
  const data = ZTicketSettingsUpdate.parse(input);
  const directory = await findDirectory(db.orm, directoryRef);
  const by = actor.kind === 'user' ? actor.email : `system:${actor.label}`;
  await db.orm.transaction(async (tx) => {
    const current = await slaDaysOf(tx, directory.id);
    const slaDays = data.slaDays === null ? null : { ...current, ...data.slaDays };
    await tx
      .insert(ticketDirectories)
      .values({ directoryId: directory.id, slaDays, updatedBy: by })
      .onConflictDoUpdate({
        target: ticketDirectories.directoryId,
        set: { slaDays, updatedBy: by, updatedAt: sql`now()` },
      });
    await recordAudit(tx, actor, {
      action: 'ticket_settings.updated',
      targetType: 'directory',
      targetId: directory.id,
      details: { slaDays },
    });
  });
  return getTicketSettings(db.orm, actor, directory.id);
}
