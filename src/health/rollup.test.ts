import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import { systemActor } from '../users/roles.ts';
import { recomputeDirectory } from './compute.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** A small deterministic generator, so a failing case can be replayed from its seed. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('hierarchy roll-ups', () => {
  it.each([1, 2, 3])('match a brute-force computation on a random forest (seed %i)', async (seed) => {
    const rnd = random(seed);
    const db = t.runtime.db;
    const { createDirectory } = await import('../directory/directories.service.ts');
    const directory = await createDirectory(db, systemActor('test'), { name: `Random ${seed}` });
    const [survey] = await db.query<{ id: number }>(
      `INSERT INTO surveys (directory_id, name, status, created_by) VALUES ($1, 'S', 'active', 't') RETURNING id`,
      [directory.id],
    );
    const n = 60;
    const ids: number[] = [];
    const parent = new Map<number, number | null>();
    const arr = new Map<number, number | null>();
    for (let i = 0; i < n; i++) {
      // A parent among the accounts made before: always a forest, 1 to ~6 levels deep.
      const p = i > 0 && rnd() < 0.8 ? ids[Math.floor(rnd() * ids.length)]! : null;
      const revenue = rnd() < 0.6 ? Math.round(rnd() * 1_000_000) : null;
      const [row] = await db.query<{ id: number }>(
        `INSERT INTO accounts (directory_id, external_ref, display_name, parent_id, attributes)
         VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id`,
        [
          directory.id,
          `R${seed}-${i}`,
          `Account ${i}`,
          p,
          JSON.stringify(revenue === null ? {} : { ARR: revenue }),
        ],
      );
      const id = Number(row!.id);
      ids.push(id);
      parent.set(id, p);
      arr.set(id, revenue);
    }
    const own = new Map<number, { n: number; p: number; d: number }>();
    for (const id of ids) {
      const count = Math.floor(rnd() * 5);
      const tally = { n: 0, p: 0, d: 0 };
      for (let k = 0; k < count; k++) {
        const score = Math.floor(rnd() * 11);
        const category = score <= 6 ? 'detractor' : score <= 8 ? 'passive' : 'promoter';
        tally.n++;
        if (category === 'promoter') tally.p++;
        if (category === 'detractor') tally.d++;
        await db.query(
          `INSERT INTO responses (survey_id, version, resume_token, account_id, status, answers, nps_score,
             nps_category, completed_at)
           VALUES ($1, 1, $2, $3, 'complete', '{}', $4, $5, now() - make_interval(days => $6))`,
          [survey!.id, `r${seed}-${id}-${k}`, id, score, category, Math.floor(rnd() * 300)],
        );
      }
      own.set(id, tally);
    }
    await recomputeDirectory(db, directory.id);

    const rows = await db.query<{
      account_id: number;
      scope: string;
      nps_n: number;
      promoters: number;
      detractors: number;
      health: number | null;
    }>(
      'SELECT account_id, scope, nps_n, promoters, detractors, health FROM account_health WHERE directory_id = $1',
      [directory.id],
    );
    const get = (id: number, scope: string) =>
      rows.find((r) => Number(r.account_id) === id && r.scope === scope)!;
    const descendants = (id: number): number[] => [
      id,
      ...ids.filter((c) => parent.get(c) === id).flatMap(descendants),
    ];

    for (const id of ids) {
      const subtree = descendants(id);
      const expected = subtree.reduce(
        (s, d) => ({ n: s.n + own.get(d)!.n, p: s.p + own.get(d)!.p, d: s.d + own.get(d)!.d }),
        { n: 0, p: 0, d: 0 },
      );
      const row = get(id, 'subtree');
      expect({ n: Number(row.nps_n), p: Number(row.promoters), d: Number(row.detractors) }).toEqual(expected);
      // The subtree's health: ARR-weighted over its scored accounts (equal weights without ARR).
      const scored = subtree
        .map((d) => ({ health: get(d, 'own').health, arr: arr.get(d) ?? null }))
        .filter((x): x is { health: number; arr: number | null } => x.health !== null);
      const withArr = scored.filter((x) => x.arr !== null && x.arr > 0);
      const blend = withArr.length
        ? withArr.reduce((s, x) => s + x.health * x.arr!, 0) / withArr.reduce((s, x) => s + x.arr!, 0)
        : scored.length
          ? scored.reduce((s, x) => s + x.health, 0) / scored.length
          : null;
      if (blend === null) expect(row.health).toBeNull();
      else expect(Number(row.health)).toBeCloseTo(blend, 0);
    }
  });
});

