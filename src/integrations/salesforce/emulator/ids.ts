/**
 * Salesforce record Ids: a 3-character key prefix naming the object, 12 more characters (15, case
 * sensitive), then a 3-character suffix that encodes the case of the first 15 so the 18-character
 * form survives case-insensitive tools (spreadsheets, SOQL). Emulated Ids count up in base 62
 * (0-9A-Za-z), so sorting Ids sorts by creation, as with real Ids of one org.
 */

export const KEY_PREFIXES = {
  Organization: '00D',
  User: '005',
  Account: '001',
  Contact: '003',
  Lead: '00Q',
  Case: '500',
  Campaign: '701',
  CampaignMember: '00v',
  AccountTeamMember: '01M',
  RecordType: '012',
  OutboundMessage: '04k',
  OutboundNotification: '04l',
  BulkJob: '750',
  QueryLocator: '01g',
  CustomField: '00N',
  ListView: '00B',
} as const;

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID15 = /^[a-zA-Z0-9]{15}$/;
const ID18 = /^[a-zA-Z0-9]{15}[A-Z0-5]{3}$/;

/** The 3 characters that make a 15-character Id case-safe. */
export function caseSafeSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return suffix;
}

/** True for a well-formed 15-character Id, or an 18-character one whose suffix matches. */
export function isValidId(value: string): boolean {
  if (ID15.test(value)) return true;
  return ID18.test(value) && caseSafeSuffix(value.slice(0, 15)) === value.slice(15);
}

/** The 18-character form of a valid Id (Salesforce accepts both forms everywhere an Id goes). */
export function to18(id: string): string {
  return id.length === 18 ? id : id + caseSafeSuffix(id);
}

export const to15 = (id: string) => id.slice(0, 15);

export const keyPrefixOf = (id: string) => id.slice(0, 3);

function base62(value: number, width: number): string {
  let text = '';
  let rest = value;
  while (rest > 0) {
    text = BASE62[rest % 62] + text;
    rest = Math.floor(rest / 62);
  }
  return text.padStart(width, '0');
}

/**
 * Makes new Ids: prefix + pod "5g" + "0" + a 9-character base-62 counter + suffix. One factory
 * per org; `start` lets a seed produce the same Ids on every run.
 */
export function createIdFactory(start = 1) {
  let counter = start;
  return (prefix: string): string => {
    if (prefix.length !== 3) throw new Error(`A key prefix has 3 characters: ${prefix}`);
    const id15 = `${prefix}5g0${base62(counter++, 9)}`;
    return id15 + caseSafeSuffix(id15);
  };
}

export type IdFactory = ReturnType<typeof createIdFactory>;
