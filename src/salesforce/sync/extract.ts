import { setTimeout as sleep } from 'node:timers/promises';
import type { Record as SfRecord } from '@jsforce/jsforce-node';
import type { SalesforceClient } from '../client/sf-client.ts';
import { MAX_FETCH } from '../connections/open-connection.ts';
import { splitCsv } from './csv-split.ts';

/** One object's extraction: which fields, which records, and which API reads them. */
export interface ExtractPlan {
  object: string;
  /** Canonical field paths (Id, Parent.Id, User.Email …): the file's columns, in order. */
  fields: string[];
  /** Field path (lower case) → Salesforce type, to write date-times one way whatever the API. */
  types: Map<string, string>;
  where: string | null;
  /** Delta: only records whose SystemModstamp is at or after this instant. */
  since: Date | null;
  /** queryAll: deleted records (in the recycle bin) arrive as IsDeleted = true rows. */
  includeDeleted: boolean;
  bulk: boolean;
  /** Bulk API result page size (maxRecords); null lets Salesforce choose. */
  pageSize: number | null;
  /** How often to ask a Bulk API job whether it is done, at first (it slows down to 5 s). */
  pollMs?: number;
}

export interface ExtractedRow {
  values: string[];
  id: string;
  deleted: boolean;
  /** SystemModstamp in epoch ms (NaN when not extracted). */
  stamp: number;
}

export interface ExtractStats {
  method: 'rest' | 'bulk';
  rows: number;
  deleted: number;
  pages: number;
  jobId: string | null;
  maxStamp: number | null;
}

/** SOQL date-time literal (seconds: every API version reads them). */
export const soqlDateTime = (at: Date) => `${at.toISOString().slice(0, 19)}Z`;

