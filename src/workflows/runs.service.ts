import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, lt, sql } from 'drizzle-orm';
import type { Database, Executor } from '../platform/db/database.ts';
import { queryRows } from '../platform/db/database.ts';
import { badRequest, notFound } from '../platform/errors.ts';
import { readEvents } from '../platform/events/events.ts';
import type { JobQueue } from '../platform/jobs/job-queue.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, actorLabel, authorize } from '../users/roles.ts';
import type { TaskEntry, Trigger, TriggerEvent } from './model.ts';
import { type IncomingEvent, triggerData } from './trigger-data.ts';
import { advanceWorkflowRun } from './workflows.jobs.ts';
import { workflowRuns, workflows, workflowTaskRuns } from './workflows.schema.ts';

/**
 * Runs: started once per trigger key (an event delivered twice, a schedule slot ticked by two
 * processes, start one run), each with its task rows written in the same transaction as the job
 * that will work through them.
 */

export type WorkflowRow = typeof workflows.$inferSelect;
type RunRow = typeof workflowRuns.$inferSelect;
type TaskRunRow = typeof workflowTaskRuns.$inferSelect;

export interface RunTrigger {
  kind: 'event' | 'schedule' | 'manual' | 'rerun';
  /** One run per workflow and key. */
  key: string;
  /** What `{{ event.… }}` reads. */
  data: unknown;
  eventId?: number;
  eventType?: string;
  slot?: string;
}

export interface StartOptions {
  createdBy: string;
  rerunOf?: number;
  /** Tasks already done in the run re-run from its failure: kept as they ended. */
  carried?: { position: number; input: unknown; output: unknown }[];
  /** The tasks to run (default: the workflow's current ones). */
  tasks?: TaskEntry[];
}

/** Starts a run unless one with this key exists; returns the run and whether it is new. */
export async function startRun(
  db: Database,
  jobs: JobQueue,
  workflow: WorkflowRow,
  trigger: RunTrigger,
  options: StartOptions,
): Promise<{ runId: number; created: boolean }> {
  const tasks = options.tasks ?? (workflow.tasks as TaskEntry[]);
  return db.orm.transaction(async (tx) => {
    const [row] = await tx
      .insert(workflowRuns)
      .values({
        workflowId: workflow.id,
        workflowVersion: workflow.version,
        triggerKey: trigger.key,
        trigger: {
          kind: trigger.kind,
          ...(trigger.eventId !== undefined
            ? { eventId: trigger.eventId, eventType: trigger.eventType }
            : {}),
          ...(trigger.slot ? { slot: trigger.slot } : {}),
          data: trigger.data,
        },
        tasks,
        createdBy: options.createdBy,
        rerunOf: options.rerunOf ?? null,
      })
      .onConflictDoNothing({ target: [workflowRuns.workflowId, workflowRuns.triggerKey] })
      .returning({ id: workflowRuns.id });
    if (!row) {
      const [existing] = await tx
        .select({ id: workflowRuns.id })
        .from(workflowRuns)
        .where(and(eq(workflowRuns.workflowId, workflow.id), eq(workflowRuns.triggerKey, trigger.key)));
      return { runId: existing!.id, created: false };
    }
    const carried = new Map((options.carried ?? []).map((c) => [c.position, c]));
    await tx.insert(workflowTaskRuns).values(
      tasks.map((entry, position) => {
        const kept = carried.get(position);
        return {
          runId: row.id,
          position,
          taskKey: entry.key,
          type: entry.type,
          ...(kept
            ? {
                status: 'succeeded' as const,
                input: kept.input,
                output: kept.output,
                error: 'kept from the run re-run',
              }
            : {}),
        };
      }),
    );
    await jobs.send(advanceWorkflowRun, { runId: row.id }, { tx });
    return { runId: row.id, created: true };
  });
}

