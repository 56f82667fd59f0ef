import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Audience } from '../directory/audiences.ts';
import { type Executor, queryRows } from '../platform/db/database.ts';
import { defineJob, type JobDeps } from '../platform/jobs/define-job.ts';
import type { JobQueue } from '../platform/jobs/job-queue.ts';
import { getSurveyRow } from '../surveys/surveys.service.ts';
import { buildRecipients } from './build-recipients.ts';
import { distributions } from './distributions.schema.ts';
import { rulesFor } from './rules.ts';
import { completeIfDone, RetryLater, sendBatch } from './send.ts';
import { getSendingRules } from './settings.service.ts';

/** Recipients per send job: small enough that a retry redoes little, large enough to keep the pool busy. */
export const BATCH_SIZE = 250;

/** Where links in messages point, for workers: the public URL, else this server's own address. */
export function publicUrlOf(deps: Pick<JobDeps, 'config'>): string {
  const { http } = deps.config;
  if (http.publicUrl) return http.publicUrl;
  return `http://${http.host.includes(':') ? `[${http.host}]` : http.host}:${http.port}`;
}

export const sendDistributionBatch = defineJob({
  name: 'distributions.send-batch',
  payload: z.object({
    distributionId: z.number().int().positive(),
    fromId: z.number().int().positive(),
    toId: z.number().int().positive(),
  }),
  batchSize: 1,
  // One batch at a time per worker: its sends run as many at once as the provider takes.
  concurrency: 1,
  retry: { limit: 8, delaySeconds: 15, backoff: true, maxDelaySeconds: 900 },
  expireInSeconds: 1800,
  async run({ distributionId, fromId, toId }, deps) {
    try {
      return await sendBatch({ ...deps, publicUrl: publicUrlOf(deps) }, distributionId, fromId, toId);
    } catch (error) {
      if (error instanceof RetryLater) deps.logger.warn({ distributionId, fromId }, error.message);
      throw error;
    }
  },
});

/** Queues send jobs over the recipients still to send, in id ranges of BATCH_SIZE. */
export async function enqueueBatches(tx: Executor, jobs: JobQueue, distributionId: number): Promise<number> {
  const ranges = await queryRows<{ from_id: number; to_id: number }>(
    tx,
    sql`SELECT min(id) AS from_id, max(id) AS to_id FROM (
          SELECT id, (row_number() OVER (ORDER BY id) - 1) / ${BATCH_SIZE} AS batch
          FROM distribution_recipients WHERE distribution_id = ${distributionId} AND status IN ('pending', 'sending')) b
        GROUP BY batch ORDER BY batch`,
  );
  await jobs.sendMany(
    sendDistributionBatch,
    ranges.map((r) => ({ distributionId, fromId: Number(r.from_id), toId: Number(r.to_id) })),
    { tx: tx as never },
  );
  return ranges.length;
}

export const resumeSending = enqueueBatches;

/**
 * Starts a distribution at its scheduled time: snapshots the recipient set under the directory's
 * rules (one transaction, so a crash leaves it scheduled and the retry starts over), issues the
 * personal links and queues the send jobs. A job for an older schedule, or for a distribution
 * edited back to draft or deleted, finds nothing to do.
 */
export const startDistribution = defineJob({
  name: 'distributions.start',
  payload: z.object({ distributionId: z.number().int().positive(), scheduledAt: z.string() }),
  batchSize: 1,
  concurrency: 1,
  retry: { limit: 3, delaySeconds: 30, backoff: true },
  expireInSeconds: 3600,
  async run({ distributionId, scheduledAt }, deps) {
    const outcome = await deps.db.orm.transaction(async (tx) => {
      const [row] = await queryRows<{ id: number }>(
        tx,
        sql`SELECT id FROM distributions WHERE id = ${distributionId} AND status = 'scheduled'
            AND scheduled_at = ${scheduledAt}::timestamptz FOR UPDATE`,
      );
      if (!row) return 'stale';
      const [distribution] = await tx
        .select()
        .from(distributions)
        .where(eq(distributions.id, distributionId));
      const survey = await getSurveyRow(tx, distribution!.surveyId);
      if (survey.status !== 'active') {
        await tx
          .update(distributions)
          .set({
            status: 'failed',
            error: `The survey "${survey.name}" is ${survey.status}: activate it, then send again`,
          })
          .where(eq(distributions.id, distributionId));
        return 'failed';
      }
      const rules = await getSendingRules(tx, distribution!.directoryId);
      const audience = distribution!.kind === 'invitation' ? (distribution!.recipients as Audience) : null;
      const frequencyRules = distribution!.transactional
        ? []
        : rulesFor(rules.frequencyRules, {
            surveyId: distribution!.surveyId,
            mailingListId: audience?.type === 'mailingList' ? audience.mailingListId : null,
          });
      await buildRecipients(tx, {
        distribution: distribution!,
        exclusions: rules.exclusions,
        frequencyRules,
        audience,
        linkExpiresAt: distribution!.linkExpiresInDays
          ? new Date(Date.now() + distribution!.linkExpiresInDays * 86_400_000)
          : null,
      });
      await tx
        .update(distributions)
        .set({ status: 'sending', startedAt: new Date(), error: null })
        .where(eq(distributions.id, distributionId));
      const batches = await enqueueBatches(tx, deps.jobs, distributionId);
      return `queued ${batches} batch(es)`;
    });
    if (outcome.startsWith('queued')) await completeIfDone(deps.db, distributionId);
    return { outcome };
  },
});

export const distributionsJobs = [startDistribution, sendDistributionBatch];
