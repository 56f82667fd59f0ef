import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { directories } from '../directory/directory.schema.ts';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

/**
 * A connected Salesforce org, for the whole instance (any directory may use it). Secrets and
 * tokens are sealed by the secret box with `salesforce_connections:<id>:<column>` as context, so a
 * value copied to another row or column does not decrypt.
 */
export const salesforceConnections = pgTable('salesforce_connections', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  name: text('name').notNull(),
  /** oauth (web server flow + refresh token) | jwt (JWT bearer) | client_credentials. */
  authKind: text('auth_kind').notNull(),
  loginUrl: text('login_url').notNull(),
  clientId: text('client_id').notNull(),
  clientSecretSealed: text('client_secret_sealed'),
  /** JWT bearer: the user the assertion names (sub) and the key that signs it. */
  jwtUsername: text('jwt_username'),
  privateKeySealed: text('private_key_sealed'),
  instanceUrl: text('instance_url'),
  accessTokenSealed: text('access_token_sealed'),
  refreshTokenSealed: text('refresh_token_sealed'),
  apiVersion: text('api_version').notNull().default('62.0'),
  /** Who the tokens belong to (from the identity URL): the org Id checks Outbound Messages. */
  orgId: text('org_id'),
  userId: text('user_id'),
  username: text('username'),
  /** pending (waiting for the OAuth callback) | connected | error. */
  status: text('status').notNull().default('pending'),
  lastError: text('last_error'),
  lastTestedAt: timestamp('last_tested_at', { withTimezone: true }),
  /** The org's daily API usage as last read: { used, max, at }. */
  apiUsage: jsonb('api_usage'),
  createdBy: text('created_by').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** An OAuth authorize round trip in flight: the state is the only key, single use, short-lived. */
export const salesforceOauthStates = pgTable('salesforce_oauth_states', {
  /** SHA-256 of the state sent to Salesforce. */
  stateHash: text('state_hash').primaryKey(),
  connectionId: bigint('connection_id', { mode: 'number' })
    .notNull()
    .references(() => salesforceConnections.id, { onDelete: 'cascade' }),
  /** PKCE verifier, sealed (context: salesforce_oauth_states:<state_hash>). */
  codeVerifierSealed: text('code_verifier_sealed').notNull(),
  redirectUri: text('redirect_uri').notNull(),
  createdBy: text('created_by').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/** How a directory is synced from a connected org: objects, fields, filters, mapping, schedule. */
export const salesforceSyncs = pgTable(
  'salesforce_syncs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    directoryId: bigint('directory_id', { mode: 'number' })
      .notNull()
      .references(() => directories.id, { onDelete: 'cascade' }),
    /** Null once its connection was disconnected: the sync stops until another is chosen. */
    connectionId: bigint('connection_id', { mode: 'number' }).references(() => salesforceConnections.id, {
      onDelete: 'set null',
    }),
    /** { Account: { fields, where }, Contact: …, AccountTeamMember: … }. */
    objects: jsonb('objects').notNull(),
    /** The import mapping (null: the directory's saved mapping, else the default one). */
    mapping: jsonb('mapping'),
    /** A new mailing list per run, named from this template ({{date}}, {{runId}}); null: none. */
    mailingList: text('mailing_list'),
    scheduleCron: text('schedule_cron').notNull().default('0 2 * * *'),
    timeZone: text('time_zone').notNull().default('UTC'),
    enabled: boolean('enabled').notNull().default(true),
    nextRunAt: timestamp('next_run_at', { withTimezone: true }),
    /** bulkThreshold, apiBudgetPercent, overlapMinutes, reconcileEveryDays, bulkPageSize. */
    options: jsonb('options').notNull().default({}),
    /** SystemModstamp reached per object (ISO), moved only by a run whose import succeeded. */
    cursor: jsonb('cursor'),
    lastReconcileAt: timestamp('last_reconcile_at', { withTimezone: true }),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('salesforce_syncs_directory_idx').on(t.directoryId),
    index('salesforce_syncs_due_idx').on(t.nextRunAt).where(sql`${t.enabled}`),
  ],
);

/** One sync: what was extracted, how, the API it cost, and the import run that loaded it. */
export const salesforceSyncRuns = pgTable(
  'salesforce_sync_runs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    syncId: bigint('sync_id', { mode: 'number' })
      .notNull()
      .references(() => salesforceSyncs.id, { onDelete: 'cascade' }),
    directoryId: bigint('directory_id', { mode: 'number' }).notNull(),
    /** full | delta. */
    mode: text('mode').notNull(),
    /** schedule | manual | cli. */
    trigger: text('trigger').notNull(),
    /** queued | running | succeeded | failed. */
    status: text('status').notNull().default('queued'),
    importRunId: bigint('import_run_id', { mode: 'number' }),
    /** Per object: rows, deleted, purged, method (rest | bulk), pages. */
    extracted: jsonb('extracted').notNull().default({}),
    apiCalls: integer('api_calls').notNull().default(0),
    /** { before, after, max } of the org's daily API requests. */
    apiUsage: jsonb('api_usage'),
    cursorBefore: jsonb('cursor_before'),
    cursorAfter: jsonb('cursor_after'),
    reconciled: boolean('reconciled').notNull().default(false),
    error: text('error'),
    timings: jsonb('timings').notNull().default({}),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('salesforce_sync_runs_sync_idx').on(t.syncId, t.id)],
);

/**
 * The Salesforce records a sync has put in its directory, by Id: what a purge (gone from
 * Salesforce for good) must delete. `data` keeps what the deletion row needs: an account's Name,
 * a team member's account, user email and role. No foreign key: written set-based, in bulk.
 */
export const salesforceSyncRecords = pgTable(
  'salesforce_sync_records',
  {
    syncId: bigint('sync_id', { mode: 'number' }).notNull(),
    object: text('object').notNull(),
    sfId: text('sf_id').notNull(),
    data: jsonb('data'),
  },
  (t) => [primaryKey({ columns: [t.syncId, t.object, t.sfId] })],
);

/**
 * A workflow Outbound Message endpoint: POST /api/v1/public/salesforce/outbound/:id/:secret. The
 * secret is sealed (context salesforce_outbound_triggers:<id>:secret) so the URL can be shown again.
 */
export const salesforceOutboundTriggers = pgTable('salesforce_outbound_triggers', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  directoryId: bigint('directory_id', { mode: 'number' })
    .notNull()
    .references(() => directories.id, { onDelete: 'cascade' }),
  connectionId: bigint('connection_id', { mode: 'number' }).references(() => salesforceConnections.id, {
    onDelete: 'set null',
  }),
  name: text('name').notNull(),
  /** The sObject the outbound message sends (Case …). */
  object: text('object').notNull(),
  secretSealed: text('secret_sealed').notNull(),
  /** { kind: 'event' } | { kind: 'survey', surveyId, contactField, channel, message, embedded }. */
  action: jsonb('action').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  lastReceivedAt: timestamp('last_received_at', { withTimezone: true }),
  createdBy: text('created_by').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Each notification received, once: Salesforce retries for 24 hours until it gets the Ack. */
export const salesforceOutboundNotifications = pgTable(
  'salesforce_outbound_notifications',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    triggerId: bigint('trigger_id', { mode: 'number' })
      .notNull()
      .references(() => salesforceOutboundTriggers.id, { onDelete: 'cascade' }),
    notificationId: text('notification_id').notNull(),
    object: text('object').notNull(),
    recordId: text('record_id'),
    fields: jsonb('fields').notNull(),
    deliveries: integer('deliveries').notNull().default(1),
    /** event | survey_started | no_contact | no_email | failed. */
    outcome: text('outcome').notNull(),
    distributionId: bigint('distribution_id', { mode: 'number' }),
    detail: text('detail'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    lastDeliveryAt: timestamp('last_delivery_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('salesforce_outbound_notifications_idx').on(t.triggerId, t.notificationId),
    index('salesforce_outbound_notifications_recent_idx').on(t.triggerId, t.id),
  ],
);

/**
 * A write-back: records of an sObject inserted, updated, upserted or deleted from responses or
 * event data, each field a piped-text template, under an optional condition.
 */
export const salesforceWritebacks = pgTable('salesforce_writebacks', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  directoryId: bigint('directory_id', { mode: 'number' })
    .notNull()
    .references(() => directories.id, { onDelete: 'cascade' }),
  connectionId: bigint('connection_id', { mode: 'number' }).references(() => salesforceConnections.id, {
    onDelete: 'set null',
  }),
  name: text('name').notNull(),
  object: text('object').notNull(),
  /** insert | update | upsert | delete. */
  operation: text('operation').notNull(),
  /** upsert: the external id field; insert: an optional field holding the source key (checked on retry). */
  externalIdField: text('external_id_field'),
  /** update / delete: the template of the record Id ({{ embedded.sfContactId }}). */
  recordId: text('record_id'),
  /** { FieldApiName: template }. */
  fields: jsonb('fields').notNull(),
  condition: text('condition'),
  /** Above this many records a run goes through Bulk API 2.0 ingest instead of Collections. */
  bulkThreshold: integer('bulk_threshold').notNull().default(2000),
  createdBy: text('created_by').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const salesforceWritebackRuns = pgTable(
  'salesforce_writeback_runs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    writebackId: bigint('writeback_id', { mode: 'number' })
      .notNull()
      .references(() => salesforceWritebacks.id, { onDelete: 'cascade' }),
    /** survey:<id> | event | workflow. */
    source: text('source').notNull(),
    /** running | succeeded | partial | failed. */
    status: text('status').notNull().default('running'),
    /** collections | bulk. */
    method: text('method'),
    counts: jsonb('counts').notNull().default({}),
    error: text('error'),
    createdBy: text('created_by').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('salesforce_writeback_runs_idx').on(t.writebackId, t.id)],
);

/** The run log: each source record's outcome, with Salesforce's error when it failed. */
export const salesforceWritebackResults = pgTable(
  'salesforce_writeback_results',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    runId: bigint('run_id', { mode: 'number' })
      .notNull()
      .references(() => salesforceWritebackRuns.id, { onDelete: 'cascade' }),
    sourceKey: text('source_key').notNull(),
    /** created | updated | upserted | deleted | skipped | already_done | failed | in_doubt. */
    outcome: text('outcome').notNull(),
    sfId: text('sf_id'),
    errorCode: text('error_code'),
    message: text('message'),
  },
  (t) => [index('salesforce_writeback_results_run_idx').on(t.runId, t.id)],
);

/**
 * What an insert write-back created, per source record: a retry or a re-run finds the record here
 * and never creates it twice. `pending` rows were sent without a known outcome (a crash, a 5xx).
 */
export const salesforceWritebackLedger = pgTable(
  'salesforce_writeback_ledger',
  {
    writebackId: bigint('writeback_id', { mode: 'number' })
      .notNull()
      .references(() => salesforceWritebacks.id, { onDelete: 'cascade' }),
    sourceKey: text('source_key').notNull(),
    /** pending | done. */
    state: text('state').notNull(),
    sfId: text('sf_id'),
    runId: bigint('run_id', { mode: 'number' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.writebackId, t.sourceKey] })],
);

/** Web-to-Lead from responses: through the API (sObject create) or the org's form post. */
export const salesforceLeadForms = pgTable('salesforce_lead_forms', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  directoryId: bigint('directory_id', { mode: 'number' })
    .notNull()
    .references(() => directories.id, { onDelete: 'cascade' }),
  connectionId: bigint('connection_id', { mode: 'number' }).references(() => salesforceConnections.id, {
    onDelete: 'set null',
  }),
  name: text('name').notNull(),
  /** api | form. */
  mode: text('mode').notNull(),
  /** form: where the Web-to-Lead form posts (default https://webto.salesforce.com/servlet/servlet.WebToLead?encoding=UTF-8). */
  formUrl: text('form_url'),
  /** api: { LeadField: template }; form: { form input name (first_name, 00N…): template }. */
  fields: jsonb('fields').notNull(),
  condition: text('condition'),
  dailyLimit: integer('daily_limit').notNull().default(500),
  createdBy: text('created_by').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Every lead sent, once per source record; counted against the org's 500 a day. */
export const salesforceLeadSubmissions = pgTable(
  'salesforce_lead_submissions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    formId: bigint('form_id', { mode: 'number' })
      .notNull()
      .references(() => salesforceLeadForms.id, { onDelete: 'cascade' }),
    /** The org the lead went to (the limit is the org's). */
    orgId: text('org_id').notNull(),
    sourceKey: text('source_key').notNull(),
    mode: text('mode').notNull(),
    /** sent (form posted) | created (API) | failed. */
    status: text('status').notNull(),
    leadId: text('lead_id'),
    message: text('message'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('salesforce_lead_submissions_source_idx').on(t.formId, t.sourceKey),
    index('salesforce_lead_submissions_org_idx').on(t.orgId, t.createdAt),
  ],
);
