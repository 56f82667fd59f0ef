import { z } from 'zod';
import { findDirectory } from '../directory/directories.service.ts';
import { tooManyRequests, validationFailed } from '../platform/errors.ts';
import { actorOf } from '../platform/http/access.ts';
import { createRateLimiter } from '../platform/http/rate-limiter.ts';
import type { RouteModule } from '../platform/http/types.ts';
import { csvFileName, widgetCsv } from './csv.ts';
import {
  createDashboard,
  createFromTemplate,
  deleteDashboard,
  findPage,
  findWidget,
  getDashboard,
  listDashboards,
  readableDashboard,
  updateDashboard,
  ZFromTemplate,
} from './dashboards.service.ts';
import {
  createDashboardEmbed,
  openDashboardEmbed,
  ZDashboardEmbedCreate,
  ZEmbedView,
} from './embed.service.ts';
import { VISIBILITIES, ZDashboardFilters, ZDashboardInput, ZPage, ZWidget } from './model.ts';
import { widgetData, widgetsData, ZWidgetData, ZWidgetResult } from './widget-data.ts';

const ZDirParams = z.object({ dir: z.string().min(1).max(200) });
const ZIdParams = z.object({ id: z.coerce.number().int().positive() });
const ZWidgetParams = ZIdParams.extend({ widgetId: z.string().min(1).max(40) });
const ZPageParams = ZIdParams.extend({ pageId: z.string().min(1).max(40) });
const tags = ['dashboards'];

const ZDashboard = z.object({
  id: z.number(),
  directoryId: z.number(),
  name: z.string(),
  description: z.string(),
  visibility: z.enum(VISIBILITIES),
  ownerUserId: z.number().nullable(),
  template: z.string().nullable(),
  filters: ZDashboardFilters,
  pages: z.array(ZPage),
  version: z.number(),
  createdBy: z.string(),
  updatedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const ZSummary = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string(),
  visibility: z.enum(VISIBILITIES),
  template: z.string().nullable(),
  pages: z.number(),
  widgets: z.number(),
  mine: z.boolean(),
  updatedBy: z.string(),
  updatedAt: z.string(),
});

/** The filter state to compute with (absent: the dashboard's saved filters), and the texts' language. */
const ZDataRequest = z.object({
  filters: ZDashboardFilters.optional(),
  locale: z.string().max(10).optional(),
});

const ZEmbedOut = z.object({
  dashboard: z.object({ id: z.number(), name: z.string(), description: z.string(), pages: z.array(ZPage) }),
  account: z.object({ id: z.number(), name: z.string(), externalRef: z.string() }),
  widgetId: z.string().nullable(),
  locale: z.string().nullable(),
  expiresAt: z.string(),
  filters: ZDashboardFilters,
  pageId: z.string(),
  widgets: z.array(ZWidgetResult),
});

/** Filters from a query string (a GET download): JSON, checked like a body. */
function filtersFromQuery(text: string | undefined) {
  if (!text) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw validationFailed('The filters are not valid JSON', [{ path: 'filters', message: 'not JSON' }]);
  }
  return ZDashboardFilters.parse(raw);
}

