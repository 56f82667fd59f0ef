import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { publicUrlOf } from '../distributions/start.jobs.ts';
import { cachedTransport } from '../distributions/transport-cache.ts';
import { defineJob, type JobDeps } from '../platform/jobs/define-job.ts';
import { dispatchEvents, startDueSchedules } from './dispatch.ts';
import { advanceRun } from './engine.ts';
import { workflowRuns, workflows } from './workflows.schema.ts';

/** Works a run through its tasks (one job per run; a retry with backoff is a delayed job). */
export const advanceWorkflowRun = defineJob({
  name: 'workflows.advance',
  payload: z.object({ runId: z.number().int().positive() }),
  // A task may load a large import: as long as imports.run may take.
  expireInSeconds: 6 * 3600,
  concurrency: 4,
  batchSize: 1,
  retry: { limit: 10, delaySeconds: 5, backoff: true, maxDelaySeconds: 600 },
  async run({ runId }, deps, ctx) {
    return { status: await advanceRun(deps, runId, ctx) };
  },
});

const POLL_MS = 1000;
const RUN_MS = 55_000;

/**
 * Starts runs on events: started every minute, each job reads the event streams every second
 * for most of the minute, so a detractor's ticket is opened within seconds of the response.
 */
export const dispatchWorkflowEvents = defineJob({
  name: 'workflows.dispatch-events',
  payload: z.object({}),
  policy: 'singleton',
  schedule: { cron: '* * * * *', payload: {} },
  retry: { limit: 1, delaySeconds: 5, backoff: false },
  expireInSeconds: 120,
  async run(_payload, deps, { signal }) {
    const until = Date.now() + RUN_MS;
    const total = { events: 0, runs: 0 };
    while (Date.now() < until && !signal.aborted) {
      const { events, runs } = await dispatchEvents(deps);
      total.events += events;
      total.runs += runs;
      if (events === 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return total;
  },
});

/**
 * Starts scheduled runs: every minute, the latest due slot of each scheduled workflow (once per
 * slot, keyed by it, whichever process ticks). `at` lets an operator or a test tick as of a time.
 */
export const tickWorkflowSchedules = defineJob({
  name: 'workflows.schedule-tick',
  payload: z.object({ at: z.iso.datetime({ offset: true }).optional() }),
  policy: 'singleton',
  schedule: { cron: '* * * * *', payload: {} },
  retry: { limit: 1, delaySeconds: 5, backoff: false },
  expireInSeconds: 120,
  async run({ at }, deps) {
    const started = await startDueSchedules(deps, at ? new Date(at) : new Date());
    if (started.length) deps.logger.info({ started }, 'started scheduled workflow runs');
    return { started };
  },
});

/** Tells a failed run's owner by email (once: the outbox keeps one message per key). */
export const notifyWorkflowFailure = defineJob({
  name: 'workflows.notify-failure',
  payload: z.object({ runId: z.number().int().positive() }),
  retry: { limit: 8, delaySeconds: 30, backoff: true, maxDelaySeconds: 1800 },
  async run({ runId }, deps) {
    return { outcome: await sendFailureNotice(deps, runId) };
  },
});

export async function sendFailureNotice(deps: JobDeps, runId: number): Promise<string> {
  const [run] = await deps.db.orm.select().from(workflowRuns).where(eq(workflowRuns.id, runId));
  if (run?.status !== 'failed') return 'skipped';
  const [workflow] = await deps.db.orm.select().from(workflows).where(eq(workflows.id, run.workflowId));
  if (!workflow) return 'skipped';
  const base = publicUrlOf(deps);
  const url = `${base}/workflows/${workflow.id}/runs/${run.id}`;
  const transport = await cachedTransport(deps.db, deps.secrets, 'email', base);
  const outcome = await transport.send({
    channel: 'email',
    idempotencyKey: `workflow-run-${run.id}-failed`,
    to: workflow.ownerEmail,
    subject: `Workflow "${workflow.name}" failed (run ${run.id})`,
    text: [
      `The workflow "${workflow.name}" stopped: ${run.error ?? 'a task failed'}.`,
      '',
      `Started by: ${run.createdBy} (${run.triggerKey})`,
      `Run details, each task's input, output and error: ${url}`,
      '',
      'Fix the cause, then re-run it from the failed task or from the start.',
    ].join('\n'),
    headers: { 'X-Rapport-Workflow': String(workflow.id), 'X-Rapport-Workflow-Run': String(run.id) },
  });
  if (outcome.status === 'failed') {
    if (outcome.permanent) {
      deps.logger.warn(
        { runId, to: workflow.ownerEmail },
        `workflow failure notice refused: ${outcome.message}`,
      );
      return 'refused';
    }
    throw new Error(`The email provider did not take the failure notice (${outcome.message}): retrying`);
  }
  await deps.db.orm
    .update(workflowRuns)
    .set({ failureNotifiedAt: new Date() })
    .where(eq(workflowRuns.id, runId));
  return 'sent';
}

/** Removes the file folders of runs that ended long ago (a crash can leave one behind). */
export const cleanupWorkflowFiles = defineJob({
  name: 'workflows.cleanup-files',
  payload: z.object({}),
  policy: 'singleton',
  schedule: { cron: '41 3 * * *', payload: {} },
  async run(_payload, { config }) {
    const root = path.join(config.database.dataDir, 'workflow-runs');
    const entries = await readdir(root).catch(() => [] as string[]);
    let removed = 0;
    for (const name of entries) {
      const full = path.join(root, name);
      const info = await stat(full).catch(() => null);
      if (info && Date.now() - info.mtimeMs > 7 * 86_400_000) {
        await rm(full, { recursive: true, force: true });
        removed++;
      }
    }
    return { removed };
  },
});

export const workflowsJobs = [
  advanceWorkflowRun,
  dispatchWorkflowEvents,
  tickWorkflowSchedules,
  notifyWorkflowFailure,
  cleanupWorkflowFiles,
];
