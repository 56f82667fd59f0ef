import { z } from 'zod';
import { findDirectory } from '../directory/directories.service.ts';
import { actorOf } from '../platform/http/access.ts';
import type { RouteModule } from '../platform/http/types.ts';
import { authorize } from '../users/roles.ts';
import { fitChurnModel } from './fit.ts';
import { recomputeHealth } from './health.jobs.ts';
import {
  accountHealthDetail,
  healthSummary,
  healthTree,
  interventions,
  listAccountHealth,
  readHealthModel,
  saveHealthModel,
  ZHealthListQuery,
} from './health.service.ts';
import { ZHealthModel } from './model.ts';

const ZDirParams = z.object({ dir: z.string().min(1).max(200) });
const ZIdParams = z.object({ id: z.coerce.number().int().positive() });
const tags = ['account health'];

const ZAccountHealth = z.object({
  accountId: z.number(),
  name: z.string(),
  externalRef: z.string().nullable(),
  parentId: z.number().nullable(),
  scope: z.enum(['own', 'subtree']),
  health: z.number().nullable(),
  band: z.string(),
  risk: z.string(),
  reasons: z.array(z.record(z.string(), z.unknown())),
  components: z.record(z.string(), z.number()),
  nps: z.number().nullable(),
  weightedNps: z.number().nullable(),
  npsPrev: z.number().nullable(),
  csat: z.number().nullable(),
  coverage: z.number().nullable(),
  responseRate: z.number().nullable(),
  responses: z.number(),
  npsAnswers: z.number(),
  promoters: z.number(),
  passives: z.number(),
  detractors: z.number(),
  silentRoles: z.array(z.string()),
  lastFeedbackAt: z.string().nullable(),
  lastContactAt: z.string().nullable(),
  daysSinceLastContact: z.number().nullable(),
  arr: z.number().nullable(),
  renewalDate: z.string().nullable(),
  openTickets: z.number(),
  owner: z.string().nullable(),
  computedAt: z.string().nullable(),
});

/** The Account Management Command Center's API: health, risk and where to intervene. */
export const healthRoutes: RouteModule = (app, { db, jobs }) => {
  app.get(
    '/directories/:dir/account-health',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary:
          'Accounts ranked by churn risk (then lowest health), with filters; account managers see their accounts',
        params: ZDirParams,
        querystring: ZHealthListQuery,
        response: { 200: z.object({ items: z.array(ZAccountHealth), nextOffset: z.number().nullable() }) },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return listAccountHealth(db.orm, actorOf(request), directory.id, request.query);
    },
  );

  app.get(
    '/directories/:dir/account-health/summary',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary:
          'Headline figures over the same filters as the list: by risk and band, average health, renewals soon',
        params: ZDirParams,
        querystring: ZHealthListQuery,
        response: {
          200: z.object({
            accounts: z.number(),
            byRisk: z.record(z.string(), z.number()),
            byBand: z.record(z.string(), z.number()),
            averageHealth: z.number().nullable(),
            renewalsSoon: z.number(),
            renewalSoonDays: z.number(),
            arrAtHighRisk: z.number().nullable(),
          }),
        },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return healthSummary(db.orm, actorOf(request), directory.id, request.query);
    },
  );

  app.get(
    '/accounts/:id/health-tree',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'The hierarchy below an account, each node with its health (with its descendants)',
        params: ZIdParams,
        querystring: z.object({ depth: z.coerce.number().int().min(1).max(10).default(3) }),
        response: { 200: z.object({ items: z.array(ZAccountHealth.extend({ depth: z.number() })) }) },
      },
    },
    async (request) => healthTree(db.orm, actorOf(request), request.params.id, request.query.depth),
  );

  app.get(
    '/directories/:dir/interventions',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary:
          'Where to intervene: health dropped, detractor decision makers, silent key roles, renewals at risk',
        params: ZDirParams,
        response: {
          200: z.object({
            totals: z.record(z.string(), z.number()),
            healthDropped: z.array(ZAccountHealth.extend({ healthBefore: z.number().nullable() })),
            detractorDecisionMakers: z.array(ZAccountHealth),
            silentKeyRoles: z.array(ZAccountHealth),
            renewalsAtRisk: z.array(ZAccountHealth),
          }),
        },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return interventions(db.orm, actorOf(request), directory.id);
    },
  );

  app.get(
    '/accounts/:id/health',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary:
          'One account: health breakdown (alone and with its descendants), trend, children, contacts by role',
        params: ZIdParams,
        response: {
          200: z.object({
            accountId: z.number(),
            own: ZAccountHealth.nullable(),
            subtree: ZAccountHealth.nullable(),
            trend: z.array(
              z.object({
                day: z.string(),
                scope: z.string(),
                health: z.number().nullable(),
                nps: z.number().nullable(),
                risk: z.string(),
              }),
            ),
            children: z.array(ZAccountHealth),
            contactsByRole: z.array(
              z.object({
                contactId: z.number(),
                name: z.string().nullable(),
                email: z.string().nullable(),
                role: z.string(),
                npsScore: z.number().nullable(),
                npsCategory: z.string().nullable(),
                at: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => accountHealthDetail(db.orm, actorOf(request), request.params.id),
  );

  app.get(
    '/directories/:dir/health-model',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'The health model: components, weights, thresholds',
        params: ZDirParams,
        response: { 200: ZHealthModel },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return readHealthModel(db.orm, actorOf(request), directory.id);
    },
  );

  app.put(
    '/directories/:dir/health-model',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Change the health model (then every account is recomputed)',
        params: ZDirParams,
        body: ZHealthModel,
        response: { 200: ZHealthModel },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      const model = await saveHealthModel(db, actorOf(request), directory.id, request.body);
      await jobs.send(recomputeHealth, { directoryId: directory.id });
      return model;
    },
  );

  app.post(
    '/directories/:dir/account-health/recompute',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Recompute every account of the directory now (a background job)',
        params: ZDirParams,
        response: { 202: z.object({ jobId: z.string().nullable() }) },
      },
    },
    async (request, reply) => {
      authorize(actorOf(request), 'data:write');
      const directory = await findDirectory(db.orm, request.params.dir);
      return reply
        .status(202)
        .send({ jobId: await jobs.send(recomputeHealth, { directoryId: directory.id }) });
    },
  );

  app.get(
    '/directories/:dir/health-model/fit',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary:
          'A logistic regression of churn on the health components, fitted on accounts with an outcome attribute, with its accuracy on held-out accounts',
        params: ZDirParams,
        response: { 200: z.record(z.string(), z.unknown()) },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return fitChurnModel(db.orm, actorOf(request), directory.id);
    },
  );
};
