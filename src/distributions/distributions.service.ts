import { and, desc, eq, inArray, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { ZAudience } from '../directory/audiences.ts';
import type { Database, Executor } from '../platform/db/database.ts';
import { badRequest, conflict, notFound, validationFailed } from '../platform/errors.ts';
import type { JobQueue } from '../platform/jobs/job-queue.ts';
import { smsCompatibility } from '../surveys/sms/sms-compatibility.ts';
import { getSurveyRow } from '../surveys/surveys.service.ts';
import { surveyDefinition } from '../surveys/versions.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { CHANNELS, DISTRIBUTION_KINDS, distributions } from './distributions.schema.ts';
import { ZEmbeddedMapping } from './embedded.ts';
import { type Message, messageHash, messageProblems, ZEmailMessage, ZSmsMessage } from './message.ts';
import { startDistribution } from './start.jobs.ts';
import { isTimeZone, utcToZonedTime, zonedTimeToUtc } from './zoned-time.ts';

export type DistributionRow = typeof distributions.$inferSelect;

const ZSchedule = z.object({
  /** A wall-clock time in `timeZone` ("2026-12-01T09:00"), or an ISO instant with its offset. */
  at: z.string().min(16).max(40),
  timeZone: z.string().refine(isTimeZone, { error: 'expected an IANA time zone such as Europe/Paris' }),
});

export const ZDistributionInput = z.object({
  surveyId: z.number().int().positive(),
  name: z.string().trim().min(1).max(200),
  channel: z.enum(CHANNELS),
  kind: z.enum(DISTRIBUTION_KINDS).default('invitation'),
  /** The invitation a reminder or thank-you follows. */
  parentId: z.number().int().positive().optional(),
  recipients: ZAudience.optional(),
  message: z.record(z.string(), z.unknown()),
  embedded: ZEmbeddedMapping.default({}),
  linkExpiresInDays: z.number().int().min(1).max(365).optional(),
  transactional: z.boolean().default(false),
  /** null: send now. Absent with `draft`: keep it as a draft. */
  schedule: ZSchedule.nullable().default(null),
  draft: z.boolean().default(false),
});
export type DistributionInput = z.input<typeof ZDistributionInput>;

const actorName = (actor: Actor) => (actor.kind === 'user' ? actor.email : actor.label);

/** Checks a distribution as a whole and returns the columns to store; every problem is listed. */
async function prepare(db: Executor, directoryId: number, input: z.output<typeof ZDistributionInput>) {
  const problems: { path: string; message: string }[] = [];
  const survey = await getSurveyRow(db, input.surveyId);
  if (survey.directoryId !== directoryId)
    problems.push({ path: 'surveyId', message: 'the survey belongs to another directory' });
  const parsed = (input.channel === 'email' ? ZEmailMessage : ZSmsMessage).safeParse(input.message);
  let message: Message | null = null;
  if (!parsed.success)
    for (const issue of parsed.error.issues)
      problems.push({ path: ['message', ...issue.path].join('.'), message: issue.message });
  else message = parsed.data;
  if (message) problems.push(...messageProblems(input.channel, message, input.kind !== 'thank_you'));

  if (input.kind === 'invitation' && !input.recipients)
    problems.push({ path: 'recipients', message: 'an invitation names its recipients' });
  if (input.kind !== 'invitation') {
    if (!input.parentId)
      problems.push({ path: 'parentId', message: `a ${input.kind} follows an invitation` });
    else {
      const [parent] = await db.select().from(distributions).where(eq(distributions.id, input.parentId));
      if (!parent || parent.directoryId !== directoryId || parent.kind !== 'invitation')
        problems.push({ path: 'parentId', message: 'expected an invitation of this directory' });
      else if (parent.surveyId !== input.surveyId)
        problems.push({ path: 'parentId', message: 'the invitation is for another survey' });
    }
  }
  if (input.channel === 'sms' && message && (message as { mode: string }).mode === 'two_way') {
    // Refused up front, with the reason, rather than failing on the first contact.
    const definition = await surveyDefinition(db, survey.id, survey.currentVersion);
    for (const p of smsCompatibility(definition).problems)
      problems.push({ path: `survey.${p.question}`, message: `cannot be asked by text: ${p.reason}` });
  }
  let scheduledAt: Date | null = null;
  if (input.schedule) {
    try {
      scheduledAt = /[zZ]|[+-]\d{2}:?\d{2}$/.test(input.schedule.at)
        ? new Date(input.schedule.at)
        : zonedTimeToUtc(input.schedule.at, input.schedule.timeZone);
      if (Number.isNaN(scheduledAt.getTime())) throw new RangeError('not a date');
    } catch (error) {
      problems.push({ path: 'schedule.at', message: (error as Error).message });
    }
  }
  if (problems.length) throw validationFailed('The distribution cannot be saved as it is', problems);
  return {
    survey,
    values: {
      surveyId: input.surveyId,
      name: input.name,
      channel: input.channel,
      kind: input.kind,
      parentId: input.parentId ?? null,
      recipients: input.recipients ?? null,
      message: message!,
      messageHash: messageHash(input.channel, message!),
      embedded: input.embedded,
      linkExpiresInDays: input.linkExpiresInDays ?? null,
      transactional: input.transactional,
      scheduledAt: input.draft ? scheduledAt : (scheduledAt ?? new Date()),
      timeZone: input.schedule?.timeZone ?? 'UTC',
      status: input.draft ? ('draft' as const) : ('scheduled' as const),
    },
  };
}

/** Creates a distribution: a draft, or scheduled (now or later). The start job does the rest. */
export async function createDistribution(
  db: Database,
  jobs: JobQueue,
  actor: Actor,
  directoryId: number,
  raw: unknown,
) {
  authorize(actor, 'data:write');
  const input = ZDistributionInput.parse(raw);
  const { values } = await prepare(db.orm, directoryId, input);
  const by = actorName(actor);
  const id = await db.orm.transaction(async (tx) => {
    const [row] = await tx
      .insert(distributions)
      .values({ ...values, directoryId, recipients: values.recipients ?? {}, createdBy: by, updatedBy: by })
      .returning();
    if (row!.status === 'scheduled') await schedule(tx, jobs, row!);
    await recordAudit(tx, actor, {
      action: 'distribution.created',
      targetType: 'distribution',
      targetId: row!.id,
      details: {
        name: row!.name,
        channel: row!.channel,
        scheduledAt: row!.scheduledAt?.toISOString() ?? null,
      },
    });
    return row!.id;
  });
  return getDistributionRow(db.orm, id);
}

/** Queues the start at the scheduled time; a changed schedule makes the old job a no-op. */
async function schedule(tx: Executor, jobs: JobQueue, row: DistributionRow) {
  const at = row.scheduledAt ?? new Date();
  const jobId = await jobs.send(
    startDistribution,
    { distributionId: row.id, scheduledAt: at.toISOString() },
    { startAfter: at, tx: tx as never },
  );
  await tx.update(distributions).set({ startJobId: jobId }).where(eq(distributions.id, row.id));
}

/** Edits a draft or scheduled distribution (the seed: "scheduled distributions can be edited"). */
export async function updateDistribution(
  db: Database,
  jobs: JobQueue,
  actor: Actor,
  id: number,
  raw: unknown,
) {
  authorize(actor, 'data:write');
  const current = await getDistributionRow(db.orm, id);
  if (!['draft', 'scheduled'].includes(current.status))
    throw conflict(`This distribution is ${current.status}: only a draft or a scheduled one can be edited`);
  const input = ZDistributionInput.parse(raw);
  const { values } = await prepare(db.orm, current.directoryId, input);
  await db.orm.transaction(async (tx) => {
    const [row] = await tx
      .update(distributions)
      .set({
        ...values,
        recipients: values.recipients ?? {},
        updatedBy: actorName(actor),
        updatedAt: new Date(),
      })
      .where(and(eq(distributions.id, id), inArray(distributions.status, ['draft', 'scheduled'])))
      .returning();
    if (!row) throw conflict('This distribution has just started: it can no longer be edited');
    if (row.status === 'scheduled') await schedule(tx, jobs, row);
    await recordAudit(tx, actor, {
      action: 'distribution.updated',
      targetType: 'distribution',
      targetId: id,
    });
  });
  return getDistributionRow(db.orm, id);
}

/** Deletes a distribution that has not started (its start job then finds nothing to do). */
export async function deleteDistribution(db: Database, actor: Actor, id: number) {
  authorize(actor, 'data:write');
  await db.orm.transaction(async (tx) => {
    const [row] = await tx
      .delete(distributions)
      .where(and(eq(distributions.id, id), inArray(distributions.status, ['draft', 'scheduled'])))
      .returning();
    if (!row) {
      const [exists] = await tx.select().from(distributions).where(eq(distributions.id, id));
      if (!exists) throw notFound(`No distribution ${id}`);
      throw conflict(`This distribution is ${exists.status}: it has started and is kept for its statistics`);
    }
    await recordAudit(tx, actor, {
      action: 'distribution.deleted',
      targetType: 'distribution',
      targetId: id,
      details: { name: row.name },
    });
  });
}

export async function getDistributionRow(db: Executor, id: number): Promise<DistributionRow> {
  const [row] = await db.select().from(distributions).where(eq(distributions.id, id));
  if (!row) throw notFound(`No distribution ${id}`);
  return row;
}

export function toPublicDistribution(row: DistributionRow) {
  return {
    id: row.id,
    directoryId: row.directoryId,
    surveyId: row.surveyId,
    parentId: row.parentId,
    name: row.name,
    kind: row.kind,
    channel: row.channel,
    status: row.status,
    recipients: row.recipients as Record<string, unknown>,
    message: row.message as Record<string, unknown>,
    embedded: row.embedded,
    linkExpiresInDays: row.linkExpiresInDays,
    transactional: row.transactional,
    scheduledAt: row.scheduledAt?.toISOString() ?? null,
    timeZone: row.timeZone,
    /** The schedule as it was given: wall-clock time in its zone. */
    scheduledLocal: row.scheduledAt ? utcToZonedTime(row.scheduledAt, row.timeZone) : null,
    error: row.error,
    createdBy: row.createdBy,
    updatedBy: row.updatedBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}

export const ZDistributionQuery = z.object({
  /** scheduled: drafts and scheduled ones; sent: everything that started. */
  tab: z.enum(['scheduled', 'sent']).optional(),
  surveyId: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.coerce.number().int().positive().optional(),
});

export async function listDistributions(
  db: Executor,
  actor: Actor,
  directoryId: number,
  query: z.output<typeof ZDistributionQuery>,
) {
  authorize(actor, 'data:read');
  const where: SQL[] = [eq(distributions.directoryId, directoryId)];
  if (query.tab === 'scheduled') where.push(inArray(distributions.status, ['draft', 'scheduled']));
  if (query.tab === 'sent')
    where.push(
      inArray(distributions.status, ['building', 'sending', 'paused', 'completed', 'cancelled', 'failed']),
    );
  if (query.surveyId) where.push(eq(distributions.surveyId, query.surveyId));
  if (query.cursor) where.push(lt(distributions.id, query.cursor));
  const rows = await db
    .select()
    .from(distributions)
    .where(and(...where))
    .orderBy(desc(distributions.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  return {
    items: page.map(toPublicDistribution),
    nextCursor: rows.length > query.limit ? String(page.at(-1)!.id) : null,
  };
}

/** Pauses a distribution that is sending, or resumes a paused one. */
export async function setPaused(db: Database, jobs: JobQueue, actor: Actor, id: number, paused: boolean) {
  authorize(actor, 'data:write');
  const { resumeSending } = await import('./start.jobs.ts');
  await db.orm.transaction(async (tx) => {
    const [row] = await tx
      .update(distributions)
      .set({
        status: paused ? 'paused' : 'sending',
        error: null,
        updatedBy: actorName(actor),
        updatedAt: new Date(),
      })
      .where(and(eq(distributions.id, id), eq(distributions.status, paused ? 'sending' : 'paused')))
      .returning();
    if (!row) {
      const current = await getDistributionRow(tx, id);
      throw badRequest(
        `This distribution is ${current.status}: it cannot be ${paused ? 'paused' : 'resumed'}`,
      );
    }
    if (!paused) await resumeSending(tx, jobs, id);
    await recordAudit(tx, actor, {
      action: paused ? 'distribution.paused' : 'distribution.resumed',
      targetType: 'distribution',
      targetId: id,
    });
  });
  return getDistributionRow(db.orm, id);
}
