import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import {
  getWritebackRow,
  listWritebackResults,
  runWriteback,
} from '../../salesforce/writeback/writeback.service.ts';
import { salesforceTemplateData, sourceKeyOf } from './salesforce-data.ts';
import { defineTask, PermanentTaskError } from './task-type.ts';

/**
 * Salesforce record insert / update / upsert / delete: runs one of the directory's saved
 * write-backs (its object, operation, field templates and condition, checked against the org when
 * it was saved) for the workflow's record — typically a response: the score written back to the
 * respondent's Contact. The connector's ledger makes an insert happen once per source key.
 */
export const salesforceWritebackTask = defineTask({
  type: 'salesforce.writeback',
  category: 'salesforce',
  label: 'Write to Salesforce (insert, update, upsert, delete)',
  description:
    'Runs a saved Salesforce write-back for this run’s record: templates read {{ response.answers.nps }}, {{ embedded.sfContactId }}, {{ event.… }}, {{ tasks.… }}.',
  input: z
    .object({
      writebackId: z.number().int().positive(),
      /** The record's key for "at most once" (default: the response, else this task of this run). */
      sourceKey: z.string().min(1).max(200).optional(),
      /** More values for the templates (`{{ extra.… }}`). */
      extra: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
  output: z.object({
    writebackRunId: z.number().int(),
    status: z.string(),
    operation: z.string(),
    object: z.string(),
    /** The record written (or deleted), when Salesforce says. */
    recordId: z.string().nullable(),
    outcome: z.string().nullable(),
    counts: z.record(z.string(), z.number()),
  }),
  retry: { limit: 3, delaySeconds: 60 },
  async check(db, directoryId, input) {
    if (typeof input.writebackId !== 'number') return [];
    const row = await getWritebackRow(db, input.writebackId).catch(() => null);
    return row && row.directoryId === directoryId
      ? []
      : [{ path: 'writebackId', message: `no Salesforce write-back ${input.writebackId} in this directory` }];
  },
  async run(input, ctx) {
    const definition = await getWritebackRow(ctx.deps.db.orm, input.writebackId).catch((error: unknown) => {
      if (error instanceof AppError) throw new PermanentTaskError(error.message);
      throw error;
    });
    if (definition.directoryId !== ctx.workflow.directoryId)
      throw new PermanentTaskError(`The write-back ${input.writebackId} belongs to another directory`);
    const key = sourceKeyOf(ctx.pipe, input.sourceKey, ctx.idempotencyKey);
    const run = await runWriteback(
      { db: ctx.deps.db, secrets: ctx.deps.secrets, logger: ctx.logger },
      input.writebackId,
      [{ key, data: salesforceTemplateData(ctx.pipe, input.extra ? { extra: input.extra } : {}) }],
      { source: `workflow:${ctx.workflow.id}`, createdBy: `system:workflow:${ctx.workflow.id}` },
    );
    const { items } = await listWritebackResults(ctx.deps.db.orm, ctx.actor, run.id, undefined, 1);
    const result = items[0] as
      | { outcome: string; sfId: string | null; errorCode: string | null; message: string | null }
      | undefined;
    if (run.status === 'failed') throw new Error(`The write-back stopped: ${run.error ?? 'see its run log'}`);
    if (result?.outcome === 'in_doubt')
      throw new Error(`Salesforce's answer was lost: ${result.message ?? ''}`);
    if (result?.outcome === 'failed')
      throw new PermanentTaskError(
        `Salesforce refused the record: ${result.errorCode ? `${result.errorCode}: ` : ''}${result.message ?? ''}`,
      );
    return {
      writebackRunId: run.id,
      status: run.status,
      operation: definition.operation,
      object: definition.object,
      recordId: result?.sfId ?? null,
      outcome: result?.outcome ?? null,
      counts: run.counts,
    };
  },
});
