import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isAppError, tooManyRequests } from '../../platform/errors.ts';
import { actorOf } from '../../platform/http/access.ts';
import { ZPageQuery } from '../../platform/http/paging.ts';
import { createRateLimiter } from '../../platform/http/rate-limiter.ts';
import type { RouteModule } from '../../platform/http/types.ts';
import { ACK, soapFault } from './envelope.ts';
import {
  createTrigger,
  deleteTrigger,
  listNotifications,
  listTriggers,
  receiveOutboundMessage,
  updateTrigger,
} from './outbound.service.ts';

const tags = ['salesforce'];
const ZAny = z.record(z.string(), z.unknown());
const ZTrigger = z.object({
  id: z.number(),
  directoryId: z.number(),
  connectionId: z.number().nullable(),
  name: z.string(),
  object: z.string(),
  action: ZAny,
  enabled: z.boolean(),
  path: z.string(),
  url: z.string(),
  lastReceivedAt: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
});

export const salesforceOutboundRoutes: RouteModule = async (app, { db, secrets, jobs, logger, config }) => {
  const origin = (request: { protocol: string; host: string }) =>
    config.http.publicUrl ?? `${request.protocol}://${request.host}`;
  const withUrl = <T extends { path: string }>(request: { protocol: string; host: string }, t: T) => ({
    ...t,
    url: `${origin(request)}${t.path}`,
  });

  app.get(
    '/directories/:dir/salesforce/triggers',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Outbound Message triggers of a directory, with the endpoint URL to give Salesforce',
        params: z.object({ dir: z.string().min(1).max(200) }),
        response: { 200: z.object({ items: z.array(ZTrigger) }) },
      },
    },
    async (request) => ({
      items: (await listTriggers(db.orm, secrets, actorOf(request), request.params.dir)).map((t) =>
        withUrl(request, t),
      ),
    }),
  );

  app.post(
    '/directories/:dir/salesforce/triggers',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary:
          'Create a trigger: {name, connectionId, object, action: {kind: "event"} | {kind: "survey", surveyId, contactField, channel, message, embedded}}',
        params: z.object({ dir: z.string().min(1).max(200) }),
        body: ZAny,
        response: { 201: ZTrigger },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          withUrl(
            request,
            await createTrigger({ db, secrets }, actorOf(request), request.params.dir, request.body),
          ),
        ),
  );

  app.put(
    '/salesforce/triggers/:id',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Replace a trigger (its URL stays the same)',
        params: z.object({ id: z.coerce.number().int().positive() }),
        body: ZAny,
        response: { 200: ZTrigger },
      },
    },
    async (request) =>
      withUrl(
        request,
        await updateTrigger({ db, secrets }, actorOf(request), request.params.id, request.body),
      ),
  );

  app.delete(
    '/salesforce/triggers/:id',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Delete a trigger (Salesforce then gets no Ack and retries for 24 hours)',
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: z.object({ deleted: z.boolean() }) },
      },
    },
    async (request) => deleteTrigger(db, actorOf(request), request.params.id),
  );

  app.get(
    '/salesforce/triggers/:id/notifications',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'Notifications a trigger received (each once, with its delivery count and outcome)',
        params: z.object({ id: z.coerce.number().int().positive() }),
        querystring: ZPageQuery,
        response: { 200: z.object({ items: z.array(ZAny), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) =>
      listNotifications(
        db.orm,
        actorOf(request),
        request.params.id,
        request.query.cursor ? Number(request.query.cursor) : undefined,
        request.query.limit,
      ),
  );

  // Salesforce posts SOAP (text/xml): a scope of its own with that parser.
  const perAddress = createRateLimiter(config.http.publicRate.perAddress);
  await app.register(async (plain) => {
    const scoped = plain.withTypeProvider<ZodTypeProvider>();
    scoped.addContentTypeParser(
      ['text/xml', 'application/xml', 'application/soap+xml'],
      { parseAs: 'string', bodyLimit: 2 * 1024 * 1024 },
      (_request, body, done) => done(null, body),
    );
    scoped.post(
      '/public/salesforce/outbound/:triggerId/:secret',
      {
        config: { access: 'public' },
        schema: {
          tags,
          security: [],
          summary:
            'Salesforce workflow Outbound Message listener: answers the SOAP Ack once the notifications are recorded (each once: retries are counted, not replayed)',
          params: z.object({
            triggerId: z.coerce.number().int().positive(),
            secret: z.string().min(20).max(200),
          }),
        },
      },
      async (request, reply) => {
        reply.type('text/xml; charset=utf-8');
        const wait = perAddress.take(request.ip);
        if (wait > 0) throw tooManyRequests(`Too many requests: try again in ${wait} second(s).`);
        try {
          await receiveOutboundMessage(
            { db, secrets, jobs, logger },
            request.params.triggerId,
            request.params.secret,
            typeof request.body === 'string' ? request.body : '',
          );
          return reply.status(200).send(ACK);
        } catch (error) {
          if (isAppError(error))
            return reply
              .status(error.status)
              .send(soapFault(error.status >= 500 ? 'Server' : 'Client', error.message));
          request.log.error({ err: error }, 'Salesforce outbound message failed');
          return reply
            .status(500)
            .send(soapFault('Server', 'The message could not be recorded; it will be retried'));
        }
      },
    );
  });
};
