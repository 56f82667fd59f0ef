import { ident, lit } from '../../platform/db/sql-text.ts';
import type { ImportObject } from '../mapping.ts';
import type { ColumnPlan } from './column-plan.ts';
import {
  boolValue,
  DECIMAL_RE,
  EMAIL_RE,
  enumValue,
  INTEGER_RE,
  LANGUAGE_RE,
  phoneDigits,
  phoneFromDigits,
  timestampValue,
  tooLong,
} from './value-sql.ts';

/**
 * SQL that turns a raw staging table (every CSV field as text, plus its line) into a typed one in
 * one pass: each row gets its typed values and the list of its problems (a value that does not
 * fit is an error naming the line, column and expectation; a value dropped from a kept row is a
 * warning). All set-based.
 *
 * The statement is layered — values read from one text each, then typed columns, then the row
 * hash and problems — each layer a subquery fenced with OFFSET 0. Without the fences the planner
 * inlines every reference, and each value was trimmed, lowered or matched once per use (five times
 * for a phone number): the parse of a million contacts then cost more than the merge. Texts arrive
 * trimmed, with "" as NULL (csv-records.ts, FORCE_NULL), so no value is trimmed here.
 */

export const rawTable = (runId: number, object: ImportObject) => ident(`import_raw_${runId}_${object}`);
export const stageTable = (runId: number, object: ImportObject) => ident(`import_stage_${runId}_${object}`);
/** Every line of the raw table, and for the lines set aside as unchanged, the record's id (skip-unchanged.ts). */
export const matchedTable = (runId: number, object: ImportObject) =>
  ident(`import_matched_${runId}_${object}`);
/** A view: the lines of matchedTable set aside as unchanged. */
export const skippedTable = (runId: number, object: ImportObject) =>
  ident(`import_skipped_${runId}_${object}`);
/** The lines to parse when some were set aside. */
export const pendingTable = (runId: number, object: ImportObject) =>
  ident(`import_pending_${runId}_${object}`);
export const phoneTable = (runId: number) => ident(`import_phone_${runId}`);

export const rawColumn = (i: number) => ident(`c${i}`);

const MAX_TEXT = 1024;

/**
 * The text of a raw column: trimmed, and NULL when empty, as COPY stored it (csv-records.ts trims,
 * FORCE_NULL makes "" NULL), so the parse calls no btrim per value.
 */
export const rawText = (i: number) => `r.${rawColumn(i)}`;

