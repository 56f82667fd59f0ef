import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { ATTRIBUTE_TYPES, CLIENT_ROLES, DIRECTORY_ENTITIES, TEAM_ROLES } from './roles.ts';

export const attributeType = pgEnum('attribute_type', ATTRIBUTE_TYPES);
export const clientRole = pgEnum('client_role', CLIENT_ROLES);
export const teamRole = pgEnum('team_role', TEAM_ROLES);
export const directoryEntity = pgEnum('directory_entity', DIRECTORY_ENTITIES);

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const directories = pgTable(
  'directories',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    /** Ordered deduplication rules for contacts: 'external_ref', 'email', 'phone'. */
    dedupKeys: text('dedup_keys').array().notNull().default(sql`'{external_ref,email}'::text[]`),
    /** Country assumed for phone numbers written without an international prefix. */
    defaultCountry: text('default_country'),
    /** The import mapping saved with the mapping editor; imports use it unless told otherwise. */
    importMapping: jsonb('import_mapping'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('directories_name_lower_idx').on(sql`lower(${t.name})`)],
);

/** Declared custom attributes: a value that does not fit its type is refused, never cast. */
export const attributeDefinitions = pgTable(
  'attribute_definitions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    directoryId: bigint('directory_id', { mode: 'number' })
      .notNull()
      .references(() => directories.id, { onDelete: 'cascade' }),
    entity: directoryEntity('entity').notNull(),
    name: text('name').notNull(),
    type: attributeType('type').notNull(),
    enumValues: text('enum_values').array(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('attribute_definitions_name_idx').on(t.directoryId, t.entity, sql`lower(${t.name})`)],
);

// The high-volume tables below (contacts, accounts, roles, team members, list members) carry no
// foreign keys: imports keep them consistent set-based, and row-by-row FK checks were a third of a
// first import's time (bench/import.ts). Everything that deletes goes through their services.
export const contacts = pgTable(
  'contacts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    directoryId: bigint('directory_id', { mode: 'number' }).notNull(),
    externalRef: text('external_ref'),
    firstName: text('first_name'),
    lastName: text('last_name'),
    email: text('email'),
    /** E.164. */
    phone: text('phone'),
    mobilePhone: text('mobile_phone'),
    language: text('language'),
    title: text('title'),
    emailOptOut: boolean('email_opt_out').notNull().default(false),
    smsOptOut: boolean('sms_opt_out').notNull().default(false),
    doNotCall: boolean('do_not_call').notNull().default(false),
    faxOptOut: boolean('fax_opt_out').notNull().default(false),
    emailBounced: boolean('email_bounced').notNull().default(false),
    emailBouncedReason: text('email_bounced_reason'),
    /** null = unknown (never asked), as opposed to refused. */
    consent: boolean('consent'),
    attributes: jsonb('attributes').notNull().default({}),
    /** Hash of everything an import sets: equal hash = unchanged row, skipped by the merge. */
    rowHash: text('row_hash'),
    /**
     * Hash of the last imported source row (with the mapping): the same row again is skipped before
     * any checking. Null when that row's outcome hung on the directory (its account was missing),
     * so it is checked every time.
     */
    sourceHash: text('source_hash'),
    /**
     * The warnings that source row had (unreadable phone, unmapped Title), as the staging wrote
     * them: a skipped row reports them again, so every run's report names every warning of its file.
     */
    sourceWarnings: text('source_warnings').array(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    /** Set when consolidation merged this contact into another (see contact_merges). */
    mergedIntoId: bigint('merged_into_id', { mode: 'number' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    createdRunId: bigint('created_run_id', { mode: 'number' }),
    updatedRunId: bigint('updated_run_id', { mode: 'number' }),
  },
  (t) => [
    uniqueIndex('contacts_external_ref_idx').on(t.directoryId, t.externalRef),
    // COLLATE "C": byte order serves both prefix search (LIKE 'ab%') and keyset paging in one index.
    index('contacts_email_idx').on(t.directoryId, sql`(lower(${t.email}) COLLATE "C")`, t.id),
    index('contacts_last_name_idx').on(t.directoryId, sql`(lower(${t.lastName}) COLLATE "C")`, t.id),
    index('contacts_merged_into_idx').on(t.mergedIntoId).where(sql`${t.mergedIntoId} IS NOT NULL`),
  ],
);

export const accounts = pgTable(
  'accounts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    directoryId: bigint('directory_id', { mode: 'number' }).notNull(),
    externalRef: text('external_ref').notNull(),
    displayName: text('display_name').notNull(),
    /** As imported; `parent_id` is set only when it resolves without making a cycle. */
    parentExternalRef: text('parent_external_ref'),
    parentId: bigint('parent_id', { mode: 'number' }),
    attributes: jsonb('attributes').notNull().default({}),
    rowHash: text('row_hash'),
    sourceHash: text('source_hash'),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    createdRunId: bigint('created_run_id', { mode: 'number' }),
    updatedRunId: bigint('updated_run_id', { mode: 'number' }),
  },
  (t) => [
    uniqueIndex('accounts_external_ref_idx').on(t.directoryId, t.externalRef),
    index('accounts_parent_idx').on(t.parentId),
    index('accounts_name_idx').on(t.directoryId, sql`(lower(${t.displayName}) COLLATE "C")`, t.id),
  ],
);

/** A contact's role(s) in an account. */
export const accountContactRoles = pgTable(
  'account_contact_roles',
  {
    accountId: bigint('account_id', { mode: 'number' }).notNull(),
    contactId: bigint('contact_id', { mode: 'number' }).notNull(),
    role: clientRole('role').notNull(),
    directoryId: bigint('directory_id', { mode: 'number' }).notNull(),
    createdAt: createdAt(),
    runId: bigint('run_id', { mode: 'number' }),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.contactId, t.role] }),
    index('account_contact_roles_contact_idx').on(t.contactId),
  ],
);