/** Dashboards: pages of widgets, their data under filters, CSV, and signed embeds for CRM pages. */
export const dashboardsRoutes: RouteModule = (app, { db, config, secrets }) => {
  app.get(
    '/directories/:dir/dashboards',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'The directory’s shared dashboards and your personal ones',
        params: ZDirParams,
        response: { 200: z.object({ items: z.array(ZSummary) }) },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return listDashboards(db.orm, actorOf(request), directory.id);
    },
  );

  app.post(
    '/directories/:dir/dashboards',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Create a dashboard (pages of widgets, default filters)',
        params: ZDirParams,
        body: ZDashboardInput,
        response: { 201: ZDashboard },
      },
    },
    async (request, reply) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return reply.status(201).send(await createDashboard(db, actorOf(request), directory.id, request.body));
    },
  );

  app.post(
    '/directories/:dir/dashboards/from-template',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Create a dashboard from a template (overview: "Account experience overview")',
        params: ZDirParams,
        body: ZFromTemplate,
        response: { 201: ZDashboard },
      },
    },
    async (request, reply) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return reply
        .status(201)
        .send(await createFromTemplate(db, actorOf(request), directory.id, request.body));
    },
  );

  app.get(
    '/dashboards/:id',
    {
      config: { access: 'data:read' },
      schema: { tags, summary: 'A dashboard', params: ZIdParams, response: { 200: ZDashboard } },
    },
    async (request) => getDashboard(db.orm, actorOf(request), request.params.id),
  );

  app.put(
    '/dashboards/:id',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Replace a dashboard (send the version you read: a dashboard changed since is a 409)',
        params: ZIdParams,
        body: ZDashboardInput,
        response: { 200: ZDashboard },
      },
    },
    async (request) => updateDashboard(db, actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/dashboards/:id',
    {
      config: { access: 'data:write' },
      schema: { tags, summary: 'Delete a dashboard', params: ZIdParams, response: { 204: z.null() } },
    },
    async (request, reply) => {
      await deleteDashboard(db, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/dashboards/:id/widgets/:widgetId/data',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'One widget’s data under the filters (absent: the dashboard’s), as you may see it',
        params: ZWidgetParams,
        body: ZDataRequest,
        response: { 200: ZWidgetData },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const row = await readableDashboard(db.orm, actor, request.params.id);
      const { widget } = findWidget(row, request.params.widgetId);
      return widgetData(
        db.orm,
        {
          actor,
          directoryId: row.directoryId,
          filters: request.body.filters ?? row.filters,
          locale: request.body.locale ?? '',
        },
        widget,
      );
    },
  );

  app.post(
    '/dashboards/:id/pages/:pageId/data',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'The data of every widget of a page (each its data, or its error)',
        params: ZPageParams,
        body: ZDataRequest,
        response: { 200: z.object({ widgets: z.array(ZWidgetResult) }) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const row = await readableDashboard(db.orm, actor, request.params.id);
      const page = findPage(row, request.params.pageId);
      const widgets = await widgetsData(
        db.orm,
        {
          actor,
          directoryId: row.directoryId,
          filters: request.body.filters ?? row.filters,
          locale: request.body.locale ?? '',
        },
        page.widgets,
      );
      return { widgets };
    },
  );

  app.get(
    '/dashboards/:id/widgets/:widgetId/data.csv',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'One widget’s data as CSV (UTF-8 with BOM); filters: the filter state as JSON',
        params: ZWidgetParams,
        querystring: z.object({
          filters: z.string().max(10_000).optional(),
          locale: z.string().max(10).optional(),
        }),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const row = await readableDashboard(db.orm, actor, request.params.id);
      const { widget } = findWidget(row, request.params.widgetId);
      const data = await widgetData(
        db.orm,
        {
          actor,
          directoryId: row.directoryId,
          filters: filtersFromQuery(request.query.filters) ?? row.filters,
          locale: request.query.locale ?? '',
        },
        widget,
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="${csvFileName(widget.title || row.name, widget.type)}"`,
        )
        .send(widgetCsv(data));
    },
  );

  app.post(
    '/directories/:dir/widget-data',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'Widgets not saved yet (the editor’s preview) computed under filters',
        params: ZDirParams,
        body: z.object({
          filters: ZDashboardFilters.default(ZDashboardFilters.parse({})),
          widgets: z.array(ZWidget).max(40),
          locale: z.string().max(10).optional(),
        }),
        response: { 200: z.object({ widgets: z.array(ZWidgetResult) }) },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      const widgets = await widgetsData(
        db.orm,
        {
          actor: actorOf(request),
          directoryId: directory.id,
          filters: request.body.filters,
          locale: request.body.locale ?? '',
        },
        request.body.widgets,
      );
      return { widgets };
    },
  );

  app.post(
    '/embeds/dashboards',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary:
          'A signed, expiring URL of a dashboard (or one widget) for one account and its subtree, for an iframe on a CRM account page',
        body: ZDashboardEmbedCreate,
        response: {
          201: z.object({
            token: z.string(),
            path: z.string(),
            url: z.string(),
            expiresAt: z.string(),
            account: z.object({ id: z.number(), name: z.string(), externalRef: z.string() }),
          }),
        },
      },
    },
    async (request, reply) => {
      const embed = await createDashboardEmbed(db.orm, secrets, actorOf(request), request.body);
      const origin = config.http.publicUrl ?? `${request.protocol}://${request.host}`;
      return reply.status(201).send({ ...embed, url: `${origin}${embed.path}` });
    },
  );

  // The embed's data: public, the signed token is the credential (rate-limited per address).
  const perAddress = createRateLimiter(config.http.publicRate.perAddress);
  app.get(
    '/public/embeds/dashboards/:token',
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
          'What an embedded dashboard shows: its pages and one page’s widgets for the signed account (the token comes from POST /embeds/dashboards)',
        security: [],
        params: z.object({ token: z.string().min(20).max(2000) }),
        querystring: ZEmbedView,
        response: { 200: ZEmbedOut },
      },
    },
    async (request) => openDashboardEmbed(db.orm, secrets, request.params.token, request.query),
  );
};
