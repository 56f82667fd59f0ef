import { ident, lit, litArray } from '../../platform/db/sql-text.ts';
import type { ImportObject } from '../mapping.ts';
import type { ColumnPlan } from './column-plan.ts';

/**
 * SQL that turns a raw staging table (every CSV field as text, plus its line) into a typed one in
 * one pass: each row gets its typed values and the list of its problems (a value that does not
 * fit is an error naming the line, column and expectation; a value dropped from a kept row is a
 * warning). All set-based.
 */

export const rawTable = (runId: number, object: ImportObject) => ident(`import_raw_${runId}_${object}`);
export const stageTable = (runId: number, object: ImportObject) => ident(`import_stage_${runId}_${object}`);
export const skippedTable = (runId: number, object: ImportObject) =>
  ident(`import_skipped_${runId}_${object}`);
export const phoneTable = (runId: number) => ident(`import_phone_${runId}`);

export const rawColumn = (i: number) => ident(`c${i}`);

const TRUE_WORDS = ['true', '1', 'yes', 'y', 't', 'x'];
const FALSE_WORDS = ['false', '0', 'no', 'n', 'f'];
const MAX_TEXT = 1024;

/** The trimmed text of a column, NULL when empty. */
export const rawText = (i: number) => `nullif(btrim(r.${rawColumn(i)}), '')`;

const boolValue = (t: string) =>
  `(CASE WHEN lower(${t}) = ANY(${litArray(TRUE_WORDS)}) THEN true WHEN lower(${t}) = ANY(${litArray(FALSE_WORDS)}) THEN false END)`;
const boolInvalid = (t: string) =>
  `(${t} IS NOT NULL AND NOT lower(${t}) = ANY(${litArray([...TRUE_WORDS, ...FALSE_WORDS])}))`;

const EMAIL_RE = `'^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$'`;
const emailInvalid = (t: string) => `(${t} IS NOT NULL AND (length(${t}) > 320 OR ${t} !~ ${EMAIL_RE}))`;
const LANGUAGE_RE = `'^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$'`;
const INTEGER_RE = `'^[+-]?[0-9]{1,18}$'`;
const DECIMAL_RE = `'^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$'`;

/** Phone digits with the usual punctuation removed. */
const phoneDigits = (t: string) => `regexp_replace(${t}, '[[:space:]().\\-/]', '', 'g')`;

/**
 * E.164 for the numbers SQL can normalise alone (already international, 00-prefixed, or North
 * American with a US/CA default country). The rest go through libphonenumber (see phones.ts).
 */
export function phoneFastPath(t: string, defaultCountry: string | null): string {
  const d = phoneDigits(t);
  const nanp =
    defaultCountry === 'US' || defaultCountry === 'CA'
      ? `WHEN ${d} ~ '^1?[2-9][0-9]{2}[2-9][0-9]{6}$' THEN '+1' || right(${d}, 10)`
      : '';
  return `(CASE WHEN ${t} IS NULL THEN NULL
    WHEN ${d} ~ '^\\+[1-9][0-9]{6,14}$' THEN ${d}
    WHEN ${d} ~ '^00[1-9][0-9]{6,14}$' THEN '+' || substr(${d}, 3)
    ${nanp} END)`;
}

interface Check {
  /** The column the user sees in the file. */
  column: string;
  value: string;
  failure: string;
  reason: string;
  /** A warning keeps the row (without the value); an error rejects it. */
  severity: 'error' | 'warning';
}

const FIELD_COLUMNS: Record<string, string> = {
  externalRef: 'external_ref',
  displayName: 'display_name',
  parentExternalRef: 'parent_ref',
  isDeleted: 'is_deleted',
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  phone: 'phone',
  mobilePhone: 'mobile_phone',
  language: 'language',
  title: 'title',
  accountExternalRef: 'account_ref',
  emailOptOut: 'email_opt_out',
  smsOptOut: 'sms_opt_out',
  doNotCall: 'do_not_call',
  faxOptOut: 'fax_opt_out',
  emailBouncedReason: 'email_bounced_reason',
  consent: 'consent',
  userEmail: 'user_email',
  role: 'role_value',
};

export const stageColumnOf = (field: string): string => {
  const column = FIELD_COLUMNS[field];
  if (!column) throw new Error(`No staging column for ${field}`);
  return column;
};

const BOOLEAN_FIELDS = new Set([
  'isDeleted',
  'emailOptOut',
  'smsOptOut',
  'doNotCall',
  'faxOptOut',
  'consent',
]);
const EMAIL_FIELDS = new Set(['email', 'userEmail']);
const PHONE_FIELDS = new Set(['phone', 'mobilePhone']);
const REQUIRED_FIELDS: Record<ImportObject, string[]> = {
  accounts: ['externalRef', 'displayName'],
  contacts: [],
  teamMembers: ['accountExternalRef', 'userEmail', 'role'],
};

