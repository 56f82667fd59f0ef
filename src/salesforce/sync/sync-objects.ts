import type { ImportObject } from '../../imports/mapping.ts';

/**
 * The Salesforce objects a directory sync extracts, the import file each one feeds, and the fields
 * the seed says must be extracted for the Account Management command center to work. Leads are
 * loaded as contacts without an account (surveys go to leads too), by an import run of their own.
 * Campaigns feed no import: each becomes a mailing list of the directory whose members are the
 * contacts (and leads) its CampaignMember records name (campaign-lists.ts).
 */
export const SYNC_OBJECTS = [
  'Account',
  'Contact',
  'AccountTeamMember',
  'Lead',
  'Campaign',
  'CampaignMember',
] as const;
export type SyncObject = (typeof SYNC_OBJECTS)[number];

/** What a sync's config names; CampaignMember is extracted for the chosen campaigns, never on its own. */
export const CONFIGURABLE_OBJECTS = ['Account', 'Contact', 'AccountTeamMember', 'Lead', 'Campaign'] as const;
export type ConfigurableObject = (typeof CONFIGURABLE_OBJECTS)[number];

/**
 * Any other object (a custom one such as Customer__c or Client_Contact__c, or another standard
 * one) can be named in a sync's config with the directory file it feeds — accounts or contacts —
 * and, optionally, a mapping of its own. Each is loaded by an import run of its own (accounts
 * before contacts, so contacts find the accounts they name), after the account data and before
 * the leads.
 */
export const OTHER_OBJECT_LOADS = ['accounts', 'contacts'] as const;
export type OtherObjectLoad = (typeof OTHER_OBJECT_LOADS)[number];

/** An sObject API name: also what keeps object names safe inside the sync's SQL and SOQL. */
export const OBJECT_NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;

export const isBuiltInObject = (name: string): name is SyncObject =>
  (SYNC_OBJECTS as readonly string[]).includes(name);

/** The order a run extracts a config's objects in: the built-in ones (campaigns before members), then the others. */
export function extractionOrder(configured: readonly string[]): string[] {
  const others = configured.filter((o) => !isBuiltInObject(o)).sort();
  return [...SYNC_OBJECTS.filter((o) => o !== 'CampaignMember'), ...others, 'CampaignMember'];
}

/** Objects a new sync starts with (leads and campaigns are chosen deliberately). */
export const DEFAULT_OBJECTS: readonly SyncObject[] = ['Account', 'Contact', 'AccountTeamMember'];

export const IMPORT_FILE_OF: Partial<Record<SyncObject, ImportObject>> = {
  Account: 'accounts',
  Contact: 'contacts',
  AccountTeamMember: 'teamMembers',
  Lead: 'contacts',
};

/**
 * Objects loaded by one import run together (and committed with their cursors together): the
 * account data, then the leads. One import run takes one file per kind.
 */
export const IMPORT_GROUPS: readonly (readonly SyncObject[])[] = [
  ['Account', 'Contact', 'AccountTeamMember'],
  ['Lead'],
];

/** Committed after the imports (their members are the contacts and leads those loaded). */
export const CAMPAIGN_GROUP: readonly SyncObject[] = ['Campaign', 'CampaignMember'];

/** Always in the file, whatever else is chosen (Id and IsDeleted make deletions arrive as rows). */
export const REQUIRED_FIELDS: Record<SyncObject, readonly string[]> = {
  Account: ['Id', 'IsDeleted', 'Name', 'Parent.Id'],
  Contact: ['Id', 'IsDeleted', 'Title', 'AccountId', 'FirstName', 'LastName'],
  // The seed's list: the directory keys a team by account, user and role, not by this record's Id.
  AccountTeamMember: ['IsDeleted', 'AccountId', 'User.Email', 'TeamMemberRole'],
  Lead: ['Id', 'IsDeleted', 'FirstName', 'LastName', 'Email'],
  Campaign: ['Id', 'IsDeleted', 'Name', 'Status', 'IsActive'],
  CampaignMember: ['Id', 'IsDeleted', 'CampaignId', 'ContactId', 'LeadId', 'Status'],
};

