import type { Schema, SObjectDef } from './schema.ts';
import type { SoqlQuery } from './soql-ast.ts';
import { SoqlError } from './soql-error.ts';
import { compareValues, compileCondition, type Predicate } from './soql-filter.ts';
import { isLongText, type ResolvedPath, resolvePath, unknownObject } from './soql-paths.ts';
import type { StoredValue } from './values.ts';

/**
 * A parsed query bound to the org's schema: the columns selected, COUNT() and COUNT(field),
 * the compiled WHERE, ORDER BY keys, LIMIT and OFFSET — refused with Salesforce's messages when
 * a name is unknown, a field is selected twice, or a field cannot be sorted.
 */

export interface OrderKey {
  path: ResolvedPath;
  descending: boolean;
  nullsLast: boolean;
}

export interface QueryPlan {
  root: SObjectDef;
  /** The fields selected, in order (empty for COUNT()). */
  columns: ResolvedPath[];
  countAll: boolean;
  /** COUNT(field) items: one AggregateResult row. */
  aggregates: { path: ResolvedPath; alias: string }[];
  where: Predicate | null;
  orderBy: OrderKey[];
  limit: number | null;
  offset: number | null;
}

export function planQuery(schema: Schema, query: SoqlQuery, now: number): QueryPlan {
  const root = schema.object(query.from.name);
  if (!root) throw unknownObject(query.from.name, query.from.start);
  const columns: ResolvedPath[] = [];
  const aggregates: QueryPlan['aggregates'] = [];
  const seen = new Set<string>();
  let countAll = false;
  for (const item of query.select) {
    if (item.kind === 'countAll') {
      countAll = true;
      continue;
    }
    const path = resolvePath(schema, root, item.path);
    if (item.kind === 'countField') {
      aggregates.push({ path, alias: item.alias ?? `expr${aggregates.length}` });
      continue;
    }
    const key = path.canonical.toLowerCase();
    if (seen.has(key)) {
      throw new SoqlError(
        'INVALID_FIELD',
        `duplicate field selected: ${item.path.parts.join('.')}`,
        item.path.start,
      );
    }
    seen.add(key);
    columns.push(path);
  }
  if (aggregates.length > 0 && columns.length > 0) {
    const first = query.select.find((s) => s.kind === 'field');
    throw new SoqlError(
      'MALFORMED_QUERY',
      `Field must be grouped or aggregated: ${columns[0]!.field.name}`,
      first?.kind === 'field' ? first.path.start : 0,
    );
  }
  const orderBy = query.orderBy.map((item) => {
    const path = resolvePath(schema, root, item.path);
    if (path.field.type === 'address' || isLongText(path.field)) {
      throw new SoqlError(
        'INVALID_FIELD',
        `field '${path.field.name}' can not be sorted in a query call`,
        item.path.start,
      );
    }
    return { path, descending: item.descending, nullsLast: item.nullsLast };
  });
  return {
    root,
    columns,
    countAll,
    aggregates,
    where: query.where ? compileCondition(schema, root, query.where, now) : null,
    orderBy,
    limit: query.limit,
    offset: query.offset,
  };
}

/** Sort comparator for ORDER BY: text without case, nulls where asked. */
export function compareForOrder(a: StoredValue, b: StoredValue, key: OrderKey): number {
  const aNull = a === null || a === undefined;
  const bNull = b === null || b === undefined;
  if (aNull || bNull) {
    if (aNull && bNull) return 0;
    return (aNull ? -1 : 1) * (key.nullsLast ? -1 : 1);
  }
  const left = typeof a === 'string' ? a.toLowerCase() : a;
  const right = typeof b === 'string' ? b.toLowerCase() : b;
  const order = compareValues(left, right);
  return key.descending ? -order : order;
}
