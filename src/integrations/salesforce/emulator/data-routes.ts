import { REST_ERRORS } from './api-errors.ts';
import type { ApiContext, ApiRequest } from './api-request.ts';
import type { ApiUsage } from './api-usage.ts';
import { handleBulkIngest } from './bulk-ingest-routes.ts';
import { type BulkQueryOptions, handleBulkQuery } from './bulk-query-routes.ts';
import { handleCollections } from './collection-routes.ts';
import { jsonReply, type Reply } from './http-kit.ts';
import { handleQuery } from './query-routes.ts';
import { handleSObjects } from './sobject-routes.ts';

/**
 * Everything under /services/data/vXX.X/: the resource list, /limits, SOQL, sObjects,
 * Collections and Bulk API 2.0, tried in turn.
 */

export const OLDEST_VERSION = 31;
export const NEWEST_VERSION = 64;

const SEASONS = ['Winter', 'Spring', 'Summer'] as const;

/** API 62.0 is Winter '25; three releases a year. */
function releaseLabel(major: number) {
  const k = major - 62;
  const season = SEASONS[((k % 3) + 3) % 3]!;
  const year = 25 + Math.floor(k / 3);
  return `${season} '${String(year).padStart(2, '0')}`;
}

export function versionList() {
  const versions = [];
  for (let major = OLDEST_VERSION; major <= NEWEST_VERSION; major++) {
    versions.push({ label: releaseLabel(major), url: `/services/data/v${major}.0`, version: `${major}.0` });
  }
  return versions;
}

export const isSupportedVersion = (version: string) => {
  const m = /^(\d+)\.0$/.exec(version);
  return m !== null && Number(m[1]) >= OLDEST_VERSION && Number(m[1]) <= NEWEST_VERSION;
};

/** The version's resources, and the caller's identity URL (jsforce's identity() reads it). */
function resources(context: ApiContext, request: ApiRequest) {
  const base = `/services/data/v${request.version}`;
  const names = [
    'tooling',
    'metadata',
    'jobs',
    'query',
    'queryAll',
    'sobjects',
    'limits',
    'composite',
    'search',
    'recent',
  ];
  return {
    ...Object.fromEntries(names.map((name) => [name, `${base}/${name}`])),
    identity: `${context.url()}/id/${context.org.id}/${request.userId}`,
  };
}

function limits(context: ApiContext, usage: ApiUsage) {
  const { used, max } = usage.snapshot();
  const bulkQueries = context.bulk.queryJobs.size;
  return {
    ConcurrentAsyncGetReportInstances: { Max: 200, Remaining: 200 },
    DailyApiRequests: { Max: max, Remaining: Math.max(0, max - used) },
    DailyAsyncApexExecutions: { Max: 250000, Remaining: 250000 },
    DailyBulkApiBatches: { Max: 15000, Remaining: 15000 },
    DailyBulkV2QueryFileStorageMB: { Max: 976562, Remaining: 976562 },
    DailyBulkV2QueryJobs: { Max: 10000, Remaining: Math.max(0, 10000 - bulkQueries) },
    DataStorageMB: { Max: 5, Remaining: 5 },
    FileStorageMB: { Max: 20, Remaining: 20 },
    HourlyODataCallout: { Max: 10000, Remaining: 10000 },
    SingleEmail: { Max: 15, Remaining: 15 },
  };
}

export function handleDataApi(
  context: ApiContext,
  request: ApiRequest,
  options: { usage: ApiUsage; bulkQuery: BulkQueryOptions },
): Reply {
  const [resource] = request.segments;
  if (resource === undefined) {
    if (request.method !== 'GET') throw REST_ERRORS.methodNotAllowed(request.method, ['GET', 'HEAD']);
    return jsonReply(200, resources(context, request));
  }
  if (resource === 'limits' && request.segments.length === 1) {
    if (request.method !== 'GET') throw REST_ERRORS.methodNotAllowed(request.method, ['GET', 'HEAD']);
    return jsonReply(200, limits(context, options.usage));
  }
  const reply =
    handleQuery(context, request) ??
    handleSObjects(context, request) ??
    handleCollections(context, request) ??
    handleBulkQuery(context, request, options.bulkQuery) ??
    handleBulkIngest(context, request);
  if (!reply) throw REST_ERRORS.notFound();
  return reply;
}
