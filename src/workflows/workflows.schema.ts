import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { directories } from '../directory/directory.schema.ts';
import { RUN_STATUSES, TASK_RUN_STATUSES } from './model.ts';

export const workflowRunStatus = pgEnum('workflow_run_status', RUN_STATUSES);
export const workflowTaskRunStatus = pgEnum('workflow_task_run_status', TASK_RUN_STATUSES);

/**
 * A workflow: a trigger (a schedule or a domain event), optional conditions on the trigger's
 * data, and an ordered list of tasks whose outputs later tasks pipe in. The definition is checked
 * whole when it is saved (types of piped values included); secret inputs (webhook URLs, signing
 * secrets) are sealed with the secret box inside `tasks`.
 */
export const workflows = pgTable(
  'workflows',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    directoryId: bigint('directory_id', { mode: 'number' })
      .notNull()
      .references(() => directories.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    enabled: boolean('enabled').notNull().default(false),
    /** Told by email when a run fails. */
    ownerEmail: text('owner_email').notNull(),
    trigger: jsonb('trigger').notNull(),
    conditions: jsonb('conditions'),
    tasks: jsonb('tasks').notNull(),
    /** Raised at each save: a run records the version it ran. */
    version: integer('version').notNull().default(1),
    /** Events and schedule slots before this instant never start a run (no replay of the past). */
    enabledAt: timestamp('enabled_at', { withTimezone: true }),
    /** The template it was copied from, if any. */
    template: text('template'),
    createdBy: text('created_by').notNull(),
    updatedBy: text('updated_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('workflows_directory_idx').on(t.directoryId, t.id)],
);

/**
 * One run of a workflow: what started it (the trigger's data, kept as it was), the definition it
 * runs (a snapshot: editing the workflow does not change a run under way), and how it ended. The
 * trigger key makes starting idempotent: one run per workflow × event (or schedule slot).
 */
export const workflowRuns = pgTable(
  'workflow_runs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    workflowId: bigint('workflow_id', { mode: 'number' })
      .notNull()
      .references(() => workflows.id, { onDelete: 'cascade' }),
    workflowVersion: integer('workflow_version').notNull(),
    /** `event:<id>`, `schedule:<slot>`, `manual:<uuid>`, `rerun:<run>:<uuid>`. */
    triggerKey: text('trigger_key').notNull(),
    /** { kind, eventId?, eventType?, slot?, by?, data }: what `{{ event.… }}` reads. */
    trigger: jsonb('trigger').notNull(),
    /** The tasks as they were when the run started (secret inputs still sealed). */
    tasks: jsonb('tasks').notNull(),
    status: workflowRunStatus('status').notNull().default('queued'),
    rerunOf: bigint('rerun_of', { mode: 'number' }),
    error: text('error'),
    /** Who was told about a failure, and when. */
    failureNotifiedAt: timestamp('failure_notified_at', { withTimezone: true }),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('workflow_runs_trigger_idx').on(t.workflowId, t.triggerKey),
    index('workflow_runs_workflow_idx').on(t.workflowId, t.id),
    index('workflow_runs_status_idx').on(t.status),
  ],
);

/**
 * One task of a run: its resolved input, its output (what later tasks pipe in), status, attempts,
 * timing and error. A task's completion is written before the next task starts, so a run cut off
 * by a crash resumes at the task that was running. `checkpoint` is what a task records of its side
 * effect while it works (the import run or distribution it created), so a retry finds it instead
 * of making a second one.
 */
export const workflowTaskRuns = pgTable(
  'workflow_task_runs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    runId: bigint('run_id', { mode: 'number' })
      .notNull()
      .references(() => workflowRuns.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    taskKey: text('task_key').notNull(),
    type: text('type').notNull(),
    status: workflowTaskRunStatus('status').notNull().default('pending'),
    input: jsonb('input'),
    output: jsonb('output'),
    checkpoint: jsonb('checkpoint'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    /** The job attempt working on it (a retry of the same job may take it over after a crash). */
    claimedBy: text('claimed_by'),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    durationMs: integer('duration_ms'),
  },
  (t) => [uniqueIndex('workflow_task_runs_position_idx').on(t.runId, t.position)],
);

/**
 * Where the dispatcher is in each stream it reads (domain events, attribute history): the last id
 * taken, and the id ranges skipped because they were not visible yet (a transaction that took an
 * id and had not committed) — re-read until they show up or are old enough to have been rolled back.
 */
export const workflowCursors = pgTable('workflow_cursors', {
  stream: text('stream').primaryKey(),
  lastId: bigint('last_id', { mode: 'number' }).notNull(),
  gaps: jsonb('gaps').$type<{ from: number; to: number; since: string }[]>().notNull().default([]),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
