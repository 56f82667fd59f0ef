/**
 * Shapes of the account health API (src/health/health.routes.ts, model.ts), as the command center,
 * the account page and the health model settings use them.
 */

export const COMPONENTS = ['nps', 'coverage', 'recency', 'trend', 'csat', 'tickets'] as const;
export type Component = (typeof COMPONENTS)[number];
export const RISKS = ['high', 'medium', 'low', 'unknown'] as const;
export type Risk = (typeof RISKS)[number];
export const BANDS = ['red', 'yellow', 'green', 'insufficient'] as const;
export type Band = (typeof BANDS)[number];
export const HEALTH_SORTS = ['risk', 'health', 'nps', 'arr', 'renewal', 'name', 'lastFeedback'] as const;
export type HealthSort = (typeof HEALTH_SORTS)[number];
export type Scope = 'own' | 'subtree';

export const BAND_COLORS: Record<string, string> = {
  red: 'red',
  yellow: 'yellow',
  green: 'teal',
  insufficient: 'gray',
};
export const RISK_COLORS: Record<string, string> = {
  high: 'red',
  medium: 'orange',
  low: 'teal',
  unknown: 'gray',
};

/** Why an account is at risk: data the UI words in the reader's language (reasons.ts). */
export type KnownReason =
  | {
      code: 'detractor_key_role';
      severity: 'high';
      role: string;
      contact: string | null;
      score: number;
      days: number;
    }
  | { code: 'low_health'; severity: 'high' | 'medium'; health: number }
  | { code: 'nps_drop'; severity: 'medium'; points: number; from: number; to: number }
  | { code: 'silent_roles'; severity: 'medium'; roles: string[]; days: number }
  | { code: 'no_feedback'; severity: 'medium'; days: number | null }
  | { code: 'renewal_soon'; severity: 'high' | 'medium'; days: number }
  | { code: 'open_tickets'; severity: 'medium'; count: number };
/** A reason the server may add later: shown by its code until the UI words it. */
export type Reason = KnownReason | { code: string; severity?: string; [key: string]: unknown };

export interface AccountHealth {
  accountId: number;
  name: string;
  externalRef: string | null;
  parentId: number | null;
  scope: Scope;
  /** 0–100; null: insufficient signal. */
  health: number | null;
  band: Band | string;
  risk: Risk | string;
  reasons: Reason[];
  components: Partial<Record<Component, number>>;
  nps: number | null;
  weightedNps: number | null;
  npsPrev: number | null;
  csat: number | null;
  /** 0–1: the share of the key roles present that answered recently. */
  coverage: number | null;
  responseRate: number | null;
  responses: number;
  npsAnswers: number;
  promoters: number;
  passives: number;
  detractors: number;
  silentRoles: string[];
  lastFeedbackAt: string | null;
  lastContactAt: string | null;
  daysSinceLastContact: number | null;
  arr: number | null;
  renewalDate: string | null;
  openTickets: number;
  owner: string | null;
  computedAt: string | null;
}

export interface HealthList {
  items: AccountHealth[];
  nextOffset: number | null;
}

/** GET /directories/:dir/account-health/summary: the headline figures over the list's filters. */
export interface HealthSummary {
  accounts: number;
  byRisk: Partial<Record<Risk, number>>;
  byBand: Partial<Record<Band, number>>;
  /** Of the scored accounts; null when none is. */
  averageHealth: number | null;
  /** Accounts renewing within `renewalSoonDays` days. */
  renewalsSoon: number;
  renewalSoonDays: number;
  arrAtHighRisk: number | null;
}

export type InterventionList =
  | 'detractorDecisionMakers'
  | 'healthDropped'
  | 'silentKeyRoles'
  | 'renewalsAtRisk';

export interface Interventions {
  /** How many accounts each list has in all (each list holds the first 10). */
  totals: Partial<Record<InterventionList, number>>;
  healthDropped: (AccountHealth & { healthBefore: number | null })[];
  detractorDecisionMakers: AccountHealth[];
  silentKeyRoles: AccountHealth[];
  renewalsAtRisk: AccountHealth[];
}

/** GET /accounts/:id/health-tree: the subtree's nodes, each with its subtree health. */
export interface HealthTree {
  items: (AccountHealth & { depth: number })[];
}

/** GET /accounts/:id/responses: an account's completed responses across surveys, newest first. */
export interface AccountResponse {
  id: number;
  surveyId: number;
  survey: string;
  accountId: number;
  contactId: number | null;
  contactName: string | null;
  completedAt: string;
  channel: string;
  npsScore: number | null;
  npsCategory: 'detractor' | 'passive' | 'promoter' | string | null;
  /** 0–100: the answer's share of the CSAT scale. */
  csatScore: number | null;
  comments: { question: string; text: string }[];
}

export interface ContactScore {
  contactId: number;
  name: string | null;
  email: string | null;
  role: string;
  npsScore: number | null;
  npsCategory: 'detractor' | 'passive' | 'promoter' | string | null;
  at: string | null;
}

export interface AccountHealthDetail {
  accountId: number;
  own: AccountHealth | null;
  subtree: AccountHealth | null;
  trend: { day: string; scope: string; health: number | null; nps: number | null; risk: string }[];
  /** The subtree health of each child account. */
  children: AccountHealth[];
  contactsByRole: ContactScore[];
}

export interface HealthModel {
  windowDays: number;
  roleWeights: Partial<Record<string, number>>;
  keyRoles: string[];
  coverageDays: number;
  freshDays: number;
  staleDays: number;
  weights: Record<Component, number>;
  minResponses: number;
  bands: { red: number; yellow: number };
  npsDropPoints: number;
  detractorRoles: string[];
  detractorDays: number;
  arrAttribute: string;
  renewalAttribute: string;
  renewalSoonDays: number;
  outcomeAttribute: string;
  worstChildCap: number | null;
}

/** GET /directories/:dir/health-model/fit: a logistic regression of churn on the components. */
export interface ChurnFit {
  outcomeAttribute: string;
  labelled: number;
  train: number;
  test: number;
  fitted: boolean;
  reason?: string;
  accuracy?: number;
  baselineAccuracy?: number;
  auc?: number | null;
  /** Per standard deviation of each component: negative = a higher score means less churn. */
  coefficients?: Partial<Record<Component, number>>;
  intercept?: number;
}
