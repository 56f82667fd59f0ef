import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Database } from '../../platform/db/database.ts';
import { lit } from '../../platform/db/sql-text.ts';
import type { ColumnPlan } from './column-plan.ts';
import { phoneFastPath, phoneTable, rawColumn, rawTable } from './stage-sql.ts';

const PAGE = 20_000;

/** E.164 for a number written any way people write them, or null if it cannot be one. */
export function toE164(text: string, defaultCountry: string | null): string | null {
  const parsed = parsePhoneNumberFromString(
    text,
    defaultCountry ? { defaultCountry: defaultCountry as CountryCode } : {},
  );
  if (!parsed?.isPossible()) return null;
  return parsed.number;
}

/**
 * Normalises, with libphonenumber, the phone numbers SQL could not (national formats, extensions,
 * letters), page by page, into a side table the staging query joins. Numbers that are not phone
 * numbers get no row there: staging reports them as row errors.
 */
export async function normalisePhones(
  db: Database,
  plan: ColumnPlan,
  runId: number,
  defaultCountry: string | null,
) {
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${phoneTable(runId)} (line int NOT NULL, field text NOT NULL, e164 text NOT NULL)`,
  );
  let normalised = 0;
  for (const field of ['phone', 'mobilePhone'] as const) {
    const index = plan.fields[field];
    if (index === undefined) continue;
    const value = `nullif(btrim(r.${rawColumn(index)}), '')`;
    let after = -1;
    for (;;) {
      const rows = await db.query<{ line: number; value: string }>(
        `SELECT r.line, ${value} AS value FROM ${rawTable(runId, plan.object)} r
         WHERE r.line > $1 AND ${value} IS NOT NULL AND ${phoneFastPath(value, defaultCountry)} IS NULL
         ORDER BY r.line LIMIT ${PAGE}`,
        [after],
      );
      if (rows.length === 0) break;
      after = rows.at(-1)!.line;
      const lines: number[] = [];
      const numbers: string[] = [];
      for (const row of rows) {
        const e164 = toE164(row.value, defaultCountry);
        if (e164) {
          lines.push(row.line);
          numbers.push(e164);
        }
      }
      if (lines.length) {
        await db.query(
          `INSERT INTO ${phoneTable(runId)} (line, field, e164) SELECT l, ${lit(field)}, n FROM unnest($1::int[], $2::text[]) AS u(l, n)`,
          [lines, numbers],
        );
        normalised += lines.length;
      }
      if (rows.length < PAGE) break;
    }
  }
  if (normalised) await db.query(`CREATE INDEX ON ${phoneTable(runId)} (line, field)`);
  return normalised;
}
