import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { accountInSubtree } from '../directory/conditions.ts';
import type { AttributeType } from '../directory/roles.ts';
import { type Executor, queryRows } from '../platform/db/database.ts';
import { pgTextArray } from '../platform/db/sql-text.ts';
import { isAppError } from '../platform/errors.ts';
import { respondedCondition } from '../surveys/links.service.ts';
import { getSurveyRow } from '../surveys/surveys.service.ts';
import {
  ACCOUNT_FIELDS,
  ACCOUNT_HISTORY_FIELDS,
  type AccountCondition,
  type AccountRule,
  type ChangeCondition,
  CONTACT_FIELDS,
  CONTACT_HISTORY_FIELDS,
  type Comparison,
  type ContactCondition,
  type ContactRule,
  isGroup,
  OPERATORS_BY_KIND,
  type Operator,
  pathText,
  type Rule,
  type Scalar,
  type SegmentDefinition,
  type SegmentEntity,
  type ValueKind,
} from './rules.ts';

/**
 * Compiles a segment's rule tree into one SQL condition over the directory's tables, set-based:
 * a segment of a million contacts is one statement. Every value is a bind parameter with an
 * explicit type cast (so that the stored form, see storedQuery, runs with text parameters), and
 * sub-rules are EXISTS over uncorrelated-able subqueries, which PostgreSQL turns into semi/anti
 * joins, or hashed sub-plans under OR and NOT.
 *
 * NULLs: a condition on an empty value is not true (`ARR > 5` skips accounts without ARR), and
 * `not` is the exact complement of what it wraps (NULL counts as false first), so
 * `{ not: { … ARR gt 5 } }` includes the accounts without ARR. `neq` and `not_in` are `not` of
 * `eq` and `in`: they include empty values.
 */

/** Bump when the compiled SQL changes shape: stored queries are then recompiled when next read. */
export const COMPILER_VERSION = 1;

export interface Problem {
  path: string;
  message: string;
}

interface AttributeDef {
  name: string;
  type: AttributeType;
  enumValues: string[] | null;
}

interface Ctx {
  db: Executor;
  directoryId: number;
  defs: Record<SegmentEntity, Map<string, AttributeDef>>;
  problems: Problem[];
  aliases: number;
  conditions: number;
  checked: Map<string, string | null>;
}

export interface CompiledSegment {
  entity: SegmentEntity;
  /** The condition on the members' table, for the row alias `x`. */
  where: SQL;
}

/** The row alias every compiled condition is written for (contacts x or accounts x). */
export const MEMBER_ALIAS = 'x';
const MAX_CONDITIONS = 300;

