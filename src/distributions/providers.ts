import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type SmtpSettingsInput, ZSmtpSettings } from '../integrations/email/smtp-settings.ts';
import { createSmtpTransport, type SmtpTransport } from '../integrations/email/smtp-transport.ts';
import type { SmsProvider } from '../integrations/sms/sms-provider.ts';
import { createTwilioProvider, ZTwilioSettings } from '../integrations/sms/twilio-provider.ts';
import type { Database, Executor } from '../platform/db/database.ts';
import { badRequest } from '../platform/errors.ts';
import type { SecretBox } from '../platform/secrets/secret-box.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { deliveryProviders, outboxMessages } from './distributions.schema.ts';

/**
 * Where messages go. The default for both channels is the database outbox, so the product runs
 * fully offline and every message can be read in the UI; an admin switches email to SMTP and SMS
 * to a Twilio-compatible API in Settings. Passwords and auth tokens are encrypted at rest.
 */

export type Channel = 'email' | 'sms';

export interface OutgoingMessage {
  channel: Channel;
  /** Stable across retries of one send: the outbox keeps one row per key, SMTP gets it as Message-ID. */
  idempotencyKey: string;
  to: string;
  from?: { name?: string; address?: string };
  replyTo?: string;
  subject?: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
  distributionId?: number;
  contactId?: number;
}

export type DeliveryOutcome =
  | { status: 'sent'; providerMessageId: string }
  | { status: 'failed'; permanent: boolean; code: string | null; message: string };

export interface Transport {
  kind: string;
  /** Messages per second this provider accepts from us. */
  ratePerSecond: number;
  /**
   * Messages in flight at once: no more than the provider works on (SMTP: its pooled
   * connections), so that after a crash few messages are in doubt.
   */
  concurrency: number;
  send(message: OutgoingMessage): Promise<DeliveryOutcome>;
  close(): Promise<void>;
}

const ZOutbox = z.object({
  kind: z.literal('outbox'),
  defaultFrom: z.email().default('surveys@rapport.local'),
});
const ZSmtp = z.object({
  kind: z.literal('smtp'),
  defaultFrom: z.email({ error: 'expected the sender address messages go out from' }),
  /** The connection settings of ZSmtpSettings but the password, which is stored encrypted. */
  smtp: z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    if ('auth' in value)
      ctx.addIssue({ code: 'custom', message: 'give the user as `user` and the password as `secret`' });
    const checked = ZSmtpSettings.safeParse(value);
    for (const issue of checked.error?.issues ?? [])
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  }),
  user: z.string().max(500).optional(),
});
const ZTwilio = z.object({
  kind: z.literal('twilio'),
  /** ZTwilioSettings but the auth token, which is stored encrypted. */
  twilio: z.object({
    accountSid: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, { error: 'expected AC followed by 32 hex characters' }),
    from: z.string().min(1),
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  }),
});

export const ZEmailProvider = z.discriminatedUnion('kind', [ZOutbox, ZSmtp]);
export const ZSmsProvider = z.discriminatedUnion('kind', [
  ZOutbox.extend({ defaultFrom: z.string().default('+15005550006') }),
  ZTwilio,
]);

export const ZProviderUpdate = z.object({
  settings: z.union([ZEmailProvider, ZSmsProvider]),
  /** The SMTP password or the Twilio auth token; absent = keep the stored one. */
  secret: z.string().min(1).max(2000).optional(),
  ratePerSecond: z.number().int().min(1).max(10_000).default(50),
});

const secretContext = (channel: Channel) => `delivery_providers:${channel}`;

export async function getProvider(db: Executor, channel: Channel) {
  const [row] = await db.select().from(deliveryProviders).where(eq(deliveryProviders.channel, channel));
  if (!row)
    return {
      channel,
      settings:
        channel === 'email' ? ZOutbox.parse({ kind: 'outbox' }) : ZSmsProvider.parse({ kind: 'outbox' }),
      hasSecret: false,
      ratePerSecond: 200,
      updatedAt: null as string | null,
      updatedBy: null as string | null,
      secret: null as string | null,
    };
  return {
    channel,
    settings: (channel === 'email' ? ZEmailProvider : ZSmsProvider).parse(row.settings),
    hasSecret: row.secret !== null,
    ratePerSecond: row.ratePerSecond,
    updatedAt: row.updatedAt.toISOString(),
    updatedBy: row.updatedBy,
    secret: row.secret,
  };
}

/** The provider as the API shows it: never the secret, only whether one is stored. */
export async function describeProvider(db: Executor, actor: Actor, channel: Channel) {
  authorize(actor, 'settings:manage');
  const { secret: _secret, ...shown } = await getProvider(db, channel);
  return shown;
}

