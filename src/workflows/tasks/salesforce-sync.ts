import { z } from 'zod';
import { getImportRun } from '../../imports/imports.service.ts';
import { createSyncRun, executeSyncRun } from '../../salesforce/sync/run-sync.ts';
import { findSyncRow } from '../../salesforce/sync/sync-config.service.ts';
import { defineTask, PermanentTaskError } from './task-type.ts';

const ZCounts = z.object({
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  deleted: z.number(),
  rejected: z.number(),
});

/**
 * Extract account data from Salesforce: runs the directory's Salesforce sync now (Account,
 * Contact, AccountTeamMember through REST or Bulk API 2.0, then the directory import with the
 * sync's mapping and its new mailing list per run), for the next task to distribute to.
 */
export const salesforceSyncTask = defineTask({
  type: 'salesforce.sync',
  category: 'salesforce',
  label: 'Extract account data from Salesforce',
  description:
    'Runs the directory’s Salesforce sync now: accounts, contacts and account team members are loaded into the directory (with the sync’s new mailing list per run).',
  input: z
    .object({
      /** Re-extract everything instead of what changed since the last run. */
      full: z.boolean().default(false),
    })
    .strict(),
  output: z.object({
    syncRunId: z.number().int(),
    status: z.string(),
    mode: z.string(),
    importRunId: z.number().int().nullable(),
    /** The run's new mailing list (null unless the sync names one, or nothing was imported). */
    mailingListId: z.number().int().nullable(),
    counts: z.object({ accounts: ZCounts, contacts: ZCounts, teamMembers: ZCounts }),
  }),
  retry: { limit: 2, delaySeconds: 300 },
  async check(db, directoryId) {
    return (await findSyncRow(db, directoryId))
      ? []
      : [
          {
            path: '',
            message: 'this directory has no Salesforce sync: set one up under Settings → Salesforce',
          },
        ];
  },
  async run(input, ctx) {
    const { db } = ctx.deps;
    const sync = await findSyncRow(db.orm, ctx.workflow.directoryId);
    if (!sync) throw new PermanentTaskError('This directory has no Salesforce sync');
    let runId = typeof ctx.checkpoint?.syncRunId === 'number' ? ctx.checkpoint.syncRunId : null;
    if (runId === null) {
      const created = await createSyncRun(db, sync.id, {
        trigger: 'manual',
        full: input.full,
        createdBy: `system:workflow:${ctx.workflow.id}`,
      });
      runId = created.id;
      await ctx.saveCheckpoint({ syncRunId: runId });
    }
    const run = await executeSyncRun(
      { db, secrets: ctx.deps.secrets, logger: ctx.logger, dataDir: ctx.deps.config.database.dataDir },
      runId,
      { signal: ctx.signal },
    );
    if (run.status !== 'succeeded') {
      // A sync that failed moved nothing (its cursor stays): the next attempt starts a new run.
      await ctx.saveCheckpoint({});
      throw new Error(`Salesforce sync run ${runId} failed: ${run.error ?? 'see its report'}`);
    }
    const zero = { created: 0, updated: 0, unchanged: 0, deleted: 0, rejected: 0 };
    const imported = run.importRunId ? await getImportRun(db.orm, ctx.actor, run.importRunId) : null;
    const counts = (imported?.objects ?? {}) as Record<string, typeof zero>;
    return {
      syncRunId: run.id,
      status: run.status,
      mode: run.mode,
      importRunId: run.importRunId,
      mailingListId: imported?.mailingListId ?? null,
      counts: {
        accounts: { ...zero, ...counts.accounts },
        contacts: { ...zero, ...counts.contacts },
        teamMembers: { ...zero, ...counts.teamMembers },
      },
    };
  },
});
