import { z } from 'zod';
import { actorOf } from '../platform/http/access.ts';
import { page } from '../platform/http/paging.ts';
import type { RouteModule } from '../platform/http/types.ts';
import { outputTypeOf } from './check.ts';
import { RUN_STATUSES, TASK_RUN_STATUSES } from './model.ts';
import { cancelRun, getRun, listRuns, rerunRun, runWorkflowNow } from './runs.service.ts';
import { TASK_TYPES } from './tasks/registry.ts';
import { createFromTemplate, listTemplates } from './templates.ts';
import { jsonSchemaOf, variablesOf } from './types.ts';
import {
  checkDraft,
  createWorkflow,
  deleteWorkflow,
  getWorkflow,
  listWorkflows,
  setWorkflowEnabled,
  updateWorkflow,
} from './workflows.service.ts';

const ZDirParams = z.object({ dir: z.string().min(1).max(200) });
const ZIdParams = z.object({ id: z.coerce.number().int().positive() });
const tags = ['workflows'];

const DEFINITION_HELP =
  'A workflow: { name, description?, enabled, ownerEmail?, trigger, conditions?, tasks }. trigger: ' +
  '{ type: "schedule", schedule: { kind: "daily", time: "06:00", timeZone } | { kind: "weekly", days, time, timeZone } | { kind: "cron", cron, timeZone } } ' +
  '| { type: "event", event: "response.completed" | …, filter?: { surveyId?, salesforceTriggerId?, field? } } | { type: "manual" }. ' +
  'conditions: { match: "all" | "any", rules: [{ field: "response.npsScore", op: "lte", value: 6 } | group] }. ' +
  'tasks: [{ key, type, name?, input, retry?: { limit, delaySeconds } }]; any string in an input may pipe values: ' +
  '{{ event.response.answers.nps }}, {{ tasks.<key>.<field> }} (checked on save: a missing task or field, or a wrong type, is a 400 naming them).';

/** The definition as the API takes it; the service checks it whole (recursive conditions included). */
const ZWorkflowBody = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    enabled: z.boolean().optional(),
    ownerEmail: z.string().optional(),
    trigger: z.record(z.string(), z.unknown()),
    conditions: z.unknown().optional(),
    tasks: z.array(z.record(z.string(), z.unknown())),
  })
  .describe(DEFINITION_HELP);

