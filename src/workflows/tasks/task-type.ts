import type { z } from 'zod';
import type { Executor, Tx } from '../../platform/db/database.ts';
import type { JobDeps } from '../../platform/jobs/define-job.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Actor } from '../../users/roles.ts';
import type { Problem, Retry } from '../model.ts';
import type { FieldMode, PipeContext } from '../piping.ts';

/**
 * A task type: one file per type under tasks/, registered in registry.ts. It declares its input
 * and output with Zod (the output schema is what later tasks may pipe in, checked when a workflow
 * is saved), and runs with a context that gives it an idempotency key stable across retries and a
 * checkpoint to record its side effect before it returns.
 */

export const TASK_CATEGORIES = [
  'data',
  'directory',
  'distribution',
  'notification',
  'tickets',
  'salesforce',
] as const;
export type TaskCategory = (typeof TASK_CATEGORIES)[number];

export interface TaskContext {
  deps: JobDeps;
  /** The workflow's system identity for the services it calls (`system:workflow:<id>`). */
  actor: Actor;
  workflow: { id: number; name: string; directoryId: number; ownerEmail: string };
  run: { id: number; triggerKey: string };
  task: { key: string; position: number; attempt: number };
  /**
   * The same for every attempt of this task in this run: passed to services that deduplicate
   * (tickets, the email outbox, webhook receivers), so a retry after a crash does not repeat the
   * side effect where the receiving side allows it.
   */
  idempotencyKey: string;
  /** What an earlier attempt recorded with saveCheckpoint (null on the first attempt). */
  checkpoint: Record<string, unknown> | null;
  /** Records progress of the side effect; inside `tx` when given (it commits with the side effect). */
  saveCheckpoint(value: Record<string, unknown>, tx?: Tx): Promise<void>;
  /** Aborted when the worker shuts down: stop at a safe point (the task is retried). */
  signal: AbortSignal;
  logger: Logger;
  /** Where the task may keep files for later tasks of the run (removed when the run ends). */
  runFolder: string;
  /** The public URL links in messages point at. */
  publicUrl: string;
  /** What piped values read: the trigger's data and the earlier tasks' outputs. */
  pipe: PipeContext;
}

export interface TaskType<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  /** `<category>.<verb>`: stored in workflows; never rename a shipped one. */
  type: string;
  category: TaskCategory;
  label: string;
  description: string;
  input: I;
  output: O;
  /** Top-level input fields sealed at rest and never shown again (webhook URLs, signing secrets). */
  secrets?: string[];
  /** How piped values are written into each top-level input field. */
  fields?: Record<string, FieldMode>;
  /** The type's default retries (a task entry may override). */
  retry?: Retry;
  /** Checks that need the database (the survey belongs to this directory …), on the input as saved. */
  check?(db: Executor, directoryId: number, input: Record<string, unknown>): Promise<Problem[]>;
  run(input: z.output<I>, ctx: TaskContext): Promise<z.input<O>>;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds tasks of every input and output type
export type AnyTaskType = TaskType<any, any>;

export const defineTask = <I extends z.ZodType, O extends z.ZodType>(task: TaskType<I, O>): TaskType<I, O> =>
  task;

/** A failure retrying cannot fix (a 4xx answer, a missing record): the task fails at once. */
export class PermanentTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentTaskError';
  }
}

export const DEFAULT_TASK_RETRY: Retry = { limit: 3, delaySeconds: 30 };
