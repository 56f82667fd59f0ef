import { z } from 'zod';
import { CLIENT_ROLES } from '../directory/roles.ts';

/**
 * What a dashboard is: pages of widgets on a 12-column grid (each widget says its width and height
 * in grid units, its order is its place in the page's list), and the dashboard-level filters every
 * widget is computed under. Each widget type has its own settings, checked here; the query engine
 * (widget-data.ts) turns settings + filters + the viewer's scope into one SQL statement.
 */

export const VISIBILITIES = ['shared', 'personal'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const DATE_PRESETS = [
  'last_7_days',
  'last_30_days',
  'last_90_days',
  'last_365_days',
  'month_to_date',
  'quarter_to_date',
  'year_to_date',
  'all_time',
] as const;
export type DatePreset = (typeof DATE_PRESETS)[number];

const ZDay = z.iso.date();

export const ZDateFilter = z.discriminatedUnion('type', [
  z.object({ type: z.literal('preset'), preset: z.enum(DATE_PRESETS) }),
  /** Absolute days, both included (UTC). */
  z
    .object({ type: z.literal('range'), from: ZDay, to: ZDay })
    .refine((d) => d.from <= d.to, { error: '"from" is after "to"', path: ['to'] }),
]);
export type DateFilter = z.output<typeof ZDateFilter>;

export const ZDashboardFilters = z.object({
  date: ZDateFilter.default({ type: 'preset', preset: 'last_365_days' }),
  /** Responses to these surveys only (none: every survey of the directory). */
  surveyIds: z.array(z.number().int().positive()).max(50).default([]),
  /** An account and (subtree, the default) its descendants. */
  accountId: z.number().int().positive().nullable().default(null),
  subtree: z.boolean().default(true),
  /** Respondents holding one of these client roles in the account they answered for. */
  roles: z.array(z.enum(CLIENT_ROLES)).max(CLIENT_ROLES.length).default([]),
  /** Accounts whose attribute `name` (case-insensitive) has exactly this value. */
  attribute: z
    .object({ name: z.string().trim().min(1).max(100), value: z.string().max(500) })
    .nullable()
    .default(null),
  /** Members of a segment (src/segments): an account segment's accounts, a contact segment's contacts. */
  segmentId: z.number().int().positive().nullable().default(null),
});
export type DashboardFilters = z.output<typeof ZDashboardFilters>;
export const DEFAULT_FILTERS: DashboardFilters = ZDashboardFilters.parse({});

export const WIDGET_TYPES = ['kpi', 'trend', 'bar', 'nps_distribution', 'table', 'heatmap'] as const;
export type WidgetType = (typeof WIDGET_TYPES)[number];

export const KPI_METRICS = [
  'nps',
  'csat',
  'responses',
  'response_rate',
  'avg_health',
  'high_risk_accounts',
] as const;
export const TREND_METRICS = ['nps', 'csat', 'responses', 'health'] as const;
export const INTERVALS = ['day', 'week', 'month'] as const;
export const BAR_METRICS = ['nps', 'responses', 'csat'] as const;
export const BAR_DIMENSIONS = ['role', 'survey', 'attribute', 'question'] as const;
export const TABLE_SOURCES = ['accounts', 'responses'] as const;
export const ACCOUNT_SORTS = ['risk', 'health', 'nps', 'responses', 'last_feedback', 'name'] as const;
export const HEATMAP_METRICS = ['nps', 'latest_score'] as const;

const ZId = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, { error: 'letters, digits, "-" or "_" (at most 40)' });

const base = {
  id: ZId,
  /** Empty: the UI shows a title made from the settings, in the viewer's language. */
  title: z.string().trim().max(200).default(''),
  /** Columns of the 12-column grid, and height in rows of 100 px. */
  w: z.number().int().min(1).max(12).default(4),
  h: z.number().int().min(1).max(8).default(3),
};

