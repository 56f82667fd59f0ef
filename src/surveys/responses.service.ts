import { and, desc, eq, gte, lt, lte, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Database, Executor } from '../platform/db/database.ts';
import { notFound } from '../platform/errors.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { responses } from './surveys.schema.ts';

export const ZResponseQuery = z.object({
  status: z.enum(['partial', 'complete']).optional(),
  contactId: z.coerce.number().int().positive().optional(),
  accountId: z.coerce.number().int().positive().optional(),
  npsCategory: z.enum(['detractor', 'passive', 'promoter']).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.coerce.number().int().positive().optional(),
});

type ResponseRow = typeof responses.$inferSelect;

export function toPublicResponse(row: ResponseRow) {
  return {
    id: row.id,
    surveyId: row.surveyId,
    version: row.version,
    status: row.status,
    contactId: row.contactId,
    accountId: row.accountId,
    distributionId: row.distributionId,
    channel: row.channel,
    language: row.language,
    answers: row.answers,
    embedded: row.embedded,
    npsScore: row.npsScore,
    npsCategory: row.npsCategory,
    csatScore: row.csatScore === null ? null : Number(row.csatScore),
    csatSatisfied: row.csatSatisfied,
    externalRef: row.externalRef,
    startedAt: row.startedAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}

/** A survey's responses, newest first, filtered; cursor = the last id seen. */
export async function listResponses(
  db: Executor,
  actor: Actor,
  surveyId: number,
  query: z.output<typeof ZResponseQuery>,
) {
  authorize(actor, 'data:read');
  const where: SQL[] = [eq(responses.surveyId, surveyId)];
  if (query.status) where.push(eq(responses.status, query.status));
  if (query.contactId) where.push(eq(responses.contactId, query.contactId));
  if (query.accountId) where.push(eq(responses.accountId, query.accountId));
  if (query.npsCategory) where.push(eq(responses.npsCategory, query.npsCategory));
  if (query.from) where.push(gte(responses.startedAt, new Date(query.from)));
  if (query.to) where.push(lte(responses.startedAt, new Date(query.to)));
  if (query.cursor) where.push(lt(responses.id, query.cursor));
  const rows = await db
    .select()
    .from(responses)
    .where(and(...where))
    .orderBy(desc(responses.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  return {
    items: page.map(toPublicResponse),
    nextCursor: rows.length > query.limit ? String(page.at(-1)!.id) : null,
  };
}

export async function getResponse(db: Executor, actor: Actor, id: number) {
  authorize(actor, 'data:read');
  const [row] = await db.select().from(responses).where(eq(responses.id, id));
  if (!row) throw notFound(`No response ${id}`);
  return toPublicResponse(row);
}

export async function deleteResponse(db: Database, actor: Actor, id: number) {
  authorize(actor, 'data:write');
  await db.orm.transaction(async (tx) => {
    const [row] = await tx.delete(responses).where(eq(responses.id, id)).returning();
    if (!row) throw notFound(`No response ${id}`);
    await recordAudit(tx, actor, {
      action: 'response.deleted',
      targetType: 'response',
      targetId: id,
      details: { surveyId: row.surveyId, contactId: row.contactId, status: row.status },
    });
  });
}