// Parameters, always typed: the stored form binds them all as text.
const P = {
  bigint: (v: number) => sql`${v}::bigint`,
  int: (v: number) => sql`${v}::int`,
  num: (v: number) => sql`${v}::numeric`,
  text: (v: string) => sql`${v}::text`,
  bool: (v: boolean) => sql`${v}::boolean`,
  ts: (iso: string) => sql`${iso}::timestamptz`,
  texts: (values: string[]) => sql`${pgTextArray(values)}::text[]`,
  nums: (values: number[]) => sql`${`{${values.join(',')}}`}::numeric[]`,
};
const ago = (days: number) => sql`(now() - make_interval(days => ${P.int(days)}))`;
const ahead = (days: number) => sql`(now() + make_interval(days => ${P.int(days)}))`;
const startOfTodayUtc = sql`(date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;

const KIND_OF_TYPE: Record<AttributeType, ValueKind> = {
  integer: 'number',
  decimal: 'number',
  string: 'string',
  enum: 'enum',
  datetime: 'date',
  boolean: 'boolean',
};

const KIND_LABEL: Record<ValueKind, string> = {
  string: 'text',
  enum: 'a list of values',
  number: 'a number',
  date: 'a date',
  boolean: 'true/false',
};

// ---------------------------------------------------------------- values

type Path = (string | number)[];

function problem(ctx: Ctx, path: Path, message: string): null {
  ctx.problems.push({ path: pathText(path), message });
  return null;
}

interface DateValue {
  /** The instant (start of the day for a date). */
  start: string;
  /** The start of the next day, for a date without a time; null for an instant. */
  nextDay: string | null;
}

function parseDate(value: unknown): DateValue | null {
  if (typeof value !== 'string') return null;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
    return { start: date.toISOString(), nextDay: new Date(Date.UTC(y, m - 1, d + 1)).toISOString() };
  }
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value))
    return null;
  const instant = new Date(value.replace(' ', 'T'));
  return Number.isNaN(instant.getTime()) ? null : { start: instant.toISOString(), nextDay: null };
}

function parseNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
  return null;
}

function parseBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return null;
}

interface Subject {
  kind: ValueKind;
  /** "attribute ARR", "field email": what an error message names. */
  label: string;
  enumValues?: string[] | null | undefined;
}

const expectation = (s: Subject) => {
  switch (s.kind) {
    case 'number':
      return `expected a number for ${s.label}`;
    case 'date':
      return `expected a date such as 2024-03-31 or 2024-03-31T14:05:00Z for ${s.label}`;
    case 'boolean':
      return `expected true or false for ${s.label}`;
    case 'enum':
      return `expected one of ${(s.enumValues ?? []).join(', ')} for ${s.label}`;
    default:
      return `expected text for ${s.label}`;
  }
};

/** One scalar of the subject's kind, or a problem at `path`. */
function scalar(ctx: Ctx, s: Subject, value: unknown, path: Path): Scalar | DateValue | null {
  switch (s.kind) {
    case 'number':
      return parseNumber(value) ?? problem(ctx, path, expectation(s));
    case 'date':
      return parseDate(value) ?? problem(ctx, path, expectation(s));
    case 'boolean':
      return parseBoolean(value) ?? problem(ctx, path, expectation(s));
    case 'enum': {
      const match =
        typeof value === 'string'
          ? (s.enumValues ?? []).find((v) => v.toLowerCase() === value.trim().toLowerCase())
          : undefined;
      return match ?? problem(ctx, path, expectation(s));
    }
    default:
      return typeof value === 'string' || typeof value === 'number'
        ? String(value)
        : problem(ctx, path, expectation(s));
  }
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * `expr` (of the subject's kind) compared as the condition says; null (and a problem) when the
 * operator does not apply or the value does not fit.
 */
function compare(
  ctx: Ctx,
  s: Subject,
  expr: SQL,
  c: Comparison,
  path: Path,
  allowed?: Operator[],
  /** Where the value sits, when not at `<path>.value` (a change's `from` and `to`). */
  at?: Path,
): SQL | null {
  const ops = allowed ?? OPERATORS_BY_KIND[s.kind];
  if (!ops.includes(c.op))
    return problem(
      ctx,
      [...path, 'op'],
      `the operator ${c.op} does not apply to ${KIND_LABEL[s.kind]} (${s.label}): use ${ops.join(', ')}`,
    );
  const valuePath = at ?? [...path, 'value'];
  const text = s.kind === 'string' || s.kind === 'enum';
  if (c.op === 'is_empty' || c.op === 'is_not_empty') {
    if (c.value !== undefined) return problem(ctx, valuePath, `${c.op} takes no value`);
    const empty = text ? sql`(nullif(${expr}, '') IS NULL)` : sql`(${expr} IS NULL)`;
    return c.op === 'is_empty' ? empty : sql`(NOT ${empty})`;
  }
  if (c.value === undefined) return problem(ctx, valuePath, `${c.op} needs a value`);

  if (c.op === 'within_last_days' || c.op === 'within_next_days' || c.op === 'more_than_days_ago') {
    const days = c.value;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 36_500)
      return problem(ctx, valuePath, `expected a number of days (1 to 36500) for ${s.label}`);
    if (c.op === 'within_last_days') return sql`(${expr} >= ${ago(days)} AND ${expr} <= now())`;
    if (c.op === 'within_next_days') return sql`(${expr} >= ${startOfTodayUtc} AND ${expr} < ${ahead(days)})`;
    return sql`(${expr} < ${ago(days)})`;
  }

  if (c.op === 'in' || c.op === 'not_in') {
    if (!Array.isArray(c.value) || c.value.length === 0)
      return problem(ctx, valuePath, `expected a list of values for ${s.label}`);
    const values = c.value.map((v, i) => scalar(ctx, s, v, [...valuePath, i]));
    if (values.some((v) => v === null)) return null;
    let inList: SQL;
    if (s.kind === 'number') inList = sql`(${expr} = ANY(${P.nums(values as number[])}))`;
    else if (text)
      inList = sql`(lower(${expr}) = ANY(${P.texts((values as string[]).map((v) => v.toLowerCase()))}))`;
    else return problem(ctx, [...path, 'op'], `${c.op} does not apply to ${KIND_LABEL[s.kind]} (${s.label})`);
    return c.op === 'in' ? inList : sql`(NOT coalesce(${inList}, false))`;
  }

  if (c.op === 'between') {
    if (!Array.isArray(c.value) || c.value.length !== 2)
      return problem(ctx, valuePath, `expected [low, high] for ${s.label}`);
    const low = scalar(ctx, s, c.value[0], [...valuePath, 0]);
    const high = scalar(ctx, s, c.value[1], [...valuePath, 1]);
    if (low === null || high === null) return null;
    if (s.kind === 'number') {
      if ((low as number) > (high as number))
        return problem(ctx, valuePath, 'the low end is above the high end');
      return sql`(${expr} BETWEEN ${P.num(low as number)} AND ${P.num(high as number)})`;
    }
    const [from, to] = [low as DateValue, high as DateValue];
    if (from.start > (to.nextDay ?? to.start))
      return problem(ctx, valuePath, 'the first date is after the second');
    return to.nextDay
      ? sql`(${expr} >= ${P.ts(from.start)} AND ${expr} < ${P.ts(to.nextDay)})`
      : sql`(${expr} >= ${P.ts(from.start)} AND ${expr} <= ${P.ts(to.start)})`;
  }

  if (Array.isArray(c.value)) return problem(ctx, valuePath, `expected one value for ${s.label}, not a list`);
  const v = scalar(ctx, s, c.value, valuePath);
  if (v === null) return null;

  if (c.op === 'contains' || c.op === 'starts_with' || c.op === 'ends_with') {
    const needle = escapeLike(String(v).toLowerCase());
    const pattern =
      c.op === 'contains' ? `%${needle}%` : c.op === 'starts_with' ? `${needle}%` : `%${needle}`;
    return sql`(lower(${expr}) LIKE ${P.text(pattern)})`;
  }

  let eq: SQL;
  if (text) eq = sql`(lower(${expr}) = ${P.text(String(v).toLowerCase())})`;
  else if (s.kind === 'number') eq = sql`(${expr} = ${P.num(v as number)})`;
  else if (s.kind === 'boolean') eq = sql`(${expr} = ${P.bool(v as boolean)})`;
  else {
    const d = v as DateValue;
    eq = d.nextDay
      ? sql`(${expr} >= ${P.ts(d.start)} AND ${expr} < ${P.ts(d.nextDay)})`
      : sql`(${expr} = ${P.ts(d.start)})`;
  }
  if (c.op === 'eq') return eq;
  if (c.op === 'neq') return sql`(NOT coalesce(${eq}, false))`;

  // gt, gte, lt, lte: numbers and dates (a date without a time means the whole day).
  if (s.kind === 'number') {
    const n = P.num(v as number);
    const ops = { gt: sql`>`, gte: sql`>=`, lt: sql`<`, lte: sql`<=` } as const;
    return sql`(${expr} ${ops[c.op as keyof typeof ops]} ${n})`;
  }
  const d = v as DateValue;
  const end = d.nextDay ?? d.start;
  switch (c.op) {
    case 'gt':
      return d.nextDay ? sql`(${expr} >= ${P.ts(end)})` : sql`(${expr} > ${P.ts(d.start)})`;
    case 'gte':
      return sql`(${expr} >= ${P.ts(d.start)})`;
    case 'lt':
      return sql`(${expr} < ${P.ts(d.start)})`;
    default:
      return d.nextDay ? sql`(${expr} < ${P.ts(end)})` : sql`(${expr} <= ${P.ts(d.start)})`;
  }
}

// ---------------------------------------------------------------- typed reads

/** A jsonb attribute of the row, its name matched case-insensitively (exact spelling first). */
function attributeJson(alias: string, name: string): SQL {
  const a = sql.raw(alias);
  return sql`coalesce(${a}.attributes -> ${P.text(name)},
    (SELECT e.value FROM jsonb_each(${a}.attributes) e WHERE lower(e.key) = ${P.text(name.toLowerCase())} LIMIT 1))`;
}

/** A jsonb value as SQL of the kind; NULL when it is missing or not of that kind. */
function typedJson(json: SQL, kind: ValueKind): SQL {
  switch (kind) {
    case 'number':
      return sql`(CASE WHEN jsonb_typeof(${json}) = 'number' THEN (${json})::numeric END)`;
    case 'boolean':
      return sql`(CASE WHEN jsonb_typeof(${json}) = 'boolean' THEN (${json})::boolean END)`;
    case 'date':
      return sql`(CASE WHEN jsonb_typeof(${json}) = 'string' AND (${json} #>> '{}') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}'
        THEN (${json} #>> '{}')::timestamptz END)`;
    default:
      return sql`(${json} #>> '{}')`;
  }
}

function attributeDef(ctx: Ctx, entity: SegmentEntity, name: string, path: Path): AttributeDef | null {
  const def = ctx.defs[entity].get(name.toLowerCase());
  if (!def) {
    const known = [...ctx.defs[entity].values()].map((d) => d.name);
    return problem(
      ctx,
      path,
      `no ${entity} attribute "${name}" in this directory${known.length ? ` (known: ${known.slice(0, 20).join(', ')})` : ''}`,
    );
  }
  return def;
}

function attributeCondition(
  ctx: Ctx,
  entity: SegmentEntity,
  alias: string,
  cond: { name: string } & Comparison,
  path: Path,
): SQL | null {
  const def = attributeDef(ctx, entity, cond.name, [...path, 'name']);
  if (!def) return null;
  const kind = KIND_OF_TYPE[def.type];
  const subject = { kind, label: `attribute ${def.name}`, enumValues: def.enumValues };
  return compare(ctx, subject, typedJson(attributeJson(alias, def.name), kind), cond, path);
}

// ---------------------------------------------------------------- checks against the directory

async function belongs(ctx: Ctx, key: string, check: () => Promise<string | null>): Promise<string | null> {
  if (!ctx.checked.has(key)) ctx.checked.set(key, await check());
  return ctx.checked.get(key)!;
}

async function checkSurvey(ctx: Ctx, surveyId: number | undefined, path: Path): Promise<boolean> {
  if (surveyId === undefined) return true;
  const message = await belongs(ctx, `survey:${surveyId}`, async () => {
    try {
      const survey = await getSurveyRow(ctx.db, surveyId);
      return survey.directoryId === ctx.directoryId
        ? null
        : `survey ${surveyId} belongs to another directory`;
    } catch (error) {
      if (isAppError(error) && error.status === 404) return `no survey ${surveyId}`;
      throw error;
    }
  });
  if (message) problem(ctx, [...path, 'surveyId'], message);
  return !message;
}

async function checkRow(ctx: Ctx, table: 'mailing_lists' | 'accounts', id: number, path: Path, what: string) {
  const message = await belongs(ctx, `${table}:${id}`, async () => {
    const rows = await queryRows<{ directory_id: number }>(
      ctx.db,
      table === 'accounts'
        ? sql`SELECT directory_id FROM accounts WHERE id = ${id} AND deleted_at IS NULL`
        : sql`SELECT directory_id FROM mailing_lists WHERE id = ${id}`,
    );
    if (!rows[0]) return `no ${what} ${id}`;
    return Number(rows[0].directory_id) === ctx.directoryId
      ? null
      : `${what} ${id} belongs to another directory`;
  });
  if (message) problem(ctx, path, message);
  return !message;
}

// ---------------------------------------------------------------- response facts

interface ResponseScope {
  surveyId?: number | undefined;
  withinDays?: number | undefined;
}

function responseScope(ctx: Ctx, scope: ResponseScope, r: string): SQL {
  const a = sql.raw(r);
  return sql`${a}.status = 'complete'
    ${
      scope.surveyId !== undefined
        ? sql`AND ${a}.survey_id = ${P.bigint(scope.surveyId)}`
        : sql`AND ${a}.survey_id IN (SELECT s.id FROM surveys s WHERE s.directory_id = ${P.bigint(ctx.directoryId)})`
    }
    ${scope.withinDays !== undefined ? sql`AND ${a}.completed_at >= ${ago(scope.withinDays)}` : sql``}`;
}

/** Each contact's latest completed response with this metric (within the scope): contact_id, the metric. */
function latestResponses(ctx: Ctx, scope: ResponseScope, metric: 'nps' | 'csat'): SQL {
  const r = next(ctx, 'r');
  const a = sql.raw(r);
  const column = metric === 'nps' ? sql`${a}.nps_score` : sql`${a}.csat_score`;
  return sql`(SELECT DISTINCT ON (${a}.contact_id) ${a}.contact_id, ${a}.nps_category, ${a}.nps_score::numeric AS nps_score,
      ${a}.csat_score::numeric AS csat_score
    FROM responses ${a}
    WHERE ${a}.contact_id IS NOT NULL AND ${column} IS NOT NULL AND ${responseScope(ctx, scope, r)}
    ORDER BY ${a}.contact_id, ${a}.completed_at DESC, ${a}.id DESC)`;
}

const SCORE_OPERATORS: Operator[] = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'in', 'not_in'];