const ZLastRun = z.object({ id: z.number(), status: z.string(), createdAt: z.string() }).nullable();
const ZWorkflow = z.object({
  id: z.number(),
  directoryId: z.number(),
  name: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  ownerEmail: z.string(),
  trigger: z.unknown(),
  conditions: z.unknown(),
  tasks: z
    .array(
      z.object({
        key: z.string(),
        type: z.string(),
        name: z.string().optional(),
        input: z.record(z.string(), z.unknown()),
        retry: z.unknown().optional(),
      }),
    )
    .describe('Secret inputs show as { "$secret": "<id>" }: send that back to keep the saved value'),
  version: z.number(),
  template: z.string().nullable(),
  enabledAt: z.string().nullable(),
  nextRuns: z.array(z.string()),
  lastRun: ZLastRun,
  createdBy: z.string(),
  updatedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const ZRun = z.object({
  id: z.number(),
  workflowId: z.number(),
  workflowName: z.string().optional(),
  workflowVersion: z.number(),
  status: z.enum(RUN_STATUSES),
  trigger: z.object({
    kind: z.string(),
    key: z.string(),
    eventId: z.number().nullable(),
    eventType: z.string().nullable(),
    slot: z.string().nullable(),
  }),
  rerunOf: z.number().nullable(),
  error: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  failureNotifiedAt: z.string().nullable(),
});

const ZRunDetail = ZRun.extend({
  directoryId: z.number(),
  triggerData: z.unknown().describe('What {{ event.… }} read in this run'),
  tasks: z.array(
    z.object({
      position: z.number(),
      key: z.string(),
      type: z.string(),
      name: z.string().nullable(),
      status: z.enum(TASK_RUN_STATUSES),
      input: z.unknown().describe('The input with the piped values in place (secrets hidden)'),
      output: z.unknown(),
      error: z.string().nullable(),
      attempts: z.number(),
      nextAttemptAt: z.string().nullable(),
      startedAt: z.string().nullable(),
      finishedAt: z.string().nullable(),
      durationMs: z.number().nullable(),
    }),
  ),
});

const ZProblem = z.object({ path: z.string(), message: z.string() });
const ZVariable = z.object({ path: z.string(), type: z.string(), leaf: z.boolean() });
const ZScope = z.object({
  event: z.array(ZVariable),
  tasks: z.array(z.object({ key: z.string(), label: z.string(), variables: z.array(ZVariable) })),
  workflow: z.array(ZVariable),
  run: z.array(ZVariable),
});

/** Workflows: scheduled and event-started automations with chained tasks, their runs, templates. */
export const workflowsRoutes: RouteModule = (app, { db, jobs, secrets }) => {
  const deps = { db, secrets };

  app.get(
    '/workflow-task-types',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'The task palette: each type with its input and output JSON Schemas and its secret fields',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                type: z.string(),
                category: z.string(),
                label: z.string(),
                description: z.string(),
                input: z.unknown(),
                output: z.unknown(),
                outputVariables: z.array(ZVariable),
                secrets: z.array(z.string()),
                templateFields: z.array(z.string()),
                retry: z.object({ limit: z.number(), delaySeconds: z.number() }).nullable(),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      return {
        items: TASK_TYPES.map((t) => ({
          type: t.type,
          category: t.category,
          label: t.label,
          description: t.description,
          input: jsonSchemaOf(t.input, 'input'),
          output: jsonSchemaOf(t.output, 'output'),
          outputVariables: variablesOf('output', outputTypeOf(t.type)),
          secrets: t.secrets ?? [],
          templateFields: Object.entries(t.fields ?? {})
            .filter(([, m]) => m.mode === 'template')
            .map(([k]) => k),
          retry: t.retry ?? null,
        })),
      };
    },
  );

  app.get(
    '/workflow-templates',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'Ready-to-copy workflows and the answers each needs (JSON Schema)',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                key: z.string(),
                name: z.string(),
                description: z.string(),
                parameters: z.unknown(),
              }),
            ),
          }),
        },
      },
    },
    async () => ({ items: listTemplates() }),
  );

  app.post(
    '/directories/:dir/workflow-templates/:key',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary:
          'Create a workflow from a template with the answers to its parameters (disabled unless enabled: true)',
        params: ZDirParams.extend({ key: z.string().min(1).max(100) }),
        body: z.record(z.string(), z.unknown()),
        response: { 201: ZWorkflow },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await createFromTemplate(
            deps,
            actorOf(request),
            request.params.dir,
            request.params.key,
            request.body,
          ),
        ),
  );

  app.get(
    '/directories/:dir/workflows',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'Workflows of a directory, by name, with their last run and next scheduled runs',
        params: ZDirParams,
        response: { 200: z.object({ items: z.array(ZWorkflow) }) },
      },
    },
    async (request) => listWorkflows(db.orm, actorOf(request), request.params.dir),
  );

  app.post(
    '/directories/:dir/workflows',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: `Create a workflow. ${DEFINITION_HELP}`,
        params: ZDirParams,
        body: ZWorkflowBody,
        response: { 201: ZWorkflow },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createWorkflow(deps, actorOf(request), request.params.dir, request.body)),
  );

  app.post(
    '/directories/:dir/workflows/check',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary:
          'Check a draft without saving it: its problems, and at each task position what it may pipe in (the {a} menu: variables[i] for task i)',
        params: ZDirParams,
        body: z.object({
          workflowId: z.number().int().positive().nullable().optional(),
          definition: z.unknown(),
        }),
        response: {
          200: z.object({
            problems: z.array(ZProblem),
            variables: z.array(ZScope),
            nextRuns: z.array(z.string()),
          }),
        },
      },
    },
    async (request) =>
      checkDraft(
        deps,
        actorOf(request),
        request.params.dir,
        request.body.definition,
        request.body.workflowId ?? null,
      ),
  );

  app.get(
    '/workflows/:id',
    {
      config: { access: 'data:read' },
      schema: { tags, summary: 'A workflow', params: ZIdParams, response: { 200: ZWorkflow } },
    },
    async (request) => getWorkflow(db.orm, actorOf(request), request.params.id),
  );

  app.put(
    '/workflows/:id',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: `Replace a workflow's definition (runs under way keep the one they started with). ${DEFINITION_HELP}`,
        params: ZIdParams,
        body: ZWorkflowBody,
        response: { 200: ZWorkflow },
      },
    },
    async (request) => updateWorkflow(deps, actorOf(request), request.params.id, request.body),
  );

  app.post(
    '/workflows/:id/enabled',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Turn a workflow on or off (on again: only events and slots from now on start it)',
        params: ZIdParams,
        body: z.object({ enabled: z.boolean() }),
        response: { 200: ZWorkflow },
      },
    },
    async (request) => setWorkflowEnabled(db, actorOf(request), request.params.id, request.body.enabled),
  );

  app.delete(
    '/workflows/:id',
    {
      config: { access: 'data:write' },
      schema: { tags, summary: 'Delete a workflow and its run history', params: ZIdParams },
    },
    async (request, reply) => {
      await deleteWorkflow(db, actorOf(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/workflows/:id/runs',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary:
          'Run a workflow now (202): a scheduled one as if its time came; an event one on a given domain event (eventId), or with no event data',
        params: ZIdParams,
        body: z.object({ eventId: z.number().int().positive().optional() }).default({}),
        response: { 202: ZRunDetail },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(await runWorkflowNow({ db, jobs }, actorOf(request), request.params.id, request.body)),
  );

  app.get(
    '/workflows/:id/runs',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'Run history of a workflow, newest first',
        params: ZIdParams,
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.coerce.number().int().positive().optional(),
          status: z.enum(RUN_STATUSES).optional(),
        }),
        response: { 200: page(ZRun) },
      },
    },
    async (request) =>
      listRuns(db.orm, actorOf(request), request.params.id, {
        before: request.query.cursor,
        limit: request.query.limit,
        status: request.query.status,
      }),
  );

  app.get(
    '/workflow-runs/:id',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary:
          "A run: its trigger data, and each task's input, output, status, attempts, duration and error",
        params: ZIdParams,
        response: { 200: ZRunDetail },
      },
    },
    async (request) => getRun(db.orm, actorOf(request), request.params.id),
  );

  app.post(
    '/workflow-runs/:id/rerun',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary:
          'Run a finished run again with its trigger data (202): from the start (all), or keeping the tasks that succeeded (from_failure)',
        params: ZIdParams,
        body: z.object({ mode: z.enum(['all', 'from_failure']).default('all') }).default({ mode: 'all' }),
        response: { 202: ZRunDetail },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(await rerunRun({ db, jobs }, actorOf(request), request.params.id, request.body.mode)),
  );

  app.post(
    '/workflow-runs/:id/cancel',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary:
          'Stop a run under way: the task running finishes, no further task starts (the rest are skipped)',
        params: ZIdParams,
        response: { 200: ZRunDetail },
      },
    },
    async (request) => cancelRun(db, actorOf(request), request.params.id),
  );
};
