import { lit } from '../../platform/db/sql-text.ts';

/**
 * SQL for reading one trimmed text value as a type. Each builder takes the text once computed (a
 * column of the layer below, see stage-sql.ts) and avoids regular expressions where a plain string
 * test says the same: the parse runs for every row of a million-row file.
 */

const TRUE_WORDS = ['true', '1', 'yes', 'y', 't', 'x'];
const FALSE_WORDS = ['false', '0', 'no', 'n', 'f'];

/**
 * true/false/NULL (not a boolean word). The spellings CRM exports use are matched as they are
 * first; only other texts pay for lower() (a wide-character conversion per call in UTF-8).
 */
export const boolValue = (t: string) =>
  `(CASE ${t} WHEN 'false' THEN false WHEN 'true' THEN true WHEN '0' THEN false WHEN '1' THEN true ELSE CASE lower(${t}) ${TRUE_WORDS.map((w) => `WHEN ${lit(w)} THEN true`).join(' ')} ${FALSE_WORDS.map((w) => `WHEN ${lit(w)} THEN false`).join(' ')} END END)`;

/** The first listed enum value equal to the text, ignoring case; NULL if none. */
export const enumValue = (t: string, values: string[]) =>
  values.length
    ? `(CASE lower(${t}) ${values.map((v) => `WHEN ${lit(v.toLowerCase())} THEN ${lit(v)}`).join(' ')} END)`
    : 'NULL::text';

/** Longer than `max` characters; octet_length (a header read) rules out nearly every value first. */
export const tooLong = (t: string, max: number) => `(octet_length(${t}) > ${max} AND length(${t}) > ${max})`;

export const EMAIL_RE = `'^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$'`;
export const LANGUAGE_RE = `'^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$'`;
export const INTEGER_RE = `'^[+-]?[0-9]{1,18}$'`;
export const DECIMAL_RE = `'^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$'`;

/** Phone digits with the usual punctuation removed (one pass; the tests below reuse it). */
export const phoneDigits = (t: string) => `regexp_replace(${t}, '[[:space:]().\\-/]', '', 'g')`;

const DIGITS = `'0123456789'`;
const allDigits = (d: string) => `ltrim(${d}, ${DIGITS}) = ''`;
const notZeroOrOne = (c: string) => `${c} NOT IN ('0', '1')`;

/**
 * E.164 from phone digits for the numbers SQL can normalise alone: already international
 * (+ and 7–15 digits, not starting with 0), 00-prefixed, or North American with a US/CA default
 * country (1? [2-9]xx [2-9]xx xxxx). The rest go through libphonenumber (phones.ts). Written with
 * ltrim/length/substr instead of the equivalent regular expressions, which cost 3× as much.
 */
export function phoneFromDigits(d: string, defaultCountry: string | null): string {
  const nanp =
    defaultCountry === 'US' || defaultCountry === 'CA'
      ? `WHEN length(${d}) = 10 AND ${notZeroOrOne(`left(${d}, 1)`)} AND ${notZeroOrOne(`substr(${d}, 4, 1)`)} THEN '+1' || ${d}
         WHEN length(${d}) = 11 AND left(${d}, 1) = '1' AND ${notZeroOrOne(`substr(${d}, 2, 1)`)} AND ${notZeroOrOne(`substr(${d}, 5, 1)`)} THEN '+' || ${d}`
      : '';
  return `(CASE
    WHEN left(${d}, 1) = '+' THEN
      CASE WHEN length(${d}) BETWEEN 8 AND 16 AND substr(${d}, 2, 1) <> '0' AND ${allDigits(`substr(${d}, 2)`)} THEN ${d} END
    WHEN NOT ${allDigits(d)} THEN NULL
    WHEN left(${d}, 2) = '00' THEN
      CASE WHEN length(${d}) BETWEEN 9 AND 17 AND substr(${d}, 3, 1) <> '0' THEN '+' || substr(${d}, 3) END
    ${nanp} END)`;
}

/**
 * A date or date-time attribute as timestamptz, NULL when it is not one. rapport_try_timestamptz
 * (PL/pgSQL with an exception handler: a subtransaction per call) is the reference; plain SQL
 * casts the shapes that cannot fail — every field in range for any month — and only the rest
 * (day 29–31, a 24th hour, leap seconds, odd offsets, malformed text) call the function.
 */
export function timestampValue(t: string): string {
  const n = (from: number, len: number) => `substr(${t}, ${from}, ${len}) COLLATE "C"`;
  const dateOnly = `${t} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`;
  const utcDateTime = `${t} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?[Zz]?$'`;
  const safeRanges = `${n(1, 4)} >= '0001' AND ${n(6, 2)} BETWEEN '01' AND '12' AND ${n(9, 2)} BETWEEN '01' AND '28'`;
  // HH at 12, MM at 15, seconds (when a ':' follows the minutes) at 18.
  const safeTime = `(${n(12, 2)} <= '23' AND ${n(15, 2)} <= '59' AND (${n(17, 1)} <> ':' OR ${n(18, 2)} <= '59'))`;
  return `(CASE
    WHEN ${t} IS NULL THEN NULL
    WHEN ${dateOnly} AND ${safeRanges} THEN (${t}::timestamp AT TIME ZONE 'UTC')
    WHEN ${utcDateTime} AND ${safeRanges} AND ${safeTime} THEN (rtrim(${t}, 'Zz')::timestamp AT TIME ZONE 'UTC')
    ELSE rapport_try_timestamptz(${t}) END)`;
}
