import { z } from 'zod';
import { CLIENT_ROLES } from '../../directory/roles.ts';
import { createDistribution, listDistributions } from '../../distributions/distributions.service.ts';
import { getDistribution } from '../../distributions/stats.service.ts';
import { AppError } from '../../platform/errors.ts';
import { segmentDirectory } from '../../segments/segments.service.ts';
import { getSurveyRow } from '../../surveys/surveys.service.ts';
import type { Problem } from '../model.ts';
import { liquidRaw } from '../piping.ts';
import { defineTask, PermanentTaskError } from './task-type.ts';

/** The embedded field each workflow distribution carries: finds the distribution again after a crash. */
export const WORKFLOW_EMBEDDED_FIELD = 'rapportWorkflowRun';

const ZRecipients = z.discriminatedUnion('type', [
  /** A mailing list: the seed's "new mailing list" of the load task, `{{ tasks.load.mailingListId }}`. */
  z.object({ type: z.literal('mailingList'), mailingListId: z.number().int().positive() }).strict(),
  z
    .object({
      type: z.literal('segment'),
      segmentId: z.number().int().positive(),
      roles: z.array(z.enum(CLIENT_ROLES)).min(1).optional(),
    })
    .strict(),
  /** Contacts from the event or a previous task: `["{{ event.contact.id }}"]` or `{{ tasks.x.contactIds }}`. */
  z
    .object({
      type: z.literal('contacts'),
      contactIds: z.array(z.number().int().positive()).min(1).max(50_000),
    })
    .strict(),
]);

/**
 * Distribute a survey by email or SMS (the distributions domain does the rest: exclusions,
 * frequency rules, personal links, sending). Piped values in the message are written as text and
 * kept from being read as template code; `{{ link }}` and `{{ contact.firstName }}` are rendered
 * per recipient when the distribution sends.
 */
export const distributeSurveyTask = defineTask({
  type: 'distribution.send_survey',
  category: 'distribution',
  label: 'Distribute a survey',
  description: 'Sends a survey invitation by email or SMS to a mailing list, a segment or given contacts.',
  input: z
    .object({
      surveyId: z.number().int().positive(),
      name: z.string().trim().min(1).max(200),
      channel: z.enum(['email', 'sms']).default('email'),
      recipients: ZRecipients,
      /** Email: fromName, subject, text (with {{ link }}), html?, replyTo?; SMS: body, mode, phoneField. */
      message: z
        .object({
          fromName: z.string().optional(),
          fromAddress: z.string().optional(),
          replyTo: z.string().optional(),
          subject: z.string().optional(),
          text: z.string().optional(),
          html: z.string().optional(),
          trackOpens: z.boolean().optional(),
          body: z.string().optional(),
          mode: z.enum(['one_way', 'two_way']).optional(),
          phoneField: z.enum(['mobilePhone', 'phone', 'mobileThenPhone']).optional(),
        })
        .strict(),
      embedded: z.record(z.string(), z.string()).default({}),
      linkExpiresInDays: z.number().int().min(1).max(365).optional(),
      /** Send this many minutes after the task runs (0: now). */
      delayMinutes: z
        .number()
        .int()
        .min(0)
        .max(60 * 24 * 30)
        .default(0),
    })
    .strict(),
  output: z.object({
    distributionId: z.number().int(),
    name: z.string(),
    status: z.string(),
    channel: z.string(),
    surveyId: z.number().int(),
    scheduledAt: z.string().nullable(),
  }),
  fields: { message: { escape: liquidRaw }, name: {} },
  retry: { limit: 3, delaySeconds: 30 },
  async check(db, directoryId, input) {
    const problems: Problem[] = [];
    if (typeof input.surveyId === 'number') {
      const survey = await getSurveyRow(db, input.surveyId).catch(() => null);
      if (!survey || survey.directoryId !== directoryId)
        problems.push({ path: 'surveyId', message: `no survey ${input.surveyId} in this directory` });
    }
    const recipients = input.recipients as { type?: string; segmentId?: unknown } | undefined;
    if (recipients?.type === 'segment' && typeof recipients.segmentId === 'number') {
      const dir = await segmentDirectory(db, recipients.segmentId).catch(() => null);
      if (dir !== directoryId)
        problems.push({
          path: 'recipients.segmentId',
          message: `no segment ${recipients.segmentId} in this directory`,
        });
    }
    return problems;
  },
  async run(input, ctx) {
    const { db, jobs } = ctx.deps;
    const directoryId = ctx.workflow.directoryId;
    const view = async (id: number) => {
      const d = await getDistribution(db.orm, ctx.actor, id);
      return {
        distributionId: d.id,
        name: d.name,
        status: d.status,
        channel: d.channel,
        surveyId: d.surveyId,
        scheduledAt: d.scheduledAt,
      };
    };
    const known = ctx.checkpoint?.distributionId;
    if (typeof known === 'number') return view(known);
    if (ctx.checkpoint?.creating) {
      // An attempt cut off after creating: the distribution carries this task's key.
      const recent = await listDistributions(db.orm, ctx.actor, directoryId, {
        surveyId: input.surveyId,
        limit: 50,
      });
      const found = recent.items.find(
        (d) => d.embedded[WORKFLOW_EMBEDDED_FIELD] === `const:${ctx.idempotencyKey}`,
      );
      if (found) {
        await ctx.saveCheckpoint({ distributionId: found.id });
        return view(found.id);
      }
    }
    await ctx.saveCheckpoint({ creating: true });
    const at = input.delayMinutes > 0 ? new Date(Date.now() + input.delayMinutes * 60_000) : null;
    try {
      const row = await createDistribution(db, jobs, ctx.actor, directoryId, {
        surveyId: input.surveyId,
        name: input.name,
        channel: input.channel,
        recipients: input.recipients,
        message: input.message,
        embedded: { ...input.embedded, [WORKFLOW_EMBEDDED_FIELD]: `const:${ctx.idempotencyKey}` },
        ...(input.linkExpiresInDays ? { linkExpiresInDays: input.linkExpiresInDays } : {}),
        schedule: at ? { at: at.toISOString(), timeZone: 'UTC' } : null,
      });
      await ctx.saveCheckpoint({ distributionId: row.id });
      return view(row.id);
    } catch (error) {
      if (error instanceof AppError && error.status < 500) {
        const details = Array.isArray(error.details)
          ? `: ${(error.details as { path: string; message: string }[]).map((d) => `${d.path} ${d.message}`).join('; ')}`
          : '';
        throw new PermanentTaskError(`${error.message}${details}`);
      }
      throw error;
    }
  },
});