export function buildSoql(
  plan: Pick<ExtractPlan, 'object' | 'fields' | 'where' | 'since'>,
  extra: string[] = [],
) {
  const select = [
    ...plan.fields,
    ...extra.filter((e) => !plan.fields.some((f) => f.toLowerCase() === e.toLowerCase())),
  ];
  const conditions: string[] = [];
  if (plan.where) conditions.push(`(${plan.where})`);
  if (plan.since) conditions.push(`SystemModstamp >= ${soqlDateTime(plan.since)}`);
  return `SELECT ${select.join(', ')} FROM ${plan.object}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
}

export function countSoql(plan: Pick<ExtractPlan, 'object' | 'where' | 'since'>) {
  return buildSoql({ ...plan, fields: ['COUNT()'] });
}

/** A REST value as the Bulk API would write it in CSV: date-times in UTC with Z, booleans as text. */
function restCell(value: unknown, type: string | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object') return JSON.stringify(value);
  const text = String(value);
  return type === 'datetime' ? text.replace(/\+0000$/, 'Z') : text;
}

function restValue(record: SfRecord, path: string): unknown {
  const parts = path.split('.');
  let current: unknown = record;
  for (const part of parts) {
    if (current === null || current === undefined || typeof current !== 'object') return null;
    const entries = current as Record<string, unknown>;
    // Salesforce answers with the field names' canonical case; match without case to be safe.
    const key =
      part in entries ? part : Object.keys(entries).find((k) => k.toLowerCase() === part.toLowerCase());
    current = key === undefined ? null : entries[key];
  }
  return current;
}

const STAMP = 'SystemModstamp';

/**
 * REST: query (or queryAll) and queryMore page by page, each page handed on before the next is
 * asked for — so memory holds one page (2,000 records) and the API budget is checked per page.
 */
async function extractRest(
  client: SalesforceClient,
  plan: ExtractPlan,
  onRow: (row: ExtractedRow) => Promise<void>,
): Promise<ExtractStats> {
  const soql = buildSoql(plan, ['Id', 'IsDeleted', STAMP]);
  const stats: ExtractStats = { method: 'rest', rows: 0, deleted: 0, pages: 0, jobId: null, maxStamp: null };
  let page = await client.call(`querying ${plan.object}`, (conn) =>
    conn.query(soql, { autoFetch: false, scanAll: plan.includeDeleted, maxFetch: MAX_FETCH }),
  );
  for (;;) {
    stats.pages++;
    for (const record of page.records) {
      const values = plan.fields.map((f) => restCell(restValue(record, f), plan.types.get(f.toLowerCase())));
      const deleted = restValue(record, 'IsDeleted') === true;
      const stamp = Date.parse(restCell(restValue(record, STAMP), 'datetime'));
      await onRow({ values, id: String(restValue(record, 'Id')), deleted, stamp });
      stats.rows++;
      if (deleted) stats.deleted++;
      if (Number.isFinite(stamp) && (stats.maxStamp === null || stamp > stats.maxStamp))
        stats.maxStamp = stamp;
    }
    if (page.done || !page.nextRecordsUrl) return stats;
    const next = page.nextRecordsUrl;
    page = await client.call(`querying ${plan.object} (more)`, (conn) => conn.queryMore(next));
  }
}

interface QueryJobInfo {
  id: string;
  state: string;
  errorMessage?: string;
  numberRecordsProcessed?: number;
}

/** Creates a Bulk API 2.0 query job and waits for it to complete. */
async function completedJob(
  client: SalesforceClient,
  plan: ExtractPlan,
  soql: string,
): Promise<QueryJobInfo> {
  const base = `${client.apiPath}/jobs/query`;
  const job = await client.call(`creating the ${plan.object} Bulk API query job`, (conn) =>
    conn.request<QueryJobInfo>({
      method: 'POST',
      url: base,
      body: JSON.stringify({ operation: plan.includeDeleted ? 'queryAll' : 'query', query: soql }),
      headers: { 'content-type': 'application/json; charset=utf-8' },
    }),
  );
  let wait = plan.pollMs ?? 250;
  for (;;) {
    const info = await client.call(`waiting for the ${plan.object} Bulk API query job`, (conn) =>
      conn.request<QueryJobInfo>(`${base}/${job.id}`),
    );
    if (info.state === 'JobComplete') return info;
    if (info.state === 'Failed' || info.state === 'Aborted') {
      throw new Error(
        `The Bulk API query job ${job.id} for ${plan.object} ended ${info.state}${info.errorMessage ? `: ${info.errorMessage}` : ''}`,
      );
    }
    await sleep(wait, undefined, client.signal ? { signal: client.signal } : {});
    wait = Math.min(5000, Math.round(wait * 1.5));
  }
}

/**
 * Bulk API 2.0 (query or queryAll): the job's results are read page by page over HTTP, following
 * the Sforce-Locator header until it is the literal "null" — jsforce's bulk2.query loses every page
 * after the first — and each page is parsed and handed on before the next is read.
 */
async function extractBulk(
  client: SalesforceClient,
  plan: ExtractPlan,
  onRow: (row: ExtractedRow) => Promise<void>,
): Promise<ExtractStats> {
  const soql = buildSoql(plan, ['Id', 'IsDeleted', STAMP]);
  const job = await completedJob(client, plan, soql);
  const stats: ExtractStats = {
    method: 'bulk',
    rows: 0,
    deleted: 0,
    pages: 0,
    jobId: job.id,
    maxStamp: null,
  };
  let locator: string | null = null;
  do {
    const query = new URLSearchParams();
    if (plan.pageSize) query.set('maxRecords', String(plan.pageSize));
    if (locator) query.set('locator', locator);
    const response = await client.fetchRaw(
      `reading ${plan.object} results`,
      `${client.apiPath}/jobs/query/${job.id}/results${query.size ? `?${query}` : ''}`,
      'text/csv',
    );
    const next = response.headers.get('sforce-locator');
    const rows = splitCsv(await response.text());
    stats.pages++;
    const header = (rows[0] ?? []).map((h) => h.toLowerCase());
    const column = (path: string) => header.indexOf(path.toLowerCase());
    const indexes = plan.fields.map(column);
    const missing = plan.fields.filter((_, i) => indexes[i] === -1);
    if (rows.length > 0 && missing.length)
      throw new Error(`The ${plan.object} results have no column ${missing.join(', ')}`);
    const idAt = column('Id');
    const deletedAt = column('IsDeleted');
    const stampAt = column(STAMP);
    for (let r = 1; r < rows.length; r++) {
      const cells = rows[r]!;
      const values = indexes.map((i) => cells[i] ?? '');
      const deleted = deletedAt >= 0 && cells[deletedAt] === 'true';
      const stamp = stampAt >= 0 ? Date.parse(cells[stampAt] ?? '') : Number.NaN;
      await onRow({ values, id: cells[idAt] ?? '', deleted, stamp });
      stats.rows++;
      if (deleted) stats.deleted++;
      if (Number.isFinite(stamp) && (stats.maxStamp === null || stamp > stats.maxStamp))
        stats.maxStamp = stamp;
    }
    // The last page says so with the string "null" (not an absent header).
    locator = next && next !== 'null' ? next : null;
  } while (locator);
  return stats;
}

export function extractObject(
  client: SalesforceClient,
  plan: ExtractPlan,
  onRow: (row: ExtractedRow) => Promise<void>,
): Promise<ExtractStats> {
  return plan.bulk ? extractBulk(client, plan, onRow) : extractRest(client, plan, onRow);
}

/** How many records a plan will read (one REST call): decides REST or Bulk API. */
export async function countRecords(client: SalesforceClient, plan: ExtractPlan): Promise<number> {
  const result = await client.call(`counting ${plan.object}`, (conn) =>
    conn.query(countSoql(plan), { scanAll: plan.includeDeleted }),
  );
  return result.totalSize;
}

/** One read of an object's extraction; `stamps: false` when its rows must not move the cursor. */
export interface ExtractPart {
  plan: ExtractPlan;
  stamps: boolean;
}

/**
 * Reads several parts of one object into the same file (the campaign members of chosen campaigns,
 * a few hundred Ids per query), each by REST or Bulk API after its own count, with their figures
 * summed. A part read in full for records new to the sync (a campaign just chosen) does not move
 * the delta cursor: its old records would pull it back.
 */
export async function extractParts(
  client: SalesforceClient,
  parts: readonly ExtractPart[],
  bulkThreshold: number,
  onRow: (row: ExtractedRow) => Promise<void>,
): Promise<ExtractStats | null> {
  let total: ExtractStats | null = null;
  for (const part of parts) {
    part.plan.bulk = (await countRecords(client, part.plan)) > bulkThreshold;
    const stats = await extractObject(client, part.plan, onRow);
    const stamp = part.stamps ? stats.maxStamp : null;
    total = total
      ? {
          method: total.method === 'bulk' || stats.method === 'bulk' ? 'bulk' : 'rest',
          rows: total.rows + stats.rows,
          deleted: total.deleted + stats.deleted,
          pages: total.pages + stats.pages,
          jobId: stats.jobId ?? total.jobId,
          maxStamp:
            stamp === null
              ? total.maxStamp
              : total.maxStamp === null
                ? stamp
                : Math.max(total.maxStamp, stamp),
        }
      : { ...stats, maxStamp: stamp };
  }
  return total;
}
