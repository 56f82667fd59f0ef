import { REST_ERRORS, restError } from './api-errors.ts';
import type { ApiContext, ApiRequest } from './api-request.ts';
import { jsonReply, type Reply } from './http-kit.ts';
import type { SObjectDef } from './schema.ts';
import { formatDateTime, parseDateTime } from './values.ts';

/**
 * getUpdated and getDeleted over REST (/sobjects/{Type}/updated/?start=&end=, …/deleted/…).
 * Seconds are ignored (both bounds fall to the minute); updated looks back at most 30 days and
 * deleted 15, or to the last purge of the recycle bin; latestDateCovered is the end bound.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;
const floorMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;

function bound(request: ApiRequest, name: 'start' | 'end'): number {
  const text = request.url.searchParams.get(name);
  if (!text) throw restError(400, 'MISSING_ARGUMENT', `${name} is required`);
  const ms = parseDateTime(text);
  if (ms === null) throw restError(400, 'INVALID_REPLICATION_DATE', `Invalid ${name} date: ${text}`);
  return floorMinute(ms);
}

export function handleReplication(
  context: ApiContext,
  request: ApiRequest,
  object: SObjectDef,
  kind: 'updated' | 'deleted',
): Reply {
  if (request.method !== 'GET') throw REST_ERRORS.methodNotAllowed(request.method, ['GET', 'HEAD']);
  const { store, now } = context.org;
  const start = bound(request, 'start');
  const end = Math.min(bound(request, 'end'), floorMinute(now()));
  if (start >= end)
    throw restError(
      400,
      'INVALID_REPLICATION_DATE',
      'startDate must chronologically precede endDate by more than one minute',
    );
  const oldest = floorMinute(now()) - (kind === 'updated' ? 30 : 15) * DAY;
  if (start < oldest) {
    throw restError(
      400,
      'INVALID_REPLICATION_DATE',
      `startDate cannot be more than ${kind === 'updated' ? 30 : 15} days ago`,
    );
  }
  if (kind === 'updated') {
    const ids: string[] = [];
    for (const record of store.records(object)) {
      const stamp = record.SystemModstamp as number;
      if (stamp >= start && stamp < end) ids.push(record.Id);
    }
    return jsonReply(200, { ids, latestDateCovered: formatDateTime(end) });
  }
  const earliest = floorMinute(store.earliestDeletedDateAvailable(object));
  const deletedRecords = store
    .deletedLog(object)
    .filter((e) => e.deletedDate >= start && e.deletedDate < end)
    .map((e) => ({ id: e.id, deletedDate: formatDateTime(e.deletedDate) }));
  return jsonReply(200, {
    deletedRecords,
    earliestDateAvailable: formatDateTime(earliest),
    latestDateCovered: formatDateTime(end),
  });
}
