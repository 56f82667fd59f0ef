import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { accountInSubtree, clientRolesOf, contactHasRole } from '../directory/conditions.ts';
import { CLIENT_ROLES } from '../directory/roles.ts';
import { accountVisible } from '../directory/scope.ts';
import { type Executor, queryRows } from '../platform/db/database.ts';
import { badRequest, isAppError, notFound } from '../platform/errors.ts';
import { npsWithInterval } from '../surveys/metrics.ts';
import { type QuestionShape, questionShapes } from '../surveys/question-shapes.ts';
import { getSurveyRow } from '../surveys/surveys.service.ts';
import { surveyDefinition } from '../surveys/versions.ts';
import type { Actor } from '../users/roles.ts';
import {
  type ACCOUNT_SORTS,
  BAR_DIMENSIONS,
  BAR_METRICS,
  type DashboardFilters,
  HEATMAP_METRICS,
  INTERVALS,
  KPI_METRICS,
  type Period,
  resolvePeriod,
  TREND_METRICS,
  type Widget,
  type WidgetOf,
} from './model.ts';
import { type SegmentMembers, segmentMembers } from './segment-filter.ts';

/**
 * The widget query engine: a widget's settings, the dashboard's filters and the viewer's scope
 * become one set-based statement whose rows are the chart's data, already aggregated. Response
 * figures read the complete responses of the directory's surveys; account figures (health, risk)
 * read account_health and its daily snapshots. Both go through the same account conditions:
 * what the viewer may see (account managers: their team's accounts and their descendants), the
 * account subtree, the account attribute and the segment. Survey, role and date filters apply to
 * responses; health and risk are per account, so they take the account conditions only.
 */

// ---- the data each widget type answers (chart-ready; also the API's response schemas) ----

const ZPeriodOut = z.object({ from: z.string().nullable(), to: z.string().nullable() });

export const ZKpiData = z.object({
  type: z.literal('kpi'),
  metric: z.enum(KPI_METRICS),
  /** score: NPS (−100…100); percent: CSAT satisfied, response rate; points: health 0–100; count. */
  unit: z.enum(['score', 'percent', 'points', 'count']),
  value: z.number().nullable(),
  /** How many answers (accounts, invitations) the value stands on. */
  n: z.number(),
  previous: z.number().nullable(),
  delta: z.number().nullable(),
  /** NPS: half-width of the 95% interval. */
  margin: z.number().nullable(),
  period: ZPeriodOut,
  previousPeriod: ZPeriodOut.nullable(),
});

const ZPoint = z.object({ bucket: z.string(), value: z.number().nullable(), n: z.number() });
export const ZTrendData = z.object({
  type: z.literal('trend'),
  metric: z.enum(TREND_METRICS),
  interval: z.enum(INTERVALS),
  points: z.array(ZPoint),
});

export const ZBarData = z.object({
  type: z.literal('bar'),
  metric: z.enum(BAR_METRICS),
  by: z.enum(BAR_DIMENSIONS),
  bars: z.array(
    z.object({
      /** The role code, survey id, attribute value or answer value ('' for none). */
      key: z.string(),
      label: z.string(),
      value: z.number().nullable(),
      n: z.number(),
    }),
  ),
});

export const ZNpsDistributionData = z.object({
  type: z.literal('nps_distribution'),
  bins: z.array(
    z.object({
      score: z.number(),
      count: z.number(),
      category: z.enum(['detractor', 'passive', 'promoter']),
    }),
  ),
  n: z.number(),
  nps: z.number().nullable(),
  promoters: z.number(),
  passives: z.number(),
  detractors: z.number(),
});

export const ZAccountRow = z.object({
  accountId: z.number(),
  name: z.string(),
  externalRef: z.string().nullable(),
  health: z.number().nullable(),
  band: z.string().nullable(),
  risk: z.string().nullable(),
  nps: z.number().nullable(),
  responses: z.number(),
  lastFeedbackAt: z.string().nullable(),
});
export const ZResponseRow = z.object({
  responseId: z.number(),
  completedAt: z.string(),
  survey: z.string(),
  accountId: z.number().nullable(),
  account: z.string().nullable(),
  contact: z.string().nullable(),
  role: z.string().nullable(),
  npsScore: z.number().nullable(),
  npsCategory: z.string().nullable(),
  csatScore: z.number().nullable(),
  comment: z.string().nullable(),
});
export const ZTableData = z.object({
  type: z.literal('table'),
  source: z.enum(['accounts', 'responses']),
  /** source accounts: the rows, and how many accounts match in all. */
  accounts: z.array(ZAccountRow).nullable(),
  responses: z.array(ZResponseRow).nullable(),
  total: z.number(),
});

