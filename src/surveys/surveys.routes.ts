import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { findDirectory } from '../directory/directories.service.ts';
import { tooManyRequests } from '../platform/errors.ts';
import { actorOf } from '../platform/http/access.ts';
import { createRateLimiter } from '../platform/http/rate-limiter.ts';
import type { RouteModule } from '../platform/http/types.ts';
import { openSurveyPage, saveSurveyResponse, ZResponseSave } from './respond.service.ts';
import { deleteResponse, getResponse, listResponses, ZResponseQuery } from './responses.service.ts';
import {
  createSurvey,
  createSurveyLink,
  getSurvey,
  listSurveys,
  setSurveyStatus,
  updateSurvey,
  ZLinkCreate,
  ZSurveyCreate,
  ZSurveyUpdate,
} from './surveys.service.ts';
import { SURVEY_TEMPLATES } from './templates.ts';

const ZDirParams = z.object({ dir: z.string().min(1).max(200) });
const ZIdParams = z.object({ id: z.coerce.number().int().positive() });
const ZTokenParams = z.object({ token: z.string().min(20).max(100) });
const ZSurvey = z.object({
  id: z.number(),
  directoryId: z.number(),
  name: z.string(),
  status: z.enum(['draft', 'active', 'closed']),
  currentVersion: z.number(),
  embeddedFields: z.array(z.string()),
  metrics: z.object({ npsQuestion: z.string().optional(), csatQuestion: z.string().optional() }),
  allowMultipleResponses: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  activatedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
});
const ZResponse = z.object({
  id: z.number(),
  surveyId: z.number(),
  version: z.number(),
  status: z.enum(['partial', 'complete']),
  contactId: z.number().nullable(),
  accountId: z.number().nullable(),
  distributionId: z.number().nullable(),
  channel: z.string(),
  language: z.string().nullable(),
  answers: z.record(z.string(), z.unknown()),
  embedded: z.record(z.string(), z.unknown()),
  npsScore: z.number().nullable(),
  npsCategory: z.string().nullable(),
  csatScore: z.number().nullable(),
  csatSatisfied: z.boolean().nullable(),
  externalRef: z.string().nullable().describe('Imported responses: the id in the source'),
  startedAt: z.string(),
  completedAt: z.string().nullable(),
  contact: z
    .object({
      id: z.number(),
      externalRef: z.string().nullable(),
      email: z.string().nullable(),
      name: z.string().nullable(),
    })
    .nullable()
    .describe('The contact as the directory names it'),
  account: z.object({ id: z.number(), externalRef: z.string(), name: z.string() }).nullable(),
});