// ---------------------------------------------------------------- transactions

function changedCondition(
  ctx: Ctx,
  entity: SegmentEntity,
  alias: string,
  cond: ChangeCondition,
  path: Path,
): SQL | null {
  if ((cond.field === undefined) === (cond.attribute === undefined))
    return problem(ctx, path, 'name either a field or an attribute');
  let name: string;
  let subject: Subject;
  if (cond.field !== undefined) {
    const fields: Record<string, ValueKind> =
      entity === 'contact' ? CONTACT_HISTORY_FIELDS : ACCOUNT_HISTORY_FIELDS;
    const kind = fields[cond.field];
    if (!kind)
      return problem(
        ctx,
        [...path, 'field'],
        `the history of a ${entity} records these fields: ${Object.keys(fields).join(', ')}`,
      );
    name = cond.field;
    subject = { kind, label: `field ${cond.field}` };
  } else {
    const def = attributeDef(ctx, entity, cond.attribute!, [...path, 'attribute']);
    if (!def) return null;
    name = def.name;
    subject = { kind: KIND_OF_TYPE[def.type], label: `attribute ${def.name}`, enumValues: def.enumValues };
  }
  const h = sql.raw(next(ctx, 'h'));
  const parts: SQL[] = [];
  for (const side of ['from', 'to'] as const) {
    const value = cond[side];
    if (value === undefined) continue;
    const json = side === 'from' ? sql`${h}.old_value` : sql`${h}.new_value`;
    const typed = typedJson(json, subject.kind);
    const emptyText = subject.kind === 'string' || subject.kind === 'enum';
    if (value === null) {
      parts.push(emptyText ? sql`nullif(${typed}, '') IS NULL` : sql`${typed} IS NULL`);
      continue;
    }
    const c = compare(ctx, subject, typed, { op: 'eq', value }, path, undefined, [...path, side]);
    if (c === null) return null;
    parts.push(c);
  }
  return sql`EXISTS (SELECT 1 FROM attribute_history ${h}
    WHERE ${h}.entity = ${P.text(entity)}::directory_entity AND ${h}.entity_id = ${sql.raw(alias)}.id
      AND lower(${h}.field) = ${P.text(name.toLowerCase())}
      ${cond.withinDays !== undefined ? sql`AND ${h}.changed_at >= ${ago(cond.withinDays)}` : sql``}
      ${parts.length ? sql`AND ${sql.join(parts, sql` AND `)}` : sql``})`;
}

