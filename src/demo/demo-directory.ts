import path from 'node:path';
import type { Config } from '../config/env.ts';
import { createDirectory } from '../directory/directories.service.ts';
import { runImport } from '../imports/imports.jobs.ts';
import { createImportRun } from '../imports/imports.service.ts';
import type { Database } from '../platform/db/database.ts';
import type { JobQueue } from '../platform/jobs/job-queue.ts';
import { systemActor } from '../users/roles.ts';
import { writeDemoFiles } from './demo-files.ts';

export const DEMO_DIRECTORY = 'Cloud Kicks customers';

/**
 * First start on an empty database: a demo directory, loaded by the same import path users use
 * (files in the data folder, an import run, the imports.run job). RAPPORT_DEMO=0 starts empty.
 */
export async function loadDemoDirectory(
  deps: { db: Database; jobs: JobQueue },
  config: Config,
): Promise<{ directory: string; runId: number }> {
  const actor = systemActor('demo');
  const files = writeDemoFiles(path.join(config.database.dataDir, 'demo'));
  await createDirectory(deps.db, actor, { name: DEMO_DIRECTORY });
  const run = await createImportRun(
    deps.db,
    actor,
    {
      directory: DEMO_DIRECTORY,
      sources: {
        accounts: { kind: 'path', path: files.accounts },
        contacts: { kind: 'path', path: files.contacts },
        teamMembers: { kind: 'path', path: files.teamMembers },
      },
      options: { mailingList: 'Demo import {{date}}' },
    },
    async (tx, runId) => {
      await deps.jobs.send(runImport, { runId }, { tx });
    },
  );
  return { directory: DEMO_DIRECTORY, runId: run.runId };
}
