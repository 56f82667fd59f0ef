import type { IngestJob } from './bulk-jobs.ts';
import type { Org } from './org.ts';
import { bulkErrorText, SAVE_ERRORS, type SaveError, type SaveResult } from './save-errors.ts';
import type { FieldDef, SObjectDef } from './schema.ts';

/**
 * Applies an ingest job's uploaded rows to the org, one DML per row, and sorts the rows into
 * successful (sf__Id, sf__Created), failed (sf__Id, sf__Error) and unprocessed results. Empty
 * cells leave a field alone; #N/A sets it to null. A column `Account.Customer_Number__c` sets the
 * lookup through the parent's external id, as Bulk API allows.
 */

type Column =
  | { kind: 'field'; header: string }
  | { kind: 'parent'; header: string; lookup: FieldDef; target: SObjectDef; externalId: FieldDef };

function resolveColumns(org: Org, object: SObjectDef, header: string[]): Column[] | string {
  const columns: Column[] = [];
  for (const name of header) {
    const dot = name.indexOf('.');
    if (dot < 0) {
      if (!org.schema.field(object, name)) return `InvalidBatch : Field name not found : ${name}`;
      columns.push({ kind: 'field', header: name });
      continue;
    }
    const lookup = org.schema.relationship(object, name.slice(0, dot));
    const target = lookup && org.schema.object(lookup.referenceTo![0]!);
    const externalId = target && org.schema.field(target, name.slice(dot + 1));
    if (
      !lookup ||
      !target ||
      !externalId ||
      !(externalId.externalId || externalId.unique || externalId.type === 'id')
    ) {
      return `InvalidBatch : Field name not found : ${name}`;
    }
    columns.push({ kind: 'parent', header: name, lookup, target, externalId });
  }
  return columns;
}

type RowInput = { ok: true; input: Record<string, unknown> } | { ok: false; error: SaveError };

function rowInput(org: Org, columns: Column[], row: string[]): RowInput {
  const input: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    const cell = row[i] ?? '';
    if (cell === '') continue;
    const value = cell === '#N/A' ? null : cell;
    if (column.kind === 'field') {
      input[column.header] = value;
      continue;
    }
    if (value === null) {
      input[column.lookup.name] = null;
      continue;
    }
    const parents =
      column.externalId.type === 'id'
        ? [org.store.get(column.target, value)].filter((r) => r && !r.IsDeleted)
        : org.store.findByExternalId(column.target, column.externalId, value);
    if (parents.length !== 1) {
      return {
        ok: false,
        error: {
          statusCode: 'INVALID_FIELD',
          message: `Foreign key external ID: ${value} not found for field ${column.externalId.name} in entity ${column.target.name}`,
          fields: [],
        },
      };
    }
    input[column.lookup.name] = parents[0]!.Id;
  }
  return { ok: true, input };
}

function applyRow(org: Org, job: IngestJob, object: SObjectDef, input: Record<string, unknown>): SaveResult {
  const options = { userId: job.createdById };
  const idKey = Object.keys(input).find((k) => k.toLowerCase() === 'id');
  const id = idKey ? input[idKey] : undefined;
  if (idKey) delete input[idKey];
  switch (job.operation) {
    case 'insert':
      if (id) return { success: false, errors: [SAVE_ERRORS.notWritable(['Id'])] };
      return org.store.insert(object, input, options);
    case 'update':
      if (typeof id !== 'string')
        return {
          success: false,
          errors: [
            { statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] },
          ],
        };
      return org.store.update(object, id, input, options);
    case 'delete':
    case 'hardDelete': {
      if (typeof id !== 'string')
        return {
          success: false,
          errors: [
            { statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in a delete call', fields: [] },
          ],
        };
      const result = org.store.remove(object, id, options);
      if (result.success && job.operation === 'hardDelete') org.store.purge(object, result.id);
      return result;
    }
    case 'upsert': {
      const externalName = job.externalIdFieldName!;
      if (externalName.toLowerCase() === 'id') {
        return typeof id === 'string'
          ? org.store.update(object, id, input, options)
          : org.store.insert(object, input, options);
      }
      const field = org.schema.field(object, externalName)!;
      const key = Object.keys(input).find((k) => k.toLowerCase() === externalName.toLowerCase());
      const value = key ? input[key] : undefined;
      if (typeof value !== 'string')
        return { success: false, errors: [SAVE_ERRORS.missingExternalId(field.name)] };
      const matches = org.store.findByExternalId(object, field, value);
      if (matches.length > 1) {
        return {
          success: false,
          errors: [
            SAVE_ERRORS.duplicateExternalId(
              field.name,
              matches.map((m) => m.Id),
            ),
          ],
        };
      }
      return matches.length === 1
        ? org.store.update(object, matches[0]!.Id, input, options)
        : org.store.insert(object, input, options);
    }
  }
}

/** Runs the job's rows; marks it Failed (nothing processed) when the header names no such field. */
export function processIngestJob(org: Org, job: IngestJob) {
  const object = org.object(job.object);
  const header = job.header ?? [];
  const columns = resolveColumns(org, object, header);
  if (typeof columns === 'string') {
    job.state = 'Failed';
    job.errorMessage = columns;
    job.unprocessed = [header, ...job.uploaded];
    return;
  }
  job.successful = [['sf__Id', 'sf__Created', ...header]];
  job.failed = [['sf__Id', 'sf__Error', ...header]];
  job.unprocessed = [header];
  for (const row of job.uploaded) {
    const prepared = rowInput(org, columns, row);
    const result: SaveResult = prepared.ok
      ? applyRow(org, job, object, prepared.input)
      : { success: false, errors: [prepared.error] };
    if (result.success) {
      job.successful.push([result.id, String(result.created), ...row]);
    } else {
      const idIndex = header.findIndex((h) => h.toLowerCase() === 'id');
      const failedId = result.id ?? (idIndex >= 0 && job.operation !== 'insert' ? (row[idIndex] ?? '') : '');
      job.failed.push([failedId, bulkErrorText(result.errors[0]!), ...row]);
    }
  }
  job.state = 'JobComplete';
}
