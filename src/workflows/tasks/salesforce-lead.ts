import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import {
  listLeadForms,
  submitLead,
  WebToLeadLimitError,
} from '../../salesforce/web-to-lead/web-to-lead.service.ts';
import { systemActor } from '../../users/roles.ts';
import { salesforceTemplateData, sourceKeyOf } from './salesforce-data.ts';
import { defineTask, PermanentTaskError } from './task-type.ts';

/**
 * Web-to-Lead: a Lead from the run's record (a prospect's response), through one of the
 * directory's saved lead forms (the API, or the org's Web-to-Lead form within its 500 a day).
 * Sent once per source record: the connector keeps what it sent.
 */
export const salesforceLeadTask = defineTask({
  type: 'salesforce.web_to_lead',
  category: 'salesforce',
  label: 'Create a Salesforce Lead (Web-to-Lead)',
  description: 'Sends the run’s record (a response) to Salesforce as a Lead through a saved lead form.',
  input: z
    .object({
      formId: z.number().int().positive(),
      sourceKey: z.string().min(1).max(200).optional(),
    })
    .strict(),
  output: z.object({
    status: z.string(),
    leadId: z.string().nullable(),
    message: z.string().nullable(),
  }),
  retry: { limit: 3, delaySeconds: 300 },
  async check(db, directoryId, input) {
    if (typeof input.formId !== 'number') return [];
    const forms = await listLeadForms(db, systemActor('workflows'), directoryId);
    return forms.some((f) => f.id === input.formId)
      ? []
      : [{ path: 'formId', message: `no lead form ${input.formId} in this directory` }];
  },
  async run(input, ctx) {
    const forms = await listLeadForms(ctx.deps.db.orm, ctx.actor, ctx.workflow.directoryId);
    if (!forms.some((f) => f.id === input.formId))
      throw new PermanentTaskError(`No lead form ${input.formId} in this directory`);
    try {
      const outcome = await submitLead(
        { db: ctx.deps.db, secrets: ctx.deps.secrets, logger: ctx.logger },
        input.formId,
        {
          key: sourceKeyOf(ctx.pipe, input.sourceKey, ctx.idempotencyKey),
          data: salesforceTemplateData(ctx.pipe),
        },
      );
      if (outcome.status === 'failed')
        throw new PermanentTaskError(`Salesforce refused the lead: ${outcome.message ?? ''}`);
      return { status: outcome.status, leadId: outcome.leadId, message: outcome.message };
    } catch (error) {
      // The day's 500 form posts are used up: a later attempt may find a free slot.
      if (error instanceof WebToLeadLimitError) throw new Error(error.message);
      if (error instanceof AppError && error.status < 500) throw new PermanentTaskError(error.message);
      throw error;
    }
  },
});
