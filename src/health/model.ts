import { z } from 'zod';
import { CLIENT_ROLES } from '../directory/roles.ts';

/**
 * The account health model of a directory: explainable by construction. Each component is a
 * 0–100 score from one signal; health is their weighted average over the components an account
 * has data for; bands and churn risk follow thresholds; every point of risk comes with a reason.
 * Defaults follow what the anchors do (DESIGN.md "Account health"): true NPS over each contact's
 * latest answer in a window, weighted by client role; coverage of key roles; recency; trend.
 */

const ZWeight = z.number().min(0).max(100);

export const ZHealthModel = z.object({
  /** Responses older than this do not count (each contact's latest answer within it). */
  windowDays: z.number().int().min(7).max(1095).default(365),
  /** How much each client role's answer weighs in the role-weighted NPS. */
  roleWeights: z.record(z.enum(CLIENT_ROLES), z.number().min(0).max(10)).default({
    DECISION_MAKER: 3,
    EXECUTIVE_SPONSOR: 3,
    INFLUENCER: 2,
    PROCUREMENT_FINANCE_PERSON: 2,
    PROGRAM_MANAGER: 1.5,
    END_USER: 1,
    ACCOUNT_MEMBER: 1,
  }),
  /** Roles an account should hear from: coverage is the share of these (present) with a recent answer. */
  keyRoles: z
    .array(z.enum(CLIENT_ROLES))
    .min(1)
    .default(['DECISION_MAKER', 'EXECUTIVE_SPONSOR', 'INFLUENCER', 'PROCUREMENT_FINANCE_PERSON']),
  coverageDays: z.number().int().min(7).max(1095).default(180),
  /** Recency: 100 up to `freshDays` since the last answer, 0 from `staleDays`, linear between. */
  freshDays: z.number().int().min(0).max(365).default(30),
  staleDays: z.number().int().min(1).max(1095).default(180),
  weights: z
    .object({
      nps: ZWeight.default(40),
      coverage: ZWeight.default(20),
      recency: ZWeight.default(15),
      trend: ZWeight.default(10),
      csat: ZWeight.default(10),
      tickets: ZWeight.default(5),
    })
    .default({ nps: 40, coverage: 20, recency: 15, trend: 10, csat: 10, tickets: 5 }),
  /** Fewer answers than this in the window: "insufficient signal", not a misleading number. */
  minResponses: z.number().int().min(1).max(100).default(1),
  bands: z
    .object({ red: z.number().min(0).max(100).default(40), yellow: z.number().min(0).max(100).default(70) })
    .default({ red: 40, yellow: 70 }),
  /** NPS falling by at least this many points against the previous window is a risk reason. */
  npsDropPoints: z.number().min(1).max(200).default(20),
  /** A detractor among these roles within this many days makes the risk high. */
  detractorRoles: z.array(z.enum(CLIENT_ROLES)).default(['DECISION_MAKER', 'EXECUTIVE_SPONSOR']),
  detractorDays: z.number().int().min(1).max(365).default(90),
  /** Account attributes the model reads (names, case-insensitive). */
  arrAttribute: z.string().max(200).default('ARR'),
  renewalAttribute: z.string().max(200).default('RenewalDate'),
  renewalSoonDays: z.number().int().min(1).max(365).default(90),
  /** A boolean (true = churned) or text (churned / renewed) attribute: the outcomes the fitted model learns from. */
  outcomeAttribute: z.string().max(200).default('Churned'),
  /** A parent's health is its accounts' ARR-weighted health, at most the worst child's plus this (null: no cap). */
  worstChildCap: z.number().min(0).max(100).nullable().default(null),
});
export type HealthModel = z.output<typeof ZHealthModel>;

export const DEFAULT_MODEL: HealthModel = ZHealthModel.parse({});

export const COMPONENTS = ['nps', 'coverage', 'recency', 'trend', 'csat', 'tickets'] as const;
export type Component = (typeof COMPONENTS)[number];

export const RISKS = ['high', 'medium', 'low', 'unknown'] as const;
export type Risk = (typeof RISKS)[number];
export const BANDS = ['red', 'yellow', 'green', 'insufficient'] as const;

/**
 * Why an account is at risk, as data the UI words in the user's language: "decision maker
 * detractor 12 days ago", "no response from procurement in 180 days", "NPS fell 25 points".
 */
export type Reason =
  | {
      code: 'detractor_key_role';
      severity: 'high';
      role: string;
      contact: string;
      score: number;
      days: number;
    }
  | { code: 'low_health'; severity: 'high' | 'medium'; health: number }
  | { code: 'nps_drop'; severity: 'medium'; points: number; from: number; to: number }
  | { code: 'silent_roles'; severity: 'medium'; roles: string[]; days: number }
  | { code: 'no_feedback'; severity: 'medium'; days: number | null }
  | { code: 'renewal_soon'; severity: 'high' | 'medium'; days: number }
  | { code: 'open_tickets'; severity: 'medium'; count: number };
