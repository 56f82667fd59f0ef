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

/** Required fields first (in the seed's order), then the chosen ones, each once (case-insensitive). */
export function fieldList(object: SyncObject, chosen: readonly string[]): string[] {
  const seen = new Set<string>();
  const list: string[] = [];
  for (const field of [...REQUIRED_FIELDS[object], ...chosen]) {
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

export function recordKey(object: SyncObject, value: (field: string) => string): RecordKey {
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

/** A row of the object's file that deletes the record: Id, IsDeleted = true and its key fields. */
export function deletionRow(
  object: SyncObject,
  columns: readonly string[],
  id: string,
  key: RecordKey,
): string[] {
  const values: Record<string, string> = { id, isdeleted: 'true' };
  if (key && 'n' in key) values.name = key.n || id;
  else if (object === 'Account') values.name = id;
  if (key && 'a' in key) {
    values.accountid = key.a;
    values['user.email'] = key.e;
    values.teammemberrole = key.r;
  }
  return columns.map((c) => values[c.toLowerCase()] ?? '');
}
