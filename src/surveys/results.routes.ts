import { z } from 'zod';
import { findDirectory } from '../directory/directories.service.ts';
import { tooManyRequests } from '../platform/errors.ts';
import { actorOf } from '../platform/http/access.ts';
import { createRateLimiter } from '../platform/http/rate-limiter.ts';
import type { RouteModule } from '../platform/http/types.ts';
import { accountResponses, ZAccountResponsesQuery } from './account-responses.service.ts';
import { CRM_RECORD_FIELDS, createResponseEmbed, openResponseEmbed } from './embed.service.ts';
import { surveyResults, ZResultsQuery } from './results.service.ts';

const ZIdParams = z.object({ id: z.coerce.number().int().positive() });
const ZInterval = z.object({ percent: z.number(), low: z.number(), high: z.number() });
const ZNps = z
  .object({
    score: z.number(),
    n: z.number(),
    promoters: z.number(),
    passives: z.number(),
    detractors: z.number(),
    margin: z.number().describe('Half-width of the 95% confidence interval'),
    low: z.number(),
    high: z.number(),
  })
  .nullable();
const ZCsat = z
  .object({
    n: z.number(),
    satisfied: ZInterval.nullable().describe('Share of answers in the top two points of the scale'),
    score: z.object({ mean: z.number(), low: z.number(), high: z.number() }).nullable(),
  })
  .nullable();
const ZMetrics = { responses: z.number(), nps: ZNps, csat: ZCsat };
const ZValue = z.union([z.string(), z.number(), z.boolean()]);
const ZOptionCount = z.object({ value: ZValue, text: z.string(), count: z.number() });

const ZResults = z.object({
  survey: z.object({
    id: z.number(),
    name: z.string(),
    currentVersion: z.number(),
    metrics: z.object({ npsQuestion: z.string().optional(), csatQuestion: z.string().optional() }),
  }),
  counts: z.object({
    complete: z.number(),
    partial: z.number(),
    completionRate: z.number().nullable(),
    firstCompletedAt: z.string().nullable(),
    lastCompletedAt: z.string().nullable(),
  }),
  ...ZMetrics,
  trend: z.object({
    unit: z.enum(['day', 'week', 'month']),
    points: z.array(z.object({ bucket: z.string(), ...ZMetrics })),
  }),
  byRole: z.array(z.object({ role: z.string(), ...ZMetrics })),
  questions: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      kind: z.string(),
      title: z.string(),
      answered: z.number(),
      options: z.array(ZOptionCount),
      rows: z.array(
        z.object({
          value: ZValue,
          text: z.string(),
          counts: z.array(z.object({ value: ZValue, count: z.number() })),
        }),
      ),
      mean: z.number().nullable(),
      texts: z
        .object({
          total: z.number(),
          items: z.array(z.object({ responseId: z.number(), text: z.string(), at: z.string() })),
        })
        .nullable(),
    }),
  ),
});

const ZEmbed = z.object({
  record: z.object({ field: z.enum(CRM_RECORD_FIELDS), value: z.string() }),
  locale: z.string().nullable(),
  expiresAt: z.string(),
  responses: z.number(),
  lastResponseAt: z.string().nullable(),
  nps: ZNps,
  csat: z.number().nullable(),
  latest: z.array(
    z.object({
      id: z.number(),
      survey: z.string(),
      completedAt: z.string(),
      contactName: z.string().nullable(),
      npsScore: z.number().nullable(),
      npsCategory: z.string().nullable(),
      csatScore: z.number().nullable(),
      comments: z.array(z.object({ question: z.string(), text: z.string() })),
    }),
  ),
});

export const resultsRoutes: RouteModule = (app, { db, config, secrets }) => {
  app.get(
    '/surveys/:id/results',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['surveys'],
        summary:
          'Results of a survey: counts, NPS and CSAT with 95% intervals, trend, by client role, each question',
        params: ZIdParams,
        querystring: ZResultsQuery,
        response: { 200: ZResults },
      },
    },
    async (request) => surveyResults(db.orm, actorOf(request), request.params.id, request.query),
  );

  app.get(
    '/accounts/:id/responses',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['surveys'],
        summary:
          'An account’s feedback timeline: completed responses across surveys (with its descendants on request)',
        params: ZIdParams,
        querystring: ZAccountResponsesQuery,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.number(),
                surveyId: z.number(),
                survey: z.string(),
                accountId: z.number(),
                contactId: z.number().nullable(),
                contactName: z.string().nullable(),
                completedAt: z.string(),
                channel: z.string(),
                npsScore: z.number().nullable(),
                npsCategory: z.string().nullable(),
                csatScore: z.number().nullable(),
                comments: z.array(z.object({ question: z.string(), text: z.string() })),
              }),
            ),
            nextCursor: z.string().nullable(),
          }),
        },
      },
    },
    async (request) => accountResponses(db.orm, actorOf(request), request.params.id, request.query),
  );

  app.post(
    '/embeds/responses',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['surveys'],
        summary:
          'A signed, expiring URL of the response widget of one CRM record (sfContactId, sfLeadId or sfAccountId), for an iframe',
        body: z.object({
          directory: z.union([z.string().min(1), z.number().int().positive()]),
          record: z.object({ field: z.enum(CRM_RECORD_FIELDS), value: z.string().trim().min(1).max(100) }),
          expiresInMinutes: z
            .number()
            .int()
            .min(1)
            .max(60 * 24 * 30)
            .default(60),
          locale: z.enum(['en', 'fr', 'it', 'es', 'de']).optional(),
        }),
        response: {
          201: z.object({ token: z.string(), path: z.string(), url: z.string(), expiresAt: z.string() }),
        },
      },
    },
    async (request, reply) => {
      const directory = await findDirectory(db.orm, request.body.directory);
      const embed = createResponseEmbed(secrets, actorOf(request), {
        ...request.body,
        directoryId: directory.id,
      });
      const origin = config.http.publicUrl ?? `${request.protocol}://${request.host}`;
      return reply.status(201).send({ ...embed, url: `${origin}${embed.path}` });
    },
  );

  // The widget's data: public, the signed token is the credential (rate-limited per address).
  const perAddress = createRateLimiter(config.http.publicRate.perAddress);
  app.get(
    '/public/embeds/responses/:token',
    {
      config: { access: 'public' },
      preHandler: async (request) => {
        const wait = perAddress.take(request.ip);
        if (wait > 0)
          throw tooManyRequests(`Too many requests: try again in ${wait} second(s).`, {
            retryAfterSeconds: wait,
          });
      },
      schema: {
        tags: ['respondents'],
        summary:
          'What the response widget of a CRM record shows (the token comes from POST /embeds/responses)',
        security: [],
        params: z.object({ token: z.string().min(20).max(2000) }),
        response: { 200: ZEmbed },
      },
    },
    async (request) => openResponseEmbed(db.orm, secrets, request.params.token),
  );
};
