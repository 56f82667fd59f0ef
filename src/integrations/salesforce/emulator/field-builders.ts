import type { FieldDef } from './schema.ts';

/** Short constructors for field definitions, so object definitions read like Setup's field list. */

type Extra = Partial<FieldDef>;

export const text = (name: string, label: string, length = 255, extra: Extra = {}): FieldDef => ({
  name,
  label,
  type: 'string',
  length,
  ...extra,
});

export const textArea = (name: string, label: string, length = 32000, extra: Extra = {}): FieldDef => ({
  name,
  label,
  type: 'textarea',
  length,
  ...extra,
});

export const email = (name: string, label: string, extra: Extra = {}): FieldDef => ({
  name,
  label,
  type: 'email',
  length: 80,
  ...extra,
});

export const phone = (name: string, label: string, extra: Extra = {}): FieldDef => ({
  name,
  label,
  type: 'phone',
  length: 40,
  ...extra,
});

export const url = (name: string, label: string, extra: Extra = {}): FieldDef => ({
  name,
  label,
  type: 'url',
  length: 255,
  ...extra,
});

export const picklist = (name: string, label: string, values: string[], extra: Extra = {}): FieldDef => ({
  name,
  label,
  type: 'picklist',
  length: 255,
  picklistValues: values,
  ...extra,
});

export const checkbox = (name: string, label: string, extra: Extra = {}): FieldDef => ({
  name,
  label,
  type: 'boolean',
  defaultValue: false,
  ...extra,
});

export const currency = (name: string, label: string, extra: Extra = {}): FieldDef => ({
  name,
  label,
  type: 'currency',
  precision: 18,
  scale: 0,
  ...extra,
});

export const decimal = (name: string, label: string, precision = 18, scale = 2, extra: Extra = {}) =>
  ({ name, label, type: 'double', precision, scale, ...extra }) satisfies FieldDef;

export const integer = (name: string, label: string, extra: Extra = {}): FieldDef => ({
  name,
  label,
  type: 'int',
  precision: 9,
  scale: 0,
  ...extra,
});

export const date = (name: string, label: string, extra: Extra = {}): FieldDef => ({
  name,
  label,
  type: 'date',
  ...extra,
});

export const dateTime = (name: string, label: string, extra: Extra = {}): FieldDef => ({
  name,
  label,
  type: 'datetime',
  ...extra,
});

export const lookup = (
  name: string,
  label: string,
  referenceTo: string,
  relationshipName: string,
  extra: Extra = {},
): FieldDef => ({
  name,
  label,
  type: 'reference',
  length: 18,
  referenceTo: [referenceTo],
  relationshipName,
  ...extra,
});

/** Id, IsDeleted, the audit fields every record has, and OwnerId where the object has owners. */
export function systemFields(options: { owner: boolean; isDeleted: boolean }): FieldDef[] {
  const fields: FieldDef[] = [{ name: 'Id', label: 'Record ID', type: 'id', length: 18, readOnly: true }];
  if (options.owner) fields.push(lookup('OwnerId', 'Owner ID', 'User', 'Owner'));
  if (options.isDeleted) fields.push(checkbox('IsDeleted', 'Deleted', { readOnly: true }));
  fields.push(
    dateTime('CreatedDate', 'Created Date', { readOnly: true }),
    lookup('CreatedById', 'Created By ID', 'User', 'CreatedBy', { readOnly: true }),
    dateTime('LastModifiedDate', 'Last Modified Date', { readOnly: true }),
    lookup('LastModifiedById', 'Last Modified By ID', 'User', 'LastModifiedBy', { readOnly: true }),
    dateTime('SystemModstamp', 'System Modstamp', { readOnly: true }),
  );
  return fields;
}

/** An address: its component fields and the read-only compound (BillingAddress). */
export function address(prefix: string, labelPrefix: string): FieldDef[] {
  const compound = `${prefix}Address`;
  const label = (part: string) => (labelPrefix ? `${labelPrefix} ${part}` : part);
  const part = { compoundFieldName: compound };
  return [
    textArea(`${prefix}Street`, label('Street'), 255, part),
    text(`${prefix}City`, label('City'), 40, part),
    text(`${prefix}State`, label('State/Province'), 80, part),
    text(`${prefix}PostalCode`, label('Zip/Postal Code'), 20, part),
    text(`${prefix}Country`, label('Country'), 80, part),
    decimal(`${prefix}Latitude`, label('Latitude'), 18, 15, part),
    decimal(`${prefix}Longitude`, label('Longitude'), 18, 15, part),
    picklist(
      `${prefix}GeocodeAccuracy`,
      label('Geocode Accuracy'),
      [
        'Address',
        'NearAddress',
        'Block',
        'Street',
        'ExtendedZip',
        'Zip',
        'Neighborhood',
        'City',
        'County',
        'State',
        'Unknown',
      ],
      part,
    ),
    { name: compound, label: label('Address'), type: 'address', readOnly: true, addressPrefix: prefix },
  ];
}

/** A person's name: Salutation, FirstName, LastName and the computed Name. */
export function personName(): FieldDef[] {
  const part = { compoundFieldName: 'Name' };
  return [
    picklist('Salutation', 'Salutation', ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.', 'Mx.'], part),
    text('FirstName', 'First Name', 40, part),
    text('LastName', 'Last Name', 80, { ...part, required: true }),
    text('Name', 'Full Name', 121, { computed: true, nameField: true }),
  ];
}
