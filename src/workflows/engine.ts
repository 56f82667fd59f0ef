import { rm } from 'node:fs/promises';
import path from 'node:path';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { publicUrlOf } from '../distributions/start.jobs.ts';
import type { Tx } from '../platform/db/database.ts';
import type { JobDeps } from '../platform/jobs/define-job.ts';
import type { Logger } from '../platform/logger.ts';
import { systemActor } from '../users/roles.ts';
import { coerceToSchema } from './check.ts';
import type { Retry, TaskEntry } from './model.ts';
import { type PipeContext, resolveInput } from './piping.ts';
import { redactInput, unsealInput } from './secrets.ts';
import { taskType } from './tasks/registry.ts';
import { DEFAULT_TASK_RETRY, PermanentTaskError, type TaskContext } from './tasks/task-type.ts';
import { jsonSchemaOf } from './types.ts';
import { advanceWorkflowRun, notifyWorkflowFailure } from './workflows.jobs.ts';
import { workflowRuns, workflows, workflowTaskRuns } from './workflows.schema.ts';

/**
 * Works a run through its tasks, one at a time, in order. Each task is claimed (so two workers
 * never run it at once), its piped input resolved and checked, run, and its end written before
 * the next starts: a run cut off by a crash (kill -9, a lost worker) is resumed by the job's retry
 * at the task that was running, and only that one runs again, under the same idempotency key.
 * A task that fails is retried with backoff (a delayed job); when it has no retry left the run
 * fails and its owner is told by email.
 */

/** A task claimed longer ago than this by another job was abandoned (its job is gone for good). */
const STALE_CLAIM = sql`now() - interval '7 hours'`;

export const runFolderOf = (deps: Pick<JobDeps, 'config'>, runId: number) =>
  path.join(deps.config.database.dataDir, 'workflow-runs', String(runId));

export const backoffSeconds = (retry: Retry, attempt: number) =>
  Math.min(3600, retry.delaySeconds * 2 ** Math.max(0, attempt - 1));

interface AdvanceContext {
  jobId: string;
  signal: AbortSignal;
  logger: Logger;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.slice(0, 4000);
  return String(error).slice(0, 4000);
}