// ---------------------------------------------------------------- conditions

function next(ctx: Ctx, prefix: string): string {
  ctx.aliases += 1;
  return `${prefix}${ctx.aliases}`;
}

const rolesFilter = (r: string, roles: string[] | undefined) =>
  roles?.length ? sql`AND ${sql.raw(r)}.role::text = ANY(${P.texts(roles)})` : sql``;

async function contactCondition(
  ctx: Ctx,
  cond: ContactCondition,
  alias: string,
  path: Path,
): Promise<SQL | null> {
  const x = sql.raw(alias);
  switch (cond.type) {
    case 'field': {
      const f = CONTACT_FIELDS[cond.field];
      return compare(
        ctx,
        { kind: f.kind, label: `field ${cond.field}` },
        sql`${x}.${sql.raw(f.column)}`,
        cond,
        path,
      );
    }
    case 'attribute':
      return attributeCondition(ctx, 'contact', alias, cond, path);
    case 'account': {
      const r = next(ctx, 'r');
      const a = next(ctx, 'a');
      const where = cond.where ? await compileRule(ctx, 'account', cond.where, a, [...path, 'where']) : null;
      if (cond.where && !where) return null;
      return sql`EXISTS (SELECT 1 FROM account_contact_roles ${sql.raw(r)}
        JOIN accounts ${sql.raw(a)} ON ${sql.raw(a)}.id = ${sql.raw(r)}.account_id AND ${sql.raw(a)}.deleted_at IS NULL
        WHERE ${sql.raw(r)}.contact_id = ${x}.id ${rolesFilter(r, cond.roles)} ${where ? sql`AND ${where}` : sql``})`;
    }
    case 'mailingList': {
      if (
        !(await checkRow(
          ctx,
          'mailing_lists',
          cond.mailingListId,
          [...path, 'mailingListId'],
          'mailing list',
        ))
      )
        return null;
      const m = sql.raw(next(ctx, 'm'));
      return sql`EXISTS (SELECT 1 FROM mailing_list_members ${m}
        WHERE ${m}.contact_id = ${x}.id AND ${m}.mailing_list_id = ${P.bigint(cond.mailingListId)})`;
    }
    case 'responded':
    case 'noResponse': {
      if (!(await checkSurvey(ctx, cond.surveyId, path))) return null;
      const r = next(ctx, 'r');
      const exists = sql`EXISTS (SELECT 1 FROM responses ${sql.raw(r)}
        WHERE ${sql.raw(r)}.contact_id = ${x}.id AND ${responseScope(ctx, cond, r)})`;
      return cond.type === 'responded' ? exists : sql`(NOT ${exists})`;
    }
    case 'invitedNoResponse': {
      if (!(await checkSurvey(ctx, cond.surveyId, path))) return null;
      const h = sql.raw(next(ctx, 'h'));
      const d = sql.raw(next(ctx, 'd'));
      return sql`EXISTS (SELECT 1 FROM distribution_recipients ${h}
        JOIN distributions ${d} ON ${d}.id = ${h}.distribution_id AND ${d}.kind = 'invitation'
          AND ${d}.directory_id = ${P.bigint(ctx.directoryId)}
          ${cond.surveyId !== undefined ? sql`AND ${d}.survey_id = ${P.bigint(cond.surveyId)}` : sql``}
        WHERE ${h}.contact_id = ${x}.id AND ${h}.status IN ('sent', 'delivered')
          ${cond.withinDays !== undefined ? sql`AND ${h}.sent_at >= ${ago(cond.withinDays)}` : sql``}
          AND NOT ${respondedCondition(sql`${d}.id`, sql`${x}.id`)})`;
    }
    case 'npsCategory':
    case 'npsScore':
    case 'csatScore': {
      if (!(await checkSurvey(ctx, cond.surveyId, path))) return null;
      const l = sql.raw(next(ctx, 'l'));
      const latest = latestResponses(ctx, cond, cond.type === 'csatScore' ? 'csat' : 'nps');
      let test: SQL | null;
      if (cond.type === 'npsCategory') test = sql`${l}.nps_category = ANY(${P.texts(cond.categories)})`;
      else {
        const score = cond.type === 'npsScore' ? sql`${l}.nps_score` : sql`${l}.csat_score`;
        const label = cond.type === 'npsScore' ? 'the NPS score' : 'the CSAT score';
        test = compare(ctx, { kind: 'number', label }, score, cond, path, SCORE_OPERATORS);
      }
      if (!test) return null;
      return sql`EXISTS (SELECT 1 FROM ${latest} ${l} WHERE ${l}.contact_id = ${x}.id AND ${test})`;
    }
    case 'changed':
      return changedCondition(ctx, 'contact', alias, cond, path);
  }
}

