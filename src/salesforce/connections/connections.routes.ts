import { z } from 'zod';
import { actorOf } from '../../platform/http/access.ts';
import type { RouteModule } from '../../platform/http/types.ts';
import { authorize } from '../../users/roles.ts';
import { SalesforceClient } from '../client/sf-client.ts';
import { describer } from '../sync/describe.ts';
import {
  completeAuthorization,
  connectionUsage,
  createConnection,
  deleteConnection,
  getConnection,
  getConnectionRow,
  listConnections,
  renameConnection,
  startAuthorization,
  testConnection,
} from './connections.service.ts';
import { openConnection } from './open-connection.ts';

const tags = ['salesforce'];
const ZIdParams = z.object({ id: z.coerce.number().int().positive() });

export const ZConnection = z.object({
  id: z.number(),
  name: z.string(),
  authKind: z.string(),
  loginUrl: z.string(),
  clientId: z.string(),
  jwtUsername: z.string().nullable(),
  instanceUrl: z.string().nullable(),
  apiVersion: z.string(),
  orgId: z.string().nullable(),
  userId: z.string().nullable(),
  username: z.string().nullable(),
  status: z.string(),
  lastError: z.string().nullable(),
  lastTestedAt: z.string().nullable(),
  apiUsage: z.object({ used: z.number(), max: z.number(), at: z.string() }).nullable(),
  hasRefreshToken: z.boolean(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const ZUse = z.object({
  kind: z.string(),
  id: z.number(),
  name: z.string(),
  directoryId: z.number(),
  directoryName: z.string(),
});

const ZField = z.object({
  name: z.string(),
  label: z.string(),
  type: z.string(),
  custom: z.boolean(),
  compound: z.string().nullable(),
  compoundFieldName: z.string().nullable(),
  relationshipName: z.string().nullable(),
  referenceTo: z.array(z.string()),
  externalId: z.boolean(),
  createable: z.boolean(),
  updateable: z.boolean(),
  nillable: z.boolean(),
  filterable: z.boolean(),
});

export const salesforceConnectionRoutes: RouteModule = (app, { db, secrets, logger, config }) => {
  const deps = { db, secrets, logger };
  const redirectUri = (request: { protocol: string; host: string }) =>
    `${config.http.publicUrl ?? `${request.protocol}://${request.host}`}/api/v1/salesforce/oauth/callback`;

  app.get(
    '/salesforce/connections',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'Connected Salesforce orgs (for the whole instance: any directory may use them)',
        response: { 200: z.object({ items: z.array(ZConnection) }) },
      },
    },
    async (request) => ({ items: await listConnections(db.orm, actorOf(request)) }),
  );

  app.post(
    '/salesforce/connections',
    {
      config: { access: 'settings:manage' },
      schema: {
        tags,
        summary:
          'Connect an org: {kind: "oauth"} waits for the browser (follow authorizeUrl); "jwt" and "client_credentials" connect at once',
        body: z.record(z.string(), z.unknown()),
        response: { 201: z.object({ connection: ZConnection, authorizeUrl: z.string().nullable() }) },
      },
    },
    async (request, reply) => {
      const connection = await createConnection(deps, actorOf(request), request.body);
      const authorizeUrl =
        connection.status === 'pending'
          ? `/api/v1/salesforce/connections/authorize?connectionId=${connection.id}`
          : null;
      return reply.status(201).send({ connection, authorizeUrl });
    },
  );

  app.get(
    '/salesforce/connections/authorize',
    {
      config: { access: 'settings:manage' },
      schema: {
        tags,
        summary:
          "Redirects the browser to the org's login page (OAuth 2.0 web server flow, with state and PKCE)",
        querystring: z.object({ connectionId: z.coerce.number().int().positive() }),
      },
    },
    async (request, reply) => {
      const url = await startAuthorization(
        deps,
        actorOf(request),
        request.query.connectionId,
        redirectUri(request),
      );
      return reply.redirect(url, 302);
    },
  );

  app.get(
    '/salesforce/oauth/callback',
    {
      // The browser comes back from Salesforce: the single-use state is the credential.
      config: { access: 'public' },
      schema: {
        tags,
        security: [],
        summary: 'Where Salesforce sends the browser back with the authorization code',
        querystring: z.object({
          code: z.string().max(2000).optional(),
          state: z.string().max(200).optional(),
          error: z.string().max(200).optional(),
          error_description: z.string().max(2000).optional(),
        }),
      },
    },
    async (request, reply) => {
      try {
        const { connectionId } = await completeAuthorization(deps, {
          code: request.query.code,
          state: request.query.state,
          error: request.query.error,
          errorDescription: request.query.error_description,
        });
        return reply.redirect(`/settings/connections?connected=${connectionId}`, 302);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return reply.redirect(
          `/settings/connections?error=${encodeURIComponent(message.slice(0, 500))}`,
          302,
        );
      }
    },
  );

  app.get(
    '/salesforce/connections/:id',
    {
      config: { access: 'data:read' },
      schema: { tags, summary: 'A connection', params: ZIdParams, response: { 200: ZConnection } },
    },
    async (request) => getConnection(db.orm, actorOf(request), request.params.id),
  );

  app.patch(
    '/salesforce/connections/:id',
    {
      config: { access: 'settings:manage' },
      schema: {
        tags,
        summary: 'Rename a connection',
        params: ZIdParams,
        body: z.object({ name: z.string().trim().min(1).max(200) }),
        response: { 200: ZConnection },
      },
    },
    async (request) => renameConnection(db, actorOf(request), request.params.id, request.body.name),
  );

  app.post(
    '/salesforce/connections/:id/test',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'Test a connection: identity and the org limits (refreshing the token if it expired)',
        params: ZIdParams,
        response: {
          200: z.object({
            ok: z.boolean(),
            connection: ZConnection,
            identity: z
              .object({
                username: z.string(),
                displayName: z.string(),
                email: z.string(),
                orgId: z.string(),
                userId: z.string(),
              })
              .optional(),
            apiUsage: z.object({ used: z.number(), max: z.number(), at: z.string() }).nullable().optional(),
            error: z.string().optional(),
          }),
        },
      },
    },
    async (request) => testConnection(deps, actorOf(request), request.params.id),
  );

  app.get(
    '/salesforce/connections/:id/usage',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'What uses the connection (and stops working if it is disconnected)',
        params: ZIdParams,
        response: { 200: z.object({ items: z.array(ZUse) }) },
      },
    },
    async (request) => ({ items: await connectionUsage(db.orm, actorOf(request), request.params.id) }),
  );

  app.delete(
    '/salesforce/connections/:id',
    {
      config: { access: 'settings:manage' },
      schema: {
        tags,
        summary: 'Disconnect (409 with what uses it unless confirm=true)',
        params: ZIdParams,
        querystring: z.object({ confirm: z.enum(['true', 'false']).default('false') }),
        response: { 200: z.object({ deleted: z.boolean(), stopped: z.array(ZUse) }) },
      },
    },
    async (request) =>
      deleteConnection(deps, actorOf(request), request.params.id, request.query.confirm === 'true'),
  );

  app.get(
    '/salesforce/connections/:id/objects',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: "The org's objects (describeGlobal): standard and custom",
        params: ZIdParams,
        response: {
          200: z.object({
            items: z.array(
              z.object({ name: z.string(), label: z.string(), custom: z.boolean(), createable: z.boolean() }),
            ),
          }),
        },
      },
    },
    async (request) => {
      authorize(actorOf(request), 'data:read');
      const client = new SalesforceClient(
        openConnection(deps, await getConnectionRow(db.orm, request.params.id)),
      );
      const global = await client.call('listing objects', (conn) => conn.describeGlobal());
      return {
        items: global.sobjects
          .filter((o) => o.queryable)
          .map((o) => ({ name: o.name, label: o.label, custom: o.custom, createable: o.createable })),
      };
    },
  );

  app.get(
    '/salesforce/connections/:id/describe/:object',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: "An object's fields from describe (compound fields flagged: they cannot be imported)",
        params: z.object({ id: z.coerce.number().int().positive(), object: z.string().regex(/^\w{1,80}$/) }),
        response: {
          200: z.object({
            name: z.string(),
            label: z.string(),
            custom: z.boolean(),
            fields: z.array(ZField),
          }),
        },
      },
    },
    async (request) => {
      authorize(actorOf(request), 'data:read');
      const client = new SalesforceClient(
        openConnection(deps, await getConnectionRow(db.orm, request.params.id)),
      );
      return describer((what, fn) => client.call(what, fn))(request.params.object);
    },
  );
};
