/** The shapes of the dashboards API (src/dashboards/model.ts and widget-data.ts). */

import type { CLIENT_ROLES } from '../api/types.ts';

export type ClientRole = (typeof CLIENT_ROLES)[number];

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

export type DateFilter = { type: 'preset'; preset: DatePreset } | { type: 'range'; from: string; to: string };

export interface DashboardFilters {
  date: DateFilter;
  surveyIds: number[];
  accountId: number | null;
  subtree: boolean;
  roles: ClientRole[];
  attribute: { name: string; value: string } | null;
  segmentId: number | null;
}

export const DEFAULT_FILTERS: DashboardFilters = {
  date: { type: 'preset', preset: 'last_365_days' },
  surveyIds: [],
  accountId: null,
  subtree: true,
  roles: [],
  attribute: null,
  segmentId: null,
};

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
export const ACCOUNT_SORTS = ['risk', 'health', 'nps', 'responses', 'last_feedback', 'name'] as const;
export const HEATMAP_METRICS = ['nps', 'latest_score'] as const;

interface Base {
  id: string;
  title: string;
  w: number;
  h: number;
}
export type Widget = Base &
  (
    | { type: 'kpi'; settings: { metric: (typeof KPI_METRICS)[number]; compare: boolean } }
    | {
        type: 'trend';
        settings: { metric: (typeof TREND_METRICS)[number]; interval: (typeof INTERVALS)[number] };
      }
    | {
        type: 'bar';
        settings: {
          metric: (typeof BAR_METRICS)[number];
          by: (typeof BAR_DIMENSIONS)[number];
          attribute?: string;
          surveyId?: number;
          question?: string;
          limit: number;
        };
      }
    | { type: 'nps_distribution'; settings: Record<string, never> }
    | {
        type: 'table';
        settings: {
          source: 'accounts' | 'responses';
          sort: (typeof ACCOUNT_SORTS)[number];
          onlyWithResponses: boolean;
          limit: number;
        };
      }
    | {
        type: 'heatmap';
        settings: { metric: (typeof HEATMAP_METRICS)[number]; accounts: number; roles: ClientRole[] };
      }
  );
export type WidgetOf<T extends WidgetType> = Extract<Widget, { type: T }>;

export interface DashboardPage {
  id: string;
  title: string;
  widgets: Widget[];
}

export interface Dashboard {
  id: number;
  directoryId: number;
  name: string;
  description: string;
  visibility: 'shared' | 'personal';
  ownerUserId: number | null;
  template: string | null;
  filters: DashboardFilters;
  pages: DashboardPage[];
  version: number;
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface DashboardSummary {
  id: number;
  name: string;
  description: string;
  visibility: 'shared' | 'personal';
  template: string | null;
  pages: number;
  widgets: number;
  mine: boolean;
  updatedBy: string;
  updatedAt: string;
}

interface PeriodOut {
  from: string | null;
  to: string | null;
}

export interface KpiData {
  type: 'kpi';
  metric: (typeof KPI_METRICS)[number];
  unit: 'score' | 'percent' | 'points' | 'count';
  value: number | null;
  n: number;
  previous: number | null;
  delta: number | null;
  margin: number | null;
  period: PeriodOut;
  previousPeriod: PeriodOut | null;
}
export interface TrendData {
  type: 'trend';
  metric: (typeof TREND_METRICS)[number];
  interval: (typeof INTERVALS)[number];
  points: { bucket: string; value: number | null; n: number }[];
}
export interface BarData {
  type: 'bar';
  metric: (typeof BAR_METRICS)[number];
  by: (typeof BAR_DIMENSIONS)[number];
  bars: { key: string; label: string; value: number | null; n: number }[];
}
export interface NpsDistributionData {
  type: 'nps_distribution';
  bins: { score: number; count: number; category: 'detractor' | 'passive' | 'promoter' }[];
  n: number;
  nps: number | null;
  promoters: number;
  passives: number;
  detractors: number;
}
export interface AccountRow {
  accountId: number;
  name: string;
  externalRef: string | null;
  health: number | null;
  band: string | null;
  risk: string | null;
  nps: number | null;
  responses: number;
  lastFeedbackAt: string | null;
}
export interface ResponseRow {
  responseId: number;
  completedAt: string;
  survey: string;
  accountId: number | null;
  account: string | null;
  contact: string | null;
  role: string | null;
  npsScore: number | null;
  npsCategory: string | null;
  csatScore: number | null;
  comment: string | null;
}
export interface TableData {
  type: 'table';
  source: 'accounts' | 'responses';
  accounts: AccountRow[] | null;
  responses: ResponseRow[] | null;
  total: number;
}
export interface HeatmapData {
  type: 'heatmap';
  metric: (typeof HEATMAP_METRICS)[number];
  roles: string[];
  accounts: { accountId: number; name: string; n: number }[];
  cells: { accountId: number; role: string; value: number | null; n: number }[];
}
export type WidgetData = KpiData | TrendData | BarData | NpsDistributionData | TableData | HeatmapData;

export interface WidgetResult {
  widgetId: string;
  data: WidgetData | null;
  error: { code: string; message: string } | null;
}

export interface DashboardEmbedView {
  dashboard: { id: number; name: string; description: string; pages: DashboardPage[] };
  account: { id: number; name: string; externalRef: string };
  widgetId: string | null;
  locale: string | null;
  expiresAt: string;
  filters: DashboardFilters;
  pageId: string;
  widgets: WidgetResult[];
}

export const RISK_COLORS: Record<string, string> = {
  high: 'red',
  medium: 'orange',
  low: 'teal',
  unknown: 'gray',
};
