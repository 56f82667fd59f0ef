import { and, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { findDirectory } from '../../directory/directories.service.ts';
import type { Database, Executor } from '../../platform/db/database.ts';
import { queryOne, queryRows } from '../../platform/db/database.ts';
import { AppError, notFound, validationFailed } from '../../platform/errors.ts';
import { listResponses } from '../../surveys/responses.service.ts';
import { recordAudit } from '../../system/audit.service.ts';
import { type Actor, actorLabel, authorize } from '../../users/roles.ts';
import { SalesforceClient } from '../client/sf-client.ts';
import { describeFailure } from '../client/sf-errors.ts';
import { getConnectionRow } from '../connections/connections.service.ts';
import { openConnection } from '../connections/open-connection.ts';
import { salesforceLeadForms, salesforceLeadSubmissions } from '../salesforce.schema.ts';
import { conditionHolds, fieldValue, render, templateProblems } from '../writeback/templates.ts';
import { responseData, type WritebackDeps, type WritebackSource } from '../writeback/writeback.service.ts';

/** Where Salesforce's generated Web-to-Lead HTML posts. */
export const WEB_TO_LEAD_URL = 'https://webto.salesforce.com/servlet/servlet.WebToLead?encoding=UTF-8';
/** Salesforce's Web-to-Lead allowance: 500 leads per org in 24 hours (more are queued, then dropped). */
export const WEB_TO_LEAD_DAILY_LIMIT = 500;

export const ZLeadFormInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    connectionId: z.number().int().positive(),
    /** api: sObject create (Lead fields); form: the org's Web-to-Lead form post (input names). */
    mode: z.enum(['api', 'form']),
    formUrl: z
      .url({ protocol: /^https?$/ })
      .nullable()
      .default(null),
    /**
     * api: { LastName: '{{ contact.lastName }}', Company: … }. form: the generated form's input names —
     * first_name, last_name, email, company, lead_source …, custom fields by their Id (00N…).
     */
    fields: z.record(z.string().regex(/^\w{1,80}$/), z.string().max(10_000)),
    condition: z.string().trim().max(2000).nullable().default(null),
    dailyLimit: z.number().int().min(1).max(WEB_TO_LEAD_DAILY_LIMIT).default(WEB_TO_LEAD_DAILY_LIMIT),
  })
  .refine((f) => Object.keys(f.fields).length > 0, { error: 'map at least one field', path: ['fields'] });

type FormRow = typeof salesforceLeadForms.$inferSelect;

const toPublicForm = (row: FormRow) => ({
  id: row.id,
  directoryId: row.directoryId,
  connectionId: row.connectionId,
  name: row.name,
  mode: row.mode as 'api' | 'form',
  formUrl: row.formUrl,
  fields: row.fields as Record<string, string>,
  condition: row.condition,
  dailyLimit: row.dailyLimit,
  createdAt: row.createdAt.toISOString(),
});

export async function createLeadForm(
  deps: WritebackDeps,
  actor: Actor,
  directory: string | number,
  raw: unknown,
) {
  authorize(actor, 'data:write');
  const dir = await findDirectory(deps.db.orm, directory);
  const input = ZLeadFormInput.parse(raw);
  const problems = templateProblems(input.fields, input.condition);
  if (problems.length) throw validationFailed('The lead form cannot be saved as it is', problems);
  const connection = await getConnectionRow(deps.db.orm, input.connectionId);
  if (!connection.orgId)
    throw validationFailed('The connection is not connected yet', [
      { path: 'connectionId', message: 'authorize it first' },
    ]);
  return deps.db.orm.transaction(async (tx) => {
    const [row] = await tx
      .insert(salesforceLeadForms)
      .values({ ...input, directoryId: dir.id, createdBy: actorLabel(actor) })
      .returning();
    await recordAudit(tx, actor, {
      action: 'salesforce.lead_form_created',
      targetType: 'salesforce_lead_form',
      targetId: row!.id,
      details: { name: input.name, mode: input.mode },
    });
    return toPublicForm(row!);
  });
}

/** Form posts that count against an org's 500 a day: the last 24 hours, failed ones aside. */
const countsToday = (s: 's' | 'salesforce_lead_submissions') =>
  sql.raw(`${s}.mode = 'form' AND ${s}.status <> 'failed' AND ${s}.created_at > now() - interval '24 hours'`);

/**
 * A directory's lead forms, each with the form posts of the last 24 hours — its own and its org's
 * (the limit is the org's, whatever form or directory sent them).
 */