export const ZHeatmapData = z.object({
  type: z.literal('heatmap'),
  metric: z.enum(HEATMAP_METRICS),
  roles: z.array(z.string()),
  accounts: z.array(z.object({ accountId: z.number(), name: z.string(), n: z.number() })),
  cells: z.array(
    z.object({ accountId: z.number(), role: z.string(), value: z.number().nullable(), n: z.number() }),
  ),
});

export const ZWidgetData = z.discriminatedUnion('type', [
  ZKpiData,
  ZTrendData,
  ZBarData,
  ZNpsDistributionData,
  ZTableData,
  ZHeatmapData,
]);
export type WidgetData = z.output<typeof ZWidgetData>;
type KpiData = z.output<typeof ZKpiData>;

/** One widget's answer in a batch: its data, or why it has none (a survey deleted since …). */
export const ZWidgetResult = z.object({
  widgetId: z.string(),
  data: ZWidgetData.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type WidgetResult = z.output<typeof ZWidgetResult>;

// ---- scope ----

export interface DataScope {
  actor: Actor;
  directoryId: number;
  filters: DashboardFilters;
  /** Question and option texts (''/absent: the survey's default language). */
  locale?: string;
  now?: Date;
}

interface Resolved extends DataScope {
  segment: SegmentMembers | null;
  current: Period;
  previous: Period | null;
}

/** Resolves what every widget of one request shares (the period, the segment's members). */
async function resolve(db: Executor, scope: DataScope): Promise<Resolved> {
  const { current, previous } = resolvePeriod(scope.filters.date, scope.now ?? new Date());
  const segment = scope.filters.segmentId
    ? await segmentMembers(db, scope.actor, scope.directoryId, scope.filters.segmentId)
    : null;
  return { ...scope, segment, current, previous };
}

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const dayOf = (d: Date) => sql`${d.toISOString().slice(0, 10)}::date`;

function inPeriod(column: SQL, period: Period, asDay = false): SQL {
  const at = asDay ? dayOf : ts;
  const parts: SQL[] = [];
  if (period.from) parts.push(sql`${column} >= ${at(period.from)}`);
  if (period.to) parts.push(sql`${column} < ${at(period.to)}`);
  return parts.length ? sql.join(parts, sql` AND `) : sql`true`;
}

/** The span of two periods (the previous one and the current one, for a KPI's delta). */
const span = (a: Period, b: Period | null): Period =>
  b ? { from: a.from && b.from ? (a.from < b.from ? a.from : b.from) : null, to: a.to } : a;

const and = (parts: SQL[]) => (parts.length ? sql.join(parts, sql` AND `) : sql`true`);

/**
 * The account conditions: visible to the viewer, in the subtree, with the attribute value, in
 * the segment. `contactId` (a response's or an invitation's contact) lets a contact segment apply
 * to its members' own rows; without it, a contact segment selects its members' accounts.
 */
function accountConditions(s: Resolved, accountId: SQL, contactId: SQL | null): SQL[] {
  const f = s.filters;
  const out: SQL[] = [accountVisible(s.actor, accountId)];
  if (f.accountId) out.push(accountInSubtree(accountId, f.accountId, f.subtree));
  if (f.attribute)
    out.push(sql`EXISTS (SELECT 1 FROM accounts fa CROSS JOIN LATERAL jsonb_each(fa.attributes) fv
      WHERE fa.id = ${accountId} AND lower(fv.key) = ${f.attribute.name.toLowerCase()}
        AND fv.value #>> '{}' = ${f.attribute.value})`);
  if (s.segment) {
    if (s.segment.entity === 'account') out.push(sql`${accountId} IN (${s.segment.members})`);
    else if (contactId) out.push(sql`${contactId} IN (${s.segment.members})`);
    else
      out.push(sql`${accountId} IN (SELECT sr.account_id FROM account_contact_roles sr
        WHERE sr.contact_id IN (${s.segment.members}))`);
  }
  return out;
}

/** The contact holds one of the filter's client roles in the account (any role when none). */
function roleCondition(s: Resolved, contactId: SQL, accountId: SQL): SQL {
  if (s.filters.roles.length === 0) return sql`true`;
  return sql`(${sql.join(
    s.filters.roles.map((role) => contactHasRole(contactId, accountId, role)),
    sql` OR `,
  )})`;
}

const surveyCondition = (s: Resolved, surveyId: SQL) =>
  s.filters.surveyIds.length
    ? sql`${surveyId} IN (${sql.join(
        s.filters.surveyIds.map((id) => sql`${id}::bigint`),
        sql`, `,
      )})`
    : sql`true`;

/**
 * `responses r JOIN surveys s … WHERE …`: the complete responses under the filters, in `period`
 * (`joins` go before the WHERE; a caller may append `AND …`).
 */
function responses(s: Resolved, period: Period, joins: SQL = sql``): SQL {
  return sql`responses r JOIN surveys s ON s.id = r.survey_id ${joins}
    WHERE s.directory_id = ${s.directoryId} AND r.status = 'complete'
      AND ${inPeriod(sql`r.completed_at`, period)}
      AND ${surveyCondition(s, sql`r.survey_id`)}
      AND ${and(accountConditions(s, sql`r.account_id`, sql`r.contact_id`))}
      AND ${roleCondition(s, sql`r.contact_id`, sql`r.account_id`)}`;
}

/** The live accounts of the directory under the account conditions (alias a). */
function accountsWhere(s: Resolved): SQL {
  return sql`a.directory_id = ${s.directoryId} AND a.deleted_at IS NULL
    AND ${and(accountConditions(s, sql`a.id`, null))}`;
}

interface Counts {
  n: number;
  promoters: number;
  passives: number;
  detractors: number;
  csat_n: number;
  satisfied: number;
}

/** The counts every response metric is made of, prefixed (c_, p_) and filtered. */
const counts = (prefix: string, when: SQL = sql`true`) =>
  sql`count(*) FILTER (WHERE ${when})::int AS ${sql.identifier(`${prefix}n`)},
    count(*) FILTER (WHERE ${when} AND r.nps_category = 'promoter')::int AS ${sql.identifier(`${prefix}promoters`)},
    count(*) FILTER (WHERE ${when} AND r.nps_category = 'passive')::int AS ${sql.identifier(`${prefix}passives`)},
    count(*) FILTER (WHERE ${when} AND r.nps_category = 'detractor')::int AS ${sql.identifier(`${prefix}detractors`)},
    count(r.csat_score) FILTER (WHERE ${when})::int AS ${sql.identifier(`${prefix}csat_n`)},
    count(*) FILTER (WHERE ${when} AND r.csat_satisfied)::int AS ${sql.identifier(`${prefix}satisfied`)}`;

const pick = (row: Record<string, unknown> | undefined, prefix: string): Counts => ({
  n: Number(row?.[`${prefix}n`] ?? 0),
  promoters: Number(row?.[`${prefix}promoters`] ?? 0),
  passives: Number(row?.[`${prefix}passives`] ?? 0),
  detractors: Number(row?.[`${prefix}detractors`] ?? 0),
  csat_n: Number(row?.[`${prefix}csat_n`] ?? 0),
  satisfied: Number(row?.[`${prefix}satisfied`] ?? 0),
});

const round1 = (x: number) => Math.round(x * 10) / 10;

/** A response metric from its counts: NPS, CSAT (share satisfied, top two boxes) or the count. */
function metricOf(metric: 'nps' | 'csat' | 'responses', c: Counts): { value: number | null; n: number } {
  if (metric === 'responses') return { value: c.n, n: c.n };
  if (metric === 'csat')
    return { value: c.csat_n ? round1((100 * c.satisfied) / c.csat_n) : null, n: c.csat_n };
  const nps = npsWithInterval(c.promoters, c.passives, c.detractors);
  return { value: nps?.score ?? null, n: nps?.n ?? 0 };
}

const periodOut = (p: Period) => ({ from: p.from?.toISOString() ?? null, to: p.to?.toISOString() ?? null });

// ---- KPI ----

async function kpi(db: Executor, s: Resolved, widget: WidgetOf<'kpi'>): Promise<KpiData> {
  const { metric, compare } = widget.settings;
  const previous = compare ? s.previous : null;
  const base = {
    type: 'kpi' as const,
    metric,
    period: periodOut(s.current),
    previousPeriod: previous ? periodOut(previous) : null,
    margin: null,
  };
  const withDelta = (value: number | null, before: number | null) => ({
    value,
    previous: before,
    delta: value !== null && before !== null ? round1(value - before) : null,
  });

  if (metric === 'nps' || metric === 'csat' || metric === 'responses') {
    const [row] = await queryRows<Record<string, unknown>>(
      db,
      sql`SELECT ${counts('c_', inPeriod(sql`r.completed_at`, s.current))}
          ${previous ? sql`, ${counts('p_', inPeriod(sql`r.completed_at`, previous))}` : sql``}
          FROM ${responses(s, span(s.current, previous))}`,
    );
    const now = metricOf(metric, pick(row, 'c_'));
    const before = previous ? metricOf(metric, pick(row, 'p_')) : null;
    const current = pick(row, 'c_');
    return {
      ...base,
      unit: metric === 'nps' ? 'score' : metric === 'csat' ? 'percent' : 'count',
      n: now.n,
      ...withDelta(now.value, before && (metric === 'responses' || before.n) ? before.value : null),
      margin:
        metric === 'nps'
          ? (npsWithInterval(current.promoters, current.passives, current.detractors)?.margin ?? null)
          : null,
    };
  }

  if (metric === 'response_rate') {
    // Invitations sent in the period, and how many of them came back as a complete response.
    const when = (p: Period) => inPeriod(sql`dr.sent_at`, p);
    const [row] = await queryRows<{ c_sent: number; c_done: number; p_sent: number; p_done: number }>(
      db,
      sql`SELECT count(*) FILTER (WHERE ${when(s.current)})::int AS c_sent,
            count(*) FILTER (WHERE ${when(s.current)} AND x.done)::int AS c_done,
            ${
              previous
                ? sql`count(*) FILTER (WHERE ${when(previous)})::int AS p_sent,
                      count(*) FILTER (WHERE ${when(previous)} AND x.done)::int AS p_done`
                : sql`0 AS p_sent, 0 AS p_done`
            }
          FROM distribution_recipients dr JOIN distributions d ON d.id = dr.distribution_id
          CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM responses r WHERE r.distribution_id = dr.distribution_id
            AND r.contact_id = dr.contact_id AND r.status = 'complete') AS done) x
          WHERE d.directory_id = ${s.directoryId} AND dr.sent_at IS NOT NULL
            AND ${inPeriod(sql`dr.sent_at`, span(s.current, previous))}
            AND ${surveyCondition(s, sql`d.survey_id`)}
            AND ${and(accountConditions(s, sql`dr.account_id`, sql`dr.contact_id`))}
            AND ${roleCondition(s, sql`dr.contact_id`, sql`dr.account_id`)}`,
    );
    const rate = (done: number, sent: number) => (sent ? round1((100 * done) / sent) : null);
    return {
      ...base,
      unit: 'percent',
      n: Number(row?.c_sent ?? 0),
      ...withDelta(
        rate(Number(row?.c_done ?? 0), Number(row?.c_sent ?? 0)),
        previous ? rate(Number(row?.p_done ?? 0), Number(row?.p_sent ?? 0)) : null,
      ),
    };
  }

  // Health and risk: per account, now (or at the period's end), against the period's start.
  const asOf = (end: Date | null) => {
    if (!end || end.getTime() >= Date.now())
      return sql`SELECT h.health, h.risk FROM account_health h JOIN accounts a ON a.id = h.account_id
        WHERE h.scope = 'own' AND ${accountsWhere(s)}`;
    return sql`SELECT DISTINCT ON (d.account_id) d.health, d.risk
      FROM account_health_daily d JOIN accounts a ON a.id = d.account_id
      WHERE d.scope = 'own' AND d.day < ${dayOf(end)} AND ${accountsWhere(s)}
      ORDER BY d.account_id, d.day DESC`;
  };
  const figures = (alias: string) =>
    sql`avg(${sql.identifier(alias)}.health)::float8 AS ${sql.identifier(`${alias}_avg`)},
      count(${sql.identifier(alias)}.health)::int AS ${sql.identifier(`${alias}_scored`)},
      count(*) FILTER (WHERE ${sql.identifier(alias)}.risk = 'high')::int AS ${sql.identifier(`${alias}_high`)},
      count(*)::int AS ${sql.identifier(`${alias}_n`)}`;
  const [row] = await queryRows<Record<string, number | null>>(
    db,
    sql`SELECT * FROM (SELECT ${figures('c')} FROM (${asOf(s.current.to)}) c) cur
        ${previous?.to ? sql`CROSS JOIN (SELECT ${figures('p')} FROM (${asOf(previous.to)}) p) prev` : sql``}`,
  );
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  if (metric === 'avg_health') {
    const value = num(row?.c_avg);
    const before = previous?.to && Number(row?.p_scored ?? 0) > 0 ? num(row?.p_avg) : null;
    return {
      ...base,
      unit: 'points',
      n: Number(row?.c_scored ?? 0),
      ...withDelta(value === null ? null : round1(value), before === null ? null : round1(before)),
    };
  }
  return {
    ...base,
    unit: 'count',
    n: Number(row?.c_n ?? 0),
    ...withDelta(
      Number(row?.c_high ?? 0),
      previous?.to && Number(row?.p_n ?? 0) > 0 ? Number(row?.p_high ?? 0) : null,
    ),
  };
}

// ---- trend ----

const DAY = 86_400_000;
const MAX_FILLED_BUCKETS = 1000;

/** The first day of the bucket holding `d` (weeks start on Monday, as date_trunc's do). */
function bucketStart(d: Date, unit: 'day' | 'week' | 'month'): Date {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  if (unit === 'day') return day;
  if (unit === 'month') return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY);
}

function nextBucket(d: Date, unit: 'day' | 'week' | 'month'): Date {
  if (unit === 'day') return new Date(d.getTime() + DAY);
  if (unit === 'week') return new Date(d.getTime() + 7 * DAY);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
}

/** Every bucket of the period (or between the first and last with data), empty ones included. */
function filled(
  rows: { bucket: string; value: number | null; n: number }[],
  period: Period,
  unit: 'day' | 'week' | 'month',
  empty: number | null,
) {
  const first = period.from ?? (rows[0] ? new Date(`${rows[0].bucket}T00:00:00Z`) : null);
  const last = period.to
    ? new Date(Math.min(period.to.getTime(), Date.now() + DAY) - 1)
    : rows.length
      ? new Date(`${rows.at(-1)!.bucket}T00:00:00Z`)
      : null;
  if (!first || !last) return rows;
  const byBucket = new Map(rows.map((r) => [r.bucket, r]));
  const out: typeof rows = [];
  for (let b = bucketStart(first, unit); b <= last; b = nextBucket(b, unit)) {
    if (out.length >= MAX_FILLED_BUCKETS) return rows;
    const key = b.toISOString().slice(0, 10);
    out.push(byBucket.get(key) ?? { bucket: key, value: empty, n: 0 });
  }
  return out;
}

async function trend(db: Executor, s: Resolved, widget: WidgetOf<'trend'>) {
  const { metric, interval } = widget.settings;
  let rows: { bucket: string; value: number | null; n: number }[];
  if (metric === 'health') {
    const found = await queryRows<{ bucket: string; value: number | null; n: number }>(
      db,
      sql`SELECT to_char(date_trunc(${interval}, d.day::timestamp), 'YYYY-MM-DD') AS bucket,
            avg(d.health)::float8 AS value, count(DISTINCT d.account_id)::int AS n
          FROM account_health_daily d JOIN accounts a ON a.id = d.account_id
          WHERE d.scope = 'own' AND d.health IS NOT NULL AND ${inPeriod(sql`d.day`, s.current, true)}
            AND ${accountsWhere(s)}
          GROUP BY 1 ORDER BY 1`,
    );
    rows = found.map((r) => ({
      bucket: r.bucket,
      value: r.value === null ? null : round1(Number(r.value)),
      n: Number(r.n),
    }));
  } else {
    const found = await queryRows<Record<string, unknown> & { bucket: string }>(
      db,
      sql`SELECT to_char(date_trunc(${interval}, r.completed_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS bucket,
            ${counts('')}
          FROM ${responses(s, s.current)} GROUP BY 1 ORDER BY 1`,
    );
    rows = found.map((r) => ({ bucket: r.bucket, ...metricOf(metric, pick(r, '')) }));
  }
  return {
    type: 'trend' as const,
    metric,
    interval,
    points: filled(rows, s.current, interval, metric === 'responses' ? 0 : null),
  };
}

// ---- bar by category ----

const roleRank = (role: string) => CLIENT_ROLES.indexOf(role as (typeof CLIENT_ROLES)[number]);

async function bar(db: Executor, s: Resolved, widget: WidgetOf<'bar'>) {
  const { metric, by, limit } = widget.settings;
  let rows: (Record<string, unknown> & { key: string | null; label: string | null })[];
  let order: (
    a: { key: string; n: number; label: string },
    b: { key: string; n: number; label: string },
  ) => number = (a, b) => b.n - a.n || a.label.localeCompare(b.label);
  let shape: QuestionShape | null = null;

  if (by === 'role') {
    const only = s.filters.roles.length
      ? sql`AND role.role IN (${sql.join(
          s.filters.roles.map((r) => sql`${r}`),
          sql`, `,
        )})`
      : sql``;
    rows = await queryRows(
      db,
      sql`SELECT role.role AS key, role.role AS label, ${counts('')}
          FROM ${responses(s, s.current, sql`CROSS JOIN LATERAL ${clientRolesOf(sql`r.contact_id`, sql`r.account_id`)} role`)}
          ${only} GROUP BY 1, 2`,
    );
    order = (a, b) => roleRank(a.key) - roleRank(b.key);
  } else if (by === 'survey') {
    rows = await queryRows(
      db,
      sql`SELECT r.survey_id::text AS key, min(s.name) AS label, ${counts('')}
          FROM ${responses(s, s.current)} GROUP BY r.survey_id`,
    );
  } else if (by === 'attribute') {
    const name = widget.settings.attribute!.toLowerCase();
    const joins = sql`LEFT JOIN accounts a ON a.id = r.account_id
      LEFT JOIN LATERAL (SELECT av.value #>> '{}' AS value FROM jsonb_each(a.attributes) av
        WHERE lower(av.key) = ${name} LIMIT 1) v ON true`;
    rows = await queryRows(
      db,
      sql`SELECT coalesce(v.value, '') AS key, coalesce(v.value, '') AS label, ${counts('')}
          FROM ${responses(s, s.current, joins)} GROUP BY 1, 2`,
    );
  } else {
    const surveyId = widget.settings.surveyId!;
    const question = widget.settings.question!;
    const survey = await getSurveyRow(db, surveyId).catch(() => null);
    if (!survey || survey.directoryId !== s.directoryId) throw notFound(`No survey ${surveyId}`);
    const definition = await surveyDefinition(db, surveyId, survey.currentVersion);
    shape = questionShapes(definition, s.locale ?? '').find((q) => q.name === question) ?? null;
    if (shape && !['single', 'multiple', 'rating', 'boolean'].includes(shape.kind))
      throw badRequest(`"${question}" is not a choice, rating or yes/no question`);
    // Each answer once per value picked (checkboxes: several), the question's values as text.
    const joins = sql`CROSS JOIN LATERAL jsonb_array_elements(
        CASE WHEN jsonb_typeof(r.answers -> ${question}) = 'array'
          THEN r.answers -> ${question} ELSE jsonb_build_array(r.answers -> ${question}) END) o(value)`;
    rows = await queryRows(
      db,
      sql`SELECT o.value #>> '{}' AS key, NULL AS label, ${counts('')}
          FROM ${responses(s, s.current, joins)} AND r.survey_id = ${surveyId}
            AND (r.answers -> ${question}) IS NOT NULL AND jsonb_typeof(o.value) <> 'null'
          GROUP BY 1`,
    );
  }

  let bars = rows.map((r) => ({
    key: r.key ?? '',
    label: r.label ?? r.key ?? '',
    ...metricOf(metric, pick(r, '')),
  }));
  if (shape) {
    // Every option in the question's order (none answered: an empty bar), then values outside them.
    const options = shape.options.map((o) => {
      const key = String(o.value);
      const found = bars.find((b) => b.key === key);
      return {
        key,
        label: o.text,
        value: found?.value ?? (metric === 'responses' ? 0 : null),
        n: found?.n ?? 0,
      };
    });
    const others = bars.filter((b) => !options.some((o) => o.key === b.key)).sort((a, b) => b.n - a.n);
    bars = [...options, ...others];
  } else bars.sort(order);
  return { type: 'bar' as const, metric, by, bars: bars.slice(0, limit) };
}

// ---- NPS distribution ----

async function npsDistribution(db: Executor, s: Resolved) {
  const rows = await queryRows<{ score: number; count: number }>(
    db,
    sql`SELECT g.score::int AS score, count(x.nps_score)::int AS count
        FROM generate_series(0, 10) g(score)
        LEFT JOIN (SELECT r.nps_score FROM ${responses(s, s.current)} AND r.nps_score IS NOT NULL) x
          ON x.nps_score = g.score
        GROUP BY 1 ORDER BY 1`,
  );
  const category = (score: number) => (score <= 6 ? 'detractor' : score <= 8 ? 'passive' : 'promoter');
  const bins = rows.map((r) => ({
    score: Number(r.score),
    count: Number(r.count),
    category: category(Number(r.score)) as 'detractor' | 'passive' | 'promoter',
  }));
  const sum = (c: string) => bins.filter((b) => b.category === c).reduce((t, b) => t + b.count, 0);
  const [promoters, passives, detractors] = [sum('promoter'), sum('passive'), sum('detractor')];
  return {
    type: 'nps_distribution' as const,
    bins,
    n: promoters + passives + detractors,
    nps: npsWithInterval(promoters, passives, detractors)?.score ?? null,
    promoters,
    passives,
    detractors,
  };
}

// ---- tables ----

const ACCOUNT_ORDER: Record<(typeof ACCOUNT_SORTS)[number], SQL> = {
  risk: sql`coalesce(h.risk_rank, 3), h.health NULLS LAST, lower(a.display_name), a.id`,
  health: sql`h.health NULLS LAST, lower(a.display_name), a.id`,
  nps: sql`(m.promoters - m.detractors)::float8 / nullif(m.promoters + m.passives + m.detractors, 0) NULLS LAST, lower(a.display_name), a.id`,
  responses: sql`coalesce(m.n, 0) DESC, lower(a.display_name), a.id`,
  last_feedback: sql`m.last_at DESC NULLS LAST, lower(a.display_name), a.id`,
  name: sql`lower(a.display_name), a.id`,
};

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

async function accountsTable(db: Executor, s: Resolved, widget: WidgetOf<'table'>) {
  const { sort, limit, onlyWithResponses } = widget.settings;
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`WITH m AS (
          SELECT r.account_id, ${counts('')}, max(r.completed_at) AS last_at
          FROM ${responses(s, s.current)} AND r.account_id IS NOT NULL GROUP BY 1)
        SELECT a.id, a.display_name, a.external_ref, h.health, h.band, h.risk, m.n, m.promoters, m.passives,
          m.detractors, m.csat_n, m.satisfied, m.last_at::text AS last_at, count(*) OVER ()::int AS total
        FROM accounts a
        LEFT JOIN account_health h ON h.account_id = a.id AND h.scope = 'own'
        LEFT JOIN m ON m.account_id = a.id
        WHERE ${accountsWhere(s)} ${onlyWithResponses ? sql`AND m.account_id IS NOT NULL` : sql``}
        ORDER BY ${ACCOUNT_ORDER[sort]} LIMIT ${limit}`,
  );
  return {
    type: 'table' as const,
    source: 'accounts' as const,
    total: Number(rows[0]?.total ?? 0),
    responses: null,
    accounts: rows.map((r) => ({
      accountId: Number(r.id),
      name: r.display_name as string,
      externalRef: (r.external_ref as string | null) ?? null,
      health: numOrNull(r.health) === null ? null : round1(Number(r.health)),
      band: (r.band as string | null) ?? null,
      risk: (r.risk as string | null) ?? null,
      nps: metricOf('nps', pick(r, '')).value,
      responses: Number(r.n ?? 0),
      lastFeedbackAt: iso(r.last_at),
    })),
  };
}

