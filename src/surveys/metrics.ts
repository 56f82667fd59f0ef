/** Per-response metrics, computed when a response is stored. */

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
