import { COMPONENTS, type Component, type HealthModel, type Reason, type Risk } from './model.ts';

/** The raw sums of one account (or subtree) as account_health keeps them. */
export interface RawMetrics {
  responses: number;
  responsesPrev: number;
  npsN: number;
  promoters: number;
  detractors: number;
  wTotal: number;
  wPromoters: number;
  wDetractors: number;
  prevN: number;
  prevPromoters: number;
  prevDetractors: number;
  csatSum: number;
  csatN: number;
  keyPresent: number;
  keyCovered: number;
  silentRoles: string[];
  invitations: number;
  openTickets: number;
  lastFeedbackAt: Date | null;
  renewalDate: string | null;
  keyDetractor: { role: string; contact: string; score: number; at: string } | null;
}

export interface Scored {
  nps: number | null;
  weightedNps: number | null;
  npsPrev: number | null;
  csat: number | null;
  coverage: number | null;
  responseRate: number | null;
  components: Partial<Record<Component, number>>;
  health: number | null;
  band: 'red' | 'yellow' | 'green' | 'insufficient';
  risk: Risk;
  riskRank: number;
  reasons: Reason[];
}

const DAY = 86_400_000;
const round1 = (x: number) => Math.round(x * 10) / 10;
const clamp = (x: number) => Math.min(100, Math.max(0, x));
export const RISK_RANK: Record<Risk, number> = { high: 0, medium: 1, low: 2, unknown: 3 };

/** The health score of a blend (subtree): weighted average, optionally capped by the worst account. */
export function blendHealth(
  parts: { health: number; weight: number }[],
  cap: number | null,
  worst: number | null,
) {
  const total = parts.reduce((s, p) => s + p.weight, 0);
  if (total <= 0) return null;
  const blended = parts.reduce((s, p) => s + p.health * p.weight, 0) / total;
  return round1(cap !== null && worst !== null ? Math.min(blended, worst + cap) : blended);
}

/**
 * Scores one account: every component from its signal, health as their weighted average, the
 * band, the churn risk and the reasons behind it. Pure: the same raw sums give the same answer.
 */
export function score(
  raw: RawMetrics,
  model: HealthModel,
  now: Date,
  healthOverride?: number | null,
  ticketsInUse = raw.openTickets > 0,
): Scored {
  const nps = raw.npsN ? round1((100 * (raw.promoters - raw.detractors)) / raw.npsN) : null;
  const weightedNps = raw.wTotal > 0 ? round1((100 * (raw.wPromoters - raw.wDetractors)) / raw.wTotal) : null;
  const npsPrev = raw.prevN ? round1((100 * (raw.prevPromoters - raw.prevDetractors)) / raw.prevN) : null;
  const csat = raw.csatN ? round1(raw.csatSum / raw.csatN) : null;
  const coverage = raw.keyPresent ? raw.keyCovered / raw.keyPresent : null;
  const responseRate = raw.invitations ? Math.min(1, raw.responses / raw.invitations) : null;
  const daysSince = raw.lastFeedbackAt
    ? Math.floor((now.getTime() - raw.lastFeedbackAt.getTime()) / DAY)
    : null;

  const components: Partial<Record<Component, number>> = {};
  if (weightedNps !== null) components.nps = round1((weightedNps + 100) / 2);
  if (coverage !== null) components.coverage = round1(coverage * 100);
  // Never heard from is a signal too: recency 0.
  components.recency =
    daysSince === null
      ? 0
      : round1(clamp((100 * (model.staleDays - daysSince)) / Math.max(1, model.staleDays - model.freshDays)));
  if (nps !== null && npsPrev !== null) components.trend = round1(clamp(50 + (nps - npsPrev)));
  if (csat !== null) components.csat = csat;
  // Where the directory works with tickets, having none open is a signal too (each open one: −20).
  if (ticketsInUse) components.tickets = clamp(100 - 20 * raw.openTickets);

  const insufficient = raw.responses < model.minResponses;
  let health: number | null = null;
  if (!insufficient) {
    let total = 0;
    let sum = 0;
    for (const c of COMPONENTS) {
      const value = components[c];
      const weight = model.weights[c];
      if (value === undefined || weight <= 0) continue;
      total += weight;
      sum += weight * value;
    }
    health = total > 0 ? round1(sum / total) : null;
  }
  if (healthOverride !== undefined) health = healthOverride;
  const band =
    health === null
      ? 'insufficient'
      : health < model.bands.red
        ? 'red'
        : health < model.bands.yellow
          ? 'yellow'
          : 'green';

  const reasons: Reason[] = [];
  if (raw.keyDetractor) {
    const days = Math.floor((now.getTime() - new Date(raw.keyDetractor.at).getTime()) / DAY);
    if (days <= model.detractorDays)
      reasons.push({
        code: 'detractor_key_role',
        severity: 'high',
        role: raw.keyDetractor.role,
        contact: raw.keyDetractor.contact,
        score: raw.keyDetractor.score,
        days,
      });
  }
  const renewalDays = raw.renewalDate
    ? Math.ceil((new Date(`${raw.renewalDate}T00:00:00Z`).getTime() - now.getTime()) / DAY)
    : null;
  const renewalSoon = renewalDays !== null && renewalDays >= 0 && renewalDays <= model.renewalSoonDays;
  // A renewal soon is a reason when anything else is wrong: a healthy account renewing is not a risk.
  if (renewalSoon && (band !== 'green' || reasons.length > 0))
    reasons.push({
      code: 'renewal_soon',
      severity: band === 'green' ? 'medium' : band === 'red' ? 'high' : 'medium',
      days: renewalDays!,
    });
  if (health !== null && band !== 'green')
    reasons.push({ code: 'low_health', severity: band === 'red' ? 'high' : 'medium', health });
  if (nps !== null && npsPrev !== null && npsPrev - nps >= model.npsDropPoints)
    reasons.push({
      code: 'nps_drop',
      severity: 'medium',
      points: round1(npsPrev - nps),
      from: npsPrev,
      to: nps,
    });
  if (raw.silentRoles.length)
    reasons.push({
      code: 'silent_roles',
      severity: 'medium',
      roles: raw.silentRoles,
      days: model.coverageDays,
    });
  if (daysSince === null || daysSince > model.staleDays)
    reasons.push({ code: 'no_feedback', severity: 'medium', days: daysSince });
  if (raw.openTickets > 0) reasons.push({ code: 'open_tickets', severity: 'medium', count: raw.openTickets });

  // Too little signal says "unknown" rather than "low": nobody should relax about a silent account.
  const risk: Risk = reasons.some((r) => r.severity === 'high')
    ? 'high'
    : insufficient && !renewalSoon
      ? 'unknown'
      : reasons.length
        ? 'medium'
        : 'low';
  return {
    nps,
    weightedNps,
    npsPrev,
    csat,
    coverage: coverage === null ? null : round1(coverage * 100) / 100,
    responseRate: responseRate === null ? null : round1(responseRate * 1000) / 1000,
    components,
    health,
    band,
    risk,
    riskRank: RISK_RANK[risk],
    reasons,
  };
}
