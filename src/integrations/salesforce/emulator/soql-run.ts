import type { RecordStore, StoredRecord } from './record-store.ts';
import type { FieldDef } from './schema.ts';
import type { PathReader, ResolvedPath } from './soql-paths.ts';
import { compareForOrder, type QueryPlan } from './soql-plan.ts';
import { type StoredValue, toCsvValue, toJsonValue } from './values.ts';

/**
 * Runs a query plan over the store, and turns matched rows into what the APIs return: REST JSON
 * records (attributes, nested parent objects, null for an empty lookup, address compounds) and
 * Bulk API CSV cells (parent fields as "Parent.Id" columns).
 */

export interface QueryOutcome {
  /** The matching rows after ORDER BY, OFFSET and LIMIT. */
  rows: StoredRecord[];
  /** COUNT() and COUNT(field) answers. */
  count: number;
  aggregateRow: Record<string, unknown> | null;
}

export function pathReader(store: RecordStore): PathReader {
  return (record, path) => {
    let current: Readonly<Record<string, StoredValue>> | undefined = record;
    for (const hop of path.hops) {
      const id = current[hop.field.name];
      if (typeof id !== 'string') return null;
      current = store.get(hop.target, id);
      if (!current) return null;
    }
    return current[path.field.name] ?? null;
  };
}

export function runQuery(
  store: RecordStore,
  plan: QueryPlan,
  options: { includeDeleted: boolean },
): QueryOutcome {
  const read = pathReader(store);
  let rows: StoredRecord[] = [];
  for (const record of store.records(plan.root, { includeDeleted: options.includeDeleted })) {
    if (!plan.where || plan.where(record, read)) rows.push(record);
  }
  if (plan.orderBy.length > 0) {
    const keyed = rows.map((row) => ({ row, keys: plan.orderBy.map((k) => read(row, k.path)) }));
    keyed.sort((a, b) => {
      for (let i = 0; i < plan.orderBy.length; i++) {
        const order = compareForOrder(a.keys[i]!, b.keys[i]!, plan.orderBy[i]!);
        if (order !== 0) return order;
      }
      return 0;
    });
    rows = keyed.map((k) => k.row);
  }
  if (plan.offset) rows = rows.slice(plan.offset);
  if (plan.limit !== null) rows = rows.slice(0, plan.limit);

  let aggregateRow: Record<string, unknown> | null = null;
  if (plan.aggregates.length > 0) {
    aggregateRow = { attributes: { type: 'AggregateResult' } };
    for (const aggregate of plan.aggregates) {
      aggregateRow[aggregate.alias] = rows.filter((r) => read(r, aggregate.path) !== null).length;
    }
  }
  return { rows, count: rows.length, aggregateRow };
}

const recordUrl = (version: string, type: string, id: string) =>
  `/services/data/v${version}/sobjects/${type}/${id}`;

function addressValue(field: FieldDef, record: Readonly<Record<string, StoredValue>>) {
  const prefix = field.addressPrefix ?? '';
  const part = (name: string) => record[`${prefix}${name}`] ?? null;
  const value = {
    city: part('City'),
    country: part('Country'),
    geocodeAccuracy: part('GeocodeAccuracy'),
    latitude: part('Latitude'),
    longitude: part('Longitude'),
    postalCode: part('PostalCode'),
    state: part('State'),
    street: part('Street'),
  };
  return Object.values(value).every((v) => v === null) ? null : value;
}

/** The JSON record of one row, fields in the order selected, parents nested with their attributes. */
export function toJsonRecord(
  store: RecordStore,
  plan: QueryPlan,
  row: StoredRecord,
  version: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: { type: plan.root.name, url: recordUrl(version, plan.root.name, row.Id) },
  };
  for (const column of plan.columns) place(store, out, row, column, 0, version);
  return out;
}

function place(
  store: RecordStore,
  target: Record<string, unknown>,
  record: Readonly<Record<string, StoredValue>>,
  path: ResolvedPath,
  depth: number,
  version: string,
) {
  if (depth === path.hops.length) {
    const { field } = path;
    target[field.name] =
      field.type === 'address' ? addressValue(field, record) : toJsonValue(field, record[field.name]);
    return;
  }
  const hop = path.hops[depth]!;
  const name = hop.field.relationshipName!;
  if (target[name] === null) return;
  const id = record[hop.field.name];
  const parent = typeof id === 'string' ? store.get(hop.target, id) : undefined;
  if (!parent) {
    target[name] = null;
    return;
  }
  let nested = target[name] as Record<string, unknown> | undefined;
  if (!nested) {
    nested = { attributes: { type: hop.target.name, url: recordUrl(version, hop.target.name, parent.Id) } };
    target[name] = nested;
  }
  place(store, nested, parent, path, depth + 1, version);
}

/** Bulk API CSV: the header row, then one row of cells per record. */
export function csvHeader(plan: QueryPlan): string[] {
  return plan.columns.map((c) => c.canonical);
}

export function toCsvCells(read: PathReader, plan: QueryPlan, row: StoredRecord): string[] {
  return plan.columns.map((column) => toCsvValue(column.field, read(row, column)));
}
