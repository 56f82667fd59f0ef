import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { findDirectory } from '../../directory/directories.service.ts';
import { matchContacts } from '../../directory/lookups.service.ts';
import { createDistribution } from '../../distributions/distributions.service.ts';
import { ZEmailMessage, ZSmsMessage } from '../../distributions/message.ts';
import type { Database, Executor, Tx } from '../../platform/db/database.ts';
import { queryRows } from '../../platform/db/database.ts';
import { AppError, isAppError, notFound, validationFailed } from '../../platform/errors.ts';
import { emitEvent } from '../../platform/events/events.ts';
import type { JobQueue } from '../../platform/jobs/job-queue.ts';
import type { Logger } from '../../platform/logger.ts';
import type { SecretBox } from '../../platform/secrets/secret-box.ts';
import { getSurveyRow } from '../../surveys/surveys.service.ts';
import { recordAudit } from '../../system/audit.service.ts';
import { type Actor, actorLabel, authorize, systemActor } from '../../users/roles.ts';
import { getConnectionRow } from '../connections/connections.service.ts';
import {
  salesforceConnections,
  salesforceOutboundNotifications,
  salesforceOutboundTriggers,
} from '../salesforce.schema.ts';
import { type EnvelopeError, type OutboundNotification, parseOutboundMessage, sameOrg } from './envelope.ts';

export const ZOutboundAction = z.discriminatedUnion('kind', [
  /** Record the notification and emit salesforce.outbound_message (a workflow may act on it). */
  z.object({ kind: z.literal('event') }),
  /** Also start a survey for the record's contact (e.g. Case closed → CSAT to the case's contact). */
  z.object({
    kind: z.literal('survey'),
    surveyId: z.number().int().positive(),
    /** The notification field holding the contact's Salesforce Id, matched to contacts' external reference. */
    contactField: z.string().trim().min(1).max(100).default('ContactId'),
    channel: z.enum(['email', 'sms']).default('email'),
    message: z.record(z.string(), z.unknown()),
    /** Embedded data: a distribution source (contact.externalRef …) or field:<Name> of the notification. */
    embedded: z.record(z.string(), z.string().max(300)).default({}),
    linkExpiresInDays: z.number().int().min(1).max(365).optional(),
  }),
]);
export type OutboundAction = z.output<typeof ZOutboundAction>;

export const ZTriggerInput = z.object({
  name: z.string().trim().min(1).max(200),
  connectionId: z.number().int().positive(),
  /** The sObject of the outbound message (Case, Account, Opportunity …). */
  object: z
    .string()
    .trim()
    .regex(/^\w{1,80}$/),
  action: ZOutboundAction,
  enabled: z.boolean().default(true),
});

type TriggerRow = typeof salesforceOutboundTriggers.$inferSelect;
const secretContext = (id: number) => `salesforce_outbound_triggers:${id}:secret`;
export const outboundPath = (id: number, secret: string) =>
  `/api/v1/public/salesforce/outbound/${id}/${secret}`;

