import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Database, queryRows } from '../platform/db/database.ts';
import { emitEvent, readEvents } from '../platform/events/events.ts';
import { defineJob, type JobDeps } from '../platform/jobs/define-job.ts';
import { executeImportRun, type ImportDeps } from './b2b/run-b2b-import.ts';
import { dropStaging } from './b2b/stage-file.ts';
import { importRuns } from './imports.schema.ts';
import { archiveSftpFiles, sftpOpener } from './sftp-sources.service.ts';
import { ZImportSources } from './sources.ts';

/** What executing an import needs, from a job's (or the CLI's) dependencies. */
export function importDeps(deps: Pick<JobDeps, 'db' | 'logger' | 'secrets'>): ImportDeps {
  return {
    db: deps.db,
    logger: deps.logger,
    openSftp: sftpOpener(deps),
    async afterSuccess(runId) {
      await reportCompleted(deps.db, runId);
      // Archive the SFTP files the run read, if their source says so. A failure here is logged:
      // the import itself succeeded and must not be retried for it.
      const [run] = await deps.db.orm.select().from(importRuns).where(eq(importRuns.id, runId));
      const sources = ZImportSources.parse(run!.sources);
      const bySource = new Map<number, string[]>();
      for (const source of Object.values(sources)) {
        if (source?.kind === 'sftp')
          bySource.set(source.sourceId, [...(bySource.get(source.sourceId) ?? []), source.path]);
      }
      for (const [sourceId, paths] of bySource) {
        try {
          const moved = await archiveSftpFiles(deps, sourceId, paths);
          if (moved.length) deps.logger.info({ runId, moved }, 'archived imported SFTP files');
        } catch (error) {
          deps.logger.error({ err: error, runId, sourceId }, 'could not archive the imported SFTP files');
        }
      }
    },
  };
}

export const runImport = defineJob({
  name: 'imports.run',
  payload: z.object({ runId: z.number().int().positive() }),
  batchSize: 1,
  concurrency: 1,
  retry: { limit: 2, delaySeconds: 30, backoff: true },
  expireInSeconds: 6 * 3600,
  async run({ runId }, deps) {
    await executeImportRun(importDeps(deps), runId);
    // A crash between the merge's commit and afterSuccess would lose the event: the retry,
    // finding the run done, reports it.
    await reportCompleted(deps.db, runId);
  },
});

/**
 * Tells automations (workflows) that a run succeeded: import.completed, once per run, written in
 * its own transaction right after the merge committed (the merge's transaction is the import
 * pipeline's own).
 */
export async function reportCompleted(db: Database, runId: number): Promise<void> {
  const subject = `import_run:${runId}`;
  await db.orm.transaction(async (tx) => {
    const [run] = await tx.select().from(importRuns).where(eq(importRuns.id, runId));
    if (run?.status !== 'succeeded') return;
    const reported = await readEvents(tx, { type: 'import.completed', subject, limit: 1 });
    if (reported.items.length) return;
    await emitEvent(tx, 'import.completed', subject, {
      runId,
      directoryId: run.directoryId,
      mailingListId: run.mailingListId,
      summary: run.summary,
      source: run.createdBy.startsWith('system:salesforce') ? 'salesforce' : 'import',
    });
  });
}

/** Drops staging tables a crashed, never-retried run left behind, and uploads of finished runs. */
export const cleanupImports = defineJob({
  name: 'imports.cleanup',
  payload: z.object({}),
  policy: 'singleton',
  schedule: { cron: '23 3 * * *', payload: {} },
  async run(_payload, { db, logger }) {
    const stale = await queryRows<{ id: number }>(
      db.orm,
      sql`SELECT id FROM import_runs WHERE status IN ('succeeded', 'failed') AND finished_at < now() - interval '1 day'
          AND id IN (SELECT DISTINCT substring(tablename FROM 'import_(?:raw|stage|phone)_([0-9]+)')::bigint FROM pg_tables
                     WHERE schemaname = 'public' AND tablename ~ '^import_(raw|stage|phone)_[0-9]+')`,
    );
    for (const { id } of stale) await dropStaging(db, Number(id));
    await db.orm.execute(
      sql`DELETE FROM import_file_chunks WHERE run_id IN (SELECT id FROM import_runs WHERE status IN ('succeeded', 'failed'))`,
    );
    // Uploads interrupted before their run was created leave an empty placeholder run.
    await db.orm.execute(
      sql`DELETE FROM import_runs WHERE status = 'queued' AND sources = '{}'::jsonb AND created_at < now() - interval '1 day'`,
    );
    if (stale.length) logger.info({ runs: stale.length }, 'dropped stale import staging tables');
    return { runs: stale.length };
  },
});

export const importsJobs = [runImport, cleanupImports];
