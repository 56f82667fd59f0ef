import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, type HealthModel, ZHealthModel } from './model.ts';
import { type RawMetrics, score } from './score.ts';

const NOW = new Date('2026-06-15T12:00:00Z');
const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);

/** A healthy, well-covered account answered yesterday; each test changes what it is about. */
function raw(changes: Partial<RawMetrics> = {}): RawMetrics {
  return {
    responses: 10,
    responsesPrev: 0,
    npsN: 10,
    promoters: 10,
    detractors: 0,
    wTotal: 10,
    wPromoters: 10,
    wDetractors: 0,
    prevN: 0,
    prevPromoters: 0,
    prevDetractors: 0,
    csatSum: 0,
    csatN: 0,
    keyPresent: 2,
    keyCovered: 2,
    silentRoles: [],
    invitations: 0,
    openTickets: 0,
    lastFeedbackAt: daysAgo(1),
    renewalDate: null,
    keyDetractor: null,
    ...changes,
  };
}

/** A model whose health is the CSAT alone: health = the CSAT given. */
const csatOnly: HealthModel = ZHealthModel.parse({
  weights: { nps: 0, coverage: 0, recency: 0, trend: 0, csat: 100, tickets: 0 },
});
const withCsat = (csat: number) => raw({ csatSum: csat * 4, csatN: 4 });
const codes = (s: ReturnType<typeof score>) => s.reasons.map((r) => r.code);

describe('score: metrics and components', () => {
  it('averages CSAT and makes it a component, and divides responses by invitations for the rate', () => {
    const s = score(
      raw({ csatSum: 75 + 50 + 100, csatN: 3, responses: 3, invitations: 8 }),
      DEFAULT_MODEL,
      NOW,
    );
    expect(s.csat).toBe(75);
    expect(s.components.csat).toBe(75);
    expect(s.responseRate).toBe(0.375);
    // More answers than invitations (anonymous links): the rate stops at 100%.
    expect(score(raw({ responses: 12, invitations: 4 }), DEFAULT_MODEL, NOW).responseRate).toBe(1);
    // No CSAT answers, no invitations: no figure, and no CSAT component in the health.
    const none = score(raw(), DEFAULT_MODEL, NOW);
    expect(none.csat).toBeNull();
    expect(none.responseRate).toBeNull();
    expect(none.components.csat).toBeUndefined();
  });

  it('compares NPS against the previous period for the trend component', () => {
    // Now: 6 promoters, 2 detractors of 10 = 40; before: 2 promoters, 2 detractors of 4 = 0.
    const s = score(
      raw({
        promoters: 6,
        detractors: 2,
        wPromoters: 6,
        wDetractors: 2,
        prevN: 4,
        prevPromoters: 2,
        prevDetractors: 2,
      }),
      DEFAULT_MODEL,
      NOW,
    );
    expect(s.nps).toBe(40);
    expect(s.npsPrev).toBe(0);
    expect(s.components.trend).toBe(90); // 50 + 40 points of improvement
    expect(score(raw(), DEFAULT_MODEL, NOW).components.trend).toBeUndefined(); // no previous period
  });

  it('weighs the components it has, scales recency between fresh and stale, and bands the result', () => {
    // nps: weighted −20 → 40; coverage 1/2 → 50; recency 105 days of 30..180 → 50; csat 80.
    const s = score(
      raw({
        npsN: 5,
        promoters: 2,
        detractors: 2,
        wTotal: 10,
        wPromoters: 3,
        wDetractors: 5,
        keyCovered: 1,
        lastFeedbackAt: daysAgo(105),
        csatSum: 160,
        csatN: 2,
      }),
      DEFAULT_MODEL,
      NOW,
    );
    expect(s.components).toEqual({ nps: 40, coverage: 50, recency: 50, csat: 80 });
    // (40·40 + 50·20 + 50·15 + 80·10) / (40 + 20 + 15 + 10)
    expect(s.health).toBe(Math.round(((40 * 40 + 50 * 20 + 50 * 15 + 80 * 10) / 85) * 10) / 10);
    expect(s.band).toBe('yellow');
    expect(score(raw({ lastFeedbackAt: daysAgo(200) }), DEFAULT_MODEL, NOW).components.recency).toBe(0);
    expect(score(raw({ lastFeedbackAt: daysAgo(10) }), DEFAULT_MODEL, NOW).components.recency).toBe(100);
  });

  it('puts health on the band thresholds, and derives the risk from the band', () => {
    const at = (csat: number) => score(withCsat(csat), csatOnly, NOW);
    expect(at(39.9)).toMatchObject({ health: 39.9, band: 'red', risk: 'high' });
    expect(at(39.9).reasons).toContainEqual({ code: 'low_health', severity: 'high', health: 39.9 });
    expect(at(40)).toMatchObject({ band: 'yellow', risk: 'medium' });
    expect(at(40).reasons).toContainEqual({ code: 'low_health', severity: 'medium', health: 40 });
    expect(at(69.9)).toMatchObject({ band: 'yellow', risk: 'medium' });
    expect(at(70)).toMatchObject({ band: 'green', risk: 'low', reasons: [] });
    // Thresholds are the model's.
    const strict = ZHealthModel.parse({ ...csatOnly, bands: { red: 50, yellow: 90 } });
    expect(score(withCsat(45), strict, NOW).band).toBe('red');
    expect(score(withCsat(85), strict, NOW).band).toBe('yellow');
  });

  it('says "insufficient" and an unknown risk below the minimum of responses, unless a renewal is near', () => {
    const model = ZHealthModel.parse({ minResponses: 3 });
    const few = score(raw({ responses: 2 }), model, NOW);
    expect(few).toMatchObject({ health: null, band: 'insufficient', risk: 'unknown' });
    const renewing = score(raw({ responses: 2, renewalDate: '2026-07-01' }), model, NOW);
    expect(renewing.risk).toBe('medium');
    expect(renewing.reasons).toContainEqual({ code: 'renewal_soon', severity: 'medium', days: 16 });
  });
});

