import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../platform/db/database.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { healthModelOf } from './compute.ts';

/**
 * Beyond the anchors: when accounts carry a churned/renewed outcome, a logistic regression on the
 * health components says how well they predict churn, and how much each weighs — measured on
 * accounts held out of the fit, beside the accuracy of always guessing the commonest outcome.
 */

const FEATURES = ['nps', 'coverage', 'recency', 'trend', 'csat'] as const;

/** true / churned / lost = 1; false / renewed / retained / won = 0; anything else is not an outcome. */
export function outcomeOf(value: unknown): 0 | 1 | null {
  const v = String(value ?? '')
    .trim()
    .toLowerCase();
  if (['true', '1', 'yes', 'churned', 'lost', 'cancelled', 'canceled'].includes(v)) return 1;
  if (['false', '0', 'no', 'renewed', 'retained', 'won', 'active'].includes(v)) return 0;
  return null;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Plain batch gradient descent with a little L2: enough for a handful of features, and transparent. */
export function fitLogistic(x: number[][], y: number[], iterations = 800, rate = 0.5, l2 = 0.01) {
  const k = x[0]?.length ?? 0;
  const w = new Array<number>(k).fill(0);
  let b = 0;
  for (let it = 0; it < iterations; it++) {
    const gw = new Array<number>(k).fill(0);
    let gb = 0;
    for (let i = 0; i < x.length; i++) {
      const err = sigmoid(b + x[i]!.reduce((s, v, j) => s + v * w[j]!, 0)) - y[i]!;
      for (let j = 0; j < k; j++) gw[j]! += err * x[i]![j]!;
      gb += err;
    }
    for (let j = 0; j < k; j++) w[j]! -= rate * (gw[j]! / x.length + l2 * w[j]!);
    b -= (rate * gb) / x.length;
  }
  return {
    weights: w,
    bias: b,
    predict: (row: number[]) => sigmoid(b + row.reduce((s, v, j) => s + v * w[j]!, 0)),
  };
}

/** Area under the ROC curve: the chance a churned account scores above a retained one. */
export function auc(scores: number[], labels: number[]): number | null {
  const pos = scores.filter((_, i) => labels[i] === 1);
  const neg = scores.filter((_, i) => labels[i] === 0);
  if (!pos.length || !neg.length) return null;
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

/** A fixed split (by account id, about one in four held out) so the report does not move between runs on the same data. */
export const isHeldOut = (accountId: number) => (accountId * 2654435761) % 4 === 0;

export async function fitChurnModel(db: Executor, actor: Actor, directoryId: number) {
  authorize(actor, 'data:read');
  const model = await healthModelOf(db, directoryId);
  const rows = await queryRows<{ id: number; components: Record<string, number>; outcome: string | null }>(
    db,
    sql`SELECT a.id, h.components,
          (SELECT v.value #>> '{}' FROM jsonb_each(a.attributes) v WHERE lower(v.key) = ${model.outcomeAttribute.toLowerCase()} LIMIT 1) AS outcome
        FROM account_health h JOIN accounts a ON a.id = h.account_id
        WHERE h.directory_id = ${directoryId} AND h.scope = 'own'`,
  );
  const labelled = rows
    .map((r) => ({ id: Number(r.id), components: r.components ?? {}, y: outcomeOf(r.outcome) }))
    .filter((r): r is { id: number; components: Record<string, number>; y: 0 | 1 } => r.y !== null);
  const test = labelled.filter((r) => isHeldOut(r.id));
  const train = labelled.filter((r) => !isHeldOut(r.id));
  const base = {
    outcomeAttribute: model.outcomeAttribute,
    labelled: labelled.length,
    train: train.length,
    test: test.length,
  };
  if (train.length < 20 || test.length < 5 || new Set(train.map((r) => r.y)).size < 2)
    return {
      ...base,
      fitted: false as const,
      reason:
        'Too few accounts with a churned/renewed outcome (at least 20 to fit, 5 held out, both outcomes)',
    };

  // Missing components take the training mean; every feature is standardised so weights compare.
  const stats = FEATURES.map((f) => {
    const values = train.map((r) => r.components[f]).filter((v): v is number => typeof v === 'number');
    const mean = values.length ? values.reduce((s, v) => s + v, 0) / values.length : 50;
    const sd =
      Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, values.length - 1)) || 1;
    return { mean, sd };
  });
  const vector = (c: Record<string, number>) =>
    FEATURES.map(
      (f, j) => ((typeof c[f] === 'number' ? c[f]! : stats[j]!.mean) - stats[j]!.mean) / stats[j]!.sd,
    );
  const fitted = fitLogistic(
    train.map((r) => vector(r.components)),
    train.map((r) => r.y),
  );
  const scores = test.map((r) => fitted.predict(vector(r.components)));
  const labels = test.map((r) => r.y);
  const accuracy = scores.filter((s, i) => (s >= 0.5 ? 1 : 0) === labels[i]).length / test.length;
  const churnShare = train.filter((r) => r.y === 1).length / train.length;
  const majority = churnShare >= 0.5 ? 1 : 0;
  const baseline = labels.filter((l) => l === majority).length / test.length;
  const round3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    ...base,
    fitted: true as const,
    accuracy: round3(accuracy),
    baselineAccuracy: round3(baseline),
    auc: (() => {
      const a = auc(scores, labels);
      return a === null ? null : round3(a);
    })(),
    // Per standard deviation of each component: negative = a higher score means less churn.
    coefficients: Object.fromEntries(FEATURES.map((f, j) => [f, round3(fitted.weights[j]!)])),
    intercept: round3(fitted.bias),
  };
}