/** What a new sync extracts besides the required fields. */
export const SUGGESTED_FIELDS: Record<SyncObject, readonly string[]> = {
  Account: [],
  Contact: ['Email', 'Phone', 'MobilePhone', 'HasOptedOutOfEmail', 'HasOptedOutOfFax', 'DoNotCall'],
  AccountTeamMember: [],
  Lead: ['Title', 'Phone', 'MobilePhone', 'HasOptedOutOfEmail', 'HasOptedOutOfFax', 'DoNotCall'],
  Campaign: ['Type', 'StartDate', 'EndDate'],
  CampaignMember: [],
};

/** A new sync's filters: a converted lead is a contact already; a finished campaign is not surveyed. */
export const SUGGESTED_WHERE: Partial<Record<SyncObject, string>> = {
  Lead: 'IsConverted = false',
  Campaign: 'IsActive = true',
};

/** An other object's file always has its Id and IsDeleted (deletions arrive as rows). */
export const OTHER_REQUIRED_FIELDS: readonly string[] = ['Id', 'IsDeleted'];

export const requiredFields = (object: string): readonly string[] =>
  isBuiltInObject(object) ? REQUIRED_FIELDS[object] : OTHER_REQUIRED_FIELDS;

/** Required fields first (in the seed's order), then the chosen ones, each once (case-insensitive). */
export function fieldList(object: string, chosen: readonly string[]): string[] {
  const seen = new Set<string>();
  const list: string[] = [];
  for (const field of [...requiredFields(object), ...chosen]) {
    const key = field.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    list.push(field);
  }
  return list;
}

/**
 * What a deletion row needs besides Id and IsDeleted, kept per synced record: an account's Name
 * (the import requires it), a team member's account, user and role (the directory keys its team
 * by them, not by the Salesforce Id). A campaign keeps its name (its list's), a campaign member
 * its campaign (c) and person (p: the contact, else the lead): the lists are rebuilt from them.
 */
export type RecordKey = { n: string } | { a: string; e: string; r: string } | { c: string; p: string } | null;

/**
 * `nameColumn`: for an other object loaded as accounts, the column its mapping reads the account
 * name from (the import requires a name, deletion rows included).
 */
export function recordKey(
  object: string,
  value: (field: string) => string,
  nameColumn: string | null = null,
): RecordKey {
  if (!isBuiltInObject(object)) return nameColumn ? { n: value(nameColumn) } : null;
  switch (object) {
    case 'Account':
    case 'Campaign':
      return { n: value('Name') };
    case 'AccountTeamMember':
      return { a: value('AccountId'), e: value('User.Email').toLowerCase(), r: value('TeamMemberRole') };
    case 'CampaignMember':
      return { c: value('CampaignId'), p: value('ContactId') || value('LeadId') };
    default:
      return null;
  }
}

export const sameKey = (a: RecordKey, b: RecordKey) => JSON.stringify(a) === JSON.stringify(b);

/** The column a built-in object's deletion rows carry its name in (the import requires one). */
export const builtInNameColumn = (object: string): string | null =>
  object === 'Account' || object === 'Campaign' ? 'Name' : null;

/** A row of the object's file that deletes the record: Id, IsDeleted = true and its key fields. */
export function deletionRow(
  columns: readonly string[],
  id: string,
  key: RecordKey,
  /** The column the record's name goes in (builtInNameColumn, or an other object's own). */
  nameColumn: string | null,
): string[] {
  const values: Record<string, string> = { id, isdeleted: 'true' };
  const name = nameColumn?.toLowerCase();
  if (name) values[name] = (key && 'n' in key ? key.n : '') || id;
  if (key && 'a' in key) {
    values.accountid = key.a;
    values['user.email'] = key.e;
    values.teammemberrole = key.r;
  }
  return columns.map((c) => values[c.toLowerCase()] ?? '');
}
