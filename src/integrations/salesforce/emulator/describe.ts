import { KEY_PREFIXES } from './ids.ts';
import {
  type FieldDef,
  isCreateable,
  isNumberType,
  isUpdateable,
  type Schema,
  type SObjectDef,
} from './schema.ts';

/**
 * describeSObject and describeGlobal bodies, with the keys Salesforce sends (jsforce's
 * DescribeSObjectResult and Field types list them), computed from the schema.
 */

const SOAP_TYPES: Record<FieldDef['type'], string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  textarea: 'xsd:string',
  email: 'xsd:string',
  phone: 'xsd:string',
  url: 'xsd:string',
  picklist: 'xsd:string',
  boolean: 'xsd:boolean',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  int: 'xsd:int',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  address: 'urn:address',
  location: 'urn:location',
};

/** System fields every record has a value in (describe says nillable: false). */
const ALWAYS_SET = new Set([
  'CreatedDate',
  'CreatedById',
  'LastModifiedDate',
  'LastModifiedById',
  'SystemModstamp',
  'OwnerId',
]);

const objectUrls = (version: string, name: string) => {
  const base = `/services/data/v${version}/sobjects/${name}`;
  return {
    compactLayouts: `${base}/describe/compactLayouts`,
    rowTemplate: `${base}/{ID}`,
    approvalLayouts: `${base}/describe/approvalLayouts`,
    defaultValues: `${base}/defaultValues?recordTypeId&fields`,
    describe: `${base}/describe`,
    quickActions: `${base}/quickActions`,
    layouts: `${base}/describe/layouts`,
    sobject: base,
  };
};

function describeField(object: SObjectDef, field: FieldDef) {
  const isText = ['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'id', 'reference'].includes(
    field.type,
  );
  const length = isText ? (field.length ?? 255) : 0;
  const longText = field.type === 'textarea' && length > 255;
  const filterable = field.type !== 'address' && field.type !== 'location' && !longText;
  const createable = isCreateable(field);
  const nillable =
    !field.required &&
    field.type !== 'boolean' &&
    field.type !== 'id' &&
    !field.nameField &&
    !ALWAYS_SET.has(field.name);
  return {
    aggregatable: filterable && field.type !== 'boolean',
    aiPredictionField: false,
    autoNumber: object.name === 'Case' && field.name === 'CaseNumber',
    byteLength: length * 3,
    calculated: false,
    calculatedFormula: null,
    cascadeDelete: false,
    caseSensitive: false,
    compoundFieldName: field.compoundFieldName ?? null,
    controllerName: null,
    createable,
    custom: field.custom ?? false,
    defaultValue: field.defaultValue ?? null,
    defaultValueFormula: null,
    defaultedOnCreate:
      field.defaultValue !== undefined || field.name === 'OwnerId' || field.readOnly === true,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: field.type === 'int' ? (field.precision ?? 9) : 0,
    displayLocationInDecimal: false,
    encrypted: false,
    externalId: field.externalId ?? false,
    extraTypeInfo:
      field.type === 'textarea'
        ? 'plaintextarea'
        : field.name === 'Name' && field.computed
          ? 'personname'
          : null,
    filterable,
    filteredLookupInfo: null,
    formulaTreatNullNumberAsZero: false,
    groupable: filterable && !isNumberType(field.type) && field.type !== 'datetime',
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: field.type === 'id' || field.externalId === true || field.unique === true,
    inlineHelpText: null,
    label: field.label,
    length,
    mask: null,
    maskType: null,
    name: field.name,
    nameField: field.nameField ?? false,
    namePointing: field.name === 'OwnerId',
    nillable,
    permissionable: !field.required && !field.readOnly && field.type !== 'id' && field.type !== 'address',
    picklistValues: (field.picklistValues ?? []).map((value) => ({
      active: true,
      defaultValue: field.defaultValue === value,
      label: value,
      validFor: null,
      value,
    })),
    polymorphicForeignKey: false,
    precision: isNumberType(field.type) && field.type !== 'int' ? (field.precision ?? 18) : 0,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo: field.referenceTo ?? [],
    relationshipName: field.relationshipName ?? null,
    relationshipOrder: null,
    restrictedDelete: false,
    restrictedPicklist: field.restrictedPicklist ?? false,
    scale: isNumberType(field.type) && field.type !== 'int' ? (field.scale ?? 0) : 0,
    searchPrefilterable: false,
    soapType: SOAP_TYPES[field.type],
    sortable: filterable,
    type: field.type,
    unique: field.unique ?? false,
    updateable: isUpdateable(field),
    writeRequiresMasterRead: false,
  };
}

function globalEntry(object: SObjectDef, version: string) {
  const queryable = true;
  return {
    activateable: false,
    associateEntityType: null,
    associateParentEntity: null,
    createable: true,
    custom: object.custom,
    customSetting: false,
    deepCloneable: false,
    deletable: object.deletable,
    deprecatedAndHidden: false,
    feedEnabled: false,
    hasSubtypes: false,
    isInterface: false,
    isSubtype: false,
    keyPrefix: object.keyPrefix,
    label: object.label,
    labelPlural: object.labelPlural,
    layoutable: true,
    mergeable: object.name === 'Account' || object.name === 'Contact' || object.name === 'Lead',
    mruEnabled: true,
    name: object.name,
    queryable,
    replicateable: true,
    retrieveable: true,
    searchable: true,
    triggerable: true,
    undeletable: object.deletable,
    updateable: true,
    urls: objectUrls(version, object.name),
  };
}

export function describeGlobal(schema: Schema, version: string) {
  return {
    encoding: 'UTF-8',
    maxBatchSize: 200,
    sobjects: [...schema.objects.values()].map((o) => globalEntry(o, version)),
  };
}

function childRelationships(schema: Schema, object: SObjectDef) {
  const children = [];
  for (const child of schema.objects.values()) {
    for (const field of child.fields) {
      if (field.type !== 'reference' || !field.referenceTo?.includes(object.name)) continue;
      children.push({
        cascadeDelete: false,
        childSObject: child.name,
        deprecatedAndHidden: false,
        field: field.name,
        junctionIdListNames: [],
        junctionReferenceTo: [],
        relationshipName: field.childRelationshipName ?? null,
        restrictedDelete: false,
      });
    }
  }
  return children;
}

export function describeSObject(schema: Schema, object: SObjectDef, version: string) {
  return {
    ...globalEntry(object, version),
    actionOverrides: [],
    childRelationships: childRelationships(schema, object),
    compactLayoutable: true,
    defaultImplementation: null,
    extendedBy: null,
    extendsInterfaces: null,
    fields: object.fields.map((f) => describeField(object, f)),
    implementedBy: null,
    implementsInterfaces: null,
    listviewable: null,
    lookupLayoutable: null,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    recordTypeInfos: [
      {
        active: true,
        available: true,
        defaultRecordTypeMapping: true,
        developerName: 'Master',
        master: true,
        name: 'Master',
        recordTypeId: `${KEY_PREFIXES.RecordType}000000000000AAA`,
        urls: {
          layout: `/services/data/v${version}/sobjects/${object.name}/describe/layouts/012000000000000AAA`,
        },
      },
    ],
    searchLayoutable: true,
    sobjectDescribeOption: 'FULL',
    supportedScopes: [
      { label: `All ${object.labelPlural.toLowerCase()}`, name: 'everything' },
      { label: `My ${object.labelPlural.toLowerCase()}`, name: 'mine' },
    ],
  };
}
