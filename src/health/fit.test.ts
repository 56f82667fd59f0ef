import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import { recomputeDirectory } from './compute.ts';
import { auc, isHeldOut, outcomeOf } from './fit.ts';

/**
 * The churn fit on accounts that carry an outcome: 160 accounts, half of them with a detractor's
 * answer and half with a promoter's, each answered a random number of days ago (recency is noise).
 */

let t: TestApp;
let cx: { authorization: string };
let directoryId: number;
/** Account id → whether its answer was a detractor's. */
const detractor = new Map<number, boolean>();

const api = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: cx.authorization },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

/** A small seeded generator (mulberry32): the same "random" data on every run. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes each account's outcome attribute (true = churned). */
async function setOutcomes(churned: (id: number) => boolean) {
  const rows = [...detractor.keys()].map((id) => ({ id, churned: churned(id) ? 'churned' : 'renewed' }));
  await t.runtime.db.query(
    `UPDATE accounts a SET attributes = a.attributes || jsonb_build_object('Churned', x.churned)
     FROM jsonb_to_recordset($1::jsonb) AS x(id bigint, churned text) WHERE a.id = x.id`,
    [JSON.stringify(rows)],
  );
}

interface Fit {
  fitted: boolean;
  labelled: number;
  train: number;
  test: number;
  accuracy: number;
  baselineAccuracy: number;
  auc: number | null;
  coefficients: Record<string, number>;
}
const fitReport = async () => {
  const r = await api('GET', '/directories/Fit/health-model/fit');
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as Fit;
};

beforeAll(async () => {
  t = await createTestApp();
  cx = await t.bearerFor('cx_manager');
  const dir = await api('POST', '/directories', { name: 'Fit' });
  expect(dir.statusCode, dir.body).toBe(201);
  directoryId = dir.json().id;
  const survey = await api('POST', '/directories/Fit/surveys', {
    name: 'Relationship NPS',
    definition: { elements: [{ type: 'rating', name: 'nps', rateMin: 0, rateMax: 10 }] },
    metrics: { npsQuestion: 'nps' },
  });
  const surveyId = survey.json().id;
  const ids = await t.runtime.db.query<{ id: number }>(
    `INSERT INTO accounts (directory_id, external_ref, display_name)
     SELECT $1, 'F' || i, 'Account ' || i FROM generate_series(1, 160) i RETURNING id`,
    [directoryId],
  );
  const next = random(8);
  // Detractor or promoter at random (not by id: about one id in four is held out of the fit).
  const answers = ids.map((row) => {
    const id = Number(row.id);
    const isDetractor = next() < 0.5;
    detractor.set(id, isDetractor);
    return { id, score: isDetractor ? 2 : 10, days: 1 + Math.floor(next() * 170) };
  });
  await t.runtime.db.query(
    `INSERT INTO responses (survey_id, version, resume_token, account_id, status, answers, nps_score,
       nps_category, started_at, completed_at)
     SELECT $1, 1, md5(random()::text || x.id), x.id, 'complete', jsonb_build_object('nps', x.score), x.score,
       CASE WHEN x.score <= 6 THEN 'detractor' ELSE 'promoter' END,
       now() - make_interval(days => x.days), now() - make_interval(days => x.days)
     FROM jsonb_to_recordset($2::jsonb) AS x(id bigint, score int, days int)`,
    [surveyId, JSON.stringify(answers)],
  );
  await recomputeDirectory(t.runtime.db, directoryId);
});
afterAll(() => t.close());

describe('the churn fit', () => {
  it('reads churned/renewed outcomes and ranks by the chance of churn', () => {
    expect([outcomeOf('Churned'), outcomeOf(' renewed '), outcomeOf(true), outcomeOf('maybe')]).toEqual([
      1,
      0,
      1,
      null,
    ]);
    expect(auc([0.9, 0.8, 0.1], [1, 1, 0])).toBe(1);
    expect(auc([0.9, 0.8, 0.1], [0, 0, 1])).toBe(0);
    expect(auc([0.5, 0.5], [1, 0])).toBe(0.5);
  });

  it('learns that detractors churn: NPS weighs against churn, and held-out accounts are predicted', async () => {
    await setOutcomes((id) => detractor.get(id)!);
    const result = await fitReport();
    expect(result.fitted).toBe(true);
    expect(result.labelled).toBe(160);
    expect(result.train + result.test).toBe(160);
    expect(result.test).toBe([...detractor.keys()].filter(isHeldOut).length);
    expect(result.test).toBeGreaterThanOrEqual(25);
    // A higher NPS component means less churn; recency is noise and weighs far less.
    expect(result.coefficients.nps).toBeLessThan(-1);
    expect(Math.abs(result.coefficients.recency!)).toBeLessThan(Math.abs(result.coefficients.nps!) / 3);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(result.auc).toBeGreaterThanOrEqual(0.95);
    expect(result.baselineAccuracy).toBeLessThan(0.75);
  });

  it('measures accuracy on the held-out accounts only', async () => {
    // The accounts held out behave the other way round from those fitted on: a score on the
    // training accounts would be near perfect, the held-out one is near zero.
    await setOutcomes((id) => (isHeldOut(id) ? !detractor.get(id) : detractor.get(id)!));
    const result = await fitReport();
    expect(result.fitted).toBe(true);
    expect(result.coefficients.nps).toBeLessThan(-1);
    expect(result.accuracy).toBeLessThanOrEqual(0.05);
    expect(result.auc).toBeLessThanOrEqual(0.05);
  });

  it('reports about chance when the outcome has nothing to do with the components', async () => {
    const next = random(42);
    const coin = new Map([...detractor.keys()].map((id) => [id, next() < 0.5]));
    await setOutcomes((id) => coin.get(id)!);
    const result = await fitReport();
    expect(result.fitted).toBe(true);
    expect(result.auc).toBeGreaterThan(0.3);
    expect(result.auc).toBeLessThan(0.7);
    expect(result.accuracy).toBeLessThan(0.7);
  });
});
