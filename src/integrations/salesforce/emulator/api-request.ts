import type { IncomingHttpHeaders } from 'node:http';
import { REST_ERRORS } from './api-errors.ts';
import type { BulkJobs } from './bulk-jobs.ts';
import type { Org } from './org.ts';
import type { QueryCursors } from './query-cursors.ts';

/** What a REST or Bulk API handler gets: the authenticated call and the org it runs against. */

export interface ApiRequest {
  method: string;
  url: URL;
  /** The API version of the URL ("62.0"). */
  version: string;
  /** Decoded path segments after /services/data/vXX.X/. */
  segments: string[];
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The session's user. */
  userId: string;
}

export interface ApiContext {
  org: Org;
  /** The emulator's base URL (login and instance URL). */
  url: () => string;
  cursors: QueryCursors;
  bulk: BulkJobs;
}

export function requestHeader(request: ApiRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The JSON body, or Salesforce's JSON_PARSER_ERROR. */
export function jsonBody(request: ApiRequest): unknown {
  const text = request.body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw REST_ERRORS.jsonParser(`Unexpected character: ${(error as Error).message} at [line:1, column:1]`);
  }
}

/** The JSON body as an object (records, job definitions …). */
export function jsonObject(request: ApiRequest): Record<string, unknown> {
  const body = jsonBody(request);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw REST_ERRORS.jsonParser(
      'Cannot deserialize instance of complexvalue from START_ARRAY value [line:1, column:1]',
    );
  }
  return body as Record<string, unknown>;
}