export const ZKpiSettings = z.object({
  metric: z.enum(KPI_METRICS),
  /** Show the change against the previous period of the same length. */
  compare: z.boolean().default(true),
});
export const ZTrendSettings = z.object({
  metric: z.enum(TREND_METRICS),
  interval: z.enum(INTERVALS).default('week'),
});
export const ZBarSettings = z
  .object({
    metric: z.enum(BAR_METRICS).default('nps'),
    by: z.enum(BAR_DIMENSIONS),
    /** by attribute: the account attribute's name. */
    attribute: z.string().trim().min(1).max(100).optional(),
    /** by question: a choice, rating or boolean question of this survey. */
    surveyId: z.number().int().positive().optional(),
    question: z.string().trim().min(1).max(200).optional(),
    limit: z.number().int().min(1).max(50).default(20),
  })
  .superRefine((s, ctx) => {
    if (s.by === 'attribute' && !s.attribute)
      ctx.addIssue({ code: 'custom', path: ['attribute'], message: 'name the account attribute' });
    if (s.by === 'question' && (!s.surveyId || !s.question)) {
      if (!s.surveyId) ctx.addIssue({ code: 'custom', path: ['surveyId'], message: 'pick the survey' });
      if (!s.question) ctx.addIssue({ code: 'custom', path: ['question'], message: 'pick the question' });
    }
  });
export const ZNpsDistributionSettings = z.object({});
export const ZTableSettings = z.object({
  source: z.enum(TABLE_SOURCES),
  /** accounts: the order of the rows. */
  sort: z.enum(ACCOUNT_SORTS).default('risk'),
  /** accounts: only those with responses under the filters. */
  onlyWithResponses: z.boolean().default(false),
  limit: z.number().int().min(1).max(100).default(10),
});
export const ZHeatmapSettings = z.object({
  metric: z.enum(HEATMAP_METRICS).default('nps'),
  /** Rows: the accounts with the most answers under the filters. */
  accounts: z.number().int().min(1).max(100).default(15),
  /** Columns (none: every client role). */
  roles: z.array(z.enum(CLIENT_ROLES)).max(CLIENT_ROLES.length).default([]),
});

export const ZWidget = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('kpi'), settings: ZKpiSettings }),
  z.object({ ...base, type: z.literal('trend'), settings: ZTrendSettings }),
  z.object({ ...base, type: z.literal('bar'), settings: ZBarSettings }),
  z.object({
    ...base,
    type: z.literal('nps_distribution'),
    settings: ZNpsDistributionSettings.default({}),
  }),
  z.object({ ...base, type: z.literal('table'), settings: ZTableSettings }),
  z.object({ ...base, type: z.literal('heatmap'), settings: ZHeatmapSettings }),
]);
export type Widget = z.output<typeof ZWidget>;
export type WidgetOf<T extends WidgetType> = Extract<Widget, { type: T }>;

export const MAX_PAGES = 20;
export const MAX_WIDGETS_PER_PAGE = 40;

export const ZPage = z.object({
  id: ZId,
  title: z.string().trim().max(100).default(''),
  widgets: z.array(ZWidget).max(MAX_WIDGETS_PER_PAGE).default([]),
});
export type Page = z.output<typeof ZPage>;

export const ZDashboardInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().trim().max(2000).default(''),
    /** shared: everyone of the directory reads it; personal: its owner only. */
    visibility: z.enum(VISIBILITIES).default('shared'),
    filters: ZDashboardFilters.default(DEFAULT_FILTERS),
    pages: z.array(ZPage).min(1).max(MAX_PAGES),
    /** The version read before the change: a dashboard changed since is refused (409). */
    version: z.number().int().positive().optional(),
  })
  .superRefine((d, ctx) => {
    const pages = new Set<string>();
    const widgets = new Set<string>();
    d.pages.forEach((page, p) => {
      if (pages.has(page.id))
        ctx.addIssue({ code: 'custom', path: ['pages', p, 'id'], message: `page id "${page.id}" twice` });
      pages.add(page.id);
      page.widgets.forEach((widget, w) => {
        if (widgets.has(widget.id))
          ctx.addIssue({
            code: 'custom',
            path: ['pages', p, 'widgets', w, 'id'],
            message: `widget id "${widget.id}" twice`,
          });
        widgets.add(widget.id);
      });
    });
  });
export type DashboardInput = z.output<typeof ZDashboardInput>;

/** The stored layout (the dashboard row's `pages`). */
export type Pages = Page[];

export const TEMPLATES = ['overview'] as const;
export type TemplateKey = (typeof TEMPLATES)[number];

/**
 * "Account experience overview": the headline KPIs with their change, NPS over time and its
 * spread, NPS by role and by survey; then the accounts (risk first), who says what in each
 * account (accounts × roles), and the latest responses. Titles are left empty: the UI names
 * each widget from its settings in the viewer's language.
 */
