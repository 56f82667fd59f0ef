import type { FieldDef } from './schema.ts';

/**
 * Per-record DML errors (SaveResult.errors) with Salesforce's status codes and wording. REST
 * single-record calls turn one into `[{message, errorCode, fields}]`; sObject Collections return
 * `{statusCode, message, fields}`; Bulk API writes `CODE:message:fields --`.
 */

export interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

export type SaveResult =
  | { success: true; id: string; created: boolean }
  | { success: false; id?: string; errors: SaveError[] };

const saveError = (statusCode: string, message: string, fields: string[] = []): SaveError => ({
  statusCode,
  message,
  fields,
});

export const SAVE_ERRORS = {
  noSuchColumn: (column: string, objectName: string) =>
    saveError('INVALID_FIELD', `No such column '${column}' on sobject of type ${objectName}`),
  notWritable: (fields: string[]) =>
    saveError(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${fields.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      fields,
    ),
  requiredMissing: (fields: string[]) =>
    saveError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${fields.join(', ')}]`, fields),
  wrongType: (field: FieldDef, value: unknown) =>
    saveError(
      'INVALID_TYPE_ON_FIELD_IN_RECORD',
      `${field.label}: value not of required type: ${String(value)}`,
      [field.name],
    ),
  tooLong: (field: FieldDef, value: string) =>
    saveError(
      'STRING_TOO_LONG',
      `${field.label}: data value too large: ${value} (max length=${field.length})`,
      [field.name],
    ),
  invalidEmail: (field: FieldDef, value: string) =>
    saveError('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${value}`, [field.name]),
  restrictedPicklist: (field: FieldDef, value: string) =>
    saveError(
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      `${field.label}: bad value for restricted picklist field: ${value}`,
      [field.name],
    ),
  outOfRange: (field: FieldDef, value: number) =>
    saveError(
      'NUMBER_OUTSIDE_VALID_RANGE',
      `${field.label}: value outside of valid range on numeric field: ${value}`,
      [field.name],
    ),
  malformedReference: (field: FieldDef, value: string) =>
    saveError('MALFORMED_ID', `${field.label}: id value of incorrect type: ${value}`, [field.name]),
  wrongReferenceType: (field: FieldDef, value: string) =>
    saveError('FIELD_INTEGRITY_EXCEPTION', `${field.label}: id value of incorrect type: ${value}`, [
      field.name,
    ]),
  invalidCrossReference: (field: FieldDef) =>
    saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [field.name]),
  duplicateValue: (field: FieldDef, id: string) =>
    saveError(
      'DUPLICATE_VALUE',
      `duplicate value found: ${field.name} duplicates value on record with id: ${id}`,
    ),
  entityIsDeleted: () => saveError('ENTITY_IS_DELETED', 'entity is deleted'),
  malformedId: (id: string) => saveError('MALFORMED_ID', `malformed id ${id}`),
  idOfOtherType: (objectName: string, id: string) =>
    saveError('MALFORMED_ID', `${objectName} ID: id value of incorrect type: ${id}`),
  cannotDelete: () => saveError('INVALID_TYPE_FOR_OPERATION', 'entity type cannot be deleted'),
  rolledBack: () =>
    saveError(
      'ALL_OR_NONE_OPERATION_ROLLED_BACK',
      'Record rolled back because not all records were valid and the request was using AllOrNone header',
    ),
  missingExternalId: (field: string) => saveError('MISSING_ARGUMENT', `${field} not specified`),
  duplicateExternalId: (field: string, ids: string[]) =>
    saveError(
      'DUPLICATE_EXTERNAL_ID',
      `${field}: more than one record found for external id field: [${ids.join(', ')}]`,
      [field],
    ),
} as const;

/**
 * A Bulk API result cell: `REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --`,
 * or `ENTITY_IS_DELETED:entity is deleted:--` when no field is named.
 */
export const bulkErrorText = (error: SaveError) =>
  `${error.statusCode}:${error.message}:${error.fields.length > 0 ? `${error.fields.join(',')} ` : ''}--`;
