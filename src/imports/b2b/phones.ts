import { sql } from 'drizzle-orm';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { applyBulkStatementSettings, type Database } from '../../platform/db/database.ts';
import { pgTextArray } from '../../platform/db/sql-text.ts';
import { run } from './sql-run.ts';
import { type PhoneInput, problemText, rowHashExpr } from './stage-sql.ts';

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
 * The phone numbers the parse could not normalise in SQL (national formats, extensions, letters)
 * go through libphonenumber: each distinct text once, read page by page through a cursor so memory
 * holds one page. Rows that got a number have their row hash recomputed; a text that is no phone
 * number becomes a warning (the row is kept, without it). Returns the texts read. A file of
 * E.164 or North American numbers has none: this is then one scan of the staging table.
 */
export async function resolvePhones(
  db: Database,
  stage: string,
  phones: PhoneInput[],
  columns: string[],
  defaultCountry: string | null,
): Promise<number> {
  if (phones.length === 0) return 0;
  const pending = phones.map((p) => `${p.input} IS NOT NULL`).join(' OR ');
  const [any] = await db.query(`SELECT 1 FROM ${stage} WHERE ${pending} LIMIT 1`);
  if (!any) return 0;
  let read = 0;
  await db.orm.transaction(async (tx) => {
    await applyBulkStatementSettings(tx);
    for (const p of phones) {
      await run(
        tx,
        `CREATE TEMP TABLE import_phone_map (value text NOT NULL, e164 text NOT NULL) ON COMMIT DROP`,
      );
      await run(
        tx,
        `DECLARE import_phone_values NO SCROLL CURSOR FOR SELECT DISTINCT ${p.input} AS value FROM ${stage} WHERE ${p.input} IS NOT NULL`,
      );
      for (;;) {
        const rows = await run<{ value: string }>(tx, `FETCH ${PAGE} FROM import_phone_values`);
        read += rows.length;
        const values: string[] = [];
        const numbers: string[] = [];
        for (const { value } of rows) {
          const e164 = toE164(value, defaultCountry);
          if (e164) {
            values.push(value);
            numbers.push(e164);
          }
        }
        if (values.length)
          await tx.execute(
            sql`INSERT INTO import_phone_map SELECT * FROM unnest(${pgTextArray(values)}::text[], ${pgTextArray(numbers)}::text[])`,
          );
        if (rows.length < PAGE) break;
      }
      await run(tx, 'CLOSE import_phone_values');
      await run(
        tx,
        `UPDATE ${stage} s SET ${p.column} = m.e164 FROM import_phone_map m WHERE s.${p.input} = m.value`,
      );
      await run(
        tx,
        `UPDATE ${stage} s SET problems = coalesce(s.problems, '{}') || ARRAY[${problemText('warning', p.header, `s.${p.input}`, p.reason)}]
         WHERE s.${p.input} IS NOT NULL AND s.${p.column} IS NULL`,
      );
      await run(tx, 'DROP TABLE import_phone_map');
    }
    await run(tx, `UPDATE ${stage} s SET row_hash = ${rowHashExpr('s', columns)} WHERE ${pending}`);
  });
  return read;
}