export async function listLeadForms(db: Executor, actor: Actor, directory: string | number) {
  authorize(actor, 'data:read');
  const dir = await findDirectory(db, directory);
  const rows = await db
    .select()
    .from(salesforceLeadForms)
    .where(eq(salesforceLeadForms.directoryId, dir.id))
    .orderBy(salesforceLeadForms.id);
  const perForm = await queryRows<{ form_id: number; n: number }>(
    db,
    sql`SELECT form_id, count(*)::int AS n FROM salesforce_lead_submissions
        WHERE ${countsToday('salesforce_lead_submissions')} AND form_id IN (SELECT id FROM salesforce_lead_forms WHERE directory_id = ${dir.id})
        GROUP BY form_id`,
  );
  const perOrg = await queryRows<{ connection_id: number; n: number }>(
    db,
    sql`SELECT c.id AS connection_id, count(s.id)::int AS n FROM salesforce_connections c
        JOIN salesforce_lead_submissions s ON s.org_id = c.org_id AND ${countsToday('s')}
        WHERE c.id IN (SELECT connection_id FROM salesforce_lead_forms WHERE directory_id = ${dir.id})
        GROUP BY c.id`,
  );
  const formCount = new Map(perForm.map((r) => [Number(r.form_id), Number(r.n)]));
  const orgCount = new Map(perOrg.map((r) => [Number(r.connection_id), Number(r.n)]));
  return rows.map((row) => ({
    ...toPublicForm(row),
    sentLast24Hours: formCount.get(row.id) ?? 0,
    orgSentLast24Hours: row.connectionId ? (orgCount.get(row.connectionId) ?? 0) : 0,
  }));
}

/**
 * Deletes a lead form and what it sent. Refused while its form posts of the last 24 hours still
 * count against the org's 500 a day: deleting them would let the other forms go over the limit.
 */
export async function deleteLeadForm(db: Database, actor: Actor, id: number) {
  authorize(actor, 'data:write');
  const form = await getForm(db.orm, id);
  const recent = await queryOne<{ n: number; oldest: Date | null }>(
    db.orm,
    sql`SELECT count(*)::int AS n, min(created_at) AS oldest FROM salesforce_lead_submissions
        WHERE form_id = ${id} AND ${countsToday('salesforce_lead_submissions')}`,
  );
  if (Number(recent?.n ?? 0) > 0) {
    const freeAt = new Date(new Date(recent!.oldest!).getTime() + 86_400_000).toISOString();
    throw new AppError(
      409,
      'conflict',
      `${recent!.n} lead(s) sent through this form in the last 24 hours still count toward the org's ${WEB_TO_LEAD_DAILY_LIMIT} a day; ` +
        `the form can be deleted once they no longer do (from ${freeAt}).`,
      { recent: Number(recent!.n), freeAt },
    );
  }
  await db.orm.transaction(async (tx) => {
    await tx.delete(salesforceLeadForms).where(eq(salesforceLeadForms.id, id));
    await recordAudit(tx, actor, {
      action: 'salesforce.lead_form_deleted',
      targetType: 'salesforce_lead_form',
      targetId: id,
      details: { name: form.name },
    });
  });
  return { deleted: true };
}

async function getForm(db: Executor, id: number) {
  const [row] = await db.select().from(salesforceLeadForms).where(eq(salesforceLeadForms.id, id));
  if (!row) throw notFound(`No lead form ${id}`);
  return row;
}

export class WebToLeadLimitError extends AppError {
  constructor(message: string, details: unknown) {
    super(429, 'web_to_lead_limit', message, details);
  }
}

export interface LeadOutcome {
  sourceKey: string;
  status: 'sent' | 'created' | 'skipped' | 'already_sent' | 'failed' | 'in_doubt';
  leadId: string | null;
  message: string | null;
}

/**
 * Creates a Lead from one source record (a response): through the API (sObject create), or as the
 * org's Web-to-Lead form would (a form post with oid and the generated form's input names).
 * Each source record is sent once. Form posts count against the org's 500 a day (the last 24
 * hours, every form of the org): the 501st is refused with a clear error instead of being queued
 * by Salesforce and silently dropped.
 */
