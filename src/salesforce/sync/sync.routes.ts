import { z } from 'zod';
import { importSummary } from '../../imports/imports.operations.ts';
import { actorOf } from '../../platform/http/access.ts';
import { ZPageQuery } from '../../platform/http/paging.ts';
import type { RouteModule } from '../../platform/http/types.ts';
import { campaignLists } from './campaign-lists.ts';
import { requestSyncRun } from './sync.jobs.ts';
import {
  deleteSync,
  getSync,
  getSyncRun,
  listSyncRuns,
  saveSync,
  syncDefaults,
} from './sync-config.service.ts';
import { syncedCounts } from './sync-records.ts';

const tags = ['salesforce'];
const ZDirParams = z.object({ dir: z.string().min(1).max(200) });
const ZAny = z.record(z.string(), z.unknown());

const ZSync = z.object({
  id: z.number(),
  directoryId: z.number(),
  connectionId: z.number().nullable(),
  objects: ZAny,
  mapping: z.unknown(),
  mailingList: z.string().nullable(),
  schedule: z.object({ cron: z.string(), timeZone: z.string() }),
  enabled: z.boolean(),
  nextRunAt: z.string().nullable(),
  options: ZAny,
  cursor: z.record(z.string(), z.string()).nullable(),
  lastReconcileAt: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const ZSyncRun = z.object({
  id: z.number(),
  syncId: z.number(),
  directoryId: z.number(),
  mode: z.string(),
  trigger: z.string(),
  status: z.string(),
  importRunId: z.number().nullable(),
  extracted: z.record(z.string(), ZAny),
  apiCalls: z.number(),
  apiUsage: z
    .object({
      before: z.number().nullable(),
      after: z.number().nullable(),
      max: z.number().nullable(),
      percent: z.number(),
    })
    .nullable(),
  cursorBefore: z.record(z.string(), z.string()).nullable(),
  cursorAfter: z.record(z.string(), z.string()).nullable(),
  reconciled: z.boolean(),
  error: z.string().nullable(),
  timings: z.record(z.string(), z.number()),
  createdBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const salesforceSyncRoutes: RouteModule = (app, { db, secrets, logger, jobs }) => {
  const deps = { db, secrets, logger };

  app.get(
    '/directories/:dir/salesforce/sync',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary:
          "A directory's Salesforce sync (null when none), the defaults of a new one, how many records it keeps in step, and the mailing list of each campaign it keeps",
        params: ZDirParams,
        response: {
          200: z.object({
            sync: ZSync.nullable(),
            defaults: ZAny,
            synced: z.record(z.string(), z.number()),
            campaignLists: z.array(
              z.object({
                campaignId: z.string(),
                mailingListId: z.number(),
                name: z.string().nullable(),
                synced: z.boolean(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const sync = await getSync(db.orm, actorOf(request), request.params.dir);
      return {
        sync,
        defaults: syncDefaults() as Record<string, unknown>,
        synced: sync ? await syncedCounts(db.orm, sync.id) : {},
        campaignLists: sync ? await campaignLists(db.orm, sync.id) : [],
      };
    },
  );

  app.put(
    '/directories/:dir/salesforce/sync',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary:
          'Create or replace the sync: connection, objects (fields from describe, SOQL filter, list view, chosen Ids; Campaign makes a mailing list per campaign), mapping, mailing list, schedule (cron + time zone), options',
        params: ZDirParams,
        body: ZAny,
        response: { 200: ZSync },
      },
    },
    async (request) => saveSync(deps, actorOf(request), request.params.dir, request.body),
  );

  app.delete(
    '/directories/:dir/salesforce/sync',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Remove the sync (the directory keeps its records)',
        params: ZDirParams,
        response: { 200: z.object({ deleted: z.boolean() }) },
      },
    },
    async (request) => deleteSync(deps, actorOf(request), request.params.dir),
  );

  app.post(
    '/directories/:dir/salesforce/sync/runs',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary:
          'Run the sync now (full: re-extract everything; reconcile: also list every Id to find purged records)',
        params: ZDirParams,
        body: z
          .object({ full: z.boolean().default(false), reconcile: z.boolean().default(false) })
          .default({ full: false, reconcile: false }),
        response: { 202: z.object({ run: ZSyncRun, queued: z.boolean() }) },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(await requestSyncRun(db, jobs, actorOf(request), request.params.dir, request.body)),
  );

  app.get(
    '/directories/:dir/salesforce/sync/runs',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'Sync runs, newest first',
        params: ZDirParams,
        querystring: ZPageQuery,
        response: { 200: z.object({ items: z.array(ZSyncRun), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const before = request.query.cursor ? Number(request.query.cursor) : undefined;
      return listSyncRuns(db.orm, actorOf(request), request.params.dir, before, request.query.limit);
    },
  );

  app.get(
    '/salesforce/sync-runs/:id',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'A sync run, with the report of the import run that loaded it',
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: ZSyncRun.extend({ import: ZAny.nullable() }) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const run = await getSyncRun(db.orm, actor, request.params.id);
      const report = run.importRunId ? await importSummary({ db }, actor, run.importRunId) : null;
      return { ...run, import: report as Record<string, unknown> | null };
    },
  );
};