export function overviewTemplate(): Omit<DashboardInput, 'name' | 'version'> {
  const kpi = (id: string, metric: (typeof KPI_METRICS)[number]): Widget => ({
    id,
    type: 'kpi',
    title: '',
    w: 2,
    h: 1,
    settings: { metric, compare: true },
  });
  return {
    description: '',
    visibility: 'shared',
    filters: { ...DEFAULT_FILTERS, date: { type: 'preset', preset: 'last_365_days' } },
    pages: [
      {
        id: 'overview',
        title: '',
        widgets: [
          kpi('kpi-nps', 'nps'),
          kpi('kpi-csat', 'csat'),
          kpi('kpi-responses', 'responses'),
          kpi('kpi-rate', 'response_rate'),
          kpi('kpi-health', 'avg_health'),
          kpi('kpi-risk', 'high_risk_accounts'),
          {
            id: 'nps-trend',
            type: 'trend',
            title: '',
            w: 8,
            h: 3,
            settings: { metric: 'nps', interval: 'month' },
          },
          { id: 'nps-spread', type: 'nps_distribution', title: '', w: 4, h: 3, settings: {} },
          {
            id: 'nps-by-role',
            type: 'bar',
            title: '',
            w: 6,
            h: 3,
            settings: { metric: 'nps', by: 'role', limit: 20 },
          },
          {
            id: 'nps-by-survey',
            type: 'bar',
            title: '',
            w: 6,
            h: 3,
            settings: { metric: 'nps', by: 'survey', limit: 20 },
          },
        ],
      },
      {
        id: 'accounts',
        title: '',
        widgets: [
          {
            id: 'accounts-at-risk',
            type: 'table',
            title: '',
            w: 12,
            h: 4,
            settings: { source: 'accounts', sort: 'risk', onlyWithResponses: false, limit: 15 },
          },
          {
            id: 'accounts-by-role',
            type: 'heatmap',
            title: '',
            w: 12,
            h: 4,
            settings: { metric: 'nps', accounts: 15, roles: [] },
          },
          {
            id: 'latest-responses',
            type: 'table',
            title: '',
            w: 12,
            h: 4,
            settings: { source: 'responses', sort: 'risk', onlyWithResponses: false, limit: 15 },
          },
        ],
      },
    ],
  };
}

// ---- periods ----

export interface Period {
  /** Inclusive; null: since the beginning. */
  from: Date | null;
  /** Exclusive; null: until now and on. */
  to: Date | null;
}

const DAY = 86_400_000;
const utcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
const parseDay = (day: string) => new Date(`${day}T00:00:00.000Z`);

/**
 * The filter's period and the one before it (same length, right before; none for all time).
 * Days are UTC days; "to date" periods run to the end of today.
 */
export function resolvePeriod(
  date: DateFilter,
  now = new Date(),
): { current: Period; previous: Period | null } {
  const tomorrow = new Date(utcDay(now).getTime() + DAY);
  const before = (from: Date, to: Date): Period => ({
    from: new Date(from.getTime() - (to.getTime() - from.getTime())),
    to: from,
  });
  if (date.type === 'range') {
    const from = parseDay(date.from);
    const to = new Date(parseDay(date.to).getTime() + DAY);
    return { current: { from, to }, previous: before(from, to) };
  }
  const lastDays = (n: number) => {
    const from = new Date(tomorrow.getTime() - n * DAY);
    return { current: { from, to: tomorrow }, previous: before(from, tomorrow) };
  };
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  // "To date": this period so far, against the same stretch of the previous one.
  const toDate = (from: Date, previousFrom: Date) => {
    const length = tomorrow.getTime() - from.getTime();
    return {
      current: { from, to: tomorrow },
      previous: {
        from: previousFrom,
        to: new Date(Math.min(previousFrom.getTime() + length, from.getTime())),
      },
    };
  };
  switch (date.preset) {
    case 'last_7_days':
      return lastDays(7);
    case 'last_30_days':
      return lastDays(30);
    case 'last_90_days':
      return lastDays(90);
    case 'last_365_days':
      return lastDays(365);
    case 'month_to_date':
      return toDate(new Date(Date.UTC(y, m, 1)), new Date(Date.UTC(y, m - 1, 1)));
    case 'quarter_to_date': {
      const q = m - (m % 3);
      return toDate(new Date(Date.UTC(y, q, 1)), new Date(Date.UTC(y, q - 3, 1)));
    }
    case 'year_to_date':
      return toDate(new Date(Date.UTC(y, 0, 1)), new Date(Date.UTC(y - 1, 0, 1)));
    case 'all_time':
      return { current: { from: null, to: null }, previous: null };
  }
}