export async function submitLead(
  deps: WritebackDeps,
  formId: number,
  source: WritebackSource,
): Promise<LeadOutcome> {
  const { db } = deps;
  const form = await getForm(db.orm, formId);
  if (!form.connectionId) throw new AppError(409, 'conflict', 'The lead form has no Salesforce connection');
  const connection = await getConnectionRow(db.orm, form.connectionId);
  const orgId = connection.orgId;
  if (!orgId) throw new AppError(409, 'conflict', 'The Salesforce connection is not authorized');
  const outcome = (
    status: LeadOutcome['status'],
    leadId: string | null = null,
    message: string | null = null,
  ) => ({
    sourceKey: source.key,
    status,
    leadId,
    message,
  });
  if (!conditionHolds(form.condition, source.data)) return outcome('skipped', null, 'condition not met');
  const fields = Object.fromEntries(
    Object.entries(form.fields as Record<string, string>).map(([name, template]) => [
      name,
      render(template, source.data),
    ]),
  );

  // Reserve the submission (and, for a form post, a slot of the day) before anything is sent.
  const reserved = await db.orm.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(7262, hashtext(${orgId}))`);
    const [existing] = await tx
      .select()
      .from(salesforceLeadSubmissions)
      .where(
        and(
          eq(salesforceLeadSubmissions.formId, form.id),
          eq(salesforceLeadSubmissions.sourceKey, source.key),
        ),
      );
    if (existing && existing.status !== 'failed') return { existing };
    if (form.mode === 'form') {
      const counted = await queryOne<{ n: number; oldest: Date | null }>(
        tx,
        sql`SELECT count(*)::int AS n, min(created_at) AS oldest FROM salesforce_lead_submissions
            WHERE org_id = ${orgId} AND mode = 'form' AND status <> 'failed'
              AND created_at > now() - interval '24 hours'`,
      );
      const used = Number(counted?.n ?? 0);
      if (used >= form.dailyLimit) {
        const freeAt = counted?.oldest ? new Date(new Date(counted.oldest).getTime() + 86_400_000) : null;
        throw new WebToLeadLimitError(
          `Web-to-Lead limit reached: ${used} leads were sent to this org in the last 24 hours and the limit is ${form.dailyLimit} a day. ` +
            `This lead was not sent${freeAt ? `; the next slot frees at ${freeAt.toISOString()}` : ''}.`,
          { used, limit: form.dailyLimit, freeAt: freeAt?.toISOString() ?? null },
        );
      }
    }
    if (existing) {
      await tx
        .update(salesforceLeadSubmissions)
        .set({ status: 'sending', message: null, createdAt: new Date() })
        .where(eq(salesforceLeadSubmissions.id, existing.id));
      return { id: existing.id };
    }
    const [row] = await tx
      .insert(salesforceLeadSubmissions)
      .values({ formId: form.id, orgId, sourceKey: source.key, mode: form.mode, status: 'sending' })
      .returning();
    return { id: row!.id };
  });
  if ('existing' in reserved) {
    const e = reserved.existing!;
    return outcome(
      e.status === 'sending' ? 'in_doubt' : 'already_sent',
      e.leadId,
      e.status === 'sending' ? 'an earlier attempt was interrupted' : 'sent before',
    );
  }
  const finish = (status: string, leadId: string | null, message: string | null) =>
    db.orm
      .update(salesforceLeadSubmissions)
      .set({ status, leadId, message })
      .where(eq(salesforceLeadSubmissions.id, reserved.id));

  try {
    if (form.mode === 'form') {
      const body = new URLSearchParams({ oid: orgId.slice(0, 15), encoding: 'UTF-8' });
      for (const [name, value] of Object.entries(fields)) if (value !== '') body.set(name, value);
      const response = await fetch(form.formUrl ?? WEB_TO_LEAD_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(30_000),
      });
      await response.arrayBuffer();
      if (response.status >= 400) throw new Error(`The Web-to-Lead form answered HTTP ${response.status}`);
      await finish('sent', null, null);
      return outcome('sent');
    }
    const client = new SalesforceClient(openConnection(deps, connection));
    const lead = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, fieldValue(v, undefined)]));
    const result = await client.call('creating a Lead', (conn) => conn.sobject('Lead').create(lead), {
      idempotent: false,
    });
    if (!result.success) {
      const message = result.errors
        .map((e) => (typeof e === 'string' ? e : `${e.errorCode}: ${e.message}`))
        .join('; ');
      await finish('failed', null, message);
      return outcome('failed', null, message);
    }
    await finish('created', result.id, null);
    return outcome('created', result.id);
  } catch (error) {
    const { errorCode, message } = describeFailure(error);
    const text = `${errorCode ? `${errorCode}: ` : ''}${message}`.slice(0, 2000);
    await finish('failed', null, text);
    return outcome('failed', null, text);
  }
}

/** Leads from the completed responses of a survey; stops at the daily limit and says so. */
export async function submitLeadsForSurvey(
  deps: WritebackDeps,
  actor: Actor,
  formId: number,
  surveyId: number,
) {
  authorize(actor, 'data:write');
  const counts: Record<string, number> = {};
  const outcomes: LeadOutcome[] = [];
  let refused: string | null = null;
  let cursor: number | undefined;
  outer: for (;;) {
    const page = await listResponses(deps.db.orm, actor, surveyId, {
      status: 'complete',
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    for (const response of page.items) {
      try {
        const result = await submitLead(deps, formId, {
          key: `response:${response.id}`,
          data: responseData(response),
        });
        counts[result.status] = (counts[result.status] ?? 0) + 1;
        if (result.status === 'failed') outcomes.push(result);
      } catch (error) {
        if (error instanceof WebToLeadLimitError) {
          refused = error.message;
          break outer;
        }
        throw error;
      }
    }
    if (!page.nextCursor) break;
    cursor = Number(page.nextCursor);
  }
  return { counts, refused, failures: outcomes.slice(0, 100).map((o) => ({ ...o })) };
}

export async function listLeadSubmissions(db: Executor, actor: Actor, formId: number, limit: number) {
  authorize(actor, 'data:read');
  const rows = await db
    .select()
    .from(salesforceLeadSubmissions)
    .where(eq(salesforceLeadSubmissions.formId, formId))
    .orderBy(desc(salesforceLeadSubmissions.id))
    .limit(limit);
  return rows.map((r) => ({
    id: r.id,
    sourceKey: r.sourceKey,
    mode: r.mode,
    status: r.status,
    leadId: r.leadId,
    message: r.message,
    createdAt: r.createdAt.toISOString(),
  }));
}
