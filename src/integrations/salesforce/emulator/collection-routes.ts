import { REST_ERRORS, restError } from './api-errors.ts';
import { type ApiContext, type ApiRequest, jsonBody, jsonObject } from './api-request.ts';
import { jsonReply, type Reply } from './http-kit.ts';
import { isValidId, keyPrefixOf } from './ids.ts';
import { assertJsonTypes, recordJson } from './record-json.ts';
import { SAVE_ERRORS, type SaveResult } from './save-errors.ts';
import type { SObjectDef } from './schema.ts';

/**
 * sObject Collections under /composite/sobjects: create (POST), update (PATCH), upsert
 * (PATCH /{Type}/{ExternalIdField}), delete (DELETE ?ids=) and retrieve (POST /{Type}) of up to
 * 200 records, answering one result per record in request order. With allOrNone, one failure
 * rolls every change back and the valid records report ALL_OR_NONE_OPERATION_ROLLED_BACK.
 */

const MAX_RECORDS = 200;

interface Outcome {
  result: SaveResult;
  upsert: boolean;
}

/** Results as Collections writes them: {id, success, errors[, created]}, errors keyed statusCode. */
function toWire(outcome: Outcome) {
  const { result, upsert } = outcome;
  if (result.success) {
    return upsert
      ? { id: result.id, success: true, errors: [], created: result.created }
      : { id: result.id, success: true, errors: [] };
  }
  const errors = result.errors.map((e) => ({
    statusCode: e.statusCode,
    message: e.message,
    fields: e.fields,
  }));
  return result.id ? { id: result.id, success: false, errors } : { success: false, errors };
}

/** Runs the per-record work in one transaction; all-or-none undoes it all on any failure. */
function runAll(
  context: ApiContext,
  allOrNone: boolean,
  count: number,
  work: (index: number) => Outcome,
): Reply {
  const outcomes = context.org.store.atomically(() => {
    const list: Outcome[] = [];
    for (let i = 0; i < count; i++) list.push(work(i));
    const failed = list.some((o) => !o.result.success);
    return { commit: !(allOrNone && failed), value: list };
  });
  const failed = outcomes.some((o) => !o.result.success);
  const shown =
    allOrNone && failed
      ? outcomes.map(
          (o): Outcome =>
            o.result.success ? { ...o, result: { success: false, errors: [SAVE_ERRORS.rolledBack()] } } : o,
        )
      : outcomes;
  return jsonReply(200, shown.map(toWire));
}