async function responsesTable(db: Executor, s: Resolved, widget: WidgetOf<'table'>) {
  const found = await queryRows<{
    id: number;
    survey_id: number;
    version: number;
    survey: string;
    completed_at: string;
    account_id: number | null;
    account: string | null;
    first_name: string | null;
    last_name: string | null;
    role: string | null;
    nps_score: number | null;
    nps_category: string | null;
    csat_score: number | null;
    answers: Record<string, unknown>;
    total: number;
  }>(
    db,
    sql`SELECT r.id, r.survey_id, r.version, s.name AS survey, r.completed_at::text AS completed_at,
          r.account_id, a.display_name AS account, c.first_name, c.last_name,
          (SELECT acr.role::text FROM account_contact_roles acr WHERE acr.contact_id = r.contact_id
             AND acr.account_id = r.account_id
             ORDER BY array_position(${`{${CLIENT_ROLES.join(',')}}`}::text[], acr.role::text) LIMIT 1) AS role,
          r.nps_score, r.nps_category, r.csat_score::float8 AS csat_score, r.answers,
          count(*) OVER ()::int AS total
        FROM ${responses(
          s,
          s.current,
          sql`LEFT JOIN accounts a ON a.id = r.account_id LEFT JOIN contacts c ON c.id = r.contact_id`,
        )}
        ORDER BY r.completed_at DESC, r.id DESC LIMIT ${widget.settings.limit}`,
  );
  // The first free-text answer of each response: what an account team reads first.
  const texts = new Map<string, string[]>();
  for (const row of found) {
    const key = `${row.survey_id}:${row.version}`;
    if (texts.has(key)) continue;
    const definition = await surveyDefinition(db, Number(row.survey_id), row.version);
    texts.set(
      key,
      questionShapes(definition, s.locale ?? '')
        .filter((q) => q.kind === 'text')
        .map((q) => q.name),
    );
  }
  return {
    type: 'table' as const,
    source: 'responses' as const,
    total: Number(found[0]?.total ?? 0),
    accounts: null,
    responses: found.map((r) => {
      const comment = (texts.get(`${r.survey_id}:${r.version}`) ?? [])
        .map((name) => r.answers?.[name])
        .find((v): v is string => typeof v === 'string' && v.trim() !== '');
      return {
        responseId: Number(r.id),
        completedAt: new Date(r.completed_at).toISOString(),
        survey: r.survey,
        accountId: numOrNull(r.account_id),
        account: r.account,
        contact: [r.first_name, r.last_name].filter(Boolean).join(' ') || null,
        role: r.role,
        npsScore: numOrNull(r.nps_score),
        npsCategory: r.nps_category,
        csatScore: numOrNull(r.csat_score),
        comment: comment ?? null,
      };
    }),
  };
}