function toPublicTrigger(row: TriggerRow, secrets: SecretBox) {
  return {
    id: row.id,
    directoryId: row.directoryId,
    connectionId: row.connectionId,
    name: row.name,
    object: row.object,
    action: row.action as OutboundAction,
    enabled: row.enabled,
    /** The endpoint to paste into the Outbound Message definition (its secret is the credential). */
    path: outboundPath(row.id, secrets.decrypt(row.secretSealed, secretContext(row.id))),
    lastReceivedAt: row.lastReceivedAt?.toISOString() ?? null,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}
export type PublicTrigger = ReturnType<typeof toPublicTrigger>;

async function checkTrigger(db: Executor, directoryId: number, input: z.output<typeof ZTriggerInput>) {
  const problems: { path: string; message: string }[] = [];
  await getConnectionRow(db, input.connectionId);
  if (input.action.kind === 'survey') {
    const survey = await getSurveyRow(db, input.action.surveyId).catch(() => null);
    if (!survey || survey.directoryId !== directoryId)
      problems.push({ path: 'action.surveyId', message: 'expected a survey of this directory' });
    const parsed = (input.action.channel === 'email' ? ZEmailMessage : ZSmsMessage).safeParse(
      input.action.message,
    );
    if (!parsed.success)
      for (const issue of parsed.error.issues)
        problems.push({ path: ['action', 'message', ...issue.path].join('.'), message: issue.message });
  }
  if (problems.length) throw validationFailed('The trigger cannot be saved as it is', problems);
}

export async function createTrigger(
  deps: { db: Database; secrets: SecretBox },
  actor: Actor,
  directory: string | number,
  raw: unknown,
) {
  authorize(actor, 'data:write');
  const dir = await findDirectory(deps.db.orm, directory);
  const input = ZTriggerInput.parse(raw);
  await checkTrigger(deps.db.orm, dir.id, input);
  const secret = randomBytes(32).toString('base64url');
  const row = await deps.db.orm.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(salesforceOutboundTriggers)
      .values({ ...input, directoryId: dir.id, secretSealed: '-', createdBy: actorLabel(actor) })
      .returning();
    const [saved] = await tx
      .update(salesforceOutboundTriggers)
      .set({ secretSealed: deps.secrets.encrypt(secret, secretContext(inserted!.id)) })
      .where(eq(salesforceOutboundTriggers.id, inserted!.id))
      .returning();
    await recordAudit(tx, actor, {
      action: 'salesforce.trigger_created',
      targetType: 'salesforce_outbound_trigger',
      targetId: inserted!.id,
      details: { name: input.name, object: input.object, action: input.action.kind },
    });
    return saved!;
  });
  return toPublicTrigger(row, deps.secrets);
}

export async function updateTrigger(
  deps: { db: Database; secrets: SecretBox },
  actor: Actor,
  id: number,
  raw: unknown,
) {
  authorize(actor, 'data:write');
  const [existing] = await deps.db.orm
    .select()
    .from(salesforceOutboundTriggers)
    .where(eq(salesforceOutboundTriggers.id, id));
  if (!existing) throw notFound(`No Outbound Message trigger ${id}`);
  const input = ZTriggerInput.parse(raw);
  await checkTrigger(deps.db.orm, existing.directoryId, input);
  const [row] = await deps.db.orm
    .update(salesforceOutboundTriggers)
    .set({ ...input, updatedAt: new Date() })
    .where(eq(salesforceOutboundTriggers.id, id))
    .returning();
  return toPublicTrigger(row!, deps.secrets);
}

export async function listTriggers(
  db: Executor,
  secrets: SecretBox,
  actor: Actor,
  directory: string | number,
) {
  authorize(actor, 'data:write');
  const dir = await findDirectory(db, directory);
  const rows = await db
    .select()
    .from(salesforceOutboundTriggers)
    .where(eq(salesforceOutboundTriggers.directoryId, dir.id))
    .orderBy(salesforceOutboundTriggers.id);
  return rows.map((r) => toPublicTrigger(r, secrets));
}

export async function deleteTrigger(db: Database, actor: Actor, id: number) {
  authorize(actor, 'data:write');
  await db.orm.transaction(async (tx) => {
    const [row] = await tx
      .delete(salesforceOutboundTriggers)
      .where(eq(salesforceOutboundTriggers.id, id))
      .returning();
    if (!row) throw notFound(`No Outbound Message trigger ${id}`);
    await recordAudit(tx, actor, {
      action: 'salesforce.trigger_deleted',
      targetType: 'salesforce_outbound_trigger',
      targetId: id,
      details: { name: row.name },
    });
  });
  return { deleted: true };
}

