import { z } from 'zod';
import { findDirectory } from '../directory/directories.service.ts';
import { importSummary } from '../imports/imports.operations.ts';
import { conflict, notFound } from '../platform/errors.ts';
import type { JobDeps } from '../platform/jobs/define-job.ts';
import type { Actor } from '../users/roles.ts';
import { createSyncRun, executeSyncRun } from './sync/run-sync.ts';
import { findSyncRow } from './sync/sync-config.service.ts';

export const ZCliSync = z.object({
  directory: z.string().min(1),
  full: z.boolean().default(false),
  reconcile: z.boolean().default(false),
});

/**
 * `rapport sync salesforce`: runs the directory's sync here and now (not through the job queue)
 * and answers the run with its import run's summary.
 */
export async function syncSalesforceNow(
  deps: Pick<JobDeps, 'db' | 'logger' | 'secrets' | 'config'>,
  actor: Actor,
  input: z.output<typeof ZCliSync>,
) {
  const directory = await findDirectory(deps.db.orm, input.directory);
  const sync = await findSyncRow(deps.db.orm, directory.id);
  if (!sync)
    throw notFound(
      `The directory "${directory.name}" has no Salesforce sync: set one up in the web UI or with PUT /api/v1/directories/<dir>/salesforce/sync`,
    );
  if (!sync.connectionId)
    throw conflict('The sync has no Salesforce connection (it was disconnected): choose one');
  const run = await createSyncRun(deps.db, sync.id, { trigger: 'cli', full: input.full, createdBy: 'cli' });
  const result = await executeSyncRun(
    { db: deps.db, secrets: deps.secrets, logger: deps.logger, dataDir: deps.config.database.dataDir },
    run.id,
    { full: input.full, reconcile: input.reconcile },
  );
  const importRun = result.importRunId ? await importSummary(deps, actor, result.importRunId) : null;
  return { run: result, import: importRun };
}
