import { systemFields, text } from './field-builders.ts';
import { createIdFactory, KEY_PREFIXES, to15 } from './ids.ts';
import type { FieldDef, FieldType, SObjectDef } from './schema.ts';
import { STANDARD_OBJECTS } from './standard-objects.ts';

/**
 * Custom fields and custom objects an emulated org is given: what an admin creates in Setup,
 * declared by tests and seeds. Names end in __c as Salesforce requires; lookups get their __r
 * relationship names.
 */

export interface CustomFieldInput {
  name: string;
  type: FieldType;
  label?: string;
  length?: number;
  precision?: number;
  scale?: number;
  required?: boolean;
  externalId?: boolean;
  unique?: boolean;
  picklistValues?: string[];
  restrictedPicklist?: boolean;
  /** For a lookup: the object it points at. */
  referenceTo?: string;
  childRelationshipName?: string;
  defaultValue?: string | number | boolean;
  /** The field's 15-character Id (00N…), as Web-to-Lead forms name custom fields. */
  fieldId?: string;
}

export interface CustomObjectInput {
  name: string;
  label?: string;
  labelPlural?: string;
  fields: CustomFieldInput[];
}

/** What Rapport's own tests and the demo expect on top of a standard org. */
export const DEFAULT_CUSTOM_FIELDS: Record<string, CustomFieldInput[]> = {
  Account: [
    {
      name: 'Tier__c',
      type: 'picklist',
      label: 'Tier',
      picklistValues: ['Platinum', 'Gold', 'Silver', 'Bronze'],
      restrictedPicklist: true,
    },
    {
      name: 'Customer_Number__c',
      type: 'string',
      label: 'Customer Number',
      length: 40,
      externalId: true,
      unique: true,
    },
    { name: 'Health_Score__c', type: 'double', label: 'Health Score', precision: 3, scale: 0 },
  ],
  Contact: [
    {
      name: 'Preferred_Language__c',
      type: 'picklist',
      label: 'Preferred Language',
      picklistValues: ['en', 'fr', 'it', 'es', 'de'],
    },
    {
      name: 'External_Id__c',
      type: 'string',
      label: 'External Id',
      length: 40,
      externalId: true,
      unique: true,
    },
  ],
  Lead: [
    { name: 'NPS_Score__c', type: 'double', label: 'NPS Score', precision: 2, scale: 0 },
    { name: 'Survey_Response_Id__c', type: 'string', label: 'Survey Response Id', length: 80 },
  ],
  Case: [{ name: 'CSAT_Score__c', type: 'double', label: 'CSAT Score', precision: 1, scale: 0 }],
};

const DEFAULT_LENGTHS: Partial<Record<FieldType, number>> = {
  string: 255,
  textarea: 32768,
  email: 80,
  phone: 40,
  url: 255,
  picklist: 255,
  reference: 18,
};

function labelOf(apiName: string) {
  return apiName.replace(/__c$/, '').replace(/_/g, ' ');
}

function customField(input: CustomFieldInput, nextFieldId: () => string): FieldDef {
  if (!/^[A-Za-z][A-Za-z0-9_]*__c$/.test(input.name)) {
    throw new Error(`A custom field's API name ends in __c: ${input.name}`);
  }
  const field: FieldDef = {
    name: input.name,
    label: input.label ?? labelOf(input.name),
    type: input.type,
    custom: true,
    fieldId: input.fieldId ?? nextFieldId(),
  };
  const length = input.length ?? DEFAULT_LENGTHS[input.type];
  if (length !== undefined) field.length = length;
  if (input.type === 'double' || input.type === 'currency' || input.type === 'percent') {
    field.precision = input.precision ?? 18;
    field.scale = input.scale ?? 0;
  }
  if (input.type === 'boolean') field.defaultValue = input.defaultValue ?? false;
  else if (input.defaultValue !== undefined) field.defaultValue = input.defaultValue;
  if (input.required) field.required = true;
  if (input.externalId) field.externalId = true;
  if (input.unique) field.unique = true;
  if (input.picklistValues) field.picklistValues = input.picklistValues;
  if (input.restrictedPicklist) field.restrictedPicklist = true;
  if (input.type === 'reference') {
    if (!input.referenceTo) throw new Error(`The lookup ${input.name} needs referenceTo`);
    field.referenceTo = [input.referenceTo];
    field.relationshipName = input.name.replace(/__c$/, '__r');
    if (input.childRelationshipName) field.childRelationshipName = input.childRelationshipName;
  }
  return field;
}

function customObject(input: CustomObjectInput, keyPrefix: string, nextFieldId: () => string): SObjectDef {
  if (!/^[A-Za-z][A-Za-z0-9_]*__c$/.test(input.name)) {
    throw new Error(`A custom object's API name ends in __c: ${input.name}`);
  }
  const label = input.label ?? labelOf(input.name);
  return {
    name: input.name,
    label,
    labelPlural: input.labelPlural ?? `${label}s`,
    keyPrefix,
    custom: true,
    deletable: true,
    fields: [
      ...systemFields({ owner: true, isDeleted: true }),
      text('Name', `${label} Name`, 80, { required: true, nameField: true }),
      ...input.fields.map((f) => customField(f, nextFieldId)),
    ],
  };
}

export interface SchemaOptions {
  /** Custom fields added to standard objects (merged with the defaults unless those are turned off). */
  customFields?: Record<string, CustomFieldInput[]>;
  customObjects?: CustomObjectInput[];
  /** false: no Tier__c, Customer_Number__c … (a bare standard org). */
  defaultCustomFields?: boolean;
}

/** Every object of the org: the standard ones with their custom fields, then the custom objects. */
export function buildObjectDefinitions(options: SchemaOptions = {}): SObjectDef[] {
  const fieldIds = createIdFactory(4_000);
  const nextFieldId = () => to15(fieldIds(KEY_PREFIXES.CustomField));
  const extra = new Map<string, CustomFieldInput[]>();
  const add = (source: Record<string, CustomFieldInput[]>) => {
    for (const [object, fields] of Object.entries(source))
      extra.set(object, [...(extra.get(object) ?? []), ...fields]);
  };
  if (options.defaultCustomFields !== false) add(DEFAULT_CUSTOM_FIELDS);
  add(options.customFields ?? {});

  const standard = STANDARD_OBJECTS.map((object) => ({
    ...object,
    fields: [...object.fields, ...(extra.get(object.name) ?? []).map((f) => customField(f, nextFieldId))],
  }));
  const custom = (options.customObjects ?? []).map((input, index) =>
    customObject(input, `a0${'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[index % 26]}`, nextFieldId),
  );
  for (const name of extra.keys()) {
    if (!standard.some((o) => o.name === name)) {
      throw new Error(`Custom fields go on a standard object (declare a custom object's with it): ${name}`);
    }
  }
  return [...standard, ...custom];
}