/** Advances a run as far as it can go now. Returns how the run stands. */
export async function advanceRun(deps: JobDeps, runId: number, job: AdvanceContext): Promise<string> {
  const { db } = deps;
  const [run] = await db.orm.select().from(workflowRuns).where(eq(workflowRuns.id, runId));
  if (!run) return 'gone';
  if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled') return run.status;
  const [workflow] = await db.orm.select().from(workflows).where(eq(workflows.id, run.workflowId));
  if (!workflow) return 'gone';
  if (run.status === 'queued')
    await db.orm
      .update(workflowRuns)
      .set({ status: 'running', startedAt: new Date() })
      .where(and(eq(workflowRuns.id, runId), eq(workflowRuns.status, 'queued')));
  const entries = run.tasks as TaskEntry[];
  const trigger = run.trigger as { data?: unknown };
  const startedAt = (run.startedAt ?? new Date()).toISOString();

  for (;;) {
    // Cancelled meanwhile (between two tasks): stop here.
    const [now] = await db.orm
      .select({ status: workflowRuns.status })
      .from(workflowRuns)
      .where(eq(workflowRuns.id, runId));
    if (now?.status === 'cancelled') return 'cancelled';
    const rows = await db.orm
      .select()
      .from(workflowTaskRuns)
      .where(eq(workflowTaskRuns.runId, runId))
      .orderBy(asc(workflowTaskRuns.position));
    const next = rows.find((r) => r.status !== 'succeeded' && r.status !== 'skipped');
    if (!next) {
      await finishRun(deps, runId, 'succeeded', null);
      return 'succeeded';
    }
    if (next.status === 'failed') {
      await finishRun(deps, runId, 'failed', next.error);
      return 'failed';
    }
    if (next.status === 'pending' && next.nextAttemptAt && next.nextAttemptAt.getTime() > Date.now() + 1000)
      return 'waiting'; // its retry is queued for later
    const [claimed] = await db.orm
      .update(workflowTaskRuns)
      .set({
        status: 'running',
        claimedBy: job.jobId,
        claimedAt: new Date(),
        attempts: sql`${workflowTaskRuns.attempts} + 1`,
        startedAt: sql`coalesce(${workflowTaskRuns.startedAt}, now())`,
        nextAttemptAt: null,
      })
      .where(
        and(
          eq(workflowTaskRuns.id, next.id),
          sql`(${workflowTaskRuns.status} = 'pending' OR (${workflowTaskRuns.status} = 'running'
               AND (${workflowTaskRuns.claimedBy} = ${job.jobId} OR ${workflowTaskRuns.claimedAt} < ${STALE_CLAIM})))`,
        ),
      )
      .returning();
    if (!claimed) return 'busy'; // another worker holds it

    const entry = entries[claimed.position];
    const type = entry ? taskType(entry.type) : undefined;
    const retry = entry?.retry ?? type?.retry ?? DEFAULT_TASK_RETRY;
    const logger = job.logger.child({
      workflowId: workflow.id,
      runId,
      task: claimed.taskKey,
      attempt: claimed.attempts,
    });
    const outputs: Record<string, unknown> = {};
    for (const r of rows) if (r.status === 'succeeded') outputs[r.taskKey] = r.output;
    const pipe: PipeContext = {
      event: trigger.data ?? null,
      tasks: outputs,
      workflow: { id: workflow.id, name: workflow.name, directoryId: workflow.directoryId },
      run: { id: runId, triggerKey: run.triggerKey, startedAt },
    };

    const t0 = performance.now();
    let outcome: { ok: true; output: unknown } | { ok: false; error: unknown };
    let recordedInput: unknown = null;
    try {
      if (!entry || !type) throw new PermanentTaskError(`Unknown task type ${entry?.type ?? '(none)'}`);
      const schema = jsonSchemaOf(type.input, 'input');
      const resolved = coerceToSchema(
        schema,
        schema,
        resolveInput(unsealInput(entry, deps.secrets, workflow.id), pipe, type.fields),
      ) as Record<string, unknown>;
      recordedInput = redactInput(entry.type, resolved);
      const parsed = (type.input as z.ZodType).safeParse(resolved);
      if (!parsed.success) {
        const issues = parsed.error.issues
          .map((i: z.core.$ZodIssue) => `${i.path.join('.') || 'input'}: ${i.message}`)
          .join('; ');
        throw new PermanentTaskError(`The piped input does not fit: ${issues}`);
      }
      await db.orm
        .update(workflowTaskRuns)
        .set({ input: recordedInput })
        .where(eq(workflowTaskRuns.id, claimed.id));
      const ctx: TaskContext = {
        deps,
        actor: systemActor(`workflow:${workflow.id}`),
        workflow: {
          id: workflow.id,
          name: workflow.name,
          directoryId: workflow.directoryId,
          ownerEmail: workflow.ownerEmail,
        },
        run: { id: runId, triggerKey: run.triggerKey },
        task: { key: claimed.taskKey, position: claimed.position, attempt: claimed.attempts },
        idempotencyKey: `wf${workflow.id}-run${runId}-${claimed.taskKey}`,
        checkpoint: (claimed.checkpoint as Record<string, unknown> | null) ?? null,
        async saveCheckpoint(value, tx?: Tx) {
          await (tx ?? db.orm)
            .update(workflowTaskRuns)
            .set({ checkpoint: value })
            .where(eq(workflowTaskRuns.id, claimed.id));
        },
        signal: job.signal,
        logger,
        runFolder: runFolderOf(deps, runId),
        publicUrl: publicUrlOf(deps),
        pipe,
      };
      const output = await type.run(parsed.data, ctx);
      const checked = type.output.safeParse(output);
      if (!checked.success)
        throw new PermanentTaskError(`The task's output does not fit its schema: ${checked.error.message}`);
      outcome = { ok: true, output: checked.data };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const durationMs = Math.round(performance.now() - t0);

    if (outcome.ok) {
      await db.orm
        .update(workflowTaskRuns)
        .set({
          status: 'succeeded',
          output: outcome.output as object,
          error: null,
          finishedAt: new Date(),
          durationMs,
          claimedBy: null,
        })
        .where(eq(workflowTaskRuns.id, claimed.id));
      logger.info({ ms: durationMs }, 'workflow task succeeded');
      continue;
    }

    const message = describeError(outcome.error);
    if (job.signal.aborted && !(outcome.error instanceof PermanentTaskError)) {
      // Shutting down: the job is retried (same job id), which takes the task over.
      throw outcome.error;
    }
    const permanent = outcome.error instanceof PermanentTaskError || claimed.attempts > retry.limit;
    const [current] = await db.orm
      .select({ status: workflowRuns.status })
      .from(workflowRuns)
      .where(eq(workflowRuns.id, runId));
    if (current?.status === 'cancelled') {
      // Cancelled while this task ran: it ends as it did, without a retry.
      await db.orm
        .update(workflowTaskRuns)
        .set({ status: 'failed', error: message, finishedAt: new Date(), durationMs, claimedBy: null })
        .where(eq(workflowTaskRuns.id, claimed.id));
      return 'cancelled';
    }
    if (!permanent) {
      const delay = backoffSeconds(retry, claimed.attempts);
      const at = new Date(Date.now() + delay * 1000);
      await db.orm.transaction(async (tx) => {
        await tx
          .update(workflowTaskRuns)
          .set({
            status: 'pending',
            error: message,
            nextAttemptAt: at,
            claimedBy: null,
            durationMs,
            ...(recordedInput ? { input: recordedInput } : {}),
          })
          .where(eq(workflowTaskRuns.id, claimed.id));
        await deps.jobs.send(advanceWorkflowRun, { runId }, { tx, startAfter: at });
      });
      logger.warn({ err: outcome.error, retryInSeconds: delay }, 'workflow task failed: retrying');
      return 'retrying';
    }
    logger.warn({ err: outcome.error }, 'workflow task failed: the run stops');
    // A run re-run from its failure reads an extract's files from their source again.
    await cleanRunFolder(deps, runId);
    await db.orm.transaction(async (tx) => {
      await tx
        .update(workflowTaskRuns)
        .set({
          status: 'failed',
          error: message,
          finishedAt: new Date(),
          durationMs,
          claimedBy: null,
          ...(recordedInput ? { input: recordedInput } : {}),
        })
        .where(eq(workflowTaskRuns.id, claimed.id));
      await tx
        .update(workflowRuns)
        .set({
          status: 'failed',
          error: `Task "${claimed.taskKey}" failed: ${message}`,
          finishedAt: new Date(),
        })
        .where(eq(workflowRuns.id, runId));
      await deps.jobs.send(notifyWorkflowFailure, { runId }, { tx });
    });
    return 'failed';
  }
}

async function finishRun(deps: JobDeps, runId: number, status: 'succeeded' | 'failed', error: string | null) {
  // Files first: once the run reads as ended, nothing of it is left behind.
  await cleanRunFolder(deps, runId);
  await deps.db.orm
    .update(workflowRuns)
    .set({ status, error, finishedAt: new Date() })
    .where(and(eq(workflowRuns.id, runId), sql`${workflowRuns.status} IN ('queued', 'running')`));
}

async function cleanRunFolder(deps: JobDeps, runId: number) {
  await rm(runFolderOf(deps, runId), { recursive: true, force: true }).catch(() => {});
}