export const surveysRoutes: RouteModule = (app, { db, config }) => {
  // The respondent endpoints are public: each address and each link gets a budget per minute.
  const perAddress = createRateLimiter(config.http.publicRate.perAddress);
  const perLink = createRateLimiter(config.http.publicRate.perLink);
  const limitRespondent = async (request: FastifyRequest<{ Params: { token: string } }>) => {
    const wait = Math.max(perAddress.take(request.ip), perLink.take(request.params.token));
    if (wait > 0)
      throw tooManyRequests(`Too many requests: try again in ${wait} second(s).`, {
        retryAfterSeconds: wait,
      });
  };

  app.get(
    '/survey-templates',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['surveys'],
        summary: 'Ready surveys to start from (relationship NPS, CSAT after a case, onboarding pulse)',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                key: z.string(),
                name: z.string(),
                description: z.string(),
                embeddedFields: z.array(z.string()),
                definition: z.record(z.string(), z.unknown()),
              }),
            ),
          }),
        },
      },
    },
    async () => ({ items: SURVEY_TEMPLATES.map(({ metrics: _m, ...t }) => t) }),
  );

  app.get(
    '/directories/:dir/surveys',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['surveys'],
        summary: 'Surveys of a directory',
        params: ZDirParams,
        response: { 200: z.object({ items: z.array(ZSurvey) }) },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return { items: await listSurveys(db.orm, actorOf(request), directory.id) };
    },
  );

  app.post(
    '/directories/:dir/surveys',
    {
      config: { access: 'data:write' },
      schema: {
        tags: ['surveys'],
        summary: 'Create a survey from a SurveyJS definition or a template (version 1, draft)',
        params: ZDirParams,
        body: ZSurveyCreate,
        response: { 201: ZSurvey },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createSurvey(db, actorOf(request), request.params.dir, request.body)),
  );

  app.get(
    '/surveys/:id',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['surveys'],
        summary: 'A survey with its current definition and its versions',
        params: ZIdParams,
        response: {
          200: ZSurvey.extend({
            definition: z.record(z.string(), z.unknown()),
            versions: z.array(
              z.object({ version: z.number(), createdAt: z.string(), createdBy: z.string() }),
            ),
          }),
        },
      },
    },
    async (request) => getSurvey(db.orm, actorOf(request), request.params.id),
  );

  app.patch(
    '/surveys/:id',
    {
      config: { access: 'data:write' },
      schema: {
        tags: ['surveys'],
        summary: 'Change a survey; a changed definition becomes a new version',
        params: ZIdParams,
        body: ZSurveyUpdate,
        response: { 200: ZSurvey },
      },
    },
    async (request) => updateSurvey(db, actorOf(request), request.params.id, request.body),
  );

  for (const [action, status] of [
    ['activate', 'active'],
    ['close', 'closed'],
  ] as const) {
    app.post(
      `/surveys/:id/${action}`,
      {
        config: { access: 'data:write' },
        schema: {
          tags: ['surveys'],
          summary:
            action === 'activate'
              ? 'Open the survey to respondents'
              : 'Close the survey: its links stop working',
          params: ZIdParams,
          response: { 200: ZSurvey },
        },
      },
      async (request) => setSurveyStatus(db, actorOf(request), request.params.id, status),
    );
  }

  app.post(
    '/surveys/:id/links',
    {
      config: { access: 'data:write' },
      schema: {
        tags: ['surveys'],
        summary:
          'A personal link (for a contact, with embedded data), an anonymous one, or a call-script link whose query string carries embedded data',
        params: ZIdParams,
        body: ZLinkCreate,
        response: {
          201: z.object({
            id: z.number(),
            kind: z.enum(['personal', 'anonymous', 'callScript']),
            token: z.string(),
            path: z.string(),
            template: z
              .string()
              .optional()
              .describe('Call-script links: the path with a placeholder per embedded field'),
            contactId: z.number().nullable(),
            expiresAt: z.string().nullable(),
          }),
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createSurveyLink(db, actorOf(request), request.params.id, request.body)),
  );

  app.get(
    '/surveys/:id/responses',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['surveys'],
        summary: 'Responses of a survey, newest first, with filters',
        params: ZIdParams,
        querystring: ZResponseQuery,
        response: { 200: z.object({ items: z.array(ZResponse), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => listResponses(db.orm, actorOf(request), request.params.id, request.query),
  );

  app.get(
    '/responses/:id',
    {
      config: { access: 'data:read' },
      schema: { tags: ['surveys'], summary: 'One response', params: ZIdParams, response: { 200: ZResponse } },
    },
    async (request) => getResponse(db.orm, actorOf(request), request.params.id),
  );

  app.delete(
    '/responses/:id',
    {
      config: { access: 'data:write' },
      schema: {
        tags: ['surveys'],
        summary: 'Delete a response (recorded in the audit trail)',
        params: ZIdParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await deleteResponse(db, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  // The respondent's side: public, the link's token is the credential.
  app.get(
    '/public/links/:token',
    {
      config: { access: 'public' },
      preHandler: limitRespondent,
      schema: {
        tags: ['respondents'],
        summary: 'What a survey page needs: the definition, the language, embedded data, answers so far',
        security: [],
        params: ZTokenParams,
        // A call-script link takes the survey's declared embedded fields from the query string.
        querystring: z.object({ resume: z.string().max(100).optional() }).catchall(z.string().max(500)),
        response: {
          200: z.object({
            survey: z.object({ name: z.string(), version: z.number(), definition: z.unknown() }),
            locale: z.string(),
            embedded: z.record(z.string(), z.unknown()),
            response: z
              .object({
                status: z.string(),
                answers: z.record(z.string(), z.unknown()),
                resumeToken: z.string(),
              })
              .nullable(),
            alreadyCompleted: z.boolean(),
          }),
        },
      },
    },
    async (request) =>
      openSurveyPage(db, request.params.token, {
        resumeToken: request.query.resume,
        embedded: request.query,
        acceptLanguage: request.headers['accept-language'],
      }),
  );

  app.put(
    '/public/links/:token/response',
    {
      config: { access: 'public' },
      preHandler: limitRespondent,
      schema: {
        tags: ['respondents'],
        summary: 'Save answers so far, or complete the response (checked against the version answered)',
        security: [],
        params: ZTokenParams,
        body: ZResponseSave,
        response: {
          200: z.object({
            responseId: z.number(),
            status: z.enum(['partial', 'complete']),
            resumeToken: z.string(),
          }),
        },
      },
    },
    async (request) => saveSurveyResponse(db, request.params.token, request.body),
  );
};
