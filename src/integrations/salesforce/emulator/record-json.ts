import { REST_ERRORS } from './api-errors.ts';
import type { StoredRecord } from './record-store.ts';
import type { Schema, SObjectDef } from './schema.ts';
import { parseWireValue, toJsonValue, xsdTypeOf } from './values.ts';

/** A record as the sObject Rows resource returns it, and the JSON type checks of a write body. */

export function recordJson(object: SObjectDef, record: StoredRecord, version: string, fields?: string[]) {
  const out: Record<string, unknown> = {
    attributes: { type: object.name, url: `/services/data/v${version}/sobjects/${object.name}/${record.Id}` },
  };
  const wanted = fields ? new Set(fields.map((f) => f.toLowerCase())) : null;
  for (const field of object.fields) {
    if (wanted && !wanted.has(field.name.toLowerCase())) continue;
    if (field.type === 'address') {
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
      out[field.name] = Object.values(value).every((v) => v === null) ? null : value;
      continue;
    }
    out[field.name] = toJsonValue(field, record[field.name]);
  }
  return out;
}

/**
 * Salesforce deserializes a JSON body before any DML: a value its field's type cannot take fails
 * the whole request with JSON_PARSER_ERROR, not one record.
 */
export function assertJsonTypes(schema: Schema, object: SObjectDef, body: Record<string, unknown>) {
  for (const [key, value] of Object.entries(body)) {
    if (key === 'attributes') continue;
    const field = schema.field(object, key);
    if (!field || value === null) continue;
    if (typeof value === 'object' || !parseWireValue(field, value).ok) {
      const kind =
        typeof value === 'string'
          ? 'VALUE_STRING'
          : typeof value === 'object'
            ? 'START_OBJECT'
            : 'VALUE_NUMBER_INT';
      throw REST_ERRORS.jsonParser(
        `Cannot deserialize instance of ${xsdTypeOf(field)} from ${kind} value ${JSON.stringify(value)} or request may be missing a required field at [line:1, column:1]`,
      );
    }
  }
}
