import { gzipSync } from 'node:zlib';
import { REST_ERRORS, restError } from './api-errors.ts';
import { type ApiContext, type ApiRequest, jsonObject, requestHeader } from './api-request.ts';
import { COLUMN_DELIMITERS, LINE_ENDINGS, writeCsv } from './bulk-csv.ts';
import type { QueryJob } from './bulk-jobs.ts';
import { jsonReply, noContent, type Reply } from './http-kit.ts';
import { KEY_PREFIXES } from './ids.ts';
import { planOrFail } from './query-routes.ts';
import { csvHeader, pathReader, runQuery, toCsvCells } from './soql-run.ts';
import { formatDateTime, toSeconds } from './values.ts';

/**
 * Bulk API 2.0 query jobs under /jobs/query: create, poll, abort, delete, list, and read results
 * as CSV pages. Each page starts with the header row and carries `Sforce-NumberOfRecords` and
 * `Sforce-Locator` — the locator of the next page, or the literal string "null" on the last.
 */

export interface BulkQueryOptions {
  /** Rows per results page when the client sends no maxRecords. */
  defaultPageSize: number;
}

function jobInfo(job: QueryJob, detailed: boolean) {
  const info: Record<string, unknown> = {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: formatDateTime(job.createdDate),
    systemModstamp: formatDateTime(job.systemModstamp),
    state: job.state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
  };
  if (detailed) info.jobType = 'V2Query';
  info.lineEnding = job.format.lineEnding;
  info.columnDelimiter = job.format.columnDelimiter;
  if (detailed) {
    info.numberRecordsProcessed = job.result ? job.result.length - 1 : 0;
    info.retries = 0;
    info.totalProcessingTime = job.finishedAt && job.startedAt ? job.finishedAt - job.startedAt : 0;
    info.isPkChunkingSupported = true;
  }
  return info;
}

/** Runs the query when the job completes: its rows as CSV cells, header first. */
function finishQuery(context: ApiContext, job: QueryJob) {
  return () => {
    const { store } = context.org;
    const outcome = runQuery(store, job.plan, { includeDeleted: job.operation === 'queryAll' });
    const read = pathReader(store);
    job.result = [csvHeader(job.plan), ...outcome.rows.map((row) => toCsvCells(read, job.plan, row))];
    job.state = 'JobComplete';
  };
}

const unsupported = (what: string) =>
  restError(400, 'API_ERROR', `${what} is not supported by Bulk API 2.0 query. Remove it and try again.`);

function createJob(context: ApiContext, request: ApiRequest): Reply {
  const body = jsonObject(request);
  const operation = body.operation ?? 'query';
  if (operation !== 'query' && operation !== 'queryAll') {
    throw restError(400, 'INVALIDJOB', `InvalidJob : Invalid operation: ${String(operation)}`);
  }
  if (typeof body.query !== 'string' || !body.query.trim()) {
    throw restError(400, 'INVALIDJOB', 'InvalidJob : The query parameter is required');
  }
  const columnDelimiter = String(body.columnDelimiter ?? 'COMMA');
  const lineEnding = String(body.lineEnding ?? 'LF');
  if (!COLUMN_DELIMITERS[columnDelimiter])
    throw restError(400, 'INVALIDJOB', `InvalidJob : Invalid column delimiter: ${columnDelimiter}`);
  if (!LINE_ENDINGS[lineEnding])
    throw restError(400, 'INVALIDJOB', `InvalidJob : Invalid line ending: ${lineEnding}`);
  const plan = planOrFail(context, body.query);
  if (plan.countAll || plan.aggregates.length > 0) throw unsupported('An aggregate function such as COUNT()');
  if (plan.offset !== null) throw unsupported('OFFSET');
  const compound = plan.columns.find((c) => c.field.type === 'address');
  if (compound) throw unsupported(`The compound field ${compound.canonical}`);

  const { org, bulk } = context;
  const at = toSeconds(org.now());
  const job: QueryJob = {
    kind: 'query',
    id: org.newId(KEY_PREFIXES.BulkJob),
    operation,
    object: plan.root.name,
    query: body.query,
    plan,
    createdById: request.userId,
    createdDate: at,
    systemModstamp: at,
    state: 'UploadComplete',
    apiVersion: request.version,
    format: { columnDelimiter, lineEnding },
    result: null,
    startedAt: null,
    finishedAt: null,
    stateSince: at,
  };
  bulk.queryJobs.set(job.id, job);
  bulk.started(job, finishQuery(context, job));
  return jsonReply(200, jobInfo(job, false));
}

