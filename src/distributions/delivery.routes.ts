import { and, asc, desc, eq, lt, type SQL, sql } from 'drizzle-orm';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { optOutContact } from '../directory/opt-outs.service.ts';
import { parseDsn } from '../integrations/email/dsn.ts';
import { verifyTwilioRequest } from '../integrations/sms/twilio-signature.ts';
import { parseInboundSms, parseStatusCallback, twimlMessage } from '../integrations/sms/twilio-webhooks.ts';
import { queryRows } from '../platform/db/database.ts';
import { badRequest, forbidden, gone, notFound, tooManyRequests } from '../platform/errors.ts';
import { actorOf } from '../platform/http/access.ts';
import { createRateLimiter } from '../platform/http/rate-limiter.ts';
import type { RouteModule } from '../platform/http/types.ts';
import { verifyToken } from '../platform/secrets/signed-token.ts';
import { authorize } from '../users/roles.ts';
import { outboxMessages, smsMessages } from './distributions.schema.ts';
import { OPEN_PURPOSE, UNSUBSCRIBE_PURPOSE } from './outgoing.ts';
import { getProvider } from './providers.ts';
import { publicUrlOf } from './start.jobs.ts';
import { receiveSms } from './two-way.ts';

// A 1×1 transparent GIF: what the open-tracking pixel answers.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/**
 * What happens after a message leaves: unsubscribe links (RFC 8058 one-click too), the open
 * pixel, bounce reports (DSNs), the SMS provider's webhooks (inbound texts, delivery status),
 * and the database outbox with its phone simulator for offline use.
 */
