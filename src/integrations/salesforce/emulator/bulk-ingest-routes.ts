import { REST_ERRORS, restError } from './api-errors.ts';
import { type ApiContext, type ApiRequest, jsonObject, requestHeader } from './api-request.ts';
import { COLUMN_DELIMITERS, LINE_ENDINGS, readCsv, writeCsv } from './bulk-csv.ts';
import { processIngestJob } from './bulk-ingest-process.ts';
import type { IngestJob } from './bulk-jobs.ts';
import { jsonReply, noContent, type Reply } from './http-kit.ts';
import { KEY_PREFIXES } from './ids.ts';
import { formatDateTime, toSeconds } from './values.ts';

/**
 * Bulk API 2.0 ingest jobs under /jobs/ingest: create (Open), upload CSV with
 * PUT …/batches (201, no body), close with state UploadComplete, poll until JobComplete, then read
 * successfulResults, failedResults and unprocessedrecords as CSV.
 */

const OPERATIONS = new Set(['insert', 'update', 'upsert', 'delete', 'hardDelete']);

function jobInfo(job: IngestJob, detailed: boolean) {
  const info: Record<string, unknown> = {
    id: job.id,
    operation: job.operation,
    object: job.object,
  };
  if (job.externalIdFieldName) info.externalIdFieldName = job.externalIdFieldName;
  Object.assign(info, {
    createdById: job.createdById,
    createdDate: formatDateTime(job.createdDate),
    systemModstamp: formatDateTime(job.systemModstamp),
    state: job.state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
  });
  if (detailed) {
    info.jobType = 'V2Ingest';
  } else {
    info.contentUrl = `services/data/v${job.apiVersion}/jobs/ingest/${job.id}/batches`;
  }
  info.lineEnding = job.format.lineEnding;
  info.columnDelimiter = job.format.columnDelimiter;
  if (detailed) {
    const failed = Math.max(0, job.failed.length - 1);
    Object.assign(info, {
      numberRecordsProcessed: Math.max(0, job.successful.length - 1) + failed,
      numberRecordsFailed: failed,
      retries: 0,
      totalProcessingTime: job.finishedAt && job.startedAt ? job.finishedAt - job.startedAt : 0,
      apiActiveProcessingTime: 0,
      apexProcessingTime: 0,
    });
    if (job.errorMessage) info.errorMessage = job.errorMessage;
  }
  return info;
}

function createJob(context: ApiContext, request: ApiRequest): Reply {
  const body = jsonObject(request);
  const operation = String(body.operation ?? '');
  if (!OPERATIONS.has(operation))
    throw restError(400, 'INVALIDJOB', `InvalidJob : Invalid operation: ${operation}`);
  const object = typeof body.object === 'string' ? context.org.schema.object(body.object) : undefined;
  if (!object) throw restError(400, 'INVALIDJOB', `InvalidJob : Invalid object: ${String(body.object)}`);
  let externalIdFieldName: string | null = null;
  if (operation === 'upsert') {
    const name = typeof body.externalIdFieldName === 'string' ? body.externalIdFieldName : '';
    const field = name ? context.org.schema.field(object, name) : undefined;
    if (!field || !(field.externalId || field.type === 'id')) {
      throw restError(
        400,
        'INVALIDJOB',
        `InvalidJob : Field name provided, ${name} is not an External ID or indexed field for ${object.name}`,
      );
    }
    externalIdFieldName = field.name;
  }
  const columnDelimiter = String(body.columnDelimiter ?? 'COMMA');
  const lineEnding = String(body.lineEnding ?? 'LF');
  if (!COLUMN_DELIMITERS[columnDelimiter])
    throw restError(400, 'INVALIDJOB', `InvalidJob : Invalid column delimiter: ${columnDelimiter}`);
  if (!LINE_ENDINGS[lineEnding])
    throw restError(400, 'INVALIDJOB', `InvalidJob : Invalid line ending: ${lineEnding}`);
  const at = toSeconds(context.org.now());
  const job: IngestJob = {
    kind: 'ingest',
    id: context.org.newId(KEY_PREFIXES.BulkJob),
    operation: operation as IngestJob['operation'],
    object: object.name,
    externalIdFieldName,
    createdById: request.userId,
    createdDate: at,
    systemModstamp: at,
    state: 'Open',
    apiVersion: request.version,
    format: { columnDelimiter, lineEnding },
    header: null,
    uploaded: [],
    successful: [],
    failed: [],
    unprocessed: [],
    errorMessage: null,
    startedAt: null,
    finishedAt: null,
    stateSince: at,
  };
  context.bulk.ingestJobs.set(job.id, job);
  return jsonReply(200, jobInfo(job, false));
}

