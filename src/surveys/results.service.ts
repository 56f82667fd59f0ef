import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { accountInSubtree, clientRolesOf, contactHasRole } from '../directory/conditions.ts';
import { CLIENT_ROLES } from '../directory/roles.ts';
import { accountVisible } from '../directory/scope.ts';
import { type Executor, queryRows } from '../platform/db/database.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { meanInterval, npsWithInterval, wilsonInterval } from './metrics.ts';
import { type QuestionShape, questionShapes } from './question-shapes.ts';
import { getSurveyRow } from './surveys.service.ts';
import { surveyDefinition } from './versions.ts';

export const ZResultsQuery = z.object({
  accountId: z.coerce.number().int().positive().optional(),
  /** With accountId: include the account's descendants in the hierarchy (default) or not. */
  subtree: z.stringbool().default(true),
  role: z.enum(CLIENT_ROLES).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /** Language of the question and choice texts ('' or absent: the survey's default texts). */
  locale: z.string().max(10).optional(),
});
export type ResultsQuery = z.output<typeof ZResultsQuery>;

const TEXT_ANSWERS_SHOWN = 20;

/**
 * Which responses a results query covers: one survey, complete, within the filters and within
 * what the actor may see (an account manager: responses of their accounts only).
 */
function coveredResponses(actor: Actor, surveyId: number, query: ResultsQuery): SQL {
  const where: SQL[] = [sql`r.survey_id = ${surveyId}`, sql`r.status = 'complete'`];
  where.push(accountVisible(actor, sql`r.account_id`));
  if (query.accountId) where.push(accountInSubtree(sql`r.account_id`, query.accountId, query.subtree));
  if (query.role) where.push(contactHasRole(sql`r.contact_id`, sql`r.account_id`, query.role));
  if (query.from) where.push(sql`r.completed_at >= ${query.from}::timestamptz`);
  if (query.to) where.push(sql`r.completed_at < ${query.to}::timestamptz`);
  return sql.join(where, sql` AND `);
}

interface MetricRow {
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  csat_n: number;
  csat_mean: number | null;
  csat_sd: number | null;
  satisfied: number;
}

const metricColumns = sql`count(*)::int AS responses,
  count(*) FILTER (WHERE r.nps_category = 'promoter')::int AS promoters,
  count(*) FILTER (WHERE r.nps_category = 'passive')::int AS passives,
  count(*) FILTER (WHERE r.nps_category = 'detractor')::int AS detractors,
  count(r.csat_score)::int AS csat_n,
  avg(r.csat_score)::float8 AS csat_mean,
  stddev_samp(r.csat_score)::float8 AS csat_sd,
  count(*) FILTER (WHERE r.csat_satisfied)::int AS satisfied`;

function metricsOf(row: MetricRow) {
  return {
    responses: row.responses,
    nps: npsWithInterval(row.promoters, row.passives, row.detractors),
    csat:
      row.csat_n > 0
        ? {
            n: row.csat_n,
            satisfied: wilsonInterval(row.satisfied, row.csat_n),
            score: meanInterval(row.csat_mean ?? 0, row.csat_sd, row.csat_n, 0, 100),
          }
        : null,
  };
}

/** The bucket of the trend chart: days over a month, weeks over half a year, else months. */
function trendUnit(first: Date | null, last: Date | null): 'day' | 'week' | 'month' {
  if (!first || !last) return 'week';
  const days = (last.getTime() - first.getTime()) / 86_400_000;
  return days <= 31 ? 'day' : days <= 183 ? 'week' : 'month';
}

/**
 * A survey's results: counts, NPS and CSAT with 95% intervals, a trend, a breakdown by client
 * role, and each question's answers counted (choices, ratings, matrices) or listed (texts).
 * Every figure is one GROUP BY over the stored responses: nothing is kept precomputed, so the
 * page is always current and any filter combination works.
 */