describe('score: the reasons behind the risk', () => {
  it('"NPS fell N points" against the previous period, from the model’s threshold on', () => {
    // Before: 8 promoters, 1 detractor of 10 = 70; now 4 promoters, 3 detractors of 10 = 10.
    const fell = score(
      raw({
        promoters: 4,
        detractors: 3,
        wPromoters: 4,
        wDetractors: 3,
        prevN: 10,
        prevPromoters: 8,
        prevDetractors: 1,
      }),
      DEFAULT_MODEL,
      NOW,
    );
    expect(fell.reasons).toContainEqual({
      code: 'nps_drop',
      severity: 'medium',
      points: 60,
      from: 70,
      to: 10,
    });
    expect(fell.risk).not.toBe('low');
    // Exactly the threshold (20 points: 50 → 30) is a reason; 10 points is not.
    const drop = (prevPromoters: number) =>
      score(
        raw({
          promoters: 5,
          detractors: 2,
          wPromoters: 5,
          wDetractors: 2,
          prevN: 10,
          prevPromoters,
          prevDetractors: 2,
        }),
        DEFAULT_MODEL,
        NOW,
      );
    expect(drop(7).reasons).toContainEqual(expect.objectContaining({ code: 'nps_drop', points: 20 }));
    expect(codes(drop(6))).not.toContain('nps_drop');
    // A rise is not a reason either.
    expect(codes(drop(2))).not.toContain('nps_drop');
  });

  it('"no response from <role> in N days" for silent key roles', () => {
    const s = score(
      raw({ keyPresent: 3, keyCovered: 1, silentRoles: ['EXECUTIVE_SPONSOR', 'PROCUREMENT_FINANCE_PERSON'] }),
      DEFAULT_MODEL,
      NOW,
    );
    expect(s.reasons).toContainEqual({
      code: 'silent_roles',
      severity: 'medium',
      roles: ['EXECUTIVE_SPONSOR', 'PROCUREMENT_FINANCE_PERSON'],
      days: DEFAULT_MODEL.coverageDays,
    });
    expect(s.coverage).toBeCloseTo(0.333, 6);
    expect(s.risk).toBe('medium');
    const model = ZHealthModel.parse({ coverageDays: 90 });
    expect(
      score(raw({ silentRoles: ['INFLUENCER'] }), model, NOW).reasons.find((r) => r.code === 'silent_roles'),
    ).toMatchObject({ roles: ['INFLUENCER'], days: 90 });
    expect(codes(score(raw(), DEFAULT_MODEL, NOW))).not.toContain('silent_roles');
  });

  it('a decision-maker detractor makes the risk high, for as long as the model says', () => {
    const keyDetractor = {
      role: 'DECISION_MAKER',
      contact: 'Alan Johnson',
      score: 3,
      at: daysAgo(12).toISOString(),
    };
    // Otherwise a green account: the detractor alone makes it high.
    const s = score(raw({ keyDetractor }), DEFAULT_MODEL, NOW);
    expect(s.band).toBe('green');
    expect(s.risk).toBe('high');
    expect(s.riskRank).toBe(0);
    expect(s.reasons).toContainEqual({
      code: 'detractor_key_role',
      severity: 'high',
      role: 'DECISION_MAKER',
      contact: 'Alan Johnson',
      score: 3,
      days: 12,
    });
    const old = score(
      raw({ keyDetractor: { ...keyDetractor, at: daysAgo(91).toISOString() } }),
      DEFAULT_MODEL,
      NOW,
    );
    expect(codes(old)).not.toContain('detractor_key_role');
    expect(old.risk).toBe('low');
  });

  it('no feedback for longer than the stale days, and open tickets, are reasons too', () => {
    const silent = score(raw({ lastFeedbackAt: daysAgo(181) }), DEFAULT_MODEL, NOW);
    expect(silent.reasons).toContainEqual({ code: 'no_feedback', severity: 'medium', days: 181 });
    expect(codes(score(raw({ lastFeedbackAt: daysAgo(180) }), DEFAULT_MODEL, NOW))).not.toContain(
      'no_feedback',
    );
    const tickets = score(raw({ openTickets: 2 }), DEFAULT_MODEL, NOW);
    expect(tickets.components.tickets).toBe(60);
    expect(tickets.reasons).toContainEqual({ code: 'open_tickets', severity: 'medium', count: 2 });
  });
});