export const deliveryRoutes: RouteModule = async (app, deps) => {
  const { db, secrets, config } = deps;
  const publicUrl = publicUrlOf(deps);
  const tags = ['delivery'];
  const perAddress = createRateLimiter(config.http.publicRate.perAddress);
  const limited = async (request: { ip: string }) => {
    const wait = perAddress.take(request.ip);
    if (wait > 0)
      throw tooManyRequests(`Too many requests: try again in ${wait} second(s).`, {
        retryAfterSeconds: wait,
      });
  };

  const unsubscribeTarget = (token: string) => {
    const checked = verifyToken<{ d: number; c: number; ch: 'email' | 'sms' }>(
      secrets,
      UNSUBSCRIBE_PURPOSE,
      token,
    );
    if (!checked.ok) {
      if (checked.reason === 'expired') throw gone('This unsubscribe link has expired');
      throw forbidden('This unsubscribe link is not valid');
    }
    return checked.payload;
  };

  app.get(
    '/public/unsubscribe/:token',
    {
      config: { access: 'public' },
      preHandler: limited,
      schema: {
        tags,
        security: [],
        summary: 'What an unsubscribe link is about (the page asks to confirm)',
        params: z.object({ token: z.string().min(20).max(2000) }),
        response: { 200: z.object({ channel: z.enum(['email', 'sms']), alreadyOptedOut: z.boolean() }) },
      },
    },
    async (request) => {
      const target = unsubscribeTarget(request.params.token);
      const [row] = await queryRows<{ out: boolean }>(
        db.orm,
        sql`SELECT ${target.ch === 'email' ? sql`email_opt_out` : sql`sms_opt_out`} AS out FROM contacts WHERE id = ${target.c}`,
      );
      return { channel: target.ch, alreadyOptedOut: !!row?.out };
    },
  );

  // The page's button and the mail client's one-click unsubscribe (RFC 8058) both POST here.
  app.post(
    '/public/unsubscribe/:token',
    {
      config: { access: 'public' },
      preHandler: limited,
      schema: {
        tags,
        security: [],
        summary: 'Unsubscribe: the contact receives no more surveys on that channel',
        params: z.object({ token: z.string().min(20).max(2000) }),
        response: {
          200: z.object({
            unsubscribed: z.boolean(),
            channel: z.enum(['email', 'sms']),
            alreadyOptedOut: z.boolean(),
          }),
        },
      },
    },
    async (request) => {
      const target = unsubscribeTarget(request.params.token);
      const changed = await db.orm.transaction((tx) =>
        optOutContact(tx, target.c, target.ch, 'unsubscribe-link'),
      );
      return { unsubscribed: true, channel: target.ch, alreadyOptedOut: !changed };
    },
  );

  app.get(
    '/public/opens/:token',
    {
      config: { access: 'public' },
      schema: {
        tags,
        security: [],
        summary: 'The open-tracking pixel',
        params: z.object({ token: z.string().max(2000) }),
      },
    },
    async (request, reply) => {
      const checked = verifyToken<{ d: number; c: number }>(secrets, OPEN_PURPOSE, request.params.token);
      if (checked.ok)
        await db.orm.execute(sql`UPDATE distribution_recipients SET opened_at = coalesce(opened_at, now())
          WHERE distribution_id = ${checked.payload.d} AND contact_id = ${checked.payload.c}`);
      return reply.header('cache-control', 'no-store').type('image/gif').send(PIXEL);
    },
  );

  // Webhooks that are not JSON, in a scope of their own: Twilio posts forms (the raw body is kept
  // to check its signature), a bounce arrives as a raw message.
  await app.register(async (plain) => {
    const scoped = plain.withTypeProvider<ZodTypeProvider>();
    scoped.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => done(null, body),
    );
    scoped.addContentTypeParser(
      ['message/rfc822', 'message/delivery-status'],
      { parseAs: 'buffer' },
      (_req, body, done) => done(null, body),
    );
    scoped.post(
      '/bounces',
      {
        config: { access: 'data:write' },
        schema: {
          tags,
          summary:
            'Report a bounce: the raw Delivery Status Notification (message/rfc822), e.g. piped from the bounce mailbox',
          response: { 200: z.object({ bounced: z.number(), ignored: z.boolean() }) },
        },
      },
      async (request) => {
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.from(String(request.body ?? ''));
        const dsn = await parseDsn(raw);
        if (!dsn) return { bounced: 0, ignored: true };
        const key = /<(rapport-d\d+-c\d+)@/.exec(dsn.originalMessageId ?? '')?.[1];
        const match = key ? /^rapport-d(\d+)-c(\d+)$/.exec(key) : null;
        const failed = dsn.recipients.filter((r) => r.permanent);
        if (!match || failed.length === 0) return { bounced: 0, ignored: true };
        const [distributionId, contactId] = [Number(match[1]), Number(match[2])];
        const reason = failed.map((r) => `${r.status} ${r.diagnostic ?? ''}`.trim()).join('; ');
        await db.orm.transaction(async (tx) => {
          await tx.execute(sql`UPDATE distribution_recipients SET status = 'bounced', bounced_at = now(), last_error = ${reason}
            WHERE distribution_id = ${distributionId} AND contact_id = ${contactId}`);
          const { markEmailBounced } = await import('../directory/opt-outs.service.ts');
          await markEmailBounced(tx, contactId, reason);
        });
        request.log.info({ distributionId, contactId }, 'bounce recorded');
        return { bounced: 1, ignored: false };
      },
    );

    /** Checks Twilio's signature with the stored auth token; refuses when SMS goes elsewhere. */
    const twilioBody = async (request: { headers: Record<string, unknown>; url: string; body: unknown }) => {
      const provider = await getProvider(db.orm, 'sms');
      if (provider.settings.kind !== 'twilio' || !provider.secret)
        throw forbidden('SMS is not set up with Twilio');
      const token = secrets.decrypt(provider.secret, 'delivery_providers:sms');
      const signature = String(request.headers['x-twilio-signature'] ?? '');
      const body = String(request.body ?? '');
      if (
        !verifyTwilioRequest({
          authToken: token,
          signature,
          url: `${publicUrl}${request.url}`,
          rawBody: body,
        })
      )
        throw forbidden('The X-Twilio-Signature does not match');
      return Object.fromEntries(new URLSearchParams(body));
    };

    scoped.post(
      '/public/sms/inbound',
      {
        config: { access: 'public' },
        schema: {
          tags,
          security: [],
          summary: 'Twilio inbound SMS webhook (two-way surveys, STOP, HELP); answers TwiML',
        },
      },
      async (request, reply) => {
        const inbound = parseInboundSms(await twilioBody(request));
        const result = await receiveSms(db, {
          from: inbound.from,
          body: inbound.body,
          messageId: inbound.messageSid,
        });
        return reply.type('text/xml').send(twimlMessage(result.replies));
      },
    );

    scoped.post(
      '/public/sms/status',
      {
        config: { access: 'public' },
        schema: { tags, security: [], summary: 'Twilio delivery status callback' },
      },
      async (request, reply) => {
        const status = parseStatusCallback(await twilioBody(request));
        // The recipient: by the message's SID, or (a callback can arrive before Twilio's answer to
        // the send, so before the SID is recorded) by the key in the callback URL, which Twilio signed.
        const key = /^rapport-d(\d+)-c(\d+)$/.exec(String((request.query as { m?: unknown }).m ?? ''));
        const recipient = sql`(provider_message_id = ${status.messageSid}${
          key
            ? sql` OR (provider_message_id IS NULL AND status = 'sending'
                AND distribution_id = ${Number(key[1])} AND contact_id = ${Number(key[2])})`
            : sql``
        })`;
        if (status.status === 'delivered')
          await db.orm.execute(sql`UPDATE distribution_recipients SET status = 'delivered', delivered_at = now(),
            provider_message_id = ${status.messageSid}
            WHERE ${recipient} AND status IN ('sending', 'sent', 'delivered')`);
        else if (status.status === 'undelivered' || status.status === 'failed')
          await db.orm.execute(sql`UPDATE distribution_recipients SET status = 'failed', failed_at = now(),
            provider_message_id = ${status.messageSid},
            last_error = ${`Twilio ${status.status}${status.errorCode ? ` (error ${status.errorCode})` : ''}`}
            WHERE ${recipient}`);
        return reply.status(204).send();
      },
    );
  });

  app.get(
    '/outbox',
    {
      // Every directory's messages: for those who run the program, not for account managers.
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Messages in the database outbox (the default provider), newest first',
        querystring: z.object({
          channel: z.enum(['email', 'sms']).optional(),
          to: z.string().max(320).optional(),
          distributionId: z.coerce.number().int().positive().optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.coerce.number().int().positive().optional(),
        }),
      },
    },
    async (request) => {
      authorize(actorOf(request), 'data:write');
      const q = request.query;
      const where: SQL[] = [];
      if (q.channel) where.push(eq(outboxMessages.channel, q.channel));
      if (q.to) where.push(eq(outboxMessages.toAddress, q.to));
      if (q.distributionId) where.push(eq(outboxMessages.distributionId, q.distributionId));
      if (q.cursor) where.push(lt(outboxMessages.id, q.cursor));
      const rows = await db.orm
        .select()
        .from(outboxMessages)
        .where(where.length ? and(...where) : undefined)
        .orderBy(desc(outboxMessages.id))
        .limit(q.limit + 1);
      const page = rows.slice(0, q.limit);
      return {
        items: page.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })),
        nextCursor: rows.length > q.limit ? String(page.at(-1)!.id) : null,
      };
    },
  );

  app.get(
    '/outbox/:id',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'One message of the outbox',
        params: z.object({ id: z.coerce.number().int().positive() }),
      },
    },
    async (request) => {
      const [m] = await db.orm.select().from(outboxMessages).where(eq(outboxMessages.id, request.params.id));
      if (!m) throw notFound(`No outbox message ${request.params.id}`);
      return { ...m, createdAt: m.createdAt.toISOString() };
    },
  );

  app.get(
    '/sms/conversations',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'The texts exchanged with a phone number (two-way surveys), oldest first',
        querystring: z.object({ phone: z.string().regex(/^\+[1-9][0-9]{6,14}$/) }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.number(),
                direction: z.enum(['in', 'out']),
                body: z.string(),
                at: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const rows = await db.orm
        .select()
        .from(smsMessages)
        .where(eq(smsMessages.phone, request.query.phone))
        .orderBy(asc(smsMessages.id))
        .limit(500);
      return {
        items: rows.map((m) => ({
          id: m.id,
          direction: m.direction as 'in' | 'out',
          body: m.body,
          at: m.createdAt.toISOString(),
        })),
      };
    },
  );

  app.post(
    '/sms/simulator',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Offline: reply to a two-way SMS survey as the phone at `from` would (outbox provider only)',
        body: z.object({ from: z.string().regex(/^\+[1-9][0-9]{6,14}$/), body: z.string().min(1).max(1600) }),
        response: {
          200: z.object({
            replies: z.array(z.string()),
            outcome: z.string(),
            responseId: z.number().optional(),
          }),
        },
      },
    },
    async (request) => {
      const provider = await getProvider(db.orm, 'sms');
      if (provider.settings.kind !== 'outbox')
        throw badRequest('The phone simulator works with the outbox provider: SMS now go through Twilio');
      const messageId = `sim-${Date.now()}-${Math.random().toString(36).slice(2)}`;
      const result = await receiveSms(db, { from: request.body.from, body: request.body.body, messageId });
      // The bot's answers land in the outbox like any SMS, for the simulator to show.
      for (const [i, text] of result.replies.entries())
        await db.orm
          .insert(outboxMessages)
          .values({
            channel: 'sms',
            idempotencyKey: `${messageId}-r${i}`,
            toAddress: request.body.from,
            text,
          })
          .onConflictDoNothing();
      return result;
    },
  );
};