async function accountCondition(
  ctx: Ctx,
  cond: AccountCondition,
  alias: string,
  path: Path,
): Promise<SQL | null> {
  const x = sql.raw(alias);
  const D = P.bigint(ctx.directoryId);
  switch (cond.type) {
    case 'field': {
      const f = ACCOUNT_FIELDS[cond.field];
      return compare(
        ctx,
        { kind: f.kind, label: `field ${cond.field}` },
        sql`${x}.${sql.raw(f.column)}`,
        cond,
        path,
      );
    }
    case 'attribute':
      return attributeCondition(ctx, 'account', alias, cond, path);
    case 'root': {
      const p = sql.raw(next(ctx, 'p'));
      return sql`NOT EXISTS (SELECT 1 FROM accounts ${p} WHERE ${p}.id = ${x}.parent_id AND ${p}.deleted_at IS NULL)`;
    }
    case 'descendantOf': {
      if (!(await checkRow(ctx, 'accounts', cond.accountId, [...path, 'accountId'], 'account'))) return null;
      const subtree = accountInSubtree(sql`${x}.id`, cond.accountId);
      return cond.includeSelf ? subtree : sql`(${subtree} AND ${x}.id <> ${P.bigint(cond.accountId)})`;
    }
    case 'depth': {
      const test = compare(ctx, { kind: 'number', label: 'the depth' }, sql`t.depth`, cond, path, [
        'eq',
        'neq',
        'gt',
        'gte',
        'lt',
        'lte',
        'between',
        'in',
        'not_in',
      ]);
      if (!test) return null;
      // Depth from the roots (accounts with no live parent), through live accounts; bounded.
      return sql`${x}.id IN (WITH RECURSIVE t(id, depth) AS (
          SELECT ra.id, 0 FROM accounts ra WHERE ra.directory_id = ${D} AND ra.deleted_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM accounts rp WHERE rp.id = ra.parent_id AND rp.deleted_at IS NULL)
          UNION ALL
          SELECT ca.id, t.depth + 1 FROM accounts ca JOIN t ON ca.parent_id = t.id
          WHERE ca.deleted_at IS NULL AND t.depth < 100)
        SELECT t.id FROM t WHERE ${test})`;
    }
    case 'team': {
      const tm = sql.raw(next(ctx, 'tm'));
      return sql`EXISTS (SELECT 1 FROM account_team_members ${tm} WHERE ${tm}.account_id = ${x}.id
        ${cond.email ? sql`AND ${tm}.user_email = ${P.text(cond.email.toLowerCase())}` : sql``}
        ${cond.role ? sql`AND ${tm}.role::text = ${P.text(cond.role)}` : sql``})`;
    }
    case 'nps': {
      if (!(await checkSurvey(ctx, cond.surveyId, path))) return null;
      const test = compare(
        ctx,
        { kind: 'number', label: 'the account NPS' },
        sql`s.nps`,
        cond,
        path,
        SCORE_OPERATORS,
      );
      if (!test) return null;
      const r = sql.raw(next(ctx, 'r'));
      const l = sql.raw(next(ctx, 'l'));
      // (account, contact) pairs, each contact once per account whatever their number of roles; with
      // descendants, every account also holds the contacts of its subtree.
      const pairs = cond.includeDescendants
        ? sql`SELECT DISTINCT t.root AS account_id, ${r}.contact_id FROM (
            WITH RECURSIVE t(root, id, depth) AS (
              SELECT ta.id, ta.id, 0 FROM accounts ta WHERE ta.directory_id = ${D} AND ta.deleted_at IS NULL
              UNION ALL
              SELECT t.root, ca.id, t.depth + 1 FROM accounts ca JOIN t ON ca.parent_id = t.id
              WHERE ca.deleted_at IS NULL AND t.depth < 100)
            SELECT root, id FROM t) t
          JOIN account_contact_roles ${r} ON ${r}.account_id = t.id`
        : sql`SELECT DISTINCT ${r}.account_id, ${r}.contact_id FROM account_contact_roles ${r}
            WHERE ${r}.directory_id = ${D}`;
      // Every account's NPS at once (one pass over the latest answers), not one account at a time.
      return sql`${x}.id IN (SELECT s.account_id FROM (
          SELECT m.account_id, count(*) AS n,
            round(100.0 * (count(*) FILTER (WHERE ${l}.nps_category = 'promoter')
              - count(*) FILTER (WHERE ${l}.nps_category = 'detractor')) / count(*), 1) AS nps
          FROM (${pairs}) m
          JOIN ${latestResponses(ctx, cond, 'nps')} ${l} ON ${l}.contact_id = m.contact_id
          GROUP BY m.account_id) s
        WHERE s.n >= ${P.int(cond.minResponses)} AND ${test})`;
    }
    case 'contacts': {
      const r = next(ctx, 'r');
      const c = next(ctx, 'c');
      const where = cond.where ? await compileRule(ctx, 'contact', cond.where, c, [...path, 'where']) : null;
      if (cond.where && !where) return null;
      const from = sql`FROM account_contact_roles ${sql.raw(r)}
        JOIN contacts ${sql.raw(c)} ON ${sql.raw(c)}.id = ${sql.raw(r)}.contact_id
          AND ${sql.raw(c)}.deleted_at IS NULL AND ${sql.raw(c)}.merged_into_id IS NULL
        WHERE ${sql.raw(r)}.account_id = ${x}.id ${rolesFilter(r, cond.roles)} ${where ? sql`AND ${where}` : sql``}`;
      return cond.min <= 1
        ? sql`EXISTS (SELECT 1 ${from})`
        : sql`((SELECT count(DISTINCT ${sql.raw(r)}.contact_id) ${from}) >= ${P.int(cond.min)})`;
    }
    case 'changed':
      return changedCondition(ctx, 'account', alias, cond, path);
  }
}

