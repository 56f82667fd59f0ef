import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { JobDeps } from '../platform/jobs/define-job.ts';
import type { Actor } from '../users/roles.ts';
import { advanceRun } from './engine.ts';
import { getRun, runWorkflowNow } from './runs.service.ts';
import { workflowTaskRuns } from './workflows.schema.ts';

export const ZCliWorkflowRun = z.object({
  id: z.number().int().positive(),
  eventId: z.number().int().positive().optional(),
  /** Work the run to its end here (as `rapport import` does) instead of leaving it to the workers. */
  wait: z.boolean().default(true),
  /** How long to wait for retries (task backoff) before handing the run back to the workers. */
  maxWaitSeconds: z.number().int().min(0).max(86_400).default(900),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `rapport workflow run <id>`: starts a run and, unless told not to wait, works it here to its end
 * (a worker elsewhere may take some tasks: each task is claimed by one). A task waiting for its
 * retry is waited for, up to maxWaitSeconds; after that the workers finish the run.
 */
export async function runWorkflowFromCli(
  deps: JobDeps,
  actor: Actor,
  input: z.output<typeof ZCliWorkflowRun>,
) {
  const started = await runWorkflowNow(deps, actor, input.id, { eventId: input.eventId });
  if (!input.wait) return started;
  const jobId = `cli-${randomUUID()}`;
  const deadline = Date.now() + input.maxWaitSeconds * 1000;
  const signal = new AbortController().signal;
  for (;;) {
    const status = await advanceRun(deps, started.id, { jobId, signal, logger: deps.logger });
    if (status === 'succeeded' || status === 'failed' || status === 'gone' || status === 'cancelled') break;
    if (Date.now() > deadline) break;
    if (status === 'retrying' || status === 'waiting') {
      const tasks = await deps.db.orm
        .select()
        .from(workflowTaskRuns)
        .where(eq(workflowTaskRuns.runId, started.id));
      const next = Math.min(...tasks.map((t) => t.nextAttemptAt?.getTime() ?? Number.POSITIVE_INFINITY));
      const wait = Number.isFinite(next) ? Math.max(200, next - Date.now()) : 1000;
      if (Date.now() + wait > deadline) break;
      await sleep(wait);
    } else await sleep(500); // another worker holds the task: look again
  }
  return getRun(deps.db.orm, actor, started.id);
}
