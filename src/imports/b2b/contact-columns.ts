import { lit } from '../../platform/db/sql-text.ts';
import type { ColumnPlan } from './column-plan.ts';
import { stageColumnOf } from './stage-sql.ts';

/** Contact fields an import can set, by staging column → contacts column. */
export const CONTACT_COLUMNS: Record<string, string> = {
  external_ref: 'external_ref',
  first_name: 'first_name',
  last_name: 'last_name',
  email: 'email',
  phone: 'phone',
  mobile_phone: 'mobile_phone',
  language: 'language',
  title: 'title',
  email_opt_out: 'email_opt_out',
  sms_opt_out: 'sms_opt_out',
  do_not_call: 'do_not_call',
  fax_opt_out: 'fax_opt_out',
  email_bounced_reason: 'email_bounced_reason',
  consent: 'consent',
};
export const NOT_NULL_FLAGS = new Set(['email_opt_out', 'sms_opt_out', 'do_not_call', 'fax_opt_out']);
export const HISTORY_NAMES: Record<string, string> = {
  first_name: 'firstName',
  last_name: 'lastName',
  email: 'email',
  phone: 'phone',
  mobile_phone: 'mobilePhone',
  language: 'language',
  title: 'title',
  email_opt_out: 'emailOptOut',
  sms_opt_out: 'smsOptOut',
  do_not_call: 'doNotCall',
  fax_opt_out: 'faxOptOut',
  email_bounced_reason: 'emailBouncedReason',
  consent: 'consent',
};

/** What one contacts file sets: the staging columns it provides and the attribute names it maps. */
export interface ContactFields {
  has(field: string): boolean;
  /** Staging columns the file provides (external_ref included). */
  provided: string[];
  /** The same without external_ref, the match key: changed only when a row found by email brings it. */
  updatable: string[];
  /** SQL text[] of the mapped attribute names. */
  mappedKeys: string;
}

export function contactFields(plan: ColumnPlan): ContactFields {
  const has = (field: string) => plan.fields[field] !== undefined;
  const provided = Object.keys(plan.fields)
    .filter((f) => f !== 'isDeleted' && f !== 'accountExternalRef')
    .map(stageColumnOf)
    .filter((c) => CONTACT_COLUMNS[c]);
  return {
    has,
    provided,
    updatable: provided.filter((c) => c !== 'external_ref'),
    mappedKeys: `ARRAY[${plan.attributes.map((a) => lit(a.name)).join(', ')}]::text[]`,
  };
}

/** A contact's stored value of a staging column, as con_match keeps it (old_<column>). */
export const oldColumn = (column: string) => `old_${column}`;