/** Conditions compiled to SQL that is never NULL (EXISTS, IN over non-null ids): `not` needs no coalesce. */
const TWO_VALUED = new WeakSet<SQL>();
const twoValued = (s: SQL) => {
  TWO_VALUED.add(s);
  return s;
};

async function compileRule<C extends ContactCondition | AccountCondition>(
  ctx: Ctx,
  entity: SegmentEntity,
  rule: Rule<C>,
  alias: string,
  path: Path,
): Promise<SQL | null> {
  if (isGroup(rule)) {
    if ('not' in rule) {
      const inner = await compileRule(ctx, entity, rule.not, alias, [...path, 'not']);
      if (!inner) return null;
      // NULL (unknown) counts as false before negation: `not` is the exact complement. A plain
      // NOT EXISTS stays one, so that the planner makes it an anti-join.
      return TWO_VALUED.has(inner)
        ? twoValued(sql`(NOT ${inner})`)
        : twoValued(sql`(NOT coalesce(${inner}, false))`);
    }
    const key = 'all' in rule ? 'all' : 'any';
    const items = 'all' in rule ? rule.all : rule.any;
    if (items.length === 0) return twoValued(key === 'all' ? sql`true` : sql`false`);
    const parts: (SQL | null)[] = [];
    for (const [i, item] of items.entries())
      parts.push(await compileRule(ctx, entity, item, alias, [...path, key, i]));
    if (parts.some((p) => p === null)) return null;
    if (parts.length === 1) return parts[0]!;
    const joined = sql`(${sql.join(parts as SQL[], key === 'all' ? sql` AND ` : sql` OR `)})`;
    return parts.every((p) => TWO_VALUED.has(p!)) ? twoValued(joined) : joined;
  }
  ctx.conditions += 1;
  if (ctx.conditions === MAX_CONDITIONS + 1)
    return problem(ctx, path, `a segment has at most ${MAX_CONDITIONS} conditions`);
  const compiled =
    entity === 'contact'
      ? await contactCondition(ctx, rule as ContactCondition, alias, path)
      : await accountCondition(ctx, rule as AccountCondition, alias, path);
  // Comparisons of a field or attribute may be NULL; every other condition is EXISTS or IN.
  const { type } = rule as ContactCondition | AccountCondition;
  return compiled && type !== 'field' && type !== 'attribute' ? twoValued(compiled) : compiled;
}

