import { and, asc, eq, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Executor } from '../platform/db/database.ts';
import { conflict, forbidden, notFound } from '../platform/errors.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { dashboards } from './dashboards.schema.ts';
import {
  type DashboardInput,
  overviewTemplate,
  TEMPLATES,
  VISIBILITIES,
  type Widget,
  ZDashboardInput,
} from './model.ts';

/**
 * Dashboards of a directory. Reading needs data:read (and, for a personal dashboard, being its
 * owner); changing needs data:write (a personal dashboard: its owner only). What each widget
 * shows is scoped to the viewer separately (widget-data.ts): an account manager reads a shared
 * dashboard with their accounts' data only.
 */

export type DashboardRow = typeof dashboards.$inferSelect;

const actorName = (actor: Actor) => (actor.kind === 'user' ? actor.email : actor.label);
const ownerOf = (actor: Actor) => (actor.kind === 'user' ? actor.userId : null);

export function canRead(actor: Actor, row: DashboardRow): boolean {
  if (row.visibility === 'shared' || actor.kind === 'system') return true;
  return actor.userId === row.ownerUserId;
}

function assertCanEdit(actor: Actor, row: DashboardRow) {
  authorize(actor, 'data:write');
  if (!canRead(actor, row)) throw notFound(`No dashboard ${row.id}`);
  if (row.visibility === 'personal' && actor.kind === 'user' && actor.userId !== row.ownerUserId)
    throw forbidden('Only its owner changes a personal dashboard');
}

export const toPublicDashboard = (row: DashboardRow) => ({
  id: row.id,
  directoryId: row.directoryId,
  name: row.name,
  description: row.description,
  visibility: row.visibility,
  ownerUserId: row.ownerUserId,
  template: row.template,
  filters: row.filters,
  pages: row.pages,
  version: row.version,
  createdBy: row.createdBy,
  updatedBy: row.updatedBy,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});
export type PublicDashboard = ReturnType<typeof toPublicDashboard>;

/** A dashboard row this actor may read (404 for one of another directory's or someone's personal one). */
export async function readableDashboard(db: Executor, actor: Actor, id: number): Promise<DashboardRow> {
  authorize(actor, 'data:read');
  const [row] = await db.select().from(dashboards).where(eq(dashboards.id, id));
  if (!row || !canRead(actor, row)) throw notFound(`No dashboard ${id}`);
  return row;
}

export async function getDashboard(db: Executor, actor: Actor, id: number) {
  return toPublicDashboard(await readableDashboard(db, actor, id));
}

/** The directory's shared dashboards and the actor's personal ones, by name. */
export async function listDashboards(db: Executor, actor: Actor, directoryId: number) {
  authorize(actor, 'data:read');
  const mine = actor.kind === 'user' ? eq(dashboards.ownerUserId, actor.userId) : sql`true`;
  const rows = await db
    .select()
    .from(dashboards)
    .where(and(eq(dashboards.directoryId, directoryId), or(eq(dashboards.visibility, 'shared'), mine)))
    .orderBy(asc(sql`lower(${dashboards.name})`), asc(dashboards.id));
  return {
    items: rows.map((row) => ({
      id: row.id,
      name: row.name,
      description: row.description,
      visibility: row.visibility,
      template: row.template,
      pages: row.pages.length,
      widgets: row.pages.reduce((n, p) => n + p.widgets.length, 0),
      mine: actor.kind === 'user' && row.ownerUserId === actor.userId,
      updatedBy: row.updatedBy,
      updatedAt: row.updatedAt.toISOString(),
    })),
  };
}

