import { bigint, index, integer, jsonb, pgEnum, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { directories, mailingLists } from '../directory/directory.schema.ts';

export const importStatus = pgEnum('import_status', ['queued', 'running', 'succeeded', 'failed']);
export const issueSeverity = pgEnum('import_issue_severity', ['error', 'warning']);

/** One import of the three B2B files into a directory: what was asked, what happened. */
export const importRuns = pgTable(
  'import_runs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    directoryId: bigint('directory_id', { mode: 'number' })
      .notNull()
      .references(() => directories.id, { onDelete: 'cascade' }),
    status: importStatus('status').notNull().default('queued'),
    /** Where each file comes from (paths, SFTP source id): never a secret. */
    sources: jsonb('sources').notNull(),
    mapping: jsonb('mapping').notNull(),
    /** e.g. { mailingList: "Import {{date}}", mode: "upsert" }. */
    options: jsonb('options').notNull().default({}),
    progress: jsonb('progress').notNull().default({}),
    /** Counts per object: created, updated, unchanged, deleted, rejected. */
    summary: jsonb('summary'),
    mailingListId: bigint('mailing_list_id', { mode: 'number' }).references(() => mailingLists.id, {
      onDelete: 'set null',
    }),
    errorCount: integer('error_count').notNull().default(0),
    warningCount: integer('warning_count').notNull().default(0),
    /** Why the run failed as a whole (a row problem is an issue, not this). */
    failure: text('failure'),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('import_runs_directory_idx').on(t.directoryId, t.id)],
);

/** A row or file problem of a run, naming the file, line, field and what was expected. */
export const importIssues = pgTable(
  'import_issues',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    runId: bigint('run_id', { mode: 'number' })
      .notNull()
      .references(() => importRuns.id, { onDelete: 'cascade' }),
    severity: issueSeverity('severity').notNull(),
    object: text('object').notNull(),
    file: text('file').notNull(),
    /** null for a problem with the whole file (a missing column, say). */
    line: integer('line'),
    field: text('field'),
    value: text('value'),
    reason: text('reason').notNull(),
  },
  (t) => [index('import_issues_run_idx').on(t.runId, t.severity, t.line)],
);

/** A saved SFTP server with the paths of the three files; the secret is encrypted at rest. */
export const sftpSources = pgTable(
  'sftp_sources',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    directoryId: bigint('directory_id', { mode: 'number' })
      .notNull()
      .references(() => directories.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    host: text('host').notNull(),
    port: integer('port').notNull().default(22),
    username: text('username').notNull(),
    authMethod: text('auth_method').notNull(),
    /** Password or private key, sealed by the secret box (context: sftp_sources:<id>:secret). */
    secretSealed: text('secret_sealed').notNull(),
    passphraseSealed: text('passphrase_sealed'),
    /** Pinned on the first successful connection; a different key later is refused. */
    hostKeyFingerprint: text('host_key_fingerprint'),
    paths: jsonb('paths').notNull(),
    archiveDir: text('archive_dir'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    lastTestedAt: timestamp('last_tested_at', { withTimezone: true }),
  },
  (t) => [index('sftp_sources_directory_idx').on(t.directoryId)],
);