async function loadDefinitions(db: Executor, directoryId: number) {
  const rows = await queryRows<{
    entity: SegmentEntity;
    name: string;
    type: AttributeType;
    enum_values: string[] | null;
  }>(
    db,
    sql`SELECT entity, name, type, enum_values FROM attribute_definitions WHERE directory_id = ${directoryId}`,
  );
  const defs: Ctx['defs'] = { contact: new Map(), account: new Map() };
  for (const r of rows)
    defs[r.entity].set(r.name.toLowerCase(), { name: r.name, type: r.type, enumValues: r.enum_values });
  return defs;
}

/**
 * Compiles a parsed definition against the directory (attribute types, surveys, lists, accounts).
 * Returns the condition, or every problem found, each at its path (`rules.all[2].value`).
 */
export async function compileSegment(
  db: Executor,
  directoryId: number,
  definition: SegmentDefinition,
): Promise<{ compiled: CompiledSegment; problems: [] } | { compiled: null; problems: Problem[] }> {
  const ctx: Ctx = {
    db,
    directoryId,
    defs: await loadDefinitions(db, directoryId),
    problems: [],
    aliases: 0,
    conditions: 0,
    checked: new Map(),
  };
  const where = await compileRule(
    ctx,
    definition.entity,
    definition.rules as ContactRule | AccountRule,
    MEMBER_ALIAS,
    ['rules'],
  );
  if (!where || ctx.problems.length) return { compiled: null, problems: ctx.problems };
  return { compiled: { entity: definition.entity, where }, problems: [] };
}