export async function surveyResults(db: Executor, actor: Actor, surveyId: number, query: ResultsQuery) {
  authorize(actor, 'data:read');
  const survey = await getSurveyRow(db, surveyId);
  const definition = await surveyDefinition(db, surveyId, survey.currentVersion);
  const shapes = questionShapes(definition, query.locale ?? '');
  const covered = coveredResponses(actor, surveyId, query);

  const [summary] = await queryRows<
    MetricRow & { partial: number; first_at: string | null; last_at: string | null }
  >(
    db,
    sql`SELECT ${metricColumns}, min(r.completed_at)::text AS first_at, max(r.completed_at)::text AS last_at,
          (SELECT count(*)::int FROM responses p WHERE p.survey_id = ${surveyId} AND p.status = 'partial'
            AND ${accountVisible(actor, sql`p.account_id`)}
            ${query.accountId ? sql`AND ${accountInSubtree(sql`p.account_id`, query.accountId, query.subtree)}` : sql``}
            ${query.role ? sql`AND ${contactHasRole(sql`p.contact_id`, sql`p.account_id`, query.role)}` : sql``}
            ${query.from ? sql`AND p.started_at >= ${query.from}::timestamptz` : sql``}
            ${query.to ? sql`AND p.started_at < ${query.to}::timestamptz` : sql``}) AS partial
        FROM responses r WHERE ${covered}`,
  );
  const first = summary?.first_at ? new Date(summary.first_at) : null;
  const last = summary?.last_at ? new Date(summary.last_at) : null;
  const unit = trendUnit(first, last);

  const [trend, byRole, counted, answered, texts] = await Promise.all([
    queryRows<MetricRow & { bucket: string }>(
      db,
      sql`SELECT to_char(date_trunc(${unit}, r.completed_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS bucket, ${metricColumns}
          FROM responses r WHERE ${covered} GROUP BY 1 ORDER BY 1`,
    ),
    queryRows<MetricRow & { role: string }>(
      db,
      sql`SELECT role.role, ${metricColumns}
          FROM responses r CROSS JOIN LATERAL ${clientRolesOf(sql`r.contact_id`, sql`r.account_id`)} role
          WHERE ${covered} GROUP BY 1`,
    ),
    countAnswers(db, covered, shapes),
    queryRows<{ question: string; n: number }>(
      db,
      sql`SELECT k.key AS question, count(*)::int AS n
          FROM responses r CROSS JOIN LATERAL jsonb_object_keys(r.answers) k(key)
          WHERE ${covered} GROUP BY 1`,
    ),
    latestTexts(db, covered, shapes),
  ]);

  const answeredBy = new Map(answered.map((a) => [a.question, a.n]));
  const roleOrder = (role: string) => CLIENT_ROLES.indexOf(role as (typeof CLIENT_ROLES)[number]);
  const total = (summary?.responses ?? 0) + (summary?.partial ?? 0);
  return {
    survey: {
      id: survey.id,
      name: survey.name,
      currentVersion: survey.currentVersion,
      metrics: survey.metrics,
    },
    counts: {
      complete: summary?.responses ?? 0,
      partial: summary?.partial ?? 0,
      completionRate: total ? Math.round(((summary?.responses ?? 0) / total) * 1000) / 10 : null,
      firstCompletedAt: first?.toISOString() ?? null,
      lastCompletedAt: last?.toISOString() ?? null,
    },
    ...metricsOf(summary ?? emptyMetrics()),
    trend: { unit, points: trend.map((row) => ({ bucket: row.bucket, ...metricsOf(row) })) },
    byRole: byRole
      .sort((a, b) => roleOrder(a.role) - roleOrder(b.role))
      .map((row) => ({ role: row.role, ...metricsOf(row) })),
    questions: shapes.map((shape) => ({
      ...questionCounts(shape, counted.get(shape.name) ?? []),
      answered: answeredBy.get(shape.name) ?? 0,
      texts: texts.get(shape.name) ?? null,
    })),
  };
}

const emptyMetrics = (): MetricRow => ({
  responses: 0,
  promoters: 0,
  passives: 0,
  detractors: 0,
  csat_n: 0,
  csat_mean: null,
  csat_sd: null,
  satisfied: 0,
});

type Count = { row: string | null; value: unknown; n: number };

/**
 * Choice, rating, boolean and matrix answers counted in one pass: arrays (checkboxes) are
 * unnested, objects (matrix rows) are split into row → column.
 */
