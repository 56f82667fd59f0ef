import { REST_ERRORS, restError } from './api-errors.ts';
import { type ApiContext, type ApiRequest, jsonObject } from './api-request.ts';
import { describeGlobal, describeSObject } from './describe.ts';
import { jsonReply, noContent, type Reply } from './http-kit.ts';
import { isValidId, keyPrefixOf } from './ids.ts';
import { handleListViews } from './list-view-routes.ts';
import { assertJsonTypes, recordJson } from './record-json.ts';
import { handleReplication } from './replication-routes.ts';
import type { SaveError } from './save-errors.ts';
import type { SObjectDef } from './schema.ts';

/**
 * /sobjects: describeGlobal, describe, and the sObject Rows resources — create (POST), read
 * (GET, ?fields=), update (PATCH, 204), delete (DELETE, 204) — plus upsert and read by external
 * id at /sobjects/{Type}/{ExternalIdField}/{value}, and the object's list views (list-view-routes.ts).
 */

/** Since API version 46.0 an upsert that updates answers 200 with a body; before, 204. */
const UPSERT_BODY_SINCE = 46;

const errorArray = (errors: SaveError[], status = 400) =>
  jsonReply(
    status,
    errors.map((e) =>
      e.fields.length > 0
        ? { message: e.message, errorCode: e.statusCode, fields: e.fields }
        : { message: e.message, errorCode: e.statusCode },
    ),
  );

function create(context: ApiContext, request: ApiRequest, object: SObjectDef): Reply {
  const body = jsonObject(request);
  assertJsonTypes(context.org.schema, object, body);
  const result = context.org.store.insert(object, body, { userId: request.userId });
  if (!result.success) return errorArray(result.errors);
  return jsonReply(201, { id: result.id, success: true, errors: [] });
}

function row(context: ApiContext, request: ApiRequest, object: SObjectDef, id: string): Reply {
  const { store, schema } = context.org;
  if (!isValidId(id)) throw REST_ERRORS.externalIdFieldNotFound(id);
  const record = store.get(object, id);
  if (!record || keyPrefixOf(id) !== object.keyPrefix) throw REST_ERRORS.notFound();
  if (record.IsDeleted) {
    if (request.method === 'GET' || request.method === 'PATCH' || request.method === 'DELETE') {
      throw restError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
    }
  }
  switch (request.method) {
    case 'GET': {
      const fields = request.url.searchParams
        .get('fields')
        ?.split(',')
        .map((f) => f.trim())
        .filter(Boolean);
      for (const name of fields ?? []) {
        if (!schema.field(object, name))
          throw restError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${object.name}`);
      }
      return jsonReply(200, recordJson(object, record, request.version, fields));
    }
    case 'PATCH': {
      const body = jsonObject(request);
      assertJsonTypes(schema, object, body);
      const result = store.update(object, id, body, { userId: request.userId });
      return result.success ? noContent() : errorArray(result.errors);
    }
    case 'DELETE': {
      const result = store.remove(object, id, { userId: request.userId });
      return result.success ? noContent() : errorArray(result.errors);
    }
    default:
      throw REST_ERRORS.methodNotAllowed(request.method, ['GET', 'HEAD', 'PATCH', 'DELETE']);
  }
}

function byExternalId(
  context: ApiContext,
  request: ApiRequest,
  object: SObjectDef,
  fieldName: string,
  value: string,
): Reply {
  const { store, schema } = context.org;
  const field = schema.field(object, fieldName);
  if (!field || !(field.externalId || field.type === 'id'))
    throw REST_ERRORS.externalIdFieldNotFound(fieldName);
  const matches =
    field.type === 'id'
      ? [store.get(object, value)].filter((r) => r && !r.IsDeleted)
      : store.findByExternalId(object, field, value);
  if (matches.length > 1) {
    return jsonReply(
      300,
      matches.map((m) => `/services/data/v${request.version}/sobjects/${object.name}/${m!.Id}`),
    );
  }
  const match = matches[0];
  if (request.method === 'GET') {
    if (!match) throw REST_ERRORS.notFound();
    return jsonReply(200, recordJson(object, match, request.version));
  }
  if (request.method !== 'PATCH')
    throw REST_ERRORS.methodNotAllowed(request.method, ['GET', 'HEAD', 'PATCH', 'DELETE']);
  const body = jsonObject(request);
  assertJsonTypes(schema, object, body);
  const withKey = field.type === 'id' ? body : { ...body, [field.name]: value };
  const bodyKey = Object.keys(body).find((k) => k.toLowerCase() === field.name.toLowerCase());
  if (bodyKey && String(body[bodyKey]) !== value) {
    throw restError(
      400,
      'INVALID_FIELD',
      `The value of the external ID field in the request body doesn't match the value in the request URL: ${field.name}`,
    );
  }
  const modern = Number(request.version) >= UPSERT_BODY_SINCE;
  if (!match) {
    if (request.url.searchParams.get('updateOnly') === 'true') throw REST_ERRORS.notFound();
    const result = store.insert(object, withKey, { userId: request.userId });
    if (!result.success) return errorArray(result.errors);
    return jsonReply(
      201,
      modern
        ? { id: result.id, success: true, errors: [], created: true }
        : { id: result.id, success: true, errors: [] },
    );
  }
  const result = store.update(object, match.Id, body, { userId: request.userId });
  if (!result.success) return errorArray(result.errors);
  return modern ? jsonReply(200, { id: match.Id, success: true, errors: [], created: false }) : noContent();
}

export function handleSObjects(context: ApiContext, request: ApiRequest): Reply | null {
  const [resource, typeName, third, fourth] = request.segments;
  if (resource !== 'sobjects') return null;
  const { schema } = context.org;
  if (!typeName) {
    if (request.method !== 'GET') throw REST_ERRORS.methodNotAllowed(request.method, ['GET', 'HEAD']);
    return jsonReply(200, describeGlobal(schema, request.version));
  }
  const object = schema.object(typeName);
  if (!object) throw REST_ERRORS.notFound();
  if (third === 'listviews') return handleListViews(context, request, object, request.segments.slice(3));
  if (third === undefined) {
    if (request.method === 'POST') return create(context, request, object);
    if (request.method === 'GET') {
      const {
        fields: _fields,
        childRelationships: _children,
        ...objectDescribe
      } = describeSObject(schema, object, request.version);
      return jsonReply(200, { objectDescribe, recentItems: [] });
    }
    throw REST_ERRORS.methodNotAllowed(request.method, ['GET', 'HEAD', 'POST']);
  }
  if (fourth === undefined) {
    if (third === 'describe') {
      if (request.method !== 'GET') throw REST_ERRORS.methodNotAllowed(request.method, ['GET', 'HEAD']);
      return jsonReply(200, describeSObject(schema, object, request.version));
    }
    if (third === 'updated' || third === 'deleted') return handleReplication(context, request, object, third);
    return row(context, request, object, third);
  }
  return byExternalId(context, request, object, third, fourth);
}
