import { z } from 'zod';
import { actorOf } from '../../platform/http/access.ts';
import type { RouteModule } from '../../platform/http/types.ts';
import { authorize } from '../../users/roles.ts';
import { SalesforceClient } from '../client/sf-client.ts';
import { getConnectionRow } from '../connections/connections.service.ts';
import { MAX_FETCH, openConnection } from '../connections/open-connection.ts';
import { listListViews } from './list-views.ts';

/** What the sync editor offers from the org itself: an object's list views, the campaigns to pick. */

const tags = ['salesforce'];
const ZConnection = z.object({ id: z.coerce.number().int().positive() });

/** Enough for a picker; an org with more campaigns narrows them with the Campaign filter instead. */
const CAMPAIGN_PICKER_LIMIT = 2000;

export const salesforceOrgLookupRoutes: RouteModule = (app, { db, secrets, logger }) => {
  const deps = { db, secrets, logger };
  const clientFor = async (id: number) =>
    new SalesforceClient(openConnection(deps, await getConnectionRow(db.orm, id)), {
      retry: { attempts: 2, baseDelayMs: 500 },
    });

  app.get(
    '/salesforce/connections/:id/list-views/:object',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary:
          "An object's list views (a sync may filter by one whose records do not depend on the viewer)",
        params: ZConnection.extend({ object: z.string().regex(/^\w{1,80}$/) }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.string(),
                developerName: z.string(),
                label: z.string(),
                soqlCompatible: z.boolean(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      authorize(actorOf(request), 'data:read');
      const client = await clientFor(request.params.id);
      const items = await listListViews(client, request.params.object);
      return {
        items: items.map((v) => ({
          id: v.id,
          developerName: v.developerName,
          label: v.label,
          soqlCompatible: v.soqlCompatible,
        })),
      };
    },
  );

  app.get(
    '/salesforce/connections/:id/campaigns',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary:
          "The org's campaigns, by name: the ones a sync turns into mailing lists are picked from these",
        params: ZConnection,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.string(),
                name: z.string(),
                status: z.string().nullable(),
                type: z.string().nullable(),
                isActive: z.boolean(),
                startDate: z.string().nullable(),
              }),
            ),
            truncated: z.boolean(),
          }),
        },
      },
    },
    async (request) => {
      authorize(actorOf(request), 'data:read');
      const client = await clientFor(request.params.id);
      const result = await client.call('listing campaigns', (conn) =>
        conn.query<{
          Id: string;
          Name: string;
          Status: string | null;
          Type: string | null;
          IsActive: boolean;
          StartDate: string | null;
        }>(
          `SELECT Id, Name, Status, Type, IsActive, StartDate FROM Campaign ORDER BY Name LIMIT ${CAMPAIGN_PICKER_LIMIT + 1}`,
          { autoFetch: true, maxFetch: MAX_FETCH },
        ),
      );
      const records = result.records.slice(0, CAMPAIGN_PICKER_LIMIT);
      return {
        items: records.map((c) => ({
          id: c.Id,
          name: c.Name,
          status: c.Status ?? null,
          type: c.Type ?? null,
          isActive: c.IsActive === true,
          startDate: c.StartDate ?? null,
        })),
        truncated: result.records.length > CAMPAIGN_PICKER_LIMIT,
      };
    },
  );
};
