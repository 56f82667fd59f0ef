import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { directories } from '../directory/directory.schema.ts';
import { surveys } from '../surveys/surveys.schema.ts';

export const CHANNELS = ['email', 'sms'] as const;
export const DISTRIBUTION_KINDS = ['invitation', 'reminder', 'thank_you'] as const;
export const DISTRIBUTION_STATUSES = [
  'draft',
  'scheduled',
  'building',
  'sending',
  'paused',
  'completed',
  'cancelled',
  'failed',
] as const;
/**
 * A recipient's fate. The first five are decided when the recipient set is built (the seed's
 * "# opted out", "# missing email", "# missing phone" …); the rest follow the message.
 */
export const RECIPIENT_STATUSES = [
  'excluded',
  'missing_email',
  'missing_phone',
  'duplicate',
  'frequency_limited',
  'pending',
  'sending',
  'sent',
  'delivered',
  'bounced',
  'failed',
] as const;

export const channel = pgEnum('message_channel', CHANNELS);
export const distributionKind = pgEnum('distribution_kind', DISTRIBUTION_KINDS);
export const distributionStatus = pgEnum('distribution_status', DISTRIBUTION_STATUSES);
export const recipientStatus = pgEnum('recipient_status', RECIPIENT_STATUSES);

/** Saved, reusable messages (the library): subject and bodies with LiquidJS piped text. */
export const messageTemplates = pgTable(
  'message_templates',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    directoryId: bigint('directory_id', { mode: 'number' })
      .notNull()
      .references(() => directories.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    channel: channel('channel').notNull(),
    kind: distributionKind('kind').notNull().default('invitation'),
    subject: text('subject'),
    html: text('html'),
    text: text('text').notNull(),
    createdBy: text('created_by').notNull(),
    updatedBy: text('updated_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('message_templates_name_idx').on(t.directoryId, t.channel, sql`lower(${t.name})`)],
);

/**
 * A distribution: a survey sent to a recipient set by email or SMS, now or at a time. Reminders
 * and thank-you messages are distributions too, whose parent is the invitation they follow.
 */
export const distributions = pgTable(
  'distributions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    directoryId: bigint('directory_id', { mode: 'number' })
      .notNull()
      .references(() => directories.id, { onDelete: 'cascade' }),
    surveyId: bigint('survey_id', { mode: 'number' })
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    parentId: bigint('parent_id', { mode: 'number' }),
    name: text('name').notNull(),
    kind: distributionKind('kind').notNull().default('invitation'),
    channel: channel('channel').notNull(),
    /** Who: a Zod-checked spec (mailing list, contacts, accounts by role …), snapshotted at start. */
    recipients: jsonb('recipients').notNull(),
    /** What: from, reply-to, subject, bodies, SMS mode and phone field (see message.ts). */
    message: jsonb('message').notNull(),
    /** Embedded data each personal link carries: name → contact/account field or constant. */
    embedded: jsonb('embedded').$type<Record<string, string>>().notNull().default({}),
    linkExpiresInDays: integer('link_expires_in_days'),
    /** The message as written (see messageHash): the 12-hour identical-message rule compares it. */
    messageHash: text('message_hash').notNull(),
    /** Transactional surveys (a closed case …) are exempt from contact frequency rules. */
    transactional: boolean('transactional').notNull().default(false),
    status: distributionStatus('status').notNull().default('draft'),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
    /** The IANA zone the schedule was given in, to show it back as the user wrote it. */
    timeZone: text('time_zone').notNull().default('UTC'),
    /** The pg-boss job that starts it, so an edit or a delete can cancel it. */
    startJobId: text('start_job_id'),
    error: text('error'),
    createdBy: text('created_by').notNull(),
    updatedBy: text('updated_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    index('distributions_directory_idx').on(t.directoryId, t.id),
    index('distributions_survey_idx').on(t.surveyId),
    index('distributions_parent_idx').on(t.parentId),
  ],
);

/**
 * The snapshot of a distribution's recipients and what happened to each. The idempotency key of a
 * message is (distribution, contact): a send retried after a crash finds the row and its state.
 */
export const distributionRecipients = pgTable(
  'distribution_recipients',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    distributionId: bigint('distribution_id', { mode: 'number' }).notNull(),
    contactId: bigint('contact_id', { mode: 'number' }).notNull(),
    accountId: bigint('account_id', { mode: 'number' }),
    /** The client role the contact was chosen for (or holds in their main account). */
    role: text('role'),
    channel: channel('channel').notNull(),
    /** An invitation of a non-transactional survey: what contact frequency rules count. */
    countsForFrequency: boolean('counts_for_frequency').notNull(),
    /** The address or number used, as it was at the snapshot. */
    address: text('address'),
    locale: text('locale'),
    status: recipientStatus('status').notNull(),
    /** Why excluded (email_opt_out …) or which frequency rule held the message back. */
    reason: text('reason'),
    linkToken: text('link_token'),
    /** The embedded data the recipient's personal link carries (CRM ids …), as mapped at the snapshot. */
    embedded: jsonb('embedded').$type<Record<string, unknown>>().notNull().default({}),
    attempts: integer('attempts').notNull().default(0),
    providerMessageId: text('provider_message_id'),
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    openedAt: timestamp('opened_at', { withTimezone: true }),
    bouncedAt: timestamp('bounced_at', { withTimezone: true }),
    failedAt: timestamp('failed_at', { withTimezone: true }),
    /** Set when a send was cut off mid-way and the message was sent again with the same id. */
    resentAfterInterruption: boolean('resent_after_interruption').notNull().default(false),
  },
  (t) => [
    uniqueIndex('distribution_recipients_contact_idx').on(t.distributionId, t.contactId),
    index('distribution_recipients_status_idx').on(t.distributionId, t.status, t.id),
    // Contact frequency rules look back over a contact's recent messages.
    index('distribution_recipients_recent_idx').on(t.contactId, t.sentAt).where(sql`${t.sentAt} IS NOT NULL`),
    index('distribution_recipients_provider_idx')
      .on(t.providerMessageId)
      .where(sql`${t.providerMessageId} IS NOT NULL`),
  ],
);

/** Per directory: which opt-outs exclude a contact, and the contact frequency rules. */
export const distributionSettings = pgTable('distribution_settings', {
  directoryId: bigint('directory_id', { mode: 'number' })
    .primaryKey()
    .references(() => directories.id, { onDelete: 'cascade' }),
  exclusions: jsonb('exclusions').notNull(),
  frequencyRules: jsonb('frequency_rules').notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Where messages go: the database outbox (the default, offline), an SMTP server, or a Twilio-
 * compatible SMS API. One row per channel; credentials encrypted with the secret box.
 */
export const deliveryProviders = pgTable('delivery_providers', {
  channel: channel('channel').primaryKey(),
  kind: text('kind').notNull(),
  settings: jsonb('settings').notNull(),
  /** SecretBox ciphertext of the provider's password or auth token. */
  secret: text('secret'),
  /** Messages per second, across all workers. */
  ratePerSecond: integer('rate_per_second').notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The send rate shared by every worker and process: per channel (one provider each), the instant
 * the next message may leave. A send claims its slot in the statement that claims its recipient.
 */
export const sendRateBudgets = pgTable('send_rate_budgets', {
  channel: channel('channel').primaryKey(),
  nextAt: timestamp('next_at', { withTimezone: true }).notNull(),
});

/** The dev default provider: every message lands here, viewable in the UI. Once per key. */
export const outboxMessages = pgTable(
  'outbox_messages',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    channel: channel('channel').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    distributionId: bigint('distribution_id', { mode: 'number' }),
    contactId: bigint('contact_id', { mode: 'number' }),
    toAddress: text('to_address').notNull(),
    fromAddress: text('from_address'),
    subject: text('subject'),
    text: text('text').notNull(),
    html: text('html'),
    headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('outbox_messages_key_idx').on(t.idempotencyKey),
    index('outbox_messages_to_idx').on(t.toAddress, t.id),
  ],
);

/** A two-way SMS survey in progress: the conversation state, one active per phone number. */
export const smsConversations = pgTable(
  'sms_conversations',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    distributionId: bigint('distribution_id', { mode: 'number' }),
    surveyId: bigint('survey_id', { mode: 'number' }).notNull(),
    /** The version the conversation began on: every reply is read against it. */
    surveyVersion: integer('survey_version').notNull(),
    contactId: bigint('contact_id', { mode: 'number' }),
    /** The recipient's personal link: the response is saved through it (one response per link). */
    linkToken: text('link_token'),
    phone: text('phone').notNull(),
    status: text('status').notNull().default('active'),
    state: jsonb('state').notNull(),
    responseId: bigint('response_id', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('sms_conversations_active_idx').on(t.phone).where(sql`${t.status} = 'active'`),
    // A send retried after a crash finds the conversation it began instead of starting another.
    uniqueIndex('sms_conversations_recipient_idx').on(t.distributionId, t.contactId),
  ],
);

/** Every SMS in and out of a two-way conversation; inbound ones once per provider message id. */
export const smsMessages = pgTable(
  'sms_messages',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    conversationId: bigint('conversation_id', { mode: 'number' }),
    direction: text('direction').notNull(),
    phone: text('phone').notNull(),
    body: text('body').notNull(),
    providerMessageId: text('provider_message_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('sms_messages_provider_idx')
      .on(t.providerMessageId)
      .where(sql`${t.providerMessageId} IS NOT NULL`),
    index('sms_messages_phone_idx').on(t.phone, t.id),
  ],
);