function recordsOf(request: ApiRequest): { allOrNone: boolean; records: Record<string, unknown>[] } {
  const body = jsonObject(request);
  const records = body.records;
  if (!Array.isArray(records)) throw restError(400, 'INVALID_FIELD', 'records is required');
  if (records.length > MAX_RECORDS) {
    throw restError(
      400,
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`,
    );
  }
  return { allOrNone: body.allOrNone === true, records: records as Record<string, unknown>[] };
}

function typeOf(context: ApiContext, record: Record<string, unknown>): SObjectDef | null {
  const attributes = record.attributes as { type?: unknown } | undefined;
  return typeof attributes?.type === 'string' ? (context.org.schema.object(attributes.type) ?? null) : null;
}

const invalidType = (): Outcome => ({
  result: {
    success: false,
    errors: [
      {
        statusCode: 'INVALID_TYPE',
        message: 'Must specify a valid type in the attributes of every record',
        fields: [],
      },
    ],
  },
  upsert: false,
});

function create(context: ApiContext, request: ApiRequest): Reply {
  const { allOrNone, records } = recordsOf(request);
  for (const record of records) {
    const object = typeOf(context, record);
    if (object) assertJsonTypes(context.org.schema, object, record);
  }
  return runAll(context, allOrNone, records.length, (i) => {
    const record = records[i]!;
    const object = typeOf(context, record);
    if (!object) return invalidType();
    if (Object.keys(record).some((k) => k.toLowerCase() === 'id')) {
      return {
        result: {
          success: false,
          errors: [
            {
              statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
              message: 'cannot specify Id in an insert call',
              fields: ['Id'],
            },
          ],
        },
        upsert: false,
      };
    }
    return { result: context.org.store.insert(object, record, { userId: request.userId }), upsert: false };
  });
}

function update(context: ApiContext, request: ApiRequest): Reply {
  const { allOrNone, records } = recordsOf(request);
  for (const record of records) {
    const object = typeOf(context, record);
    if (object) assertJsonTypes(context.org.schema, object, record);
  }
  return runAll(context, allOrNone, records.length, (i) => {
    const record = records[i]!;
    const object = typeOf(context, record);
    if (!object) return invalidType();
    const idKey = Object.keys(record).find((k) => k.toLowerCase() === 'id');
    const id = idKey ? record[idKey] : undefined;
    if (typeof id !== 'string' || id === '') {
      return {
        result: {
          success: false,
          errors: [
            { statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] },
          ],
        },
        upsert: false,
      };
    }
    if (!isValidId(id))
      return { result: { success: false, errors: [SAVE_ERRORS.malformedId(id)] }, upsert: false };
    if (keyPrefixOf(id) !== object.keyPrefix) {
      return {
        result: { success: false, id, errors: [SAVE_ERRORS.idOfOtherType(object.name, id)] },
        upsert: false,
      };
    }
    const result = context.org.store.update(object, id, record, { userId: request.userId });
    return { result: result.success ? result : { ...result, id: result.id ?? id }, upsert: false };
  });
}

function upsert(context: ApiContext, request: ApiRequest, object: SObjectDef, fieldName: string): Reply {
  const { store, schema } = context.org;
  const field = schema.field(object, fieldName);
  if (!field || !(field.externalId || field.type === 'id'))
    throw REST_ERRORS.externalIdFieldNotFound(fieldName);
  const { allOrNone, records } = recordsOf(request);
  for (const record of records) assertJsonTypes(schema, object, record);
  return runAll(context, allOrNone, records.length, (i) => {
    const record = records[i]!;
    const key = Object.keys(record).find((k) => k.toLowerCase() === field.name.toLowerCase());
    const value = key ? record[key] : undefined;
    const options = { userId: request.userId };
    if (field.type === 'id') {
      const result =
        typeof value === 'string'
          ? store.update(object, value, record, options)
          : store.insert(object, record, options);
      return { result, upsert: true };
    }
    if (typeof value !== 'string' || value === '') {
      return {
        result: { success: false, errors: [SAVE_ERRORS.missingExternalId(field.name)] },
        upsert: true,
      };
    }
    const matches = store.findByExternalId(object, field, value);
    if (matches.length > 1) {
      return {
        result: {
          success: false,
          errors: [
            SAVE_ERRORS.duplicateExternalId(
              field.name,
              matches.map((m) => m.Id),
            ),
          ],
        },
        upsert: true,
      };
    }
    const result =
      matches.length === 1
        ? store.update(object, matches[0]!.Id, record, options)
        : store.insert(object, record, options);
    return { result, upsert: true };
  });
}

function destroy(context: ApiContext, request: ApiRequest): Reply {
  const ids = (request.url.searchParams.get('ids') ?? '').split(',').filter(Boolean);
  if (ids.length === 0) throw restError(400, 'MISSING_ARGUMENT', 'ids is required');
  if (ids.length > MAX_RECORDS) {
    throw restError(
      400,
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`,
    );
  }
  const allOrNone = request.url.searchParams.get('allOrNone') === 'true';
  return runAll(context, allOrNone, ids.length, (i) => {
    const id = ids[i]!;
    const found = context.org.store.getById(id);
    if (!isValidId(id))
      return { result: { success: false, errors: [SAVE_ERRORS.malformedId(id)] }, upsert: false };
    if (!found)
      return { result: { success: false, id, errors: [SAVE_ERRORS.entityIsDeleted()] }, upsert: false };
    const result = context.org.store.remove(found.object, id, { userId: request.userId });
    return { result: result.success ? result : { ...result, id: found.record.Id }, upsert: false };
  });
}

function retrieve(context: ApiContext, request: ApiRequest, object: SObjectDef): Reply {
  const body = jsonBody(request) as { ids?: unknown; fields?: unknown };
  if (!Array.isArray(body.ids) || !Array.isArray(body.fields))
    throw restError(400, 'MISSING_ARGUMENT', 'ids and fields are required');
  const fields = body.fields.map(String);
  for (const name of fields) {
    if (!context.org.schema.field(object, name))
      throw restError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${object.name}`);
  }
  return jsonReply(
    200,
    body.ids.map((id) => {
      const record = typeof id === 'string' ? context.org.store.get(object, id) : undefined;
      return record && !record.IsDeleted ? recordJson(object, record, request.version, fields) : null;
    }),
  );
}

export function handleCollections(context: ApiContext, request: ApiRequest): Reply | null {
  const [composite, sobjects, typeName, fieldName] = request.segments;
  if (composite !== 'composite' || sobjects !== 'sobjects') return null;
  if (!typeName) {
    if (request.method === 'POST') return create(context, request);
    if (request.method === 'PATCH') return update(context, request);
    if (request.method === 'DELETE') return destroy(context, request);
    throw REST_ERRORS.methodNotAllowed(request.method, ['POST', 'PATCH', 'DELETE']);
  }
  const object = context.org.schema.object(typeName);
  if (!object) throw REST_ERRORS.notFound();
  if (fieldName && request.method === 'PATCH') return upsert(context, request, object, fieldName);
  if (!fieldName && (request.method === 'POST' || request.method === 'GET'))
    return retrieve(context, request, object);
  throw REST_ERRORS.methodNotAllowed(request.method, ['GET', 'POST', 'PATCH']);
}