export async function listNotifications(
  db: Executor,
  actor: Actor,
  triggerId: number,
  before: number | undefined,
  limit: number,
) {
  authorize(actor, 'data:read');
  const rows = await db
    .select()
    .from(salesforceOutboundNotifications)
    .where(
      and(
        eq(salesforceOutboundNotifications.triggerId, triggerId),
        before ? lt(salesforceOutboundNotifications.id, before) : undefined,
      ),
    )
    .orderBy(desc(salesforceOutboundNotifications.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit).map((n) => ({
    id: n.id,
    notificationId: n.notificationId,
    object: n.object,
    recordId: n.recordId,
    fields: n.fields as Record<string, string>,
    deliveries: n.deliveries,
    outcome: n.outcome,
    distributionId: n.distributionId,
    detail: n.detail,
    receivedAt: n.receivedAt.toISOString(),
    lastDeliveryAt: n.lastDeliveryAt.toISOString(),
  }));
  return { items, nextCursor: rows.length > limit ? String(items.at(-1)!.id) : null };
}

/** Refusals answer a SOAP fault: the message stays queued at Salesforce, which retries it. */
export class OutboundRefusal extends AppError {}
const refuse = (status: number, code: string, message: string) => new OutboundRefusal(status, code, message);

function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export interface ReceiveDeps {
  db: Database;
  secrets: SecretBox;
  jobs: JobQueue;
  logger: Logger;
}

/**
 * One Outbound Message delivery: the trigger's secret (timing-safe) and the sending org
 * (OrganizationId against the trigger's connection) are checked, then every notification is
 * recorded once — a retry of a notification (Salesforce retries for 24 hours until it gets the
 * Ack) only counts the delivery — and each new one emits salesforce.outbound_message and, for a
 * survey trigger, starts the survey, all in one transaction: the Ack goes out only once it committed.
 */
export async function receiveOutboundMessage(
  deps: ReceiveDeps,
  triggerId: number,
  secret: string,
  xml: string,
) {
  const { db, secrets } = deps;
  const [trigger] = await db.orm
    .select()
    .from(salesforceOutboundTriggers)
    .where(eq(salesforceOutboundTriggers.id, triggerId));
  const expected = trigger
    ? secrets.decrypt(trigger.secretSealed, secretContext(trigger.id))
    : randomBytes(32).toString('base64url');
  if (!sameSecret(secret, expected) || !trigger)
    throw refuse(404, 'not_found', 'No such Outbound Message endpoint');
  if (!trigger.enabled) throw refuse(403, 'forbidden', 'This trigger is disabled');
  let message: ReturnType<typeof parseOutboundMessage>;
  try {
    message = parseOutboundMessage(xml);
  } catch (error) {
    throw refuse(400, 'bad_request', (error as EnvelopeError).message);
  }
  const [connection] = trigger.connectionId
    ? await db.orm
        .select()
        .from(salesforceConnections)
        .where(eq(salesforceConnections.id, trigger.connectionId))
    : [];
  if (!connection?.orgId)
    throw refuse(403, 'forbidden', "The trigger's Salesforce connection was disconnected");
  if (!sameOrg(message.organizationId, connection.orgId))
    throw refuse(
      403,
      'forbidden',
      `The message comes from org ${message.organizationId}, not the trigger's org`,
    );
  const wrongObject = message.notifications.find(
    (n) => n.object && n.object.toLowerCase() !== trigger.object.toLowerCase(),
  );
  if (wrongObject)
    throw refuse(
      400,
      'bad_request',
      `This trigger takes ${trigger.object} records, not ${wrongObject.object}`,
    );

  const outcomes = await db.orm.transaction(async (tx) => {
    const results: {
      notificationId: string;
      duplicate: boolean;
      outcome: string;
      distributionId: number | null;
    }[] = [];
    for (const notification of message.notifications) {
      const [row] = await queryRows<{
        id: number;
        inserted: boolean;
        outcome: string;
        distribution_id: number | null;
      }>(
        tx,
        sql`INSERT INTO salesforce_outbound_notifications (trigger_id, notification_id, object, record_id, fields, outcome)
            VALUES (${trigger.id}, ${notification.id}, ${notification.object || trigger.object}, ${notification.fields.Id ?? null},
                    ${JSON.stringify(notification.fields)}::jsonb, 'event')
            ON CONFLICT (trigger_id, notification_id)
            DO UPDATE SET deliveries = salesforce_outbound_notifications.deliveries + 1, last_delivery_at = now()
            RETURNING id, (xmax = 0) AS inserted, outcome, distribution_id`,
      );
      if (!row!.inserted) {
        results.push({
          notificationId: notification.id,
          duplicate: true,
          outcome: row!.outcome,
          distributionId: row!.distribution_id,
        });
        continue;
      }
      await emitEvent(tx, 'salesforce.outbound_message', `salesforce_notification:${row!.id}`, {
        triggerId: trigger.id,
        directoryId: trigger.directoryId,
        notificationId: notification.id,
        organizationId: message.organizationId,
        actionId: message.actionId,
        object: notification.object || trigger.object,
        recordId: notification.fields.Id ?? null,
        fields: notification.fields,
      });
      const action = trigger.action as OutboundAction;
      const done =
        action.kind === 'survey'
          ? await startSurvey(tx, deps, trigger, action, notification)
          : { outcome: 'event', distributionId: null, detail: null };
      await tx
        .update(salesforceOutboundNotifications)
        .set({ outcome: done.outcome, distributionId: done.distributionId, detail: done.detail })
        .where(eq(salesforceOutboundNotifications.id, row!.id));
      results.push({ notificationId: notification.id, duplicate: false, ...done });
    }
    await tx
      .update(salesforceOutboundTriggers)
      .set({ lastReceivedAt: new Date() })
      .where(eq(salesforceOutboundTriggers.id, trigger.id));
    return results;
  });
  deps.logger.info({ triggerId, notifications: outcomes }, 'Salesforce outbound message received');
  return outcomes;
}

/**
 * Starts the trigger's survey for the record's contact: a transactional distribution (frequency
 * rules do not hold it back) to that one contact, created in the caller's transaction so that it
 * exists exactly when the notification is recorded.
 */
async function startSurvey(
  tx: Tx,
  deps: ReceiveDeps,
  trigger: TriggerRow,
  action: Extract<OutboundAction, { kind: 'survey' }>,
  notification: OutboundNotification,
): Promise<{ outcome: string; distributionId: number | null; detail: string | null }> {
  const contactRef = notification.fields[action.contactField];
  if (!contactRef)
    return {
      outcome: 'no_contact',
      distributionId: null,
      detail: `The notification has no ${action.contactField}`,
    };
  const [contact] = await matchContacts(tx, trigger.directoryId, { externalRefs: [contactRef], emails: [] });
  if (!contact)
    return {
      outcome: 'no_contact',
      distributionId: null,
      detail: `No contact of the directory has the external reference ${contactRef} (sync the directory first)`,
    };
  const objectKey = `sf${trigger.object.replace(/__c$/, '').replace(/\W/g, '')}Id`;
  const embedded: Record<string, string> = {
    sfContactId: 'contact.externalRef',
    sfAccountId: 'account.externalRef',
    [objectKey]: `const:${notification.fields.Id ?? ''}`,
  };
  for (const [name, source] of Object.entries(action.embedded)) {
    embedded[name] = source.startsWith('field:')
      ? `const:${notification.fields[source.slice(6)] ?? ''}`
      : source;
  }
  // The caller's transaction as the service's database: its own transaction becomes a savepoint.
  const scoped = { ...deps.db, orm: tx } as unknown as Database;
  try {
    const distribution = await createDistribution(
      scoped,
      deps.jobs,
      systemActor(`salesforce-trigger:${trigger.id}`),
      trigger.directoryId,
      {
        surveyId: action.surveyId,
        name: `${trigger.name}: ${trigger.object} ${notification.fields.Id ?? notification.id}`.slice(0, 200),
        channel: action.channel,
        recipients: { type: 'contacts', contactIds: [contact.id] },
        message: action.message,
        embedded,
        transactional: true,
        schedule: null,
        ...(action.linkExpiresInDays ? { linkExpiresInDays: action.linkExpiresInDays } : {}),
      },
    );
    return { outcome: 'survey_started', distributionId: distribution.id, detail: null };
  } catch (error) {
    // A survey that cannot start (closed, an invalid message) will not start on a retry either: record why.
    if (isAppError(error)) {
      const details = error.details ? ` ${JSON.stringify(error.details)}` : '';
      return { outcome: 'failed', distributionId: null, detail: `${error.message}${details}`.slice(0, 2000) };
    }
    throw error;
  }
}