async function countAnswers(db: Executor, covered: SQL, shapes: QuestionShape[]) {
  const names = shapes.filter((s) => s.kind !== 'text' && s.kind !== 'other').map((s) => s.name);
  const out = new Map<string, Count[]>();
  if (names.length === 0) return out;
  const rows = await queryRows<Count & { question: string }>(
    db,
    sql`SELECT a.key AS question, m.key AS row, coalesce(m.value, e.value, a.value) AS value, count(*)::int AS n
        FROM responses r
        CROSS JOIN LATERAL jsonb_each(r.answers) a
        LEFT JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(a.value) = 'array' THEN a.value END) e ON true
        LEFT JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(a.value) = 'object' THEN a.value END) m ON true
        WHERE ${covered} AND a.key IN (${sql.join(
          names.map((n) => sql`${n}`),
          sql`, `,
        )})
        GROUP BY 1, 2, 3`,
  );
  for (const row of rows) {
    const list = out.get(row.question) ?? [];
    list.push(row);
    out.set(row.question, list);
  }
  return out;
}

/** The latest text answers of each text question, and how many there are. */
async function latestTexts(db: Executor, covered: SQL, shapes: QuestionShape[]) {
  const names = shapes.filter((s) => s.kind === 'text').map((s) => s.name);
  const out = new Map<string, { total: number; items: { responseId: number; text: string; at: string }[] }>();
  if (names.length === 0) return out;
  const rows = await queryRows<{ question: string; id: number; text: string; at: string; total: number }>(
    db,
    sql`SELECT q.name AS question, t.id, t.text, t.at,
          (SELECT count(*)::int FROM responses r
            WHERE ${covered} AND coalesce(btrim(r.answers ->> q.name), '') <> '') AS total
        FROM unnest(${`{${names.map((n) => `"${n.replace(/["\\]/g, '\\$&')}"`).join(',')}}`}::text[]) q(name)
        CROSS JOIN LATERAL (
          SELECT r.id, r.answers ->> q.name AS text, r.completed_at::text AS at
          FROM responses r
          WHERE ${covered} AND coalesce(btrim(r.answers ->> q.name), '') <> ''
          ORDER BY r.completed_at DESC, r.id DESC
          LIMIT ${TEXT_ANSWERS_SHOWN}) t`,
  );
  for (const row of rows) {
    const entry = out.get(row.question) ?? { total: row.total, items: [] };
    entry.items.push({ responseId: Number(row.id), text: row.text, at: new Date(row.at).toISOString() });
    out.set(row.question, entry);
  }
  for (const name of names) if (!out.has(name)) out.set(name, { total: 0, items: [] });
  return out;
}

const same = (a: unknown, b: unknown) => String(a) === String(b);

/** One question's counts laid over its options, with shares and (ratings) the mean. */
function questionCounts(shape: QuestionShape, counts: Count[]) {
  const option = (value: unknown, list: Count[]) =>
    list.filter((c) => same(c.value, value)).reduce((s, c) => s + c.n, 0);
  const base = { name: shape.name, type: shape.type, kind: shape.kind, title: shape.title };
  if (shape.kind === 'matrix') {
    return {
      ...base,
      options: shape.options.map((o) => ({ ...o, count: option(o.value, counts) })),
      rows: shape.rows.map((row) => {
        const inRow = counts.filter((c) => same(c.row, row.value));
        return {
          ...row,
          counts: shape.options.map((o) => ({ value: o.value, count: option(o.value, inRow) })),
        };
      }),
      mean: null,
    };
  }
  const known = shape.options.map((o) => ({ ...o, count: option(o.value, counts) }));
  // Values outside the options (a choice removed in a later version, "other" texts) are kept.
  const unknown = counts
    .filter((c) => !shape.options.some((o) => same(o.value, c.value)))
    .map((c) => ({ value: c.value as string | number | boolean, text: String(c.value), count: c.n }));
  const all = [...known, ...unknown];
  let mean: number | null = null;
  if (shape.kind === 'rating') {
    const numeric = all.filter((o) => typeof o.value === 'number' || !Number.isNaN(Number(o.value)));
    const n = numeric.reduce((s, o) => s + o.count, 0);
    if (n) mean = Math.round((numeric.reduce((s, o) => s + Number(o.value) * o.count, 0) / n) * 100) / 100;
  }
  return { ...base, options: all, rows: [], mean };
}