export async function createDashboard(
  db: Database,
  actor: Actor,
  directoryId: number,
  raw: unknown,
  template: string | null = null,
) {
  authorize(actor, 'data:write');
  const input = ZDashboardInput.parse(raw);
  return db.orm.transaction(async (tx) => {
    const [row] = await tx
      .insert(dashboards)
      .values({
        directoryId,
        name: input.name,
        description: input.description,
        visibility: input.visibility,
        ownerUserId: ownerOf(actor),
        filters: input.filters,
        pages: input.pages,
        template,
        createdBy: actorName(actor),
        updatedBy: actorName(actor),
      })
      .returning();
    await recordAudit(tx, actor, {
      action: 'dashboard.created',
      targetType: 'dashboard',
      targetId: row!.id,
      details: { name: input.name, visibility: input.visibility, ...(template ? { template } : {}) },
    });
    return toPublicDashboard(row!);
  });
}

export const ZFromTemplate = z.object({
  template: z.enum(TEMPLATES).default('overview'),
  /** The UI names it in its user's language. */
  name: z.string().trim().min(1).max(200).default('Account experience overview'),
  visibility: z.enum(VISIBILITIES).default('shared'),
});

/** A new dashboard from a template (the default "Account experience overview"). */
export async function createFromTemplate(db: Database, actor: Actor, directoryId: number, raw: unknown) {
  const input = ZFromTemplate.parse(raw);
  const made = overviewTemplate();
  return createDashboard(
    db,
    actor,
    directoryId,
    { ...made, name: input.name, visibility: input.visibility } satisfies Omit<DashboardInput, 'version'>,
    input.template,
  );
}

export async function updateDashboard(db: Database, actor: Actor, id: number, raw: unknown) {
  const input = ZDashboardInput.parse(raw);
  return db.orm.transaction(async (tx) => {
    const [current] = await tx.select().from(dashboards).where(eq(dashboards.id, id)).for('update');
    if (!current) throw notFound(`No dashboard ${id}`);
    assertCanEdit(actor, current);
    if (input.version !== undefined && input.version !== current.version)
      throw conflict(
        `The dashboard was changed by ${current.updatedBy} since you opened it: reload it to see the changes`,
        { version: current.version },
      );
    // Making a shared dashboard personal hides it from everyone else: only its owner may.
    if (
      input.visibility === 'personal' &&
      current.visibility === 'shared' &&
      actor.kind === 'user' &&
      current.ownerUserId !== actor.userId
    )
      throw forbidden('Only its owner makes a shared dashboard personal');
    const [row] = await tx
      .update(dashboards)
      .set({
        name: input.name,
        description: input.description,
        visibility: input.visibility,
        filters: input.filters,
        pages: input.pages,
        version: current.version + 1,
        updatedBy: actorName(actor),
        updatedAt: new Date(),
      })
      .where(eq(dashboards.id, id))
      .returning();
    await recordAudit(tx, actor, {
      action: 'dashboard.updated',
      targetType: 'dashboard',
      targetId: id,
      details: { name: input.name, visibility: input.visibility, version: row!.version },
    });
    return toPublicDashboard(row!);
  });
}

export async function deleteDashboard(db: Database, actor: Actor, id: number) {
  await db.orm.transaction(async (tx) => {
    const [current] = await tx.select().from(dashboards).where(eq(dashboards.id, id)).for('update');
    if (!current) throw notFound(`No dashboard ${id}`);
    assertCanEdit(actor, current);
    await tx.delete(dashboards).where(eq(dashboards.id, id));
    await recordAudit(tx, actor, {
      action: 'dashboard.deleted',
      targetType: 'dashboard',
      targetId: id,
      details: { name: current.name },
    });
  });
}

/** A widget of the dashboard, with the page it is on. */
export function findWidget(row: DashboardRow, widgetId: string): { widget: Widget; pageId: string } {
  for (const page of row.pages) {
    const widget = page.widgets.find((w) => w.id === widgetId);
    if (widget) return { widget, pageId: page.id };
  }
  throw notFound(`No widget "${widgetId}" in dashboard ${row.id}`);
}

export function findPage(row: DashboardRow, pageId: string) {
  const page = row.pages.find((p) => p.id === pageId);
  if (!page) throw notFound(`No page "${pageId}" in dashboard ${row.id}`);
  return page;
}
