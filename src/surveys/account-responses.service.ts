import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { accountInSubtree } from '../directory/conditions.ts';
import { accountVisible } from '../directory/scope.ts';
import { type Executor, queryRows } from '../platform/db/database.ts';
import { notFound } from '../platform/errors.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { textQuestionsOf } from './embed.service.ts';

export const ZAccountResponsesQuery = z.object({
  scope: z.enum(['own', 'subtree']).default('own'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.coerce.number().int().positive().optional(),
});

/** An account's feedback timeline: its completed responses across surveys, newest first. */
export async function accountResponses(
  db: Executor,
  actor: Actor,
  accountId: number,
  query: z.output<typeof ZAccountResponsesQuery>,
) {
  authorize(actor, 'data:read');
  const [visible] = await queryRows<{ id: number }>(
    db,
    sql`SELECT a.id FROM accounts a WHERE a.id = ${accountId} AND ${accountVisible(actor, sql`a.id`)}`,
  );
  if (!visible) throw notFound(`No account ${accountId}`);
  const rows = await queryRows<{
    id: number;
    survey_id: number;
    version: number;
    survey: string;
    account_id: number;
    contact_id: number | null;
    contact: string | null;
    completed_at: string;
    channel: string;
    nps_score: number | null;
    nps_category: string | null;
    csat_score: number | null;
    answers: Record<string, unknown>;
  }>(
    db,
    sql`SELECT r.id, r.survey_id, r.version, s.name AS survey, r.account_id, r.contact_id,
          nullif(concat_ws(' ', c.first_name, c.last_name), '') AS contact, r.completed_at, r.channel,
          r.nps_score, r.nps_category, r.csat_score::float8 AS csat_score, r.answers
        FROM responses r JOIN surveys s ON s.id = r.survey_id LEFT JOIN contacts c ON c.id = r.contact_id
        WHERE r.status = 'complete' AND ${accountInSubtree(sql`r.account_id`, accountId, query.scope === 'subtree')}
          AND ${accountVisible(actor, sql`r.account_id`)}
          ${query.cursor ? sql`AND r.id < ${query.cursor}` : sql``}
        ORDER BY r.id DESC LIMIT ${query.limit + 1}`,
  );
  const page = rows.slice(0, query.limit);
  const texts = await textQuestionsOf(db, page, '');
  return {
    items: page.map((r) => ({
      id: Number(r.id),
      surveyId: Number(r.survey_id),
      survey: r.survey,
      accountId: Number(r.account_id),
      contactId: r.contact_id === null ? null : Number(r.contact_id),
      contactName: r.contact,
      completedAt: new Date(r.completed_at).toISOString(),
      channel: r.channel,
      npsScore: r.nps_score,
      npsCategory: r.nps_category,
      csatScore: r.csat_score,
      comments: (texts.get(`${r.survey_id}:${r.version}`) ?? [])
        .map((q) => ({ question: q.title, text: r.answers?.[q.name] }))
        .filter(
          (c): c is { question: string; text: string } => typeof c.text === 'string' && c.text.trim() !== '',
        ),
    })),
    nextCursor: rows.length > query.limit ? String(page.at(-1)!.id) : null,
  };
}