export async function updateProvider(
  db: Database,
  secrets: SecretBox,
  actor: Actor,
  channel: Channel,
  input: z.output<typeof ZProviderUpdate>,
) {
  authorize(actor, 'settings:manage');
  const parsed = (channel === 'email' ? ZEmailProvider : ZSmsProvider).safeParse(input.settings);
  if (!parsed.success)
    throw badRequest(`These settings are not for ${channel}: ${parsed.error.issues[0]?.message}`);
  const current = await getProvider(db.orm, channel);
  const needsSecret = parsed.data.kind === 'twilio' || (parsed.data.kind === 'smtp' && !!parsed.data.user);
  const secret = input.secret
    ? secrets.encrypt(input.secret, secretContext(channel))
    : needsSecret
      ? current.secret
      : null;
  if (needsSecret && !secret)
    throw badRequest(
      channel === 'sms' ? 'The Twilio auth token is required' : 'The SMTP password is required',
    );
  const by = actor.kind === 'user' ? actor.email : actor.label;
  await db.orm.transaction(async (tx) => {
    await tx
      .insert(deliveryProviders)
      .values({
        channel,
        kind: parsed.data.kind,
        settings: parsed.data,
        secret,
        ratePerSecond: input.ratePerSecond,
        updatedBy: by,
      })
      .onConflictDoUpdate({
        target: deliveryProviders.channel,
        set: {
          kind: parsed.data.kind,
          settings: parsed.data,
          secret,
          ratePerSecond: input.ratePerSecond,
          updatedBy: by,
          updatedAt: sql`now()`,
        },
      });
    await recordAudit(tx, actor, {
      action: 'delivery_provider.updated',
      targetType: 'delivery_provider',
      targetId: channel,
      details: { kind: parsed.data.kind, secretChanged: !!input.secret },
    });
  });
  return describeProvider(db.orm, actor, channel);
}

/** The outbox: one row per idempotency key, so a retried send cannot make a second message. */
function outboxTransport(db: Database, channel: Channel, defaultFrom: string, rate: number): Transport {
  return {
    kind: 'outbox',
    ratePerSecond: rate,
    concurrency: 4,
    async send(m) {
      const from = m.from?.address ?? defaultFrom;
      const [row] = await db.orm
        .insert(outboxMessages)
        .values({
          channel,
          idempotencyKey: m.idempotencyKey,
          distributionId: m.distributionId ?? null,
          contactId: m.contactId ?? null,
          toAddress: m.to,
          fromAddress: m.from?.name ? `${m.from.name} <${from}>` : from,
          subject: m.subject ?? null,
          text: m.text,
          html: m.html ?? null,
          headers: m.headers ?? {},
        })
        .onConflictDoUpdate({
          target: outboxMessages.idempotencyKey,
          set: { idempotencyKey: sql`excluded.idempotency_key` },
        })
        .returning({ id: outboxMessages.id });
      return { status: 'sent', providerMessageId: `outbox:${row!.id}` };
    },
    async close() {},
  };
}

function smtpTransport(
  transport: SmtpTransport,
  defaultFrom: string,
  rate: number,
  connections: number,
): Transport {
  return {
    kind: 'smtp',
    ratePerSecond: rate,
    // Two sends per connection: one on the wire while the other waits on the database. Only those
    // on the wire can be in doubt after a crash (received, not yet recorded).
    concurrency: connections * 2,
    async send(m) {
      const from = m.from?.address ?? defaultFrom;
      const domain = from.split('@')[1] ?? 'rapport.local';
      const outcome = await transport.send({
        from: { ...(m.from?.name ? { name: m.from.name } : {}), address: from },
        ...(m.replyTo ? { replyTo: m.replyTo } : {}),
        to: m.to,
        subject: m.subject ?? '',
        text: m.text,
        ...(m.html ? { html: m.html } : {}),
        headers: m.headers ?? {},
        messageId: `<${m.idempotencyKey}@${domain}>`,
      });
      return outcome.status === 'sent'
        ? { status: 'sent', providerMessageId: outcome.providerMessageId }
        : outcome;
    },
    close: () => transport.close(),
  };
}

function smsTransport(provider: SmsProvider, from: string, rate: number, statusCallback?: string): Transport {
  return {
    kind: 'twilio',
    ratePerSecond: rate,
    concurrency: 8,
    async send(m) {
      const outcome = await provider.send({
        to: m.to,
        from,
        body: m.text,
        idempotencyKey: m.idempotencyKey,
        // The message's key rides in the (signed) callback URL: a callback that arrives before
        // Twilio's answer to the send, so before its SID is recorded, still finds its recipient.
        statusCallback: statusCallback && `${statusCallback}?m=${encodeURIComponent(m.idempotencyKey)}`,
      });
      return outcome.status === 'failed'
        ? outcome
        : { status: 'sent', providerMessageId: outcome.providerMessageId };
    },
    async close() {},
  };
}

/** Opens the channel's configured transport (the outbox unless an admin set another). */
export async function openTransport(
  db: Database,
  secrets: SecretBox,
  channel: Channel,
  options: { publicUrl?: string } = {},
): Promise<Transport & { defaultFrom: string }> {
  const provider = await getProvider(db.orm, channel);
  const s = provider.settings;
  const secret = provider.secret ? secrets.decrypt(provider.secret, secretContext(channel)) : undefined;
  if (s.kind === 'outbox')
    return {
      ...outboxTransport(db, channel, s.defaultFrom, provider.ratePerSecond),
      defaultFrom: s.defaultFrom,
    };
  if (s.kind === 'smtp') {
    const transport = createSmtpTransport({
      ...(s.smtp as unknown as SmtpSettingsInput),
      ...(s.user && secret ? { auth: { user: s.user, pass: secret } } : {}),
    });
    const connections = ZSmtpSettings.parse(s.smtp).maxConnections;
    return {
      ...smtpTransport(transport, s.defaultFrom, provider.ratePerSecond, connections),
      defaultFrom: s.defaultFrom,
    };
  }
  const twilio = createTwilioProvider(ZTwilioSettings.parse({ ...s.twilio, authToken: secret }));
  const callback = options.publicUrl ? `${options.publicUrl}/api/v1/public/sms/status` : undefined;
  return {
    ...smsTransport(twilio, s.twilio.from, provider.ratePerSecond, callback),
    defaultFrom: s.twilio.from,
  };
}
