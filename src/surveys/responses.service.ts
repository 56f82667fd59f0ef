import { and, desc, eq, gte, lt, lte, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  type AccountRef,
  accountsByIds,
  type ContactRef,
  contactsByIds,
} from '../directory/lookups.service.ts';
import { accountVisible } from '../directory/scope.ts';
import type { Database, Executor } from '../platform/db/database.ts';
import { notFound, validationFailed } from '../platform/errors.ts';
import { emitEvent } from '../platform/events/events.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { responses } from './surveys.schema.ts';

export const ZResponseQuery = z.object({
  status: z.enum(['partial', 'complete']).optional(),
  contactId: z.coerce.number().int().positive().optional(),
  accountId: z.coerce.number().int().positive().optional(),
  npsCategory: z.enum(['detractor', 'passive', 'promoter']).optional(),
  /** CSAT as stored: the answer's share of its scale, 0–100 (a 4 on 1–5 is 75). */
  csatMin: z.coerce.number().min(0).max(100).optional(),
  csatMax: z.coerce.number().min(0).max(100).optional(),
  /** Satisfied: an answer in the top two points of its scale. */
  csat: z.enum(['satisfied', 'unsatisfied']).optional(),
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

/** The contacts and accounts of some responses, by id: one directory lookup each, whatever their number. */
export async function directoryRefs(db: Executor, rows: ResponseRow[]) {
  const [contacts, accounts] = await Promise.all([
    contactsByIds(
      db,
      rows.flatMap((r) => (r.contactId === null ? [] : [r.contactId])),
    ),
    accountsByIds(
      db,
      rows.flatMap((r) => (r.accountId === null ? [] : [r.accountId])),
    ),
  ]);
  return { contacts, accounts };
}
export type DirectoryRefs = { contacts: Map<number, ContactRef>; accounts: Map<number, AccountRef> };

/** A response as the API shows it, its contact and account named as the directory knows them. */
export function toNamedResponse(row: ResponseRow, refs: DirectoryRefs) {
  return {
    ...toPublicResponse(row),
    contact: (row.contactId === null ? undefined : refs.contacts.get(row.contactId)) ?? null,
    account: (row.accountId === null ? undefined : refs.accounts.get(row.accountId)) ?? null,
  };
}

export type ResponseFilters = Omit<z.output<typeof ZResponseQuery>, 'limit' | 'cursor'>;

/** What the query's schema cannot check field by field; called before anything is read or sent. */
export function checkResponseFilters(query: ResponseFilters): void {
  if (query.csatMin !== undefined && query.csatMax !== undefined && query.csatMin > query.csatMax)
    throw validationFailed('The CSAT range is empty', [
      { path: 'csatMin', message: `expected at most csatMax (${query.csatMax}), got ${query.csatMin}` },
    ]);
}

/**
 * The conditions of a survey's responses an actor may see, filtered (the list and the export share
 * them). An account manager sees only responses whose account is visible to them: a response with
 * no account belongs to no team, so it is not theirs to see.
 */
export function responseConditions(actor: Actor, surveyId: number, query: ResponseFilters): SQL[] {
  const where: SQL[] = [eq(responses.surveyId, surveyId), accountVisible(actor, sql`${responses.accountId}`)];
  if (query.status) where.push(eq(responses.status, query.status));
  if (query.contactId) where.push(eq(responses.contactId, query.contactId));
  if (query.accountId) where.push(eq(responses.accountId, query.accountId));
  if (query.npsCategory) where.push(eq(responses.npsCategory, query.npsCategory));
  if (query.csatMin !== undefined) where.push(gte(responses.csatScore, query.csatMin));
  if (query.csatMax !== undefined) where.push(lte(responses.csatScore, query.csatMax));
  if (query.csat) where.push(eq(responses.csatSatisfied, query.csat === 'satisfied'));
  if (query.from) where.push(gte(responses.startedAt, new Date(query.from)));
  if (query.to) where.push(lte(responses.startedAt, new Date(query.to)));
  return where;
}

/** A survey's responses, newest first, filtered; cursor = the last id seen. */
export async function listResponses(
  db: Executor,
  actor: Actor,
  surveyId: number,
  query: z.output<typeof ZResponseQuery>,
) {
  authorize(actor, 'data:read');
  checkResponseFilters(query);
  const where = responseConditions(actor, surveyId, query);
  if (query.cursor) where.push(lt(responses.id, query.cursor));
  const rows = await db
    .select()
    .from(responses)
    .where(and(...where))
    .orderBy(desc(responses.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const refs = await directoryRefs(db, page);
  return {
    items: page.map((row) => toNamedResponse(row, refs)),
    nextCursor: rows.length > query.limit ? String(page.at(-1)!.id) : null,
  };
}

export async function getResponse(db: Executor, actor: Actor, id: number) {
  authorize(actor, 'data:read');
  const [row] = await db
    .select()
    .from(responses)
    .where(and(eq(responses.id, id), accountVisible(actor, sql`${responses.accountId}`)));
  if (!row) throw notFound(`No response ${id}`);
  return toNamedResponse(row, await directoryRefs(db, [row]));
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
    // Readers of the outbox drop what the response fed (account health recomputes its account).
    await emitEvent(tx, 'response.deleted', `response:${id}`, {
      responseId: id,
      surveyId: row.surveyId,
      version: row.version,
      contactId: row.contactId,
      accountId: row.accountId,
      distributionId: row.distributionId,
      status: row.status,
      npsCategory: row.npsCategory,
    });
  });
}
