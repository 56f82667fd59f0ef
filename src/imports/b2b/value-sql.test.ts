import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/harness/test-database.ts';
import type { Database } from '../../platform/db/database.ts';
import { lit } from '../../platform/db/sql-text.ts';
import { boolValue, phoneDigits, phoneFromDigits, timestampValue } from './value-sql.ts';

// The parse's cheap forms must read every text exactly as the plain forms they replaced: each is
// run here beside its reference over texts chosen to sit on the edges.
let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

async function compare(texts: string[], fast: (t: string) => string, reference: (t: string) => string) {
  const rows = await db.query<{ t: string; fast: unknown; reference: unknown }>(
    `SELECT t, (${fast('t')})::text AS fast, (${reference('t')})::text AS reference
     FROM unnest(ARRAY[${texts.map(lit).join(', ')}]::text[]) AS t`,
  );
  for (const row of rows) expect({ t: row.t, value: row.fast }).toEqual({ t: row.t, value: row.reference });
  return rows;
}

describe('parse values', () => {
  it('normalises phone numbers in SQL exactly as the regular expressions did', async () => {
    const texts = [
      '+14155550100',
      '+1 (415) 555-0100',
      '+0123456789',
      '+123456',
      '+1234567',
      '+123456789012345',
      '+1234567890123456',
      '0033142685300',
      '00033142685300',
      '(720) 444-1229',
      '1-720-444-1229',
      '720.444.1229',
      '120 444 1229',
      '720 144 1229',
      '0142685300',
      '+33 1 42 68 53 00',
      '+1 415 555 0100 ext 12',
      'call me',
      '+',
      '()',
      '++14155550100',
      '+1415555０100',
    ];
    for (const country of [null, 'US', 'FR']) {
      const d = (t: string) => phoneDigits(t);
      const nanp =
        country === 'US'
          ? `WHEN ${d('t')} ~ '^1?[2-9][0-9]{2}[2-9][0-9]{6}$' THEN '+1' || right(${d('t')}, 10)`
          : '';
      await compare(
        texts,
        (t) => phoneFromDigits(phoneDigits(t), country),
        (t) => `CASE WHEN ${d(t)} ~ '^\\+[1-9][0-9]{6,14}$' THEN ${d(t)}
                     WHEN ${d(t)} ~ '^00[1-9][0-9]{6,14}$' THEN '+' || substr(${d(t)}, 3) ${nanp} END`,
      );
    }
  });

  it('reads booleans as the lower-cased word lists did', async () => {
    const texts = [
      'true',
      'TRUE',
      'False',
      '1',
      '0',
      'yes',
      'Y',
      'n',
      'x',
      'X',
      'f',
      't',
      'maybe',
      'truee',
      '',
    ];
    await compare(texts, boolValue, (t) => {
      const yes = "ARRAY['true', '1', 'yes', 'y', 't', 'x']";
      const no = "ARRAY['false', '0', 'no', 'n', 'f']";
      return `CASE WHEN lower(${t}) = ANY(${yes}) THEN true WHEN lower(${t}) = ANY(${no}) THEN false END`;
    });
  });

  it('reads dates as rapport_try_timestamptz does, calling it only for the rare shapes', async () => {
    const texts = [
      '2024-03-31',
      '2024-02-29',
      '2023-02-29',
      '2027-02-30',
      '0000-01-01',
      '2024-13-01',
      '2024-03-31T14:05',
      '2024-03-31 14:05:59',
      '2024-03-31T14:05:00Z',
      '2024-03-31T14:05:00.123456z',
      '2024-03-31T23:59:60',
      '2024-03-31T24:00:00',
      '2024-03-31T24:00:01',
      '2024-03-31T14:60',
      '2024-03-31T14:05:00+02:00',
      '2024-03-31T14:05:00.000+0000',
      '2024-03-31T14:05:00-0530',
      '2024-03-31T14:05:00+16',
      '31/03/2024',
      '2024-3-31',
      'soon',
    ];
    const rows = await compare(texts, timestampValue, (t) => `rapport_try_timestamptz(${t})`);
    expect(rows.filter((r) => r.reference !== null).length).toBeGreaterThan(10);
  });
});