interface Check {
  /** The column the user sees in the file. */
  column: string;
  /** The trimmed text shown with the problem. */
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
export const PHONE_FIELDS = ['phone', 'mobilePhone'] as const;
const REQUIRED_FIELDS: Record<ImportObject, string[]> = {
  accounts: ['externalRef', 'displayName'],
  contacts: [],
  teamMembers: ['accountExternalRef', 'userEmail', 'role'],
};

/** A phone column whose value SQL could not normalise: libphonenumber reads it (phones.ts). */
export interface PhoneInput {
  /** The staging column (phone, mobile_phone) and the one holding the text left to read. */
  column: string;
  input: string;
  /** The file's column name and the warning when the text is no phone number at all. */
  header: string;
  reason: string;
}

/** The columns of each layer of the parse, and the checks over them. */
class Layers {
  readonly values: string[] = [];
  readonly typed: { name: string; expr: string }[] = [];
  readonly checks: Check[] = [];
  readonly phones: (PhoneInput & { text: string })[] = [];
  #n = 0;
  /** Adds an intermediate value (layer 1, from the texts) and returns its name. */
  value(expr: string): string {
    const name = `v${this.#n++}`;
    this.values.push(`${expr} AS ${name}`);
    return name;
  }
  error(c: Omit<Check, 'severity'>) {
    this.checks.push({ ...c, severity: 'error' });
  }
}

/** A raw column by its bare name: the same in the first layer (over the raw table) and above. */
const text = (i: number) => rawColumn(i);
const digits = (i: number) => `d${i}`;

function fieldColumns(plan: ColumnPlan, defaultCountry: string | null, l: Layers) {
  for (const [field, index] of Object.entries(plan.fields)) {
    if (index === undefined) continue;
    const t = text(index);
    const column = plan.columns[index]!;
    const name = stageColumnOf(field);
    if (REQUIRED_FIELDS[plan.object].includes(field))
      l.error({ column, value: t, failure: `${t} IS NULL`, reason: `${column} is required` });
    if (BOOLEAN_FIELDS.has(field)) {
      const v = l.value(boolValue(t));
      l.error({
        column,
        value: t,
        failure: `(${t} IS NOT NULL AND ${v} IS NULL)`,
        reason: 'expected true/false, 1/0 or yes/no',
      });
      l.typed.push({ name, expr: field === 'isDeleted' ? `coalesce(${v}, false)` : v });
    } else if (EMAIL_FIELDS.has(field)) {
      l.error({
        column,
        value: t,
        failure: `(${t} IS NOT NULL AND (${tooLong(t, 320)} OR ${t} !~ ${EMAIL_RE}))`,
        reason: 'expected an email address',
      });
      l.typed.push({ name, expr: `lower(${t})` });
    } else if ((PHONE_FIELDS as readonly string[]).includes(field)) {
      // The fast path here; what it cannot read is kept in <column>_input for libphonenumber.
      l.typed.push({ name, expr: phoneFromDigits(digits(index), defaultCountry) });
      l.phones.push({
        text: t,
        column: name,
        input: `${name}_input`,
        header: column,
        reason: `not a phone number (${
          defaultCountry
            ? `international like +14155550100, or national for ${defaultCountry}`
            : 'expected international like +14155550100, or set defaultCountry'
        }): imported without it`,
      });
    } else if (field === 'language') {
      l.error({
        column,
        value: t,
        failure: `(${t} IS NOT NULL AND ${t} !~ ${LANGUAGE_RE})`,
        reason: 'expected a language code such as en, fr or pt-BR',
      });
      l.typed.push({ name, expr: `replace(${t}, '_', '-')` });
    } else {
      l.error({
        column,
        value: t,
        failure: tooLong(t, MAX_TEXT),
        reason: `longer than ${MAX_TEXT} characters`,
      });
      l.typed.push({ name, expr: t });
    }
  }
  if (plan.fields.isDeleted === undefined) l.typed.push({ name: 'is_deleted', expr: 'false' });
}

/** Each attribute's typed jsonb value (NULL when empty or invalid), and the `attributes` object. */
function attributeColumns(plan: ColumnPlan, l: Layers): string {
  const pairs: string[] = [];
  const values: string[] = [];
  for (const a of plan.attributes) {
    const t = text(a.column);
    const column = plan.columns[a.column]!;
    const invalid = (v: string, reason: string) =>
      l.error({
        column,
        value: t,
        failure: `(${t} IS NOT NULL AND ${v} IS NULL)`,
        reason: `${a.name}: ${reason}`,
      });
    let v: string;
    switch (a.type) {
      case 'integer':
        v = l.value(`CASE WHEN ${t} ~ ${INTEGER_RE} THEN to_jsonb(${t}::bigint) END`);
        invalid(v, 'expected a whole number');
        break;
      case 'decimal':
        v = l.value(`CASE WHEN ${t} ~ ${DECIMAL_RE} THEN to_jsonb(${t}::numeric) END`);
        invalid(v, 'expected a decimal number');
        break;
      case 'boolean':
        v = l.value(`to_jsonb(${boolValue(t)})`);
        invalid(v, 'expected true/false, 1/0 or yes/no');
        break;
      case 'enum':
        v = l.value(`to_jsonb(${enumValue(t, a.values ?? [])})`);
        invalid(v, `expected one of ${(a.values ?? []).join(', ')}`.slice(0, 500 - a.name.length - 2));
        break;
      case 'datetime':
        v = l.value(
          `to_jsonb(to_char(${timestampValue(t)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))`,
        );
        invalid(v, 'expected a date or date-time such as 2024-03-31 or 2024-03-31T14:05:00Z');
        break;
      default:
        v = l.value(`to_jsonb(${t})`);
        l.error({
          column,
          value: t,
          failure: tooLong(t, MAX_TEXT),
          reason: `${a.name}: longer than ${MAX_TEXT} characters`,
        });
    }
    pairs.push(`${lit(a.name)}, ${v}`);
    values.push(v);
  }
  // jsonb_build_object takes at most 100 arguments: build in groups of 50 pairs. A row with every
  // attribute set needs no jsonb_strip_nulls (a second walk over the object).
  const groups: string[] = [];
  for (let i = 0; i < pairs.length; i += 50)
    groups.push(`jsonb_build_object(${pairs.slice(i, i + 50).join(', ')})`);
  if (!groups.length) return `'{}'::jsonb`;
  const object = groups.join(' || ');
  return `CASE WHEN ${values.map((v) => `${v} IS NOT NULL`).join(' AND ')} THEN ${object} ELSE jsonb_strip_nulls(${object}) END`;
}

/** md5 of exactly what the merge writes (typed columns, then attributes): equal hash = unchanged. */
export const rowHashExpr = (alias: string, columns: string[]) =>
  `md5(concat_ws(chr(31), ${[...columns.map(ident), 'attributes'].map((n) => `coalesce(${alias}.${n}::text, chr(30))`).join(', ')}))`;

const SEP = 'chr(31)';

/** One problem as text: 'e' or 'w', the column, the value and the reason, separated by chr(31). */
export const problemText = (severity: 'error' | 'warning', column: string, value: string, reason: string) =>
  `${lit(severity[0]!)} || ${lit(column)} || ${SEP} || coalesce(left(${value}, 200), '') || ${SEP} || ${lit(reason)}`;

export interface StageStatements {
  /** Creates the typed staging table, with each row's problems (`problems`, text[] or NULL) and hashes. */
  createStage: string;
  /** Records every problem of the staged rows as an issue of the run. */
  insertIssues: string;
  /** Removes the rows that have an error: they are rejected. */
  deleteRejected: string;
  /** Columns of the staging table, besides line, attributes, problems and the hashes. */
  columns: string[];
  /** Phone columns, with the texts the SQL fast path left for libphonenumber. */
  phones: PhoneInput[];
}

export function stageStatements(
  plan: ColumnPlan,
  runId: number,
  file: string,
  defaultCountry: string | null,
  /** When lines were set aside as unchanged: the table of those to parse. */
  pending: string | null,
): StageStatements {
  const l = new Layers();
  const used = new Set([
    ...Object.values(plan.fields).filter((i): i is number => i !== undefined),
    ...plan.attributes.map((a) => a.column),
  ]);
  const texts = [...used].sort((a, b) => a - b).map(text);
  fieldColumns(plan, defaultCountry, l);
  const attributes = attributeColumns(plan, l);
  const phoneDigitColumns = PHONE_FIELDS.flatMap((f) => {
    const i = plan.fields[f];
    return i === undefined ? [] : [`${phoneDigits(text(i))} AS ${digits(i)}`];
  });
  const stage = stageTable(runId, plan.object);
  const columns = l.typed.map((c) => c.name);
  const problems = l.checks.length
    ? `CASE WHEN ${l.checks.map((c) => c.failure).join(' OR ')} THEN array_remove(ARRAY[${l.checks
        .map((c) => `CASE WHEN ${c.failure} THEN ${problemText(c.severity, c.column, c.value, c.reason)} END`)
        .join(',\n ')}]::text[], NULL) END`
    : 'NULL::text[]';
  const phoneInputs = l.phones.map(
    (p) => `CASE WHEN l2.${p.column} IS NULL THEN l2.${p.text} END AS ${p.input}`,
  );
  const fence = (select: string, from: string, alias: string) =>
    `(SELECT ${select} FROM ${from} OFFSET 0) ${alias}`;
  // 1 the texts as COPY stored them, phone digits and every value read from one text alone;
  // 2 the typed columns; then the row hash and the problems over them.
  const layer1 = fence(
    ['r.line', 'r.source_hash', ...texts, ...phoneDigitColumns, ...l.values].join(', '),
    `${rawTable(runId, plan.object)} r${pending ? ` WHERE r.line IN (SELECT p.line FROM ${pending} p)` : ''}`,
    'l1',
  );
  const layer2 = fence(
    ['l1.*', ...l.typed.map((c) => `${c.expr} AS ${ident(c.name)}`), `${attributes} AS attributes`].join(
      ', ',
    ),
    layer1,
    'l2',
  );
  const createStage = `CREATE UNLOGGED TABLE ${stage} AS
    SELECT l2.line, ${columns.map((c) => `l2.${ident(c)}`).join(', ')}, l2.attributes, l2.source_hash,
           ${rowHashExpr('l2', columns)} AS row_hash, ${problems} AS problems${phoneInputs.map((p) => `, ${p}`).join('')}
    FROM ${layer2}`;
  const insertIssues = insertProblemIssues(runId, plan.object, file, stage, 'problems');
  const deleteRejected = `DELETE FROM ${stage} s WHERE s.problems IS NOT NULL
    AND EXISTS (SELECT 1 FROM unnest(s.problems) AS p WHERE left(p, 1) = 'e')`;
  const phones = l.phones.map(({ text: _, ...p }) => p);
  return { createStage, insertIssues, deleteRejected, columns, phones };
}

/**
 * Records problems (problemText format, in a text[] column of rows that have a line) as issues of
 * the run: a staged row's problems, or the warnings an unchanged row set aside kept from before.
 */
export function insertProblemIssues(
  runId: number,
  object: ImportObject,
  file: string,
  /** The table of the rows (each with a line). */
  table: string,
  /** Its text[] column of problems. */
  column: 'problems' | 'warnings',
  /** Which problems (p) to record. */
  where = 'true',
): string {
  return `INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason)
    SELECT ${lit(runId)}, (CASE WHEN left(p, 1) = 'e' THEN 'error' ELSE 'warning' END)::import_issue_severity,
           ${lit(object)}, ${lit(file)}, s.line,
           substr(split_part(p, chr(31), 1), 2), nullif(split_part(p, chr(31), 2), ''), split_part(p, chr(31), 3)
    FROM ${table} s CROSS JOIN LATERAL unnest(s.${column}) AS p
    WHERE s.${column} IS NOT NULL AND ${where}`;
}

/** The external reference of a raw row, as the staging reads it. */
export const rawExternalRef = (plan: ColumnPlan) =>
  plan.fields.externalRef === undefined ? null : rawText(plan.fields.externalRef);