// ---- heat map: accounts × client roles ----

async function heatmap(db: Executor, s: Resolved, widget: WidgetOf<'heatmap'>) {
  const { metric, accounts, roles } = widget.settings;
  const wanted = roles.length ? roles : [...CLIENT_ROLES];
  const columns = s.filters.roles.length ? wanted.filter((r) => s.filters.roles.includes(r)) : wanted;
  const rows =
    columns.length === 0
      ? []
      : await queryRows<{
          account_id: number;
          name: string;
          role: string;
          n: number;
          promoters: number;
          passives: number;
          detractors: number;
          latest: number | null;
          account_n: number;
        }>(
          db,
          sql`WITH x AS (
                SELECT r.id, r.account_id, role.role, r.nps_score, r.nps_category, r.completed_at
                FROM ${responses(
                  s,
                  s.current,
                  sql`CROSS JOIN LATERAL ${clientRolesOf(sql`r.contact_id`, sql`r.account_id`)} role`,
                )}
                  AND r.account_id IS NOT NULL AND r.nps_category IS NOT NULL
                  AND role.role IN (${sql.join(
                    columns.map((r) => sql`${r}`),
                    sql`, `,
                  )})),
              top AS (
                SELECT x.account_id, count(DISTINCT x.id)::int AS n FROM x
                GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${accounts})
              SELECT x.account_id, a.display_name AS name, x.role, count(*)::int AS n,
                count(*) FILTER (WHERE x.nps_category = 'promoter')::int AS promoters,
                count(*) FILTER (WHERE x.nps_category = 'passive')::int AS passives,
                count(*) FILTER (WHERE x.nps_category = 'detractor')::int AS detractors,
                (array_agg(x.nps_score ORDER BY x.completed_at DESC, x.id DESC))[1] AS latest,
                top.n AS account_n
              FROM x JOIN top ON top.account_id = x.account_id JOIN accounts a ON a.id = x.account_id
              GROUP BY x.account_id, a.display_name, x.role, top.n`,
        );
  const byAccount = new Map<number, { accountId: number; name: string; n: number }>();
  for (const r of rows)
    byAccount.set(Number(r.account_id), {
      accountId: Number(r.account_id),
      name: r.name,
      n: Number(r.account_n),
    });
  const present = new Set(rows.map((r) => r.role));
  return {
    type: 'heatmap' as const,
    metric,
    // Chosen roles stay as columns even when empty; otherwise only the roles someone answered in.
    roles: roles.length ? columns : columns.filter((r) => present.has(r)),
    accounts: [...byAccount.values()].sort((a, b) => b.n - a.n || a.name.localeCompare(b.name)),
    cells: rows.map((r) => ({
      accountId: Number(r.account_id),
      role: r.role,
      n: Number(r.n),
      value:
        metric === 'latest_score'
          ? numOrNull(r.latest)
          : (npsWithInterval(Number(r.promoters), Number(r.passives), Number(r.detractors))?.score ?? null),
    })),
  };
}

