import path from 'node:path';
import type { Config } from '../config/env.ts';
import { createDirectory } from '../directory/directories.service.ts';
import { runImport } from '../imports/imports.jobs.ts';
import { createImportRun } from '../imports/imports.service.ts';
import { DEFAULT_MAPPING } from '../imports/mapping.ts';
import type { Database } from '../platform/db/database.ts';
import type { JobQueue } from '../platform/jobs/job-queue.ts';
import { systemActor } from '../users/roles.ts';
import { seedDemoFeedback } from './demo-feedback.ts';
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
      // The account figures the health model reads, typed: ARR, renewal date, churn outcome.
      mapping: {
        ...DEFAULT_MAPPING,
        accounts: {
          ...DEFAULT_MAPPING.accounts,
          attributes: [
            { source: 'ARR__c', name: 'ARR', type: 'decimal' },
            { source: 'RenewalDate__c', name: 'RenewalDate', type: 'datetime' },
            { source: 'Churned__c', name: 'Churned', type: 'boolean' },
          ],
        },
      },
    },
    async (tx, runId) => {
      await deps.jobs.send(runImport, { runId }, { tx });
      // Then a survey and its answers, once the directory is in (the job waits for the import).
      await deps.jobs.send(seedDemoFeedback, { runId, directory: DEMO_DIRECTORY }, { tx });
    },
  );
  return { directory: DEMO_DIRECTORY, runId: run.runId };
}