const encodeLocator = (offset: number) => Buffer.from(String(offset)).toString('base64').replace(/=+$/, '');

function decodeLocator(locator: string): number | null {
  const text = Buffer.from(locator, 'base64').toString('utf8');
  return /^\d+$/.test(text) ? Number(text) : null;
}

function results(request: ApiRequest, job: QueryJob, options: BulkQueryOptions): Reply {
  if (job.state !== 'JobComplete' || !job.result) {
    throw restError(400, 'INVALIDJOBSTATE', `The job ${job.id} is not complete: its state is ${job.state}`);
  }
  const locator = request.url.searchParams.get('locator');
  const offset = locator ? decodeLocator(locator) : 0;
  if (offset === null) throw restError(400, 'INVALID_LOCATOR', `Invalid locator: ${locator}`);
  const maxParam = request.url.searchParams.get('maxRecords');
  const maxRecords = maxParam ? Number(maxParam) : options.defaultPageSize;
  if (!Number.isInteger(maxRecords) || maxRecords <= 0) {
    throw restError(400, 'INVALIDJOB', `maxRecords must be a positive integer: ${maxParam}`);
  }
  const [header, ...rows] = job.result;
  const pageRows = rows.slice(offset, offset + maxRecords);
  const next = offset + pageRows.length;
  const csv = writeCsv([header!, ...pageRows], job.format);
  const headers: Record<string, string> = {
    'sforce-locator': next < rows.length ? encodeLocator(next) : 'null',
    'sforce-numberofrecords': String(pageRows.length),
  };
  const acceptsGzip = /\bgzip\b/.test(requestHeader(request, 'accept-encoding') ?? '');
  if (acceptsGzip) headers['content-encoding'] = 'gzip';
  return {
    status: 200,
    raw: acceptsGzip ? gzipSync(csv) : csv,
    contentType: 'text/csv',
    headers,
  };
}

export function handleBulkQuery(
  context: ApiContext,
  request: ApiRequest,
  options: BulkQueryOptions,
): Reply | null {
  const [jobs, kind, id, sub] = request.segments;
  if (jobs !== 'jobs' || kind !== 'query') return null;
  const { bulk } = context;
  if (!id) {
    if (request.method === 'POST') return createJob(context, request);
    if (request.method === 'GET') {
      const records = [...bulk.queryJobs.values()].map((j) => jobInfo(j, false));
      return jsonReply(200, { done: true, records, nextRecordsUrl: null });
    }
    throw REST_ERRORS.methodNotAllowed(request.method, ['GET', 'POST']);
  }
  const job = bulk.queryJobs.get(id);
  if (!job) throw REST_ERRORS.notFound();
  bulk.polled(job, finishQuery(context, job));
  if (sub === 'results' && request.method === 'GET') return results(request, job, options);
  if (sub) throw REST_ERRORS.notFound();
  switch (request.method) {
    case 'GET':
      return jsonReply(200, jobInfo(job, true));
    case 'PATCH': {
      const body = jsonObject(request);
      if (body.state !== 'Aborted')
        throw restError(400, 'INVALIDJOBSTATE', `Invalid state: ${String(body.state)}`);
      if (job.state === 'JobComplete' || job.state === 'Failed') {
        throw restError(400, 'INVALIDJOBSTATE', `Cannot abort a job in state ${job.state}`);
      }
      job.state = 'Aborted';
      job.systemModstamp = toSeconds(context.org.now());
      return jsonReply(200, jobInfo(job, false));
    }
    case 'DELETE':
      if (job.state === 'UploadComplete' || job.state === 'InProgress') {
        throw restError(400, 'INVALIDJOBSTATE', `Cannot delete a job in state ${job.state}: abort it first`);
      }
      bulk.queryJobs.delete(id);
      return noContent();
    default:
      throw REST_ERRORS.methodNotAllowed(request.method, ['GET', 'PATCH', 'DELETE']);
  }
}