/** An employee (matched to users by email) on an account's team. */
export const accountTeamMembers = pgTable(
  'account_team_members',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    directoryId: bigint('directory_id', { mode: 'number' }).notNull(),
    accountId: bigint('account_id', { mode: 'number' }).notNull(),
    userEmail: text('user_email').notNull(),
    role: teamRole('role').notNull(),
    createdAt: createdAt(),
    runId: bigint('run_id', { mode: 'number' }),
    /** Hash of the source row that last confirmed this membership: the same row again is skipped. */
    sourceHash: text('source_hash'),
  },
  (t) => [
    uniqueIndex('account_team_members_unique_idx').on(t.accountId, t.userEmail, t.role),
    // The seed's rule: one ACCOUNT_OWNER per account.
    uniqueIndex('account_team_members_one_owner_idx').on(t.accountId).where(sql`${t.role} = 'ACCOUNT_OWNER'`),
    index('account_team_members_email_idx').on(t.userEmail),
  ],
);

export const mailingLists = pgTable(
  'mailing_lists',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    directoryId: bigint('directory_id', { mode: 'number' })
      .notNull()
      .references(() => directories.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    importRunId: bigint('import_run_id', { mode: 'number' }),
    /**
     * Kept by every writer of the list's members (an import, a CRM campaign sync, a merge and its
     * undo): counting a million-member list took 0.2 s, and a directory keeps one per daily run.
     */
    memberCount: integer('member_count').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [index('mailing_lists_directory_idx').on(t.directoryId)],
);

/**
 * Partitioned by list (migration 0015, which drizzle cannot express): each import run's list, a
 * million members a day at scale, is a partition of its own, filled and indexed while it is new
 * (`src/directory/run-list-partitions.ts`) so that a run's list costs the same on day 300 as on day
 * one; every other list lives in the default partition `mailing_list_members_shared`, which also has
 * an index on (mailing_list_id, contact_id). Reading a run's list reads its partition.
 */
export const mailingListMembers = pgTable(
  'mailing_list_members',
  {
    mailingListId: bigint('mailing_list_id', { mode: 'number' }).notNull(),
    contactId: bigint('contact_id', { mode: 'number' }).notNull(),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // Contact first: one index answers "this contact's lists" in every partition.
  (t) => [primaryKey({ columns: [t.contactId, t.mailingListId] })],
);

/**
 * Every change of a contact's or account's field or attribute, with when and where it came from:
 * the timeline and transactional reporting read it. Creation is not repeated here (the row's
 * created_at and created_run_id say it); later changes are, one row per field.
 */
export const attributeHistory = pgTable(
  'attribute_history',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    directoryId: bigint('directory_id', { mode: 'number' }).notNull(),
    entity: directoryEntity('entity').notNull(),
    entityId: bigint('entity_id', { mode: 'number' }).notNull(),
    field: text('field').notNull(),
    oldValue: jsonb('old_value'),
    newValue: jsonb('new_value'),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull().defaultNow(),
    source: text('source').notNull(),
    runId: bigint('run_id', { mode: 'number' }),
  },
  (t) => [index('attribute_history_entity_idx').on(t.entity, t.entityId, t.changedAt)],
);

/** Consolidation log: what a merge changed, so it can be reviewed and reversed. */
export const contactMerges = pgTable(
  'contact_merges',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    directoryId: bigint('directory_id', { mode: 'number' }).notNull(),
    survivorId: bigint('survivor_id', { mode: 'number' })
      .notNull()
      .references(() => contacts.id),
    mergedId: bigint('merged_id', { mode: 'number' })
      .notNull()
      .references(() => contacts.id),
    matchedOn: text('matched_on').notNull(),
    /** Both contacts as they were, and the roles and list memberships moved to the survivor. */
    snapshot: jsonb('snapshot').notNull(),
    mergedAt: timestamp('merged_at', { withTimezone: true }).notNull().defaultNow(),
    mergedBy: text('merged_by').notNull(),
    revertedAt: timestamp('reverted_at', { withTimezone: true }),
    revertedBy: text('reverted_by'),
  },
  (t) => [
    index('contact_merges_survivor_idx').on(t.survivorId),
    index('contact_merges_merged_idx').on(t.mergedId),
  ],
);