export async function workflowRow(db: Executor, id: number): Promise<WorkflowRow> {
  const [row] = await db.select().from(workflows).where(eq(workflows.id, id));
  if (!row) throw notFound(`No workflow ${id}`);
  return row;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toPublicRun(row: RunRow, workflowName?: string) {
  const trigger = row.trigger as {
    kind: string;
    eventId?: number;
    eventType?: string;
    slot?: string;
    data?: unknown;
  };
  return {
    id: row.id,
    workflowId: row.workflowId,
    ...(workflowName !== undefined ? { workflowName } : {}),
    workflowVersion: row.workflowVersion,
    status: row.status,
    trigger: {
      kind: trigger.kind,
      key: row.triggerKey,
      eventId: trigger.eventId ?? null,
      eventType: trigger.eventType ?? null,
      slot: trigger.slot ?? null,
    },
    rerunOf: row.rerunOf,
    error: row.error,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    durationMs: row.startedAt && row.finishedAt ? row.finishedAt.getTime() - row.startedAt.getTime() : null,
    failureNotifiedAt: iso(row.failureNotifiedAt),
  };
}
export type PublicRun = ReturnType<typeof toPublicRun>;

export function toPublicTaskRun(row: TaskRunRow, entry: TaskEntry | undefined) {
  return {
    position: row.position,
    key: row.taskKey,
    type: row.type,
    name: entry?.name ?? null,
    status: row.status,
    input: row.input,
    output: row.output,
    error: row.error,
    attempts: row.attempts,
    nextAttemptAt: iso(row.nextAttemptAt),
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    durationMs: row.durationMs,
  };
}

export async function listRuns(
  db: Executor,
  actor: Actor,
  workflowId: number,
  query: { before?: number | undefined; limit: number; status?: string | undefined },
) {
  authorize(actor, 'data:read');
  const workflow = await workflowRow(db, workflowId);
  const rows = await db
    .select()
    .from(workflowRuns)
    .where(
      and(
        eq(workflowRuns.workflowId, workflowId),
        query.before ? lt(workflowRuns.id, query.before) : undefined,
        query.status ? sql`${workflowRuns.status}::text = ${query.status}` : undefined,
      ),
    )
    .orderBy(desc(workflowRuns.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit).map((r) => toPublicRun(r, workflow.name));
  return { items, nextCursor: rows.length > query.limit ? String(items.at(-1)!.id) : null };
}

export async function getRun(db: Executor, actor: Actor, runId: number) {
  authorize(actor, 'data:read');
  const [row] = await db.select().from(workflowRuns).where(eq(workflowRuns.id, runId));
  if (!row) throw notFound(`No workflow run ${runId}`);
  const workflow = await workflowRow(db, row.workflowId);
  const tasks = await db
    .select()
    .from(workflowTaskRuns)
    .where(eq(workflowTaskRuns.runId, runId))
    .orderBy(asc(workflowTaskRuns.position));
  const entries = row.tasks as TaskEntry[];
  return {
    ...toPublicRun(row, workflow.name),
    directoryId: workflow.directoryId,
    triggerData: (row.trigger as { data?: unknown }).data ?? null,
    tasks: tasks.map((t) => toPublicTaskRun(t, entries[t.position])),
  };
}

/** The trigger data a manual run reads: a given event of the workflow's kind, or who started it. */
async function manualTrigger(
  db: Database,
  workflow: WorkflowRow,
  actor: Actor,
  eventId?: number,
): Promise<RunTrigger> {
  const trigger = workflow.trigger as Trigger;
  const by = actorLabel(actor);
  if (eventId === undefined) {
    const data =
      trigger.type === 'schedule'
        ? { scheduledAt: new Date().toISOString(), firedAt: new Date().toISOString() }
        : { startedBy: by, data: {} };
    return { kind: 'manual', key: `manual:${randomUUID()}`, data };
  }
  if (trigger.type !== 'event') throw badRequest('Only a workflow started by events can be run on an event');
  const { items } = await readEvents(db.orm, { after: eventId - 1, limit: 1 });
  const event = items[0];
  if (!event || event.id !== eventId) throw notFound(`No event ${eventId}`);
  if (event.type !== trigger.event)
    throw badRequest(`Event ${eventId} is ${event.type}; this workflow starts on ${trigger.event}`);
  const data = await triggerData(db.orm, { ...event, type: event.type as TriggerEvent } as IncomingEvent);
  if (!data || data.directoryId !== workflow.directoryId)
    throw badRequest(`Event ${eventId} is not about this workflow's directory`);
  return { kind: 'manual', key: `manual:${randomUUID()}`, data, eventId, eventType: event.type };
}

/** `rapport workflow run <id>` and the Run button: a run now, whatever the trigger. */
export async function runWorkflowNow(
  deps: { db: Database; jobs: JobQueue },
  actor: Actor,
  workflowId: number,
  input: { eventId?: number | undefined } = {},
) {
  authorize(actor, 'data:write');
  const workflow = await workflowRow(deps.db.orm, workflowId);
  const trigger = await manualTrigger(deps.db, workflow, actor, input.eventId);
  const { runId } = await startRun(deps.db, deps.jobs, workflow, trigger, { createdBy: actorLabel(actor) });
  await recordAudit(deps.db.orm, actor, {
    action: 'workflow.run_started',
    targetType: 'workflow',
    targetId: workflowId,
    details: { runId, eventId: input.eventId ?? null },
  });
  return getRun(deps.db.orm, actor, runId);
}

/**
 * Runs a run again with the trigger data it had: `all` from the first task (with the workflow as it
 * is now: the usual re-run after fixing its cause), or `from_failure`: the tasks that succeeded
 * are kept with their outputs and the run goes on from the task that failed.
 */
export async function rerunRun(
  deps: { db: Database; jobs: JobQueue },
  actor: Actor,
  runId: number,
  mode: 'all' | 'from_failure',
) {
  authorize(actor, 'data:write');
  const [run] = await deps.db.orm.select().from(workflowRuns).where(eq(workflowRuns.id, runId));
  if (!run) throw notFound(`No workflow run ${runId}`);
  if (run.status === 'queued' || run.status === 'running')
    throw badRequest(`Run ${runId} is still ${run.status}`);
  const workflow = await workflowRow(deps.db.orm, run.workflowId);
  const trigger = run.trigger as {
    kind: string;
    data: unknown;
    eventId?: number;
    eventType?: string;
    slot?: string;
  };
  const base: RunTrigger = {
    kind: 'rerun',
    key: `rerun:${runId}:${randomUUID()}`,
    data: trigger.data,
    ...(trigger.eventId !== undefined ? { eventId: trigger.eventId, eventType: trigger.eventType! } : {}),
  };
  let options: StartOptions = { createdBy: actorLabel(actor), rerunOf: runId };
  if (mode === 'from_failure') {
    if (run.status !== 'failed') throw badRequest(`Run ${runId} did not fail: re-run it from the start`);
    const tasks = await deps.db.orm.select().from(workflowTaskRuns).where(eq(workflowTaskRuns.runId, runId));
    const carried = tasks
      .filter((t) => t.status === 'succeeded')
      .map((t) => ({ position: t.position, input: t.input, output: t.output }));
    // The run's own definition: the kept outputs belong to those tasks.
    options = { ...options, carried, tasks: run.tasks as TaskEntry[] };
  }
  const started = await startRun(deps.db, deps.jobs, workflow, base, options);
  await recordAudit(deps.db.orm, actor, {
    action: 'workflow.run_rerun',
    targetType: 'workflow',
    targetId: workflow.id,
    details: { runId: started.runId, rerunOf: runId, mode },
  });
  return getRun(deps.db.orm, actor, started.runId);
}

/**
 * Stops a run that has not ended: the task running now finishes (its side effect cannot be taken
 * back), no further task starts; the tasks left are marked skipped.
 */
export async function cancelRun(db: Database, actor: Actor, runId: number) {
  authorize(actor, 'data:write');
  await db.orm.transaction(async (tx) => {
    const [run] = await tx
      .update(workflowRuns)
      .set({ status: 'cancelled', error: `Cancelled by ${actorLabel(actor)}`, finishedAt: new Date() })
      .where(and(eq(workflowRuns.id, runId), sql`${workflowRuns.status} IN ('queued', 'running')`))
      .returning();
    if (!run) {
      const [existing] = await tx.select().from(workflowRuns).where(eq(workflowRuns.id, runId));
      if (!existing) throw notFound(`No workflow run ${runId}`);
      throw badRequest(`Run ${runId} has ended (${existing.status})`);
    }
    await tx
      .update(workflowTaskRuns)
      .set({ status: 'skipped', nextAttemptAt: null })
      .where(and(eq(workflowTaskRuns.runId, runId), eq(workflowTaskRuns.status, 'pending')));
    await recordAudit(tx, actor, {
      action: 'workflow.run_cancelled',
      targetType: 'workflow',
      targetId: run.workflowId,
      details: { runId },
    });
  });
  return getRun(db.orm, actor, runId);
}

/** Counts of runs by status per workflow of a directory, for the list. */
export async function lastRuns(db: Executor, workflowIds: number[]) {
  if (workflowIds.length === 0) return new Map<number, { id: number; status: string; createdAt: string }>();
  const rows = await queryRows<{
    workflow_id: number;
    id: number;
    status: string;
    created_at: Date | string;
  }>(
    db,
    sql`SELECT DISTINCT ON (workflow_id) workflow_id, id, status::text AS status, created_at FROM workflow_runs
        WHERE workflow_id = ANY(${`{${workflowIds.join(',')}}`}::bigint[]) ORDER BY workflow_id, id DESC`,
  );
  return new Map(
    rows.map((r) => [
      Number(r.workflow_id),
      { id: Number(r.id), status: r.status, createdAt: new Date(r.created_at).toISOString() },
    ]),
  );
}