/** `SELECT x.id` of the live contacts or accounts of the directory that the segment holds. */
export function segmentMembersSql(
  directoryId: number,
  segment: CompiledSegment,
  extra: SQL = sql`true`,
): SQL {
  const D = P.bigint(directoryId);
  return segment.entity === 'contact'
    ? sql`SELECT x.id FROM contacts x WHERE x.directory_id = ${D} AND x.deleted_at IS NULL
        AND x.merged_into_id IS NULL AND ${segment.where} AND ${extra}`
    : sql`SELECT x.id FROM accounts x WHERE x.directory_id = ${D} AND x.deleted_at IS NULL
        AND ${segment.where} AND ${extra}`;
}

const dialect = new PgDialect();

/**
 * The member query as text with its parameters as one text[] ($1), for the database function
 * rapport_segment_members (see the segments migration): distributions evaluate a segment inside
 * their own set-based statement (directory/audiences.ts) without compiling it. Every parameter
 * is cast where it is used, so `$n::numeric` becomes `($1[n])::numeric`.
 */
export function storedQuery(query: SQL): { sql: string; params: string[] } {
  const rendered = dialect.sqlToQuery(query);
  if (/\$(?!\d)/.test(rendered.sql)) throw new Error('A compiled segment holds a "$" outside its parameters');
  const params = rendered.params.map((p, i) => {
    if (typeof p === 'string') return p;
    if (typeof p === 'number' || typeof p === 'boolean') return String(p);
    throw new Error(`Parameter ${i + 1} of a compiled segment is not a scalar`);
  });
  let highest = 0;
  const text = rendered.sql.replace(/\$(\d+)/g, (match: string, n: string, offset: number) => {
    highest = Math.max(highest, Number(n));
    if (!rendered.sql.startsWith('::', offset + match.length))
      throw new Error(`Parameter ${n} of a compiled segment has no type cast`);
    return `($1[${n}])`;
  });
  if (highest !== params.length) throw new Error('A compiled segment does not use all its parameters');
  return { sql: text, params };
}
