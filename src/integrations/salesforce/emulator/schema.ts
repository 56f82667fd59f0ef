/**
 * The emulated org's metadata: which objects exist and what their fields are. Describe, SOQL,
 * DML validation and CSV conversion all read this one model, so they cannot disagree.
 */

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'boolean'
  | 'double'
  | 'currency'
  | 'percent'
  | 'int'
  | 'date'
  | 'datetime'
  | 'reference'
  | 'address'
  /** A custom geolocation (compound: Latitude and Longitude). */
  | 'location';

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  /** Text length (string types). */
  length?: number;
  /** Total digits and decimals (number types). */
  precision?: number;
  scale?: number;
  /** Set on insert: a required field that has no default. */
  required?: boolean;
  /** Not writable through the API (system, formula and compound fields). */
  readOnly?: boolean;
  /** Writable on insert only (e.g. AccountTeamMember.AccountId). */
  createOnly?: boolean;
  /** Computed by the store on every write (e.g. Contact.Name, Case.IsClosed). */
  computed?: boolean;
  custom?: boolean;
  externalId?: boolean;
  unique?: boolean;
  nameField?: boolean;
  referenceTo?: string[];
  relationshipName?: string;
  /** The name of the child relationship on the referenced object (Account.Contacts). */
  childRelationshipName?: string;
  picklistValues?: string[];
  restrictedPicklist?: boolean;
  defaultValue?: string | number | boolean;
  /** The compound field this one is a component of (BillingCity → BillingAddress). */
  compoundFieldName?: string;
  /** For an address compound: the prefix of its components ("Billing" → BillingStreet …). */
  addressPrefix?: string;
  /** The 15-character field Id a Web-to-Lead form uses for a custom field (00N…). */
  fieldId?: string;
}

export interface SObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  /** Whether records go to the recycle bin (IsDeleted) when deleted. */
  deletable: boolean;
  fields: FieldDef[];
}

export interface Schema {
  objects: ReadonlyMap<string, SObjectDef>;
  /** Case-insensitive lookup, as Salesforce resolves object names. */
  object(name: string): SObjectDef | undefined;
  objectByKeyPrefix(prefix: string): SObjectDef | undefined;
  field(object: SObjectDef, name: string): FieldDef | undefined;
  /** The reference field whose relationshipName is `name` (Account.Parent → ParentId). */
  relationship(object: SObjectDef, name: string): FieldDef | undefined;
}

export function createSchema(definitions: readonly SObjectDef[]): Schema {
  const objects = new Map(definitions.map((d) => [d.name, d]));
  const byLowerName = new Map(definitions.map((d) => [d.name.toLowerCase(), d]));
  const byPrefix = new Map(definitions.map((d) => [d.keyPrefix, d]));
  const fieldIndex = new Map<SObjectDef, Map<string, FieldDef>>();
  const relationshipIndex = new Map<SObjectDef, Map<string, FieldDef>>();
  for (const d of definitions) {
    fieldIndex.set(d, new Map(d.fields.map((f) => [f.name.toLowerCase(), f])));
    relationshipIndex.set(
      d,
      new Map(d.fields.filter((f) => f.relationshipName).map((f) => [f.relationshipName!.toLowerCase(), f])),
    );
  }
  return {
    objects,
    object: (name) => byLowerName.get(name.toLowerCase()),
    objectByKeyPrefix: (prefix) => byPrefix.get(prefix),
    field: (object, name) => fieldIndex.get(object)?.get(name.toLowerCase()),
    relationship: (object, name) => relationshipIndex.get(object)?.get(name.toLowerCase()),
  };
}

export const isTextType = (type: FieldType) =>
  type === 'id' ||
  type === 'string' ||
  type === 'textarea' ||
  type === 'email' ||
  type === 'phone' ||
  type === 'url' ||
  type === 'picklist' ||
  type === 'reference';

export const isNumberType = (type: FieldType) =>
  type === 'double' || type === 'currency' || type === 'percent' || type === 'int';

/** Whether the API can write this field on insert (`createable` in describe). */
export const isCreateable = (field: FieldDef) =>
  !field.readOnly && !field.computed && field.type !== 'id' && field.type !== 'address';

/** Whether the API can write this field on update (`updateable` in describe). */
export const isUpdateable = (field: FieldDef) => isCreateable(field) && !field.createOnly;