describe('the hierarchy closure', () => {
  it('is kept when the hierarchy is unchanged and rebuilt exactly when it changes', async () => {
    const db = t.runtime.db;
    const { createDirectory } = await import('../directory/directories.service.ts');
    const directory = await createDirectory(db, systemActor('test'), { name: 'Closure' });
    // a ← b ← c, d alone.
    const ids: Record<string, number> = {};
    for (const [ref, parent] of [
      ['a', null],
      ['b', 'a'],
      ['c', 'b'],
      ['d', null],
    ] as const) {
      const [row] = await db.query<{ id: number }>(
        `INSERT INTO accounts (directory_id, external_ref, display_name, parent_id) VALUES ($1, $2, $2, $3) RETURNING id`,
        [directory.id, ref, parent === null ? null : ids[parent]],
      );
      ids[ref] = Number(row!.id);
    }
    const closure = async () =>
      (
        await db.query<{ pair: string }>(
          `SELECT a.external_ref || '>' || d.external_ref || ':' || c.depth AS pair FROM account_closure c
           JOIN accounts a ON a.id = c.ancestor_id JOIN accounts d ON d.id = c.descendant_id
           WHERE c.directory_id = $1 ORDER BY 1`,
          [directory.id],
        )
      ).map((r) => r.pair);
    const first = await recomputeDirectory(db, directory.id);
    expect(first.phases.closure).toBeDefined();
    expect(await closure()).toEqual(['a>a:0', 'a>b:1', 'a>c:2', 'b>b:0', 'b>c:1', 'c>c:0', 'd>d:0']);
    const [stamp] = await db.query<{ x: string }>(
      `SELECT string_agg(xmin::text, ',' ORDER BY ancestor_id, descendant_id) AS x FROM account_closure WHERE directory_id = $1`,
      [directory.id],
    );
    // Nothing changed: the same rows, not rewritten.
    await recomputeDirectory(db, directory.id);
    const [again] = await db.query<{ x: string }>(
      `SELECT string_agg(xmin::text, ',' ORDER BY ancestor_id, descendant_id) AS x FROM account_closure WHERE directory_id = $1`,
      [directory.id],
    );
    expect(again!.x).toBe(stamp!.x);
    // c moves under d, b is deleted, e arrives under a: rebuilt to match.
    await db.query('UPDATE accounts SET parent_id = $1 WHERE id = $2', [ids.d, ids.c]);
    await db.query('UPDATE accounts SET deleted_at = now() WHERE id = $1', [ids.b]);
    await db.query(
      `INSERT INTO accounts (directory_id, external_ref, display_name, parent_id) VALUES ($1, 'e', 'e', $2)`,
      [directory.id, ids.a],
    );
    await recomputeDirectory(db, directory.id);
    expect(await closure()).toEqual(['a>a:0', 'a>e:1', 'c>c:0', 'd>c:1', 'd>d:0', 'e>e:0']);
    // Only a link between live accounts changes (a parent restored): rebuilt again.
    await db.query('UPDATE accounts SET deleted_at = NULL WHERE id = $1', [ids.b]);
    await db.query('UPDATE accounts SET parent_id = $1 WHERE id = $2', [ids.b, ids.c]);
    await recomputeDirectory(db, directory.id);
    expect(await closure()).toEqual([
      'a>a:0',
      'a>b:1',
      'a>c:2',
      'a>e:1',
      'b>b:0',
      'b>c:1',
      'c>c:0',
      'd>d:0',
      'e>e:0',
    ]);
  });
});
