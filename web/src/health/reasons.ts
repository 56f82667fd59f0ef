import type { TFunction } from 'i18next';
import { relativeDays, signed } from './format.ts';
import type { KnownReason, Reason } from './types.ts';

type Of<C extends KnownReason['code']> = Extract<KnownReason, { code: C }>;

const SEVERITY_RANK: Record<string, number> = { high: 0, medium: 1 };

/** The reasons, the most severe first (the server's order within a severity). */
export function bySeverity(reasons: Reason[]): Reason[] {
  return reasons
    .map((reason, i) => ({ reason, i }))
    .sort(
      (a, b) =>
        (SEVERITY_RANK[a.reason.severity ?? ''] ?? 2) - (SEVERITY_RANK[b.reason.severity ?? ''] ?? 2) ||
        a.i - b.i,
    )
    .map((x) => x.reason);
}

const roleName = (t: TFunction, role: string) => t(`clientRoles.${role}`, { defaultValue: role });

/**
 * One churn-risk reason in the reader's language: "Decision maker detractor (Alan Johnson, 3/10)
 * 12 days ago", "No response from Procurement, Executive sponsor in 180 days", "NPS fell 25 points
 * (40 → 15)", "Renewal in 28 days".
 */
export function reasonText(t: TFunction, locale: string, reason: Reason): string {
  switch (reason.code) {
    case 'detractor_key_role': {
      const r = reason as Of<'detractor_key_role'>;
      return t(r.contact ? 'health.reasons.detractor' : 'health.reasons.detractorAnonymous', {
        role: roleName(t, r.role),
        contact: r.contact,
        score: r.score,
        ago: relativeDays(-r.days, locale),
      });
    }
    case 'low_health': {
      const r = reason as Of<'low_health'>;
      return t('health.reasons.lowHealth', {
        health: r.health.toLocaleString(locale, { maximumFractionDigits: 1 }),
      });
    }
    case 'nps_drop': {
      const r = reason as Of<'nps_drop'>;
      return t('health.reasons.npsDrop', {
        points: r.points.toLocaleString(locale, { maximumFractionDigits: 1 }),
        from: signed(r.from, locale),
        to: signed(r.to, locale),
      });
    }
    case 'silent_roles': {
      const r = reason as Of<'silent_roles'>;
      return t('health.reasons.silentRoles', {
        roles: r.roles.map((role) => roleName(t, role)).join(', '),
        days: r.days.toLocaleString(locale),
      });
    }
    case 'no_feedback': {
      const r = reason as Of<'no_feedback'>;
      return r.days === null
        ? t('health.reasons.neverHeard')
        : t('health.reasons.noFeedback', { days: r.days.toLocaleString(locale) });
    }
    case 'renewal_soon': {
      const r = reason as Of<'renewal_soon'>;
      return t('health.reasons.renewalSoon', { when: relativeDays(r.days, locale) });
    }
    case 'open_tickets': {
      const r = reason as Of<'open_tickets'>;
      return t('health.reasons.openTickets', { count: r.count });
    }
    default:
      return reason.code;
  }
}
