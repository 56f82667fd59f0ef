import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { accountVisible } from '../directory/scope.ts';
import { type Executor, queryRows } from '../platform/db/database.ts';
import { forbidden, gone } from '../platform/errors.ts';
import type { SecretBox } from '../platform/secrets/secret-box.ts';
import { signToken, verifyToken } from '../platform/secrets/signed-token.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { getPublicUser } from '../users/users.service.ts';
import { npsWithInterval } from './metrics.ts';
import { questionShapes } from './question-shapes.ts';
import { surveyDefinition } from './versions.ts';

/**
 * The response widget of one CRM record, for an iframe on the record's page: a signed, expiring
 * URL carries the directory, the record (sfContactId, sfLeadId or sfAccountId) and the user who
 * made it, whose access the widget keeps (an account manager's widget shows their accounts only).
 */

const PURPOSE = 'embed:responses';
export const CRM_RECORD_FIELDS = ['sfContactId', 'sfLeadId', 'sfAccountId'] as const;
export type CrmRecordField = (typeof CRM_RECORD_FIELDS)[number];
const MAX_MINUTES = 60 * 24 * 30;
const SHOWN = 20;

export const ZEmbedCreate = z.object({
  directoryId: z.number().int().positive(),
  record: z.object({
    field: z.enum(CRM_RECORD_FIELDS),
    value: z.string().trim().min(1).max(100),
  }),
  expiresInMinutes: z.number().int().min(1).max(MAX_MINUTES).default(60),
  locale: z.enum(['en', 'fr', 'it', 'es', 'de']).optional(),
});

interface EmbedPayload {
  kind: 'responses';
  dir: number;
  field: CrmRecordField;
  value: string;
  uid: number | null;
  locale?: string;
}

export function createResponseEmbed(box: SecretBox, actor: Actor, input: z.output<typeof ZEmbedCreate>) {
  authorize(actor, 'data:read');
  const expiresAt = new Date(Date.now() + input.expiresInMinutes * 60_000);
  const payload: EmbedPayload = {
    kind: 'responses',
    dir: input.directoryId,
    field: input.record.field,
    value: input.record.value,
    uid: actor.kind === 'user' ? actor.userId : null,
    ...(input.locale ? { locale: input.locale } : {}),
  };
  const token = signToken(box, PURPOSE, payload, expiresAt);
  return { token, path: `/embed/responses/${token}`, expiresAt: expiresAt.toISOString() };
}

/** The actor an embed acts as: its maker, as they are now (a disabled user's embeds stop). */
async function embedActor(db: Executor, uid: number | null): Promise<Actor> {
  if (uid === null) return { kind: 'system', label: 'embed' };
  const user = await getPublicUser(db, uid).catch(() => null);
  if (!user || user.disabled)
    throw forbidden('The user who made this link can no longer see these responses');
  return { kind: 'user', userId: user.id, email: user.email, name: user.name, role: user.role, via: 'token' };
}

/** Which responses belong to the record: the id the link carried, or the directory's own match. */
function recordResponses(payload: EmbedPayload): SQL {
  const carried = sql`r.embedded ->> ${payload.field} = ${payload.value}`;
  if (payload.field === 'sfContactId')
    return sql`(${carried} OR r.contact_id IN (SELECT id FROM contacts
      WHERE directory_id = ${payload.dir} AND external_ref = ${payload.value}))`;
  if (payload.field === 'sfAccountId')
    return sql`(${carried} OR r.account_id IN (SELECT id FROM accounts
      WHERE directory_id = ${payload.dir} AND external_ref = ${payload.value}))`;
  return carried;
}

export async function openResponseEmbed(db: Executor, box: SecretBox, token: string) {
  const checked = verifyToken<EmbedPayload>(box, PURPOSE, token);
  if (!checked.ok) {
    if (checked.reason === 'expired') throw gone('This link has expired: reload the CRM page for a new one');
    throw forbidden('This link is not valid');
  }
  const payload = checked.payload;
  const actor = await embedActor(db, payload.uid);
  const where = sql`s.directory_id = ${payload.dir} AND r.status = 'complete'
    AND ${recordResponses(payload)} AND ${accountVisible(actor, sql`r.account_id`)}`;
  const [summary] = await queryRows<{
    responses: number;
    promoters: number;
    passives: number;
    detractors: number;
    csat: number | null;
    last_at: string | null;
  }>(
    db,
    sql`SELECT count(*)::int AS responses,
          count(*) FILTER (WHERE r.nps_category = 'promoter')::int AS promoters,
          count(*) FILTER (WHERE r.nps_category = 'passive')::int AS passives,
          count(*) FILTER (WHERE r.nps_category = 'detractor')::int AS detractors,
          avg(r.csat_score)::float8 AS csat, max(r.completed_at)::text AS last_at
        FROM responses r JOIN surveys s ON s.id = r.survey_id WHERE ${where}`,
  );
  const latest = await queryRows<{
    id: number;
    survey_id: number;
    version: number;
    survey: string;
    completed_at: string;
    first_name: string | null;
    last_name: string | null;
    nps_score: number | null;
    nps_category: string | null;
    csat_score: number | null;
    answers: Record<string, unknown>;
  }>(
    db,
    sql`SELECT r.id, r.survey_id, r.version, s.name AS survey, r.completed_at::text AS completed_at, c.first_name, c.last_name,
          r.nps_score, r.nps_category, r.csat_score::float8 AS csat_score, r.answers
        FROM responses r JOIN surveys s ON s.id = r.survey_id
        LEFT JOIN contacts c ON c.id = r.contact_id
        WHERE ${where} ORDER BY r.completed_at DESC, r.id DESC LIMIT ${SHOWN}`,
  );
  const textQuestions = await textQuestionsOf(db, latest, payload.locale ?? '');
  return {
    record: { field: payload.field, value: payload.value },
    locale: payload.locale ?? null,
    expiresAt: new Date(payload.exp * 1000).toISOString(),
    responses: summary?.responses ?? 0,
    lastResponseAt: summary?.last_at ? new Date(summary.last_at).toISOString() : null,
    nps: summary ? npsWithInterval(summary.promoters, summary.passives, summary.detractors) : null,
    csat: summary?.csat === null || summary?.csat === undefined ? null : Math.round(summary.csat * 10) / 10,
    latest: latest.map((row) => ({
      id: Number(row.id),
      survey: row.survey,
      completedAt: new Date(row.completed_at).toISOString(),
      contactName: [row.first_name, row.last_name].filter(Boolean).join(' ') || null,
      npsScore: row.nps_score,
      npsCategory: row.nps_category,
      csatScore: row.csat_score,
      // Free-text answers are what an account team reads first.
      comments: (textQuestions.get(`${row.survey_id}:${row.version}`) ?? [])
        .map((q) => ({ question: q.title, text: row.answers?.[q.name] }))
        .filter(
          (c): c is { question: string; text: string } => typeof c.text === 'string' && c.text.trim() !== '',
        ),
    })),
  };
}

/** The text questions (name, title) of each survey version among the rows. */
export async function textQuestionsOf(
  db: Executor,
  rows: { survey_id: number; version: number }[],
  locale: string,
) {
  const out = new Map<string, { name: string; title: string }[]>();
  for (const row of rows) {
    const key = `${row.survey_id}:${row.version}`;
    if (out.has(key)) continue;
    const definition = await surveyDefinition(db, Number(row.survey_id), row.version);
    out.set(
      key,
      questionShapes(definition, locale)
        .filter((q) => q.kind === 'text')
        .map((q) => ({ name: q.name, title: q.title })),
    );
  }
  return out;
}
