import { and, eq, inArray, isNotNull, lte, sql } from 'drizzle-orm';
import { z } from 'zod';
import { findDirectory } from '../../directory/directories.service.ts';
import type { Database } from '../../platform/db/database.ts';
import { conflict, notFound } from '../../platform/errors.ts';
import { defineJob } from '../../platform/jobs/define-job.ts';
import type { JobQueue } from '../../platform/jobs/job-queue.ts';
import { recordAudit } from '../../system/audit.service.ts';
import { type Actor, actorLabel, authorize } from '../../users/roles.ts';
import { salesforceOauthStates, salesforceSyncRuns, salesforceSyncs } from '../salesforce.schema.ts';
import { executeSyncRun } from './run-sync.ts';
import { nextRunAfter } from './schedule.ts';
import { findSyncRow, toPublicSyncRun } from './sync-config.service.ts';

/** Executes one recorded sync run. At most one sync runs at a time on the instance (imports are heavy). */
export const runSalesforceSync = defineJob({
  name: 'salesforce.sync',
  payload: z.object({
    runId: z.number().int().positive(),
    full: z.boolean().default(false),
    reconcile: z.boolean().default(false),
  }),
  batchSize: 1,
  policy: 'singleton',
  // Only a crash makes the job fail: a run records its own failures (budget, limit, import) and ends.
  retry: { limit: 2, delaySeconds: 60, backoff: true },
  expireInSeconds: 6 * 3600,
  async run({ runId, full, reconcile }, deps, ctx) {
    const run = await executeSyncRun(
      { db: deps.db, secrets: deps.secrets, logger: deps.logger, dataDir: deps.config.database.dataDir },
      runId,
      { full, reconcile, signal: ctx.signal },
    );
    return { status: run.status, importRunId: run.importRunId, error: run.error };
  },
});

/**
 * Queues a run of a sync and its job in one transaction (no run without its job). A run already
 * queued or running is answered instead of a second one.
 */
export async function queueSyncRun(
  db: Database,
  jobs: JobQueue,
  syncId: number,
  input: { trigger: 'schedule' | 'manual' | 'cli'; full?: boolean; reconcile?: boolean; createdBy: string },
) {
  return db.orm.transaction(async (tx) => {
    const [sync] = await tx
      .select()
      .from(salesforceSyncs)
      .where(eq(salesforceSyncs.id, syncId))
      .for('update');
    if (!sync) throw notFound(`No Salesforce sync ${syncId}`);
    const [active] = await tx
      .select()
      .from(salesforceSyncRuns)
      .where(
        and(eq(salesforceSyncRuns.syncId, syncId), inArray(salesforceSyncRuns.status, ['queued', 'running'])),
      );
    if (active) return { run: toPublicSyncRun(active), queued: false };
    const [run] = await tx
      .insert(salesforceSyncRuns)
      .values({
        syncId,
        directoryId: sync.directoryId,
        mode: input.full || !sync.cursor ? 'full' : 'delta',
        trigger: input.trigger,
        createdBy: input.createdBy,
        cursorBefore: sync.cursor,
      })
      .returning();
    await jobs.send(
      runSalesforceSync,
      { runId: run!.id, full: input.full ?? false, reconcile: input.reconcile ?? false },
      { tx },
    );
    return { run: toPublicSyncRun(run!), queued: true };
  });
}

/** "Run now" from the UI or the API. */
export async function requestSyncRun(
  db: Database,
  jobs: JobQueue,
  actor: Actor,
  directory: string | number,
  input: { full?: boolean; reconcile?: boolean },
) {
  authorize(actor, 'data:write');
  const dir = await findDirectory(db.orm, directory);
  const sync = await findSyncRow(db.orm, dir.id);
  if (!sync) throw notFound('This directory has no Salesforce sync: set one up first');
  if (!sync.connectionId)
    throw conflict('The sync has no Salesforce connection (it was disconnected): choose one');
  const queued = await queueSyncRun(db, jobs, sync.id, {
    trigger: 'manual',
    ...input,
    createdBy: actorLabel(actor),
  });
  if (queued.queued) {
    await recordAudit(db.orm, actor, {
      action: 'salesforce.sync_requested',
      targetType: 'salesforce_sync',
      targetId: sync.id,
      details: { runId: queued.run.id, full: input.full ?? false },
    });
  }
  return queued;
}

/**
 * Every minute: queues the syncs whose slot has come (each sync's own cron and time zone), and
 * moves their next slot on. A sync still running when its slot comes is not queued twice.
 */
export const dispatchSalesforceSyncs = defineJob({
  name: 'salesforce.dispatch-syncs',
  payload: z.object({}),
  policy: 'singleton',
  schedule: { cron: '* * * * *', payload: {} },
  retry: { limit: 0, delaySeconds: 30, backoff: false },
  async run(_payload, { db, jobs, logger }) {
    const due = await db.orm
      .select()
      .from(salesforceSyncs)
      .where(
        and(
          eq(salesforceSyncs.enabled, true),
          isNotNull(salesforceSyncs.connectionId),
          lte(salesforceSyncs.nextRunAt, new Date()),
        ),
      );
    let queued = 0;
    for (const sync of due) {
      await db.orm
        .update(salesforceSyncs)
        .set({ nextRunAt: nextRunAfter(sync.scheduleCron, sync.timeZone, new Date()) })
        .where(eq(salesforceSyncs.id, sync.id));
      const result = await queueSyncRun(db, jobs, sync.id, {
        trigger: 'schedule',
        createdBy: 'system:schedule',
      });
      if (result.queued) queued++;
    }
    await db.orm.delete(salesforceOauthStates).where(sql`${salesforceOauthStates.expiresAt} < now()`);
    if (queued) logger.info({ queued }, 'queued scheduled Salesforce syncs');
    return { queued };
  },
});

export const salesforceSyncJobs = [runSalesforceSync, dispatchSalesforceSyncs];
