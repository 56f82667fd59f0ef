import { restError } from './api-errors.ts';
import { type ApiContext, type ApiRequest, requestHeader } from './api-request.ts';
import { jsonReply, type Reply } from './http-kit.ts';
import type { Cursor } from './query-cursors.ts';
import { SoqlError, soqlErrorMessage } from './soql-error.ts';
import { parseSoql } from './soql-parser.ts';
import { planQuery, type QueryPlan } from './soql-plan.ts';
import { runQuery, toJsonRecord } from './soql-run.ts';

/**
 * GET /query?q=, /queryAll?q= and /query/{locator}: SOQL over REST. Results come in batches of
 * 2,000 (or the `Sforce-Query-Options: batchSize=N` asked for, 200–2,000), each with totalSize,
 * done and, while rows remain, nextRecordsUrl.
 */

const DEFAULT_BATCH = 2000;
const MIN_BATCH = 200;

function batchSizeOf(request: ApiRequest): number {
  const options = requestHeader(request, 'sforce-query-options') ?? '';
  const m = /batchSize\s*=\s*(\d+)/i.exec(options);
  if (!m) return DEFAULT_BATCH;
  return Math.min(DEFAULT_BATCH, Math.max(MIN_BATCH, Number(m[1])));
}

/** Plans a SOQL query or answers Salesforce's 400 with the caret message. */
export function planOrFail(context: ApiContext, soql: string): QueryPlan {
  try {
    return planQuery(context.org.schema, parseSoql(soql), context.org.now());
  } catch (error) {
    if (error instanceof SoqlError) throw restError(400, error.errorCode, soqlErrorMessage(soql, error));
    throw error;
  }
}

/** One batch of a cursor's rows; the cursor closes with its last batch. */
function page(context: ApiContext, request: ApiRequest, cursor: Cursor, offset: number): Reply {
  const total = cursor.rows.length;
  const slice = cursor.rows.slice(offset, offset + cursor.batchSize);
  const nextOffset = offset + slice.length;
  const done = nextOffset >= total;
  const records = slice.map((row) => toJsonRecord(context.org.store, cursor.plan, row, request.version));
  if (done) context.cursors.close(cursor.id);
  return jsonReply(
    200,
    done
      ? { totalSize: total, done: true, records }
      : {
          totalSize: total,
          done: false,
          nextRecordsUrl: `/services/data/v${request.version}/query/${cursor.id}-${nextOffset}`,
          records,
        },
  );
}

export function handleQuery(context: ApiContext, request: ApiRequest): Reply | null {
  const [resource, locator] = request.segments;
  if (resource !== 'query' && resource !== 'queryAll') return null;
  if (request.method !== 'GET') return null;
  if (locator) {
    const found = context.cursors.resolve(locator);
    if (!found) throw restError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    return page(context, request, found.cursor, found.offset);
  }
  const soql = request.url.searchParams.get('q');
  if (!soql) throw restError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
  const plan = planOrFail(context, soql);
  const outcome = runQuery(context.org.store, plan, { includeDeleted: resource === 'queryAll' });
  if (plan.countAll) return jsonReply(200, { totalSize: outcome.count, done: true, records: [] });
  if (outcome.aggregateRow)
    return jsonReply(200, { totalSize: 1, done: true, records: [outcome.aggregateRow] });
  const cursor = context.cursors.open(plan, outcome.rows, batchSizeOf(request));
  return page(context, request, cursor, 0);
}
