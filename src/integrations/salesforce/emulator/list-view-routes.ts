import { REST_ERRORS } from './api-errors.ts';
import type { ApiContext, ApiRequest } from './api-request.ts';
import { jsonReply, type Reply } from './http-kit.ts';
import { describeListView, listViewItem, listViewListing } from './list-view-describe.ts';
import type { SObjectDef } from './schema.ts';

/**
 * /sobjects/{type}/listviews: the object's list views; /listviews/recent: the ones the user
 * used lately (here: all of them); /listviews/{id}: one view's basic information;
 * /listviews/{id}/describe: its columns, SOQL query and filter. Unknown Ids answer NOT_FOUND.
 */
export function handleListViews(
  context: ApiContext,
  request: ApiRequest,
  object: SObjectDef,
  rest: string[],
): Reply {
  if (request.method !== 'GET') throw REST_ERRORS.methodNotAllowed(request.method, ['GET', 'HEAD']);
  const { listViews, schema } = context.org;
  const [id, action, extra] = rest;
  if (extra !== undefined) throw REST_ERRORS.notFound();
  if (id === undefined || (id === 'recent' && action === undefined))
    return jsonReply(200, listViewListing(listViews.forObject(object.name), object.name, request.version));
  const view = listViews.get(object.name, id);
  if (!view) throw REST_ERRORS.notFound();
  if (action === undefined) return jsonReply(200, listViewItem(view, request.version));
  if (action === 'describe') return jsonReply(200, describeListView(schema, view));
  throw REST_ERRORS.notFound();
}
