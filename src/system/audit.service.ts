import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Executor } from '../platform/db/database.ts';
import { type Actor, actorLabel, authorize } from '../users/roles.ts';
import { auditEvents } from './system.schema.ts';

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId?: string | number | null;
  details?: Record<string, unknown>;
}

/** Call inside the transaction that makes the change. Never put secrets in `details`. */
export async function recordAudit(executor: Executor, actor: Actor, entry: AuditEntry): Promise<void> {
  await executor.insert(auditEvents).values({
    actorUserId: actor.kind === 'user' ? actor.userId : null,
    actorLabel: actorLabel(actor),
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId === undefined || entry.targetId === null ? null : String(entry.targetId),
    details: entry.details ?? {},
    ip: actor.kind === 'user' ? (actor.ip ?? null) : null,
  });
}

export interface AuditQuery {
  targetType?: string | undefined;
  targetId?: string | undefined;
  before?: number | undefined;
  limit: number;
}

export async function listAuditEvents(executor: Executor, actor: Actor, query: AuditQuery) {
  authorize(actor, 'audit:read');
  const where: SQL[] = [];
  if (query.targetType) where.push(eq(auditEvents.targetType, query.targetType));
  if (query.targetId) where.push(eq(auditEvents.targetId, query.targetId));
  if (query.before) where.push(lt(auditEvents.id, query.before));
  const rows = await executor
    .select()
    .from(auditEvents)
    .where(and(...where))
    .orderBy(desc(auditEvents.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit).map((row) => ({ ...row, at: row.at.toISOString() }));
  return { items, nextCursor: rows.length > query.limit ? String(items.at(-1)?.id) : null };
}