function fieldExprs(plan: ColumnPlan, runId: number, defaultCountry: string | null) {
  const checks: Check[] = [];
  const typed: { name: string; expr: string }[] = [];
  const joins: string[] = [];
  const error = (c: Omit<Check, 'severity'>) => checks.push({ ...c, severity: 'error' });
  for (const [field, index] of Object.entries(plan.fields)) {
    if (index === undefined) continue;
    const t = rawText(index);
    const column = plan.columns[index]!;
    const name = stageColumnOf(field);
    if (REQUIRED_FIELDS[plan.object].includes(field))
      error({ column, value: t, failure: `${t} IS NULL`, reason: `${column} is required` });
    if (BOOLEAN_FIELDS.has(field)) {
      error({ column, value: t, failure: boolInvalid(t), reason: 'expected true/false, 1/0 or yes/no' });
      typed.push({ name, expr: field === 'isDeleted' ? `coalesce(${boolValue(t)}, false)` : boolValue(t) });
    } else if (EMAIL_FIELDS.has(field)) {
      error({ column, value: t, failure: emailInvalid(t), reason: 'expected an email address' });
      typed.push({ name, expr: `lower(${t})` });
    } else if (PHONE_FIELDS.has(field)) {
      const fast = phoneFastPath(t, defaultCountry);
      const alias = ident(`p_${field}`);
      joins.push(
        `LEFT JOIN ${phoneTable(runId)} ${alias} ON ${alias}.line = r.line AND ${alias}.field = ${lit(field)}`,
      );
      const value = `coalesce(${fast}, ${alias}.e164)`;
      checks.push({
        column,
        value: t,
        failure: `(${t} IS NOT NULL AND ${value} IS NULL)`,
        reason: `not a phone number (${
          defaultCountry
            ? `international like +14155550100, or national for ${defaultCountry}`
            : 'expected international like +14155550100, or set defaultCountry'
        }): imported without it`,
        severity: 'warning',
      });
      typed.push({ name, expr: value });
    } else if (field === 'language') {
      error({
        column,
        value: t,
        failure: `(${t} IS NOT NULL AND ${t} !~ ${LANGUAGE_RE})`,
        reason: 'expected a language code such as en, fr or pt-BR',
      });
      typed.push({ name, expr: `replace(${t}, '_', '-')` });
    } else {
      error({
        column,
        value: t,
        failure: `length(${t}) > ${MAX_TEXT}`,
        reason: `longer than ${MAX_TEXT} characters`,
      });
      typed.push({ name, expr: t });
    }
  }
  if (plan.fields.isDeleted === undefined) typed.push({ name: 'is_deleted', expr: 'false' });
  return { checks, typed, joins };
}

function attributeExprs(plan: ColumnPlan) {
  const checks: Check[] = [];
  const pairs: string[] = [];
  const error = (c: Omit<Check, 'severity'>) => checks.push({ ...c, severity: 'error' });
  for (const a of plan.attributes) {
    const t = rawText(a.column);
    const column = plan.columns[a.column]!;
    let value: string;
    switch (a.type) {
      case 'integer':
        error({
          column,
          value: t,
          failure: `(${t} IS NOT NULL AND ${t} !~ ${INTEGER_RE})`,
          reason: `${a.name}: expected a whole number`,
        });
        value = `CASE WHEN ${t} ~ ${INTEGER_RE} THEN to_jsonb(${t}::bigint) END`;
        break;
      case 'decimal':
        error({
          column,
          value: t,
          failure: `(${t} IS NOT NULL AND ${t} !~ ${DECIMAL_RE})`,
          reason: `${a.name}: expected a decimal number`,
        });
        value = `CASE WHEN ${t} ~ ${DECIMAL_RE} THEN to_jsonb(${t}::numeric) END`;
        break;
      case 'boolean':
        error({
          column,
          value: t,
          failure: boolInvalid(t),
          reason: `${a.name}: expected true/false, 1/0 or yes/no`,
        });
        value = `to_jsonb(${boolValue(t)})`;
        break;
      case 'enum': {
        const values = a.values ?? [];
        const match = `(SELECT v FROM unnest(${litArray(values)}) v WHERE lower(v) = lower(${t}) LIMIT 1)`;
        error({
          column,
          value: t,
          failure: `(${t} IS NOT NULL AND ${match} IS NULL)`,
          reason: `${a.name}: expected one of ${values.join(', ')}`.slice(0, 500),
        });
        value = `to_jsonb(${match})`;
        break;
      }
      case 'datetime':
        error({
          column,
          value: t,
          failure: `(${t} IS NOT NULL AND rapport_try_timestamptz(${t}) IS NULL)`,
          reason: `${a.name}: expected a date or date-time such as 2024-03-31 or 2024-03-31T14:05:00Z`,
        });
        value = `to_jsonb(to_char(rapport_try_timestamptz(${t}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))`;
        break;
      default:
        error({
          column,
          value: t,
          failure: `length(${t}) > ${MAX_TEXT}`,
          reason: `${a.name}: longer than ${MAX_TEXT} characters`,
        });
        value = `to_jsonb(${t})`;
    }
    pairs.push(`${lit(a.name)}, ${value}`);
  }
  // jsonb_build_object takes at most 100 arguments: build in groups of 50 pairs.
  const groups: string[] = [];
  for (let i = 0; i < pairs.length; i += 50)
    groups.push(`jsonb_build_object(${pairs.slice(i, i + 50).join(', ')})`);
  const attributes = groups.length ? `jsonb_strip_nulls(${groups.join(' || ')})` : `'{}'::jsonb`;
  return { checks, attributes };
}