// ---- entry points ----

async function compute(db: Executor, s: Resolved, widget: Widget): Promise<WidgetData> {
  switch (widget.type) {
    case 'kpi':
      return kpi(db, s, widget);
    case 'trend':
      return trend(db, s, widget);
    case 'bar':
      return bar(db, s, widget);
    case 'nps_distribution':
      return npsDistribution(db, s);
    case 'table':
      return widget.settings.source === 'accounts'
        ? accountsTable(db, s, widget)
        : responsesTable(db, s, widget);
    case 'heatmap':
      return heatmap(db, s, widget);
  }
}

/** One widget's data under the filters, as the scope's actor may see it. */
export async function widgetData(db: Executor, scope: DataScope, widget: Widget): Promise<WidgetData> {
  return compute(db, await resolve(db, scope), widget);
}

/**
 * Several widgets (a page) under the same filters: each its own statement; a widget that cannot
 * be computed (a survey deleted since, a question removed) answers its error, the others their data.
 */
export async function widgetsData(
  db: Executor,
  scope: DataScope,
  widgets: Widget[],
): Promise<WidgetResult[]> {
  const resolved = await resolve(db, scope);
  const out: WidgetResult[] = [];
  for (const widget of widgets) {
    try {
      out.push({ widgetId: widget.id, data: await compute(db, resolved, widget), error: null });
    } catch (error) {
      if (!isAppError(error)) throw error;
      out.push({ widgetId: widget.id, data: null, error: { code: error.code, message: error.message } });
    }
  }
  return out;
}