function upload(request: ApiRequest, job: IngestJob): Reply {
  if (request.method !== 'PUT') throw REST_ERRORS.methodNotAllowed(request.method, ['PUT']);
  if (!/^text\/csv\b/i.test(requestHeader(request, 'content-type') ?? ''))
    throw REST_ERRORS.unsupportedMediaType();
  if (job.state !== 'Open') {
    throw restError(
      409,
      'INVALIDJOBSTATE',
      `Unable to upload data: the job ${job.id} is not Open (state ${job.state})`,
    );
  }
  const { header, rows } = readCsv(request.body.toString('utf8'), job.format);
  if (job.header && job.header.join('\u0000') !== header.join('\u0000')) {
    throw restError(400, 'INVALIDBATCH', 'InvalidBatch : Every upload to a job must have the same header');
  }
  job.header = header;
  job.uploaded.push(...rows);
  return { status: 201 };
}

function changeState(context: ApiContext, request: ApiRequest, job: IngestJob): Reply {
  const { state } = jsonObject(request);
  const { org, bulk } = context;
  if (state === 'Aborted') {
    if (job.state === 'JobComplete' || job.state === 'Failed') {
      throw restError(400, 'INVALIDJOBSTATE', `Cannot abort a job in state ${job.state}`);
    }
    job.state = 'Aborted';
    job.unprocessed = [job.header ?? [], ...job.uploaded];
  } else if (state === 'UploadComplete') {
    if (job.state !== 'Open')
      throw restError(400, 'INVALIDJOBSTATE', `Cannot close a job in state ${job.state}`);
    job.state = 'UploadComplete';
    bulk.started(job, () => processIngestJob(org, job));
  } else {
    throw restError(400, 'INVALIDJOBSTATE', `Invalid state: ${String(state)}`);
  }
  job.systemModstamp = toSeconds(org.now());
  return jsonReply(200, jobInfo(job, false));
}

function resultsCsv(job: IngestJob, which: string): Reply {
  const rows =
    which === 'successfulResults' ? job.successful : which === 'failedResults' ? job.failed : job.unprocessed;
  const done = job.state === 'JobComplete' || job.state === 'Failed' || job.state === 'Aborted';
  if (!done)
    throw restError(400, 'INVALIDJOBSTATE', `The job ${job.id} is not complete: its state is ${job.state}`);
  const header =
    which === 'successfulResults'
      ? ['sf__Id', 'sf__Created', ...(job.header ?? [])]
      : which === 'failedResults'
        ? ['sf__Id', 'sf__Error', ...(job.header ?? [])]
        : (job.header ?? []);
  const table = rows.length > 0 ? rows : [header];
  return { status: 200, raw: writeCsv(table, job.format), contentType: 'text/csv' };
}

export function handleBulkIngest(context: ApiContext, request: ApiRequest): Reply | null {
  const [jobs, kind, id, sub] = request.segments;
  if (jobs !== 'jobs' || kind !== 'ingest') return null;
  const { bulk } = context;
  if (!id) {
    if (request.method === 'POST') return createJob(context, request);
    if (request.method === 'GET') {
      const records = [...bulk.ingestJobs.values()].map((j) => jobInfo(j, false));
      return jsonReply(200, { done: true, records, nextRecordsUrl: null });
    }
    throw REST_ERRORS.methodNotAllowed(request.method, ['GET', 'POST']);
  }
  const job = bulk.ingestJobs.get(id);
  if (!job) throw REST_ERRORS.notFound();
  bulk.polled(job, () => processIngestJob(context.org, job));
  if (sub === 'batches') return upload(request, job);
  if (sub === 'successfulResults' || sub === 'failedResults' || sub === 'unprocessedrecords') {
    if (request.method !== 'GET') throw REST_ERRORS.methodNotAllowed(request.method, ['GET']);
    return resultsCsv(job, sub);
  }
  if (sub) throw REST_ERRORS.notFound();
  switch (request.method) {
    case 'GET':
      return jsonReply(200, jobInfo(job, true));
    case 'PATCH':
      return changeState(context, request, job);
    case 'DELETE':
      if (job.state === 'UploadComplete' || job.state === 'InProgress') {
        throw restError(400, 'INVALIDJOBSTATE', `Cannot delete a job in state ${job.state}`);
      }
      bulk.ingestJobs.delete(id);
      return noContent();
    default:
      throw REST_ERRORS.methodNotAllowed(request.method, ['GET', 'PATCH', 'DELETE']);
  }
}
