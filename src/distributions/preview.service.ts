import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Audience, audienceCount, audienceRows } from '../directory/audiences.ts';
import { countSegments } from '../integrations/sms/sms-provider.ts';
import { type Database, type Executor, queryRows } from '../platform/db/database.ts';
import { badRequest, validationFailed } from '../platform/errors.ts';
import type { SecretBox } from '../platform/secrets/secret-box.ts';
import { getSurveyRow } from '../surveys/surveys.service.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { CHANNELS } from './distributions.schema.ts';
import { getDistributionRow } from './distributions.service.ts';
import { embeddedSql, ZEmbeddedMapping } from './embedded.ts';
import { messageProblems, ZEmailMessage, ZSmsMessage } from './message.ts';
import { type OutgoingRecipient, renderOutgoing } from './outgoing.ts';
import { openTransport } from './providers.ts';

export const ZPreview = z.object({
  surveyId: z.number().int().positive(),
  channel: z.enum(CHANNELS),
  message: z.record(z.string(), z.unknown()),
  embedded: ZEmbeddedMapping.default({}),
  /** The contact to render for; absent: the sample contact. */
  contactId: z.number().int().positive().optional(),
});

export const ZSendTest = z.object({
  /** An email address (email distributions) or an E.164 number (SMS). */
  to: z.string().trim().min(3).max(320),
  contactId: z.number().int().positive().optional(),
});

const SAMPLE: OutgoingRecipient = {
  contact_id: 0,
  address: null,
  locale: null,
  link_token: 'preview-link',
  embedded: {},
  role: 'DECISION_MAKER',
  first_name: 'Alan',
  last_name: 'Johnson',
  email: 'alan@gogetcloudy.com',
  phone: '+17204441229',
  language: 'en',
  external_ref: '003A',
  attributes: {},
  account_name: 'Get Cloudy Consulting',
  account_external_ref: '001B',
  account_attributes: {},
};

/** The contact as a send would see them (their main account and role), with the embedded mapping. */
async function recipientFor(
  db: Executor,
  directoryId: number,
  contactId: number,
  mapping: Record<string, string>,
  channel: 'email' | 'sms',
  phoneField: string | undefined,
): Promise<OutgoingRecipient> {
  const audience: Audience = { type: 'contacts', contactIds: [contactId] };
  // The address a send would use (the same choice as build-recipients.ts).
  const address =
    channel === 'email'
      ? sql`au.email`
      : phoneField === 'phone'
        ? sql`au.phone`
        : phoneField === 'mobilePhone'
          ? sql`au.mobile_phone`
          : sql`coalesce(au.mobile_phone, au.phone)`;
  const [row] = await queryRows<OutgoingRecipient>(
    db,
    sql`SELECT au.*, ${address} AS address,
          au.language AS locale, 'preview-link' AS link_token, ${embeddedSql(mapping, 'au')} AS embedded
        FROM (${audienceRows(directoryId, audience)}) au`,
  );
  if (!row) throw badRequest(`Contact ${contactId} is not in this directory`);
  return row;
}

/** The message rendered for one contact: what they would receive, link and piped text included. */
export async function previewMessage(
  db: Executor,
  secrets: SecretBox,
  actor: Actor,
  directoryId: number,
  input: z.output<typeof ZPreview>,
  publicUrl: string,
) {
  authorize(actor, 'data:read');
  const parsed = (input.channel === 'email' ? ZEmailMessage : ZSmsMessage).safeParse(input.message);
  if (!parsed.success)
    throw validationFailed(
      'The message is not complete',
      parsed.error.issues.map((i) => ({ path: ['message', ...i.path].join('.'), message: i.message })),
    );
  const problems = messageProblems(input.channel, parsed.data, false);
  if (problems.length) throw validationFailed('The message has template errors', problems);
  const survey = await getSurveyRow(db, input.surveyId);
  const row = input.contactId
    ? await recipientFor(
        db,
        directoryId,
        input.contactId,
        input.embedded,
        input.channel,
        (parsed.data as { phoneField?: string }).phoneField,
      )
    : { ...SAMPLE, address: input.channel === 'email' ? SAMPLE.email : SAMPLE.phone };
  const fake = {
    id: 0,
    directoryId,
    channel: input.channel,
    message: parsed.data,
  } as unknown as Parameters<typeof renderOutgoing>[1];
  const out = renderOutgoing({ secrets, publicUrl }, fake, survey.name, row, { sample: true });
  return {
    to: row.address,
    subject: out.subject ?? null,
    text: out.text,
    html: out.html ?? null,
    segments: input.channel === 'sms' ? countSegments(out.text) : null,
  };
}

export async function audiencePreview(db: Executor, actor: Actor, directoryId: number, audience: Audience) {
  authorize(actor, 'data:read');
  const [row] = await queryRows<{ n: number }>(db, audienceCount(directoryId, audience));
  return { contacts: row?.n ?? 0 };
}

/**
 * Sends the distribution's message once to a test address or number, rendered for a contact (or
 * the sample one), subject marked [Test]. Not a recipient, not counted, recorded in the audit log.
 */
export async function sendTest(
  db: Database,
  secrets: SecretBox,
  actor: Actor,
  distributionId: number,
  input: z.output<typeof ZSendTest>,
  publicUrl: string,
) {
  authorize(actor, 'data:write');
  const distribution = await getDistributionRow(db.orm, distributionId);
  const valid =
    distribution.channel === 'email'
      ? z.email().safeParse(input.to).success
      : /^\+[1-9][0-9]{6,14}$/.test(input.to);
  if (!valid)
    throw validationFailed('Not a valid test recipient', [
      {
        path: 'to',
        message:
          distribution.channel === 'email'
            ? 'expected an email address'
            : 'expected an E.164 number (+33612345678)',
      },
    ]);
  const survey = await getSurveyRow(db.orm, distribution.surveyId);
  const row = input.contactId
    ? await recipientFor(
        db.orm,
        distribution.directoryId,
        input.contactId,
        distribution.embedded,
        distribution.channel,
        (distribution.message as { phoneField?: string }).phoneField,
      )
    : SAMPLE;
  const message = renderOutgoing(
    { secrets, publicUrl },
    distribution,
    survey.name,
    { ...row, address: input.to },
    { sample: true },
  );
  if (message.subject) message.subject = `[Test] ${message.subject}`;
  message.idempotencyKey = `rapport-test-${randomBytes(12).toString('hex')}`;
  delete message.distributionId;
  const transport = await openTransport(db, secrets, distribution.channel, { publicUrl });
  try {
    const outcome = await transport.send(message);
    if (outcome.status !== 'sent') throw badRequest(`The test was not sent: ${outcome.message}`);
    await recordAudit(db.orm, actor, {
      action: 'distribution.test_sent',
      targetType: 'distribution',
      targetId: distributionId,
      details: { to: input.to },
    });
    return { to: input.to, providerMessageId: outcome.providerMessageId };
  } finally {
    await transport.close();
  }
}
