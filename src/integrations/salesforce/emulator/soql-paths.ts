import type { FieldDef, Schema, SObjectDef } from './schema.ts';
import type { FieldPath } from './soql-ast.ts';
import { SoqlError, WSDL_HINT } from './soql-error.ts';
import type { StoredValue } from './values.ts';

/**
 * Field paths of a query bound to the schema: "Account.Owner.Email" from Contact follows the
 * AccountId and OwnerId lookups to User.Email. Unknown columns, relationships and objects fail
 * with Salesforce's INVALID_FIELD / INVALID_TYPE wording.
 */

export interface ResolvedPath {
  /** The lookups followed from the root: Contact.Account.Owner → [AccountId, OwnerId]. */
  hops: { field: FieldDef; target: SObjectDef }[];
  field: FieldDef;
  /** Canonical names: "Account.Owner.Email". */
  canonical: string;
}

/** Reads a (possibly related) field of a record; null when a lookup on the way is empty. */
export type PathReader = (record: Readonly<Record<string, StoredValue>>, path: ResolvedPath) => StoredValue;

const noSuchColumn = (column: string, entity: string, at: number) =>
  new SoqlError(
    'INVALID_FIELD',
    `No such column '${column}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. ${WSDL_HINT}`,
    at,
  );

const notUnderstood = (relationship: string, at: number) =>
  new SoqlError(
    'INVALID_FIELD',
    `Didn't understand relationship '${relationship}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. ${WSDL_HINT}`,
    at,
  );

export const unknownObject = (name: string, at: number) =>
  new SoqlError(
    'INVALID_TYPE',
    `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. ${WSDL_HINT}`,
    at,
  );

export function resolvePath(schema: Schema, root: SObjectDef, path: FieldPath): ResolvedPath {
  let parts = path.parts;
  // "SELECT Account.Name FROM Account": the object's own name may qualify its fields.
  if (
    parts.length > 1 &&
    parts[0]!.toLowerCase() === root.name.toLowerCase() &&
    !schema.relationship(root, parts[0]!)
  ) {
    parts = parts.slice(1);
  }
  let object = root;
  const hops: ResolvedPath['hops'] = [];
  const names: string[] = [];
  for (const part of parts.slice(0, -1)) {
    const lookup = schema.relationship(object, part);
    if (!lookup) throw notUnderstood(part, path.start);
    const target = schema.object(lookup.referenceTo![0]!)!;
    hops.push({ field: lookup, target });
    names.push(lookup.relationshipName!);
    object = target;
  }
  const last = parts[parts.length - 1]!;
  const field = schema.field(object, last);
  if (!field) throw noSuchColumn(last, object.name, path.start);
  names.push(field.name);
  return { hops, field, canonical: names.join('.') };
}

/** Long text areas can be neither filtered nor sorted. */
export const isLongText = (field: FieldDef) => field.type === 'textarea' && (field.length ?? 0) > 255;
