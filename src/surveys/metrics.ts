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