/** md5 of a raw row's fields, salted with the mapping's fingerprint: "this row, read this way". */
export const sourceHashExpr = (plan: ColumnPlan, fingerprint: string) =>
  `md5(${lit(fingerprint)} || chr(29) || concat_ws(chr(31), ${plan.columns.map((_, i) => `coalesce(r.${rawColumn(i)}, chr(30))`).join(', ')}))`;

export interface StageStatements {
  /** Creates the typed staging table, with each row's problems (`problems`, text[]) and hashes. */
  createStage: string;
  /** Records every problem of the staged rows as an issue of the run. */
  insertIssues: string;
  /** Removes the rows that have an error: they are rejected. */
  deleteRejected: string;
  /** Columns of the staging table, besides line, attributes, problems and the hashes. */
  columns: string[];
}

const SEP = 'chr(31)';

export function stageStatements(
  plan: ColumnPlan,
  runId: number,
  file: string,
  defaultCountry: string | null,
  fingerprint: string,
): StageStatements {
  const { checks: fieldChecks, typed, joins } = fieldExprs(plan, runId, defaultCountry);
  const { checks: attributeChecks, attributes } = attributeExprs(plan);
  const checks = [...fieldChecks, ...attributeChecks];
  const stage = stageTable(runId, plan.object);
  // Each problem as 'e' or 'w', the column, the value and the reason, separated by chr(31).
  const problems = checks.length
    ? `array_remove(ARRAY[${checks
        .map(
          (c) =>
            `CASE WHEN ${c.failure} THEN ${lit(c.severity[0]!)} || ${lit(c.column)} || ${SEP} || coalesce(left(${c.value}, 200), '') || ${SEP} || ${lit(c.reason)} END`,
        )
        .join(',\n ')}]::text[], NULL)`
    : `'{}'::text[]`;
  const names = [...typed.map((c) => ident(c.name)), 'attributes'];
  // Typed values first, then the hash of exactly what the merge will write: equal hash = unchanged.
  const createStage = `CREATE TABLE ${stage} AS
    SELECT s.*, md5(concat_ws(chr(31), ${names.map((n) => `coalesce(s.${n}::text, chr(30))`).join(', ')})) AS row_hash
    FROM (
      SELECT r.line, ${typed.map((c) => `${c.expr} AS ${ident(c.name)}`).join(', ')}, ${attributes} AS attributes,
             ${sourceHashExpr(plan, fingerprint)} AS source_hash, ${problems} AS problems
      FROM ${rawTable(runId, plan.object)} r ${joins.join(' ')}
    ) s`;
  const insertIssues = `INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason)
    SELECT ${lit(runId)}, (CASE WHEN left(p, 1) = 'e' THEN 'error' ELSE 'warning' END)::import_issue_severity,
           ${lit(plan.object)}, ${lit(file)}, s.line,
           substr(split_part(p, chr(31), 1), 2), nullif(split_part(p, chr(31), 2), ''), split_part(p, chr(31), 3)
    FROM ${stage} s CROSS JOIN LATERAL unnest(s.problems) AS p
    WHERE cardinality(s.problems) > 0`;
  const deleteRejected = `DELETE FROM ${stage} s WHERE cardinality(s.problems) > 0
    AND EXISTS (SELECT 1 FROM unnest(s.problems) AS p WHERE left(p, 1) = 'e')`;
  return { createStage, insertIssues, deleteRejected, columns: typed.map((c) => c.name) };
}

/** The external reference of a raw row, as the staging reads it. */
export const rawExternalRef = (plan: ColumnPlan) =>
  plan.fields.externalRef === undefined ? null : rawText(plan.fields.externalRef);
