/** Per-response metrics, computed when a response is stored. */
import { sharedModel } from './definition.ts';

export type NpsCategory = 'detractor' | 'passive' | 'promoter';

/** The Net Promoter categories of a 0–10 answer: 0–6 detractor, 7–8 passive, 9–10 promoter. */
export function npsCategory(score: unknown): NpsCategory | null {
  if (typeof score !== 'number' || !Number.isInteger(score) || score < 0 || score > 10) return null;
  return score <= 6 ? 'detractor' : score <= 8 ? 'passive' : 'promoter';
}

/**
 * CSAT as the share of the scale: a 4 on 1–5 is 75 (so scales of any length compare), and
 * "satisfied" means the top two points of the scale.
 */
export function csatScore(
  score: unknown,
  min: number,
  max: number,
): { score: number; satisfied: boolean } | null {
  if (typeof score !== 'number' || !Number.isFinite(score) || max <= min || score < min || score > max)
    return null;
  return { score: Math.round(((score - min) / (max - min)) * 1000) / 10, satisfied: score >= max - 1 };
}

/** NPS of a set of 0–10 answers: % promoters − % detractors, from −100 to 100. */
export function netPromoterScore(scores: number[]): number | null {
  const categories = scores.map(npsCategory).filter((c): c is NpsCategory => c !== null);
  if (categories.length === 0) return null;
  const promoters = categories.filter((c) => c === 'promoter').length;
  const detractors = categories.filter((c) => c === 'detractor').length;
  return Math.round(((promoters - detractors) / categories.length) * 1000) / 10;
}

export interface ResponseMetrics {
  npsScore?: number;
  npsCategory?: NpsCategory;
  csatScore?: number;
  csatSatisfied?: boolean;
}

/** The metrics of one complete response, from the questions the survey names for them. */
export function responseMetrics(
  definition: object,
  metrics: { npsQuestion?: string; csatQuestion?: string },
  answers: Record<string, unknown>,
): ResponseMetrics {
  const out: ResponseMetrics = {};
  if (metrics.npsQuestion) {
    const category = npsCategory(answers[metrics.npsQuestion]);
    if (category) {
      out.npsScore = answers[metrics.npsQuestion] as number;
      out.npsCategory = category;
    }
  }
  if (metrics.csatQuestion) {
    const question = sharedModel(definition).getQuestionByName(metrics.csatQuestion) as unknown as {
      rateValues: { value: unknown }[];
      rateMin: number;
      rateMax: number;
    } | null;
    if (question) {
      const values = question.rateValues?.length
        ? question.rateValues.map((v) => Number(v.value))
        : [question.rateMin, question.rateMax];
      const scored = csatScore(answers[metrics.csatQuestion], Math.min(...values), Math.max(...values));
      if (scored) {
        out.csatScore = scored.score;
        out.csatSatisfied = scored.satisfied;
      }
    }
  }
  return out;
}

/** 95% two-sided normal quantile. */
const Z95 = 1.959964;

const round1 = (x: number) => Math.round(x * 10) / 10;
const clamp = (x: number, low: number, high: number) => Math.min(high, Math.max(low, x));

/**
 * NPS with its 95% confidence interval. Each answer scores +1 (promoter), 0 or −1 (detractor);
 * NPS is 100 × their mean, so its standard error is 100 × √((p + d − (p − d)²) / n).
 */
export function npsWithInterval(promoters: number, passives: number, detractors: number) {
  const n = promoters + passives + detractors;
  if (n === 0) return null;
  const p = promoters / n;
  const d = detractors / n;
  const score = 100 * (p - d);
  const margin = n > 1 ? 100 * Z95 * Math.sqrt((p + d - (p - d) ** 2) / n) : 100;
  return {
    score: round1(score),
    n,
    promoters,
    passives,
    detractors,
    margin: round1(margin),
    low: round1(clamp(score - margin, -100, 100)),
    high: round1(clamp(score + margin, -100, 100)),
  };
}

/** Wilson score interval (95%) of a share k/n, in percent: honest at small n and near 0 or 100. */
export function wilsonInterval(k: number, n: number) {
  if (n === 0) return null;
  const p = k / n;
  const z2 = Z95 ** 2;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return {
    percent: round1(100 * p),
    low: round1(100 * (centre - half)),
    high: round1(100 * (centre + half)),
  };
}

/** A mean with its 95% normal-approximation interval. */
export function meanInterval(mean: number, sd: number | null, n: number, low = -Infinity, high = Infinity) {
  if (n === 0) return null;
  const margin = n > 1 && sd !== null ? (Z95 * sd) / Math.sqrt(n) : 0;
  return {
    mean: round1(mean),
    low: round1(clamp(mean - margin, low, high)),
    high: round1(clamp(mean + margin, low, high)),
  };
}
