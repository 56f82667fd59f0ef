import { and, asc, eq } from 'drizzle-orm';
import type { z } from 'zod';
import { findDirectory } from '../directory/directories.service.ts';
import type { Database, Executor } from '../platform/db/database.ts';
import { badRequest, validationFailed } from '../platform/errors.ts';
import type { SecretBox } from '../platform/secrets/secret-box.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, actorLabel, authorize } from '../users/roles.ts';
import { type CheckResult, checkWorkflow, variablesAt } from './check.ts';
import { ensureCursors } from './dispatch.ts';
import { type Problem, type TaskEntry, type Trigger, type WorkflowInput, ZWorkflowInput } from './model.ts';
import { lastRuns, workflowRow } from './runs.service.ts';
import { nextSlots } from './schedule.ts';
import { maskSecrets, revealForCheck, sealSecrets } from './secrets.ts';
import { workflows } from './workflows.schema.ts';

/** Workflows of a directory: saved only when the whole definition checks (types of piped values included). */

type Row = typeof workflows.$inferSelect;
export interface WorkflowDeps {
  db: Database;
  secrets: SecretBox;
}

export function toPublicWorkflow(
  row: Row,
  lastRun: { id: number; status: string; createdAt: string } | null = null,
) {
  const trigger = row.trigger as Trigger;
  let nextRuns: string[] = [];
  if (row.enabled && trigger.type === 'schedule') {
    try {
      nextRuns = nextSlots(trigger.schedule, new Date()).map((d) => d.toISOString());
    } catch {
      nextRuns = [];
    }
  }
  return {
    id: row.id,
    directoryId: row.directoryId,
    name: row.name,
    description: row.description,
    enabled: row.enabled,
    ownerEmail: row.ownerEmail,
    trigger,
    conditions: row.conditions as WorkflowInput['conditions'],
    tasks: maskSecrets(row.tasks as TaskEntry[]),
    version: row.version,
    template: row.template,
    enabledAt: row.enabledAt?.toISOString() ?? null,
    nextRuns,
    lastRun,
    createdBy: row.createdBy,
    updatedBy: row.updatedBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type PublicWorkflow = ReturnType<typeof toPublicWorkflow>;

/** `tasks[1].input.url`, as the save checks name paths. */
const issuePath = (path: PropertyKey[]) =>
  path.reduce<string>(
    (text, p) => (typeof p === 'number' ? `${text}[${p}]` : text ? `${text}.${String(p)}` : String(p)),
    '',
  );

function parseInput(raw: unknown): WorkflowInput {
  const parsed = ZWorkflowInput.safeParse(raw);
  if (!parsed.success)
    throw validationFailed(
      'The workflow cannot be saved as it is',
      parsed.error.issues.map((i) => ({ path: issuePath(i.path), message: i.message })),
    );
  return parsed.data;
}

const ownerOf = (actor: Actor, given: string | undefined, current?: string) => {
  const owner = given ?? current ?? (actor.kind === 'user' ? actor.email : undefined);
  if (!owner)
    throw validationFailed('The workflow cannot be saved as it is', [
      { path: 'ownerEmail', message: 'give the owner, told by email when a run fails' },
    ]);
  return owner.toLowerCase();
};

/** Checks a definition (with its kept secrets opened) and throws every problem found. */
async function checked(
  deps: WorkflowDeps,
  directoryId: number,
  input: WorkflowInput,
  stored: TaskEntry[],
  workflowId: number | null,
) {
  const tasks = revealForCheck(input.tasks, stored, deps.secrets, workflowId);
  const result = await checkWorkflow(deps.db.orm, directoryId, { ...input, tasks });
  if (result.problems.length)
    throw validationFailed('The workflow cannot be saved as it is', result.problems);
  return tasks;
}

export async function createWorkflow(
  deps: WorkflowDeps,
  actor: Actor,
  directoryRef: string | number,
  raw: unknown,
  options: { template?: string } = {},
) {
  authorize(actor, 'data:write');
  const directory = await findDirectory(deps.db.orm, directoryRef);
  const input = parseInput(raw);
  const owner = ownerOf(actor, input.ownerEmail);
  const tasks = await checked(deps, directory.id, input, [], null);
  const by = actorLabel(actor);
  const row = await deps.db.orm.transaction(async (tx) => {
    const [created] = await tx
      .insert(workflows)
      .values({
        directoryId: directory.id,
        name: input.name,
        description: input.description,
        enabled: input.enabled,
        ownerEmail: owner,
        trigger: input.trigger,
        conditions: input.conditions,
        tasks: [],
        enabledAt: input.enabled ? new Date() : null,
        template: options.template ?? null,
        createdBy: by,
        updatedBy: by,
      })
      .returning();
    if (input.enabled) await ensureCursors(tx);
    // Sealed once the row exists: the secrets are bound to its id.
    const [sealed] = await tx
      .update(workflows)
      .set({ tasks: sealSecrets(tasks, deps.secrets, created!.id) })
      .where(eq(workflows.id, created!.id))
      .returning();
    await recordAudit(tx, actor, {
      action: 'workflow.created',
      targetType: 'workflow',
      targetId: created!.id,
      details: {
        name: input.name,
        trigger: input.trigger.type,
        enabled: input.enabled,
        template: options.template ?? null,
      },
    });
    return sealed!;
  });
  return toPublicWorkflow(row);
}

export async function updateWorkflow(deps: WorkflowDeps, actor: Actor, id: number, raw: unknown) {
  authorize(actor, 'data:write');
  const current = await workflowRow(deps.db.orm, id);
  const input = parseInput(raw);
  const owner = ownerOf(actor, input.ownerEmail, current.ownerEmail);
  const tasks = await checked(deps, current.directoryId, input, current.tasks as TaskEntry[], id);
  const row = await deps.db.orm.transaction(async (tx) => {
    const [updated] = await tx
      .update(workflows)
      .set({
        name: input.name,
        description: input.description,
        enabled: input.enabled,
        ownerEmail: owner,
        trigger: input.trigger,
        conditions: input.conditions,
        tasks: sealSecrets(tasks, deps.secrets, id),
        version: current.version + 1,
        // Enabling (again) starts from now: no replay of what happened while it was off.
        enabledAt: input.enabled ? (current.enabled ? current.enabledAt : new Date()) : null,
        updatedBy: actorLabel(actor),
        updatedAt: new Date(),
      })
      .where(eq(workflows.id, id))
      .returning();
    if (input.enabled) await ensureCursors(tx);
    await recordAudit(tx, actor, {
      action: 'workflow.updated',
      targetType: 'workflow',
      targetId: id,
      details: { version: current.version + 1, enabled: input.enabled },
    });
    return updated!;
  });
  return toPublicWorkflow(row, (await lastRuns(deps.db.orm, [id])).get(id) ?? null);
}

/** Turns a workflow on or off without resending its definition. */
export async function setWorkflowEnabled(db: Database, actor: Actor, id: number, enabled: boolean) {
  authorize(actor, 'data:write');
  const current = await workflowRow(db.orm, id);
  if (current.enabled === enabled)
    return toPublicWorkflow(current, (await lastRuns(db.orm, [id])).get(id) ?? null);
  const row = await db.orm.transaction(async (tx) => {
    const [updated] = await tx
      .update(workflows)
      .set({
        enabled,
        enabledAt: enabled ? new Date() : null,
        updatedBy: actorLabel(actor),
        updatedAt: new Date(),
      })
      .where(eq(workflows.id, id))
      .returning();
    if (enabled) await ensureCursors(tx);
    await recordAudit(tx, actor, {
      action: enabled ? 'workflow.enabled' : 'workflow.disabled',
      targetType: 'workflow',
      targetId: id,
    });
    return updated!;
  });
  return toPublicWorkflow(row, (await lastRuns(db.orm, [id])).get(id) ?? null);
}

export async function deleteWorkflow(db: Database, actor: Actor, id: number) {
  authorize(actor, 'data:write');
  await db.orm.transaction(async (tx) => {
    const current = await workflowRow(tx, id);
    await tx.delete(workflows).where(eq(workflows.id, id));
    await recordAudit(tx, actor, {
      action: 'workflow.deleted',
      targetType: 'workflow',
      targetId: id,
      details: { name: current.name },
    });
  });
}

export async function listWorkflows(db: Executor, actor: Actor, directoryRef: string | number) {
  authorize(actor, 'data:read');
  const directory = await findDirectory(db, directoryRef);
  const rows = await db
    .select()
    .from(workflows)
    .where(eq(workflows.directoryId, directory.id))
    .orderBy(asc(workflows.name), asc(workflows.id));
  const last = await lastRuns(
    db,
    rows.map((r) => r.id),
  );
  return { items: rows.map((r) => toPublicWorkflow(r, last.get(r.id) ?? null)) };
}

export async function getWorkflow(db: Executor, actor: Actor, id: number) {
  authorize(actor, 'data:read');
  const row = await workflowRow(db, id);
  return toPublicWorkflow(row, (await lastRuns(db, [id])).get(id) ?? null);
}

/** Every workflow (the CLI's list), optionally of one directory. */
export async function listAllWorkflows(db: Executor, actor: Actor, directoryRef?: string) {
  authorize(actor, 'data:read');
  const directory = directoryRef ? await findDirectory(db, directoryRef) : null;
  const rows = await db
    .select()
    .from(workflows)
    .where(directory ? and(eq(workflows.directoryId, directory.id)) : undefined)
    .orderBy(asc(workflows.directoryId), asc(workflows.id));
  const last = await lastRuns(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toPublicWorkflow(r, last.get(r.id) ?? null));
}

/**
 * The editor's live check: the problems of a draft, and at each task what it may pipe in (the
 * `{a}` menu): the event's fields and the earlier tasks' outputs, with their types.
 */
export async function checkDraft(
  deps: WorkflowDeps,
  actor: Actor,
  directoryRef: string | number,
  raw: unknown,
  workflowId: number | null,
): Promise<{ problems: Problem[]; variables: ReturnType<typeof variablesAt>[]; nextRuns: string[] }> {
  authorize(actor, 'data:read');
  const directory = await findDirectory(deps.db.orm, directoryRef);
  const parsed = ZWorkflowInput.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({ path: issuePath(i.path), message: i.message }));
    // Conditions being written (a rule without its field yet) must not hide what the trigger and
    // the tasks offer: the editor's field pickers read the variables of the rest.
    const rest =
      raw &&
      typeof raw === 'object' &&
      !Array.isArray(raw) &&
      problems.every((p) => p.path.startsWith('conditions'))
        ? ZWorkflowInput.safeParse({ ...raw, conditions: null })
        : null;
    if (!rest?.success) return { problems, variables: [], nextRuns: [] };
    const checked = await checkParsed(rest.data);
    return { ...checked, problems: [...problems, ...checked.problems] };
  }
  return checkParsed(parsed.data);

  async function checkParsed(definition: WorkflowInput) {
    const stored = workflowId ? ((await workflowRow(deps.db.orm, workflowId)).tasks as TaskEntry[]) : [];
    let tasks: TaskEntry[];
    try {
      tasks = revealForCheck(definition.tasks, stored, deps.secrets, workflowId);
    } catch (error) {
      return {
        problems: [{ path: 'tasks', message: (error as Error).message }],
        variables: [],
        nextRuns: [],
      };
    }
    const result: CheckResult = await checkWorkflow(deps.db.orm, directory.id, { ...definition, tasks });
    const trigger = definition.trigger;
    let nextRuns: string[] = [];
    if (trigger.type === 'schedule' && !result.problems.some((p) => p.path.startsWith('trigger')))
      nextRuns = nextSlots(trigger.schedule, new Date()).map((d) => d.toISOString());
    return {
      problems: result.problems,
      // One entry per task position, plus one past the last (for a task being added).
      variables: Array.from({ length: definition.tasks.length + 1 }, (_, i) => variablesAt(result, i)),
      nextRuns,
    };
  }
}

export const assertDirectoryOf = async (db: Executor, workflowId: number, directoryId: number) => {
  const row = await workflowRow(db, workflowId);
  if (row.directoryId !== directoryId)
    throw badRequest(`Workflow ${workflowId} belongs to another directory`);
};

export type WorkflowInputRaw = z.input<typeof ZWorkflowInput>;
