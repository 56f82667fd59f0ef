import { z } from 'zod';
import { readEvents } from '../platform/events/events.ts';
import { actorOf } from '../platform/http/access.ts';
import { page, ZPageQuery } from '../platform/http/paging.ts';
import type { RouteModule } from '../platform/http/types.ts';
import { authorize } from '../users/roles.ts';
import { listAuditEvents } from './audit.service.ts';

const ZHealth = z.object({
  status: z.enum(['ok', 'error']),
  database: z.enum(['pglite', 'postgres']),
  version: z.string(),
});

const ZAuditEvent = z.object({
  id: z.number(),
  at: z.string(),
  actorUserId: z.number().nullable(),
  actorLabel: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  details: z.unknown(),
  ip: z.string().nullable(),
});

const ZQueueSummary = z.object({
  name: z.string(),
  queued: z.number(),
  active: z.number(),
  completed: z.number(),
  failed: z.number(),
  schedule: z.object({ cron: z.string(), tz: z.string() }).nullable(),
});

export const systemRoutes: RouteModule = (app, { db, jobs, version }) => {
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Liveness and database reachability',
        security: [],
        response: { 200: ZHealth, 503: ZHealth },
      },
    },
    async (_request, reply) => {
      try {
        await db.ping();
        return { status: 'ok' as const, database: db.kind, version };
      } catch {
        return reply.status(503).send({ status: 'error' as const, database: db.kind, version });
      }
    },
  );

  app.get(
    '/audit-events',
    {
      config: { access: 'audit:read' },
      schema: {
        tags: ['system'],
        summary: 'Audit trail, newest first',
        querystring: ZPageQuery.extend({
          targetType: z.string().optional(),
          targetId: z.string().optional(),
        }),
        response: { 200: page(ZAuditEvent) },
      },
    },
    async (request) => {
      const q = request.query;
      const before = q.cursor ? Number(q.cursor) : undefined;
      return listAuditEvents(db.orm, actorOf(request), {
        limit: q.limit,
        targetType: q.targetType,
        targetId: q.targetId,
        before: Number.isSafeInteger(before) ? before : undefined,
      });
    },
  );

  app.get(
    '/events',
    {
      config: { access: 'jobs:read' },
      schema: {
        tags: ['system'],
        summary: 'Domain events in order (response.created, response.completed …), read from a cursor',
        querystring: z.object({
          type: z.string().max(100).optional(),
          subject: z.string().max(200).optional(),
          after: z.coerce.number().int().nonnegative().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.number(),
                type: z.string(),
                subject: z.string(),
                payload: z.record(z.string(), z.unknown()),
                at: z.string(),
              }),
            ),
            nextCursor: z.string().nullable(),
          }),
        },
      },
    },
    async (request) => {
      // Events carry answers and contact ids: not for roles scoped to some accounts.
      authorize(actorOf(request), 'jobs:read');
      return readEvents(db.orm, request.query);
    },
  );

  app.get(
    '/jobs/queues',
    {
      config: { access: 'jobs:read' },
      schema: {
        tags: ['system'],
        summary: 'Background job queues with their counts and schedules',
        response: { 200: z.object({ items: z.array(ZQueueSummary) }) },
      },
    },
    async (request) => {
      authorize(actorOf(request), 'jobs:read');
      return { items: await jobs.summary() };
    },
  );
};
