import { z } from 'zod';
import { defineJob } from '../../platform/jobs/define-job.ts';
import { runWritebackOverSurvey } from './writeback.service.ts';

/**
 * A write-back over a survey's responses, in the background. Retrying it is safe: updates,
 * upserts and deletes repeat harmlessly, and inserts are settled by the ledger, never sent twice.
 */
export const runWritebackForSurvey = defineJob({
  name: 'salesforce.writeback-survey',
  payload: z.object({
    writebackId: z.number().int().positive(),
    surveyId: z.number().int().positive(),
    createdBy: z.string(),
  }),
  batchSize: 1,
  retry: { limit: 2, delaySeconds: 60, backoff: true },
  expireInSeconds: 3 * 3600,
  async run({ writebackId, surveyId, createdBy }, deps) {
    const run = await runWritebackOverSurvey(
      { db: deps.db, secrets: deps.secrets, logger: deps.logger },
      { kind: 'system', label: createdBy },
      writebackId,
      surveyId,
    );
    return { runId: run.id, status: run.status, counts: run.counts };
  },
});

export const salesforceWritebackJobs = [runWritebackForSurvey];
