import type { Connection, DescribeSObjectResult } from '@jsforce/jsforce-node';
import { compoundFieldMessage } from '../../imports/mapping.ts';

/** Compound fields (addresses, geolocations) arrive as one structured value: they cannot be imported. */
const COMPOUND_TYPES = new Set(['address', 'location']);

export interface FieldInfo {
  name: string;
  label: string;
  type: string;
  custom: boolean;
  /** Cannot be chosen: why, in the seed's words. */
  compound: string | null;
  /** A component of a compound field (BillingCity of BillingAddress …): that one can be chosen. */
  compoundFieldName: string | null;
  relationshipName: string | null;
  referenceTo: string[];
  externalId: boolean;
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  filterable: boolean;
}

export interface ObjectInfo {
  name: string;
  label: string;
  custom: boolean;
  fields: FieldInfo[];
}

export function toObjectInfo(d: DescribeSObjectResult): ObjectInfo {
  return {
    name: d.name,
    label: d.label,
    custom: d.custom,
    fields: d.fields.map((f) => ({
      name: f.name,
      label: f.label,
      type: f.type,
      custom: f.custom,
      compound: COMPOUND_TYPES.has(f.type) ? compoundFieldMessage(f.name) : null,
      compoundFieldName: f.compoundFieldName ?? null,
      relationshipName: f.relationshipName ?? null,
      referenceTo: (f.referenceTo ?? []) as string[],
      externalId: f.externalId,
      createable: f.createable,
      updateable: f.updateable,
      nillable: f.nillable,
      filterable: f.filterable,
    })),
  };
}

/** Describes objects once per use (describe results are large and rarely change within a run). */
export function describer(call: <T>(what: string, fn: (conn: Connection) => PromiseLike<T>) => Promise<T>) {
  const cache = new Map<string, Promise<ObjectInfo>>();
  return (object: string): Promise<ObjectInfo> => {
    const key = object.toLowerCase();
    let info = cache.get(key);
    if (!info) {
      info = call(`describing ${object}`, (conn) => conn.describe(object)).then(toObjectInfo);
      cache.set(key, info);
      info.catch(() => cache.delete(key));
    }
    return info;
  };
}

export interface ResolvedField {
  /** The path as the query and the CSV header name it (canonical case). */
  path: string;
  type: string;
}

/**
 * Checks a field path against describe: a field of the object, or one relationship hop
 * (Parent.Id, User.Email, Account.Customer_Number__c). Returns the canonical path, or the problem.
 */
export async function resolveField(
  describe: (object: string) => Promise<ObjectInfo>,
  object: ObjectInfo,
  path: string,
): Promise<ResolvedField | { problem: string }> {
  const parts = path.split('.');
  if (parts.length > 2) return { problem: `${path}: only one relationship hop is supported` };
  if (parts.length === 1) {
    const field = object.fields.find((f) => f.name.toLowerCase() === path.toLowerCase());
    if (!field) return { problem: `${object.name} has no field ${path}` };
    if (field.compound) return { problem: field.compound };
    return { path: field.name, type: field.type };
  }
  const [relationship, name] = parts as [string, string];
  const lookup = object.fields.find((f) => f.relationshipName?.toLowerCase() === relationship.toLowerCase());
  if (!lookup) return { problem: `${object.name} has no relationship ${relationship}` };
  const target = lookup.referenceTo[0];
  if (!target) return { problem: `${object.name}.${relationship} points at no object` };
  const related = await describe(target);
  const field = related.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
  if (!field) return { problem: `${target} (through ${relationship}) has no field ${name}` };
  if (field.compound) return { problem: field.compound };
  return { path: `${lookup.relationshipName}.${field.name}`, type: field.type };
}
