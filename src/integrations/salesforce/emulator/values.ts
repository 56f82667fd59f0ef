import type { FieldDef } from './schema.ts';

/**
 * Field values between the wire and the store. Stored: text as strings, numbers, booleans,
 * dates as "YYYY-MM-DD", date-times as epoch milliseconds (whole seconds, as Salesforce keeps
 * them), and null. REST JSON writes date-times as 2026-01-01T00:00:00.000+0000; Bulk API CSV as
 * 2026-01-01T00:00:00.000Z.
 */

export type StoredValue = string | number | boolean | null;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function utcParts(ms: number) {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

/** REST's date-time format. */
export const formatDateTime = (ms: number) => `${utcParts(ms)}+0000`;

/** Bulk API CSV's date-time format. */
export const formatCsvDateTime = (ms: number) => `${utcParts(ms)}Z`;

export const formatDate = (ms: number) => utcParts(ms).slice(0, 10);

/** Salesforce keeps date-times to the second. */
export const toSeconds = (ms: number) => Math.floor(ms / 1000) * 1000;

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch ms of an ISO 8601 date-time (Z or an offset, with or without milliseconds), or null. */
export function parseDateTime(text: string): number | null {
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (frac) ms += Math.round(Number(`0${frac}`) * 1000);
  if (zone !== 'Z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    const digits = zone!.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number.isNaN(ms) ? null : ms;
}

export function isValidDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return formatDate(d.getTime()) === text;
}

/** A stored value as REST JSON carries it. */
export function toJsonValue(field: FieldDef, value: StoredValue | undefined): StoredValue {
  if (value === undefined || value === null) return field.type === 'boolean' ? false : null;
  if (field.type === 'datetime' && typeof value === 'number') return formatDateTime(value);
  return value;
}

/** A stored value as a Bulk API 2.0 CSV cell. */
export function toCsvValue(field: FieldDef | undefined, value: StoredValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (field?.type === 'datetime' && typeof value === 'number') return formatCsvDateTime(value);
  return String(value);
}

/** A value for an Outbound Message sObject element (xsd:dateTime in UTC with Z). */
export function toXmlValue(field: FieldDef, value: StoredValue): string {
  if (field.type === 'datetime' && typeof value === 'number') return formatCsvDateTime(value);
  if (
    typeof value === 'number' &&
    (field.type === 'double' || field.type === 'currency' || field.type === 'percent')
  ) {
    return Number.isInteger(value) ? value.toFixed(1) : String(value);
  }
  return String(value);
}

export type Parsed = { ok: true; value: StoredValue } | { ok: false; expected: string };

const SOAP_TYPES: Record<string, string> = {
  boolean: 'boolean',
  double: 'double',
  currency: 'double',
  percent: 'double',
  int: 'int',
  date: 'date',
  datetime: 'dateTime',
};

/** The xsd type name Salesforce's messages use for a field ("double", "dateTime" …). */
export const xsdTypeOf = (field: FieldDef) => SOAP_TYPES[field.type] ?? 'string';

/**
 * A wire value (JSON value, or CSV text) into its stored form. `ok: false` when it does not
 * deserialize into the field's type; the caller words the error for its API.
 */
export function parseWireValue(field: FieldDef, raw: unknown): Parsed {
  if (raw === null) return { ok: true, value: field.type === 'boolean' ? false : null };
  const expected = xsdTypeOf(field);
  switch (field.type) {
    case 'boolean':
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (typeof raw === 'string' && /^(true|false|1|0)$/i.test(raw.trim())) {
        return { ok: true, value: /^(true|1)$/i.test(raw.trim()) };
      }
      return { ok: false, expected };
    case 'double':
    case 'currency':
    case 'percent':
    case 'int': {
      const n =
        typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n) || (field.type === 'int' && !Number.isInteger(n)))
        return { ok: false, expected };
      return { ok: true, value: n };
    }
    case 'date': {
      if (typeof raw !== 'string') return { ok: false, expected };
      const day = raw.length > 10 && parseDateTime(raw) !== null ? raw.slice(0, 10) : raw;
      return isValidDate(day) ? { ok: true, value: day } : { ok: false, expected };
    }
    case 'datetime': {
      if (typeof raw !== 'string') return { ok: false, expected };
      const ms = parseDateTime(raw) ?? (isValidDate(raw) ? Date.parse(`${raw}T00:00:00Z`) : null);
      return ms === null ? { ok: false, expected } : { ok: true, value: toSeconds(ms) };
    }
    default:
      if (typeof raw === 'string') return { ok: true, value: raw };
      if (typeof raw === 'number' || typeof raw === 'boolean') return { ok: true, value: String(raw) };
      return { ok: false, expected };
  }
}
