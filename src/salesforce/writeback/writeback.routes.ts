import { z } from 'zod';
import { actorOf } from '../../platform/http/access.ts';
import { ZPageQuery } from '../../platform/http/paging.ts';
import type { RouteModule } from '../../platform/http/types.ts';
import { actorLabel, authorize } from '../../users/roles.ts';
import {
  createLeadForm,
  deleteLeadForm,
  listLeadForms,
  listLeadSubmissions,
  submitLeadsForSurvey,
} from '../web-to-lead/web-to-lead.service.ts';
import { runWritebackForSurvey } from './writeback.jobs.ts';
import {
  createWriteback,
  deleteWriteback,
  getWritebackRow,
  listWritebackResults,
  listWritebackRuns,
  listWritebacks,
  updateWriteback,
} from './writeback.service.ts';

const tags = ['salesforce'];
const ZAny = z.record(z.string(), z.unknown());
const ZDir = z.object({ dir: z.string().min(1).max(200) });
const ZId = z.object({ id: z.coerce.number().int().positive() });

const ZWriteback = z.object({
  id: z.number(),
  directoryId: z.number(),
  connectionId: z.number().nullable(),
  name: z.string(),
  object: z.string(),
  operation: z.string(),
  externalIdField: z.string().nullable(),
  recordId: z.string().nullable(),
  fields: z.record(z.string(), z.string()),
  condition: z.string().nullable(),
  bulkThreshold: z.number(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const ZRun = z.object({
  id: z.number(),
  writebackId: z.number(),
  source: z.string(),
  status: z.string(),
  method: z.string().nullable(),
  counts: z.record(z.string(), z.number()),
  error: z.string().nullable(),
  createdBy: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});

export const salesforceWritebackRoutes: RouteModule = (app, { db, secrets, logger, jobs }) => {
  const deps = { db, secrets, logger };

  app.get(
    '/directories/:dir/salesforce/writebacks',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'Write-backs (response mapping) of a directory',
        params: ZDir,
        response: { 200: z.object({ items: z.array(ZWriteback) }) },
      },
    },
    async (request) => ({ items: await listWritebacks(db.orm, actorOf(request), request.params.dir) }),
  );

  app.post(
    '/directories/:dir/salesforce/writebacks',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary:
          'Create a write-back: {name, connectionId, object, operation: insert|update|upsert|delete, externalIdField, recordId, fields: {Field: "{{ piped }}"}, condition}',
        params: ZDir,
        body: ZAny,
        response: { 201: ZWriteback },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createWriteback(deps, actorOf(request), request.params.dir, request.body)),
  );

  app.put(
    '/salesforce/writebacks/:id',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Replace a write-back',
        params: ZId,
        body: ZAny,
        response: { 200: ZWriteback },
      },
    },
    async (request) => updateWriteback(deps, actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/salesforce/writebacks/:id',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Delete a write-back (and its run log)',
        params: ZId,
        response: { 200: z.object({ deleted: z.boolean() }) },
      },
    },
    async (request) => deleteWriteback(db, actorOf(request), request.params.id),
  );

  app.post(
    '/salesforce/writebacks/:id/runs',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Run a write-back over the completed responses of a survey (in the background)',
        params: ZId,
        body: z.object({ surveyId: z.number().int().positive() }),
        response: { 202: z.object({ queued: z.boolean() }) },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      authorize(actor, 'data:write');
      await getWritebackRow(db.orm, request.params.id);
      await jobs.send(runWritebackForSurvey, {
        writebackId: request.params.id,
        surveyId: request.body.surveyId,
        createdBy: actorLabel(actor),
      });
      return reply.status(202).send({ queued: true });
    },
  );

  app.get(
    '/salesforce/writebacks/:id/runs',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'Runs of a write-back, newest first',
        params: ZId,
        querystring: ZPageQuery,
        response: { 200: z.object({ items: z.array(ZRun), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) =>
      listWritebackRuns(
        db.orm,
        actorOf(request),
        request.params.id,
        request.query.cursor ? Number(request.query.cursor) : undefined,
        request.query.limit,
      ),
  );

  app.get(
    '/salesforce/writeback-runs/:id/results',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: "A run's log: each source record's outcome, with Salesforce's error when it failed",
        params: ZId,
        querystring: ZPageQuery,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.number(),
                runId: z.number(),
                sourceKey: z.string(),
                outcome: z.string(),
                sfId: z.string().nullable(),
                errorCode: z.string().nullable(),
                message: z.string().nullable(),
              }),
            ),
            nextCursor: z.string().nullable(),
          }),
        },
      },
    },
    async (request) =>
      listWritebackResults(
        db.orm,
        actorOf(request),
        request.params.id,
        request.query.cursor ? Number(request.query.cursor) : undefined,
        request.query.limit,
      ),
  );

  app.get(
    '/directories/:dir/salesforce/lead-forms',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary:
          "Web-to-Lead forms of a directory, with their form posts of the last 24 hours and their org's (the 500-a-day limit is the org's)",
        params: ZDir,
        response: { 200: z.object({ items: z.array(ZAny) }) },
      },
    },
    async (request) => ({ items: await listLeadForms(db.orm, actorOf(request), request.params.dir) }),
  );

  app.post(
    '/directories/:dir/salesforce/lead-forms',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary:
          'Create a Web-to-Lead form: {name, connectionId, mode: api|form, formUrl, fields, condition, dailyLimit (≤ 500)}',
        params: ZDir,
        body: ZAny,
        response: { 201: ZAny },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createLeadForm(deps, actorOf(request), request.params.dir, request.body)),
  );

  app.delete(
    '/salesforce/lead-forms/:id',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary:
          'Delete a lead form and its submission log (409 while its form posts of the last 24 hours still count toward the limit)',
        params: ZId,
        response: { 200: z.object({ deleted: z.boolean() }) },
      },
    },
    async (request) => deleteLeadForm(db, actorOf(request), request.params.id),
  );

  app.post(
    '/salesforce/lead-forms/:id/submissions',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary:
          'Send a lead for each completed response of a survey (once per response; stops at the 500-a-day limit)',
        params: ZId,
        body: z.object({ surveyId: z.number().int().positive() }),
        response: {
          200: z.object({
            counts: z.record(z.string(), z.number()),
            refused: z.string().nullable(),
            failures: z.array(ZAny),
          }),
        },
      },
    },
    async (request) => submitLeadsForSurvey(deps, actorOf(request), request.params.id, request.body.surveyId),
  );

  app.get(
    '/salesforce/lead-forms/:id/submissions',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'Leads sent by a form, newest first',
        params: ZId,
        response: { 200: z.object({ items: z.array(ZAny) }) },
      },
    },
    async (request) => ({
      items: await listLeadSubmissions(db.orm, actorOf(request), request.params.id, 200),
    }),
  );
};
