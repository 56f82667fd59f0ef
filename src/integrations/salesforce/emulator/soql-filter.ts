import { dateLiteralRange } from './date-literals.ts';
import { isValidId, to18 } from './ids.ts';
import { type FieldDef, isNumberType, isTextType, type Schema, type SObjectDef } from './schema.ts';
import type { Condition, Literal } from './soql-ast.ts';
import { SoqlError } from './soql-error.ts';
import { isLongText, type PathReader, type ResolvedPath, resolvePath } from './soql-paths.ts';
import { formatDate, parseDateTime, type StoredValue, xsdTypeOf } from './values.ts';

/**
 * WHERE clauses compiled into predicates, with SOQL's semantics: text compares without case,
 * `!=` keeps nulls, LIKE has % and _ wildcards, date literals are ranges, Ids match in either
 * length. Filter values are type-checked against their fields as Salesforce checks them.
 */

export type Predicate = (record: Readonly<Record<string, StoredValue>>, read: PathReader) => boolean;

function typeMismatch(path: ResolvedPath, literal: Literal): SoqlError {
  const expected = isTextType(path.field.type) ? 'string' : xsdTypeOf(path.field);
  const quoted = expected === 'string' ? 'should be enclosed in quotes' : 'should not be enclosed in quotes';
  return new SoqlError(
    'INVALID_FIELD',
    `value of filter criterion for field '${path.field.name}' must be of type ${expected} and ${quoted}`,
    literal.start,
  );
}

type Comparable =
  | { kind: 'value'; value: string | number | boolean | null }
  | { kind: 'range'; start: number; end: number };

/** A literal as the stored form of the field it is compared with (dates as day strings …). */
function coerce(path: ResolvedPath, literal: Literal, now: number): Comparable {
  const { field } = path;
  if (literal.kind === 'null') return { kind: 'value', value: null };
  if (field.type === 'boolean') {
    if (literal.kind !== 'boolean') throw typeMismatch(path, literal);
    return { kind: 'value', value: literal.value };
  }
  if (isNumberType(field.type)) {
    if (literal.kind !== 'number') throw typeMismatch(path, literal);
    return { kind: 'value', value: literal.value };
  }
  if (field.type === 'date' || field.type === 'datetime') {
    if (literal.kind === 'dateLiteral') {
      const range = dateLiteralRange(literal.name, literal.n, now);
      return { kind: 'range', ...range };
    }
    if (field.type === 'date' && literal.kind === 'date') return { kind: 'value', value: literal.value };
    if (field.type === 'datetime' && literal.kind === 'datetime') {
      return { kind: 'value', value: parseDateTime(literal.value)! };
    }
    throw typeMismatch(path, literal);
  }
  if (literal.kind !== 'string') throw typeMismatch(path, literal);
  if (field.type === 'id' || field.type === 'reference') {
    if (!isValidId(literal.value)) {
      throw new SoqlError(
        'INVALID_QUERY_FILTER_OPERATOR',
        `invalid ID field: ${literal.value}`,
        literal.start,
      );
    }
    return { kind: 'value', value: to18(literal.value) };
  }
  return { kind: 'value', value: literal.value.toLowerCase() };
}

/** The stored value in the form `coerce` produces, so the two compare directly. */
function comparable(field: FieldDef, value: StoredValue): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (
    typeof value === 'string' &&
    isTextType(field.type) &&
    field.type !== 'id' &&
    field.type !== 'reference'
  ) {
    return value.toLowerCase();
  }
  return value;
}

/** A date field compares day strings; a range is turned into the days it covers. */
function rangeBounds(field: FieldDef, range: { start: number; end: number }): [StoredValue, StoredValue] {
  return field.type === 'date' ? [formatDate(range.start), formatDate(range.end)] : [range.start, range.end];
}

export const compareValues = (a: string | number | boolean, b: string | number | boolean) =>
  a < b ? -1 : a > b ? 1 : 0;

function likeMatcher(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
      source += pattern[++i];
      continue;
    }
    if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

function checkFilterable(path: ResolvedPath, at: number) {
  if (path.field.type === 'address' || isLongText(path.field)) {
    throw new SoqlError('INVALID_FIELD', `field '${path.field.name}' can not be filtered in query call`, at);
  }
}

export function compileCondition(
  schema: Schema,
  root: SObjectDef,
  condition: Condition,
  now: number,
): Predicate {
  switch (condition.kind) {
    case 'and': {
      const items = condition.items.map((c) => compileCondition(schema, root, c, now));
      return (record, read) => items.every((p) => p(record, read));
    }
    case 'or': {
      const items = condition.items.map((c) => compileCondition(schema, root, c, now));
      return (record, read) => items.some((p) => p(record, read));
    }
    case 'not': {
      const item = compileCondition(schema, root, condition.item, now);
      return (record, read) => !item(record, read);
    }
    case 'in': {
      const path = resolvePath(schema, root, condition.path);
      checkFilterable(path, condition.path.start);
      const values = condition.values.map((literal) => {
        const c = coerce(path, literal, now);
        if (c.kind === 'range') throw typeMismatch(path, literal);
        return c.value;
      });
      const set = new Set(values);
      return (record, read) => set.has(comparable(path.field, read(record, path))) !== condition.negated;
    }
    case 'compare': {
      const path = resolvePath(schema, root, condition.path);
      checkFilterable(path, condition.path.start);
      const { operator, value: literal } = condition;
      const { field } = path;
      if (operator === 'LIKE') {
        if (field.type === 'id' || field.type === 'reference') {
          throw new SoqlError(
            'INVALID_QUERY_FILTER_OPERATOR',
            'invalid operator on id field',
            condition.operatorStart,
          );
        }
        if (!isTextType(field.type)) {
          throw new SoqlError(
            'INVALID_QUERY_FILTER_OPERATOR',
            `invalid operator on ${xsdTypeOf(field)} field`,
            condition.operatorStart,
          );
        }
        if (literal.kind !== 'string') throw typeMismatch(path, literal);
        const matcher = likeMatcher(literal.value);
        return (record, read) => {
          const v = read(record, path);
          return typeof v === 'string' && matcher.test(v);
        };
      }
      if (literal.kind === 'null' && operator !== '=' && operator !== '!=') {
        throw new SoqlError('MALFORMED_QUERY', `unexpected token: 'null'`, literal.start);
      }
      if (field.type === 'boolean' && operator !== '=' && operator !== '!=') {
        throw new SoqlError(
          'INVALID_QUERY_FILTER_OPERATOR',
          'invalid operator on boolean field',
          condition.operatorStart,
        );
      }
      const target = coerce(path, literal, now);
      if (target.kind === 'range') {
        const [start, end] = rangeBounds(field, target);
        return (record, read) => {
          const v = read(record, path);
          if (v === null || v === undefined) return operator === '!=';
          const inRange = v >= start! && v < end!;
          switch (operator) {
            case '=':
              return inRange;
            case '!=':
              return !inRange;
            case '<':
              return v < start!;
            case '<=':
              return v < end!;
            case '>':
              return v >= end!;
            default:
              return v >= start!;
          }
        };
      }
      const wanted = target.value;
      return (record, read) => {
        const v = comparable(field, read(record, path));
        if (wanted === null) return operator === '=' ? v === null : v !== null;
        if (v === null) return operator === '!=';
        const order = compareValues(v, wanted);
        switch (operator) {
          case '=':
            return order === 0;
          case '!=':
            return order !== 0;
          case '<':
            return order < 0;
          case '<=':
            return order <= 0;
          case '>':
            return order > 0;
          default:
            return order >= 0;
        }
      };
    }
  }
}
