import { and, asc, eq, gt } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../platform/db/database.ts';
import { type Actor, authorize } from '../users/roles.ts';
import {
  checkResponseFilters,
  type DirectoryRefs,
  directoryRefs,
  responseConditions,
  toNamedResponse,
  ZResponseQuery,
} from './responses.service.ts';
import {
  answerCell,
  type Column,
  type FixedColumn,
  guardText,
  responseColumns,
} from './responses-columns.ts';
import { responses, surveyVersions } from './surveys.schema.ts';
import { getSurveyRow } from './surveys.service.ts';

/**
 * A survey's responses as a file, streamed: read from the database in keyset batches by id and
 * written batch by batch, so memory holds one batch whatever the number of responses. Each batch
 * names its contacts and accounts with one directory lookup each. Batches are separate reads (no
 * transaction held open while a slow client downloads): a response saved meanwhile is included
 * when its id comes after the batches already sent.
 */

export const ZExportQuery = ZResponseQuery.omit({ limit: true, cursor: true }).extend({
  format: z.enum(['csv', 'json']).default('csv'),
});
export type ExportQuery = z.output<typeof ZExportQuery>;

export const EXPORT_BATCH = 1000;

type ResponseRow = typeof responses.$inferSelect;
interface Batch extends DirectoryRefs {
  rows: ResponseRow[];
}

async function* batches(
  db: Executor,
  actor: Actor,
  surveyId: number,
  query: ExportQuery,
  batchSize: number,
): AsyncGenerator<Batch> {
  let after = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(responses)
      .where(and(...responseConditions(actor, surveyId, query), gt(responses.id, after)))
      .orderBy(asc(responses.id))
      .limit(batchSize);
    if (rows.length === 0) return;
    after = rows.at(-1)!.id;
    yield { rows, ...(await directoryRefs(db, rows)) };
    if (rows.length < batchSize) return;
  }
}

/** RFC 4180: a cell with a comma, a quote or a line break is quoted, its quotes doubled. */
const csvCell = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

function fixedCell(header: FixedColumn, row: ResponseRow, batch: Batch): string {
  const contact = row.contactId === null ? undefined : batch.contacts.get(row.contactId);
  const account = row.accountId === null ? undefined : batch.accounts.get(row.accountId);
  const values: Record<FixedColumn, string | number | null | undefined> = {
    ResponseId: row.externalRef ?? row.id,
    Status: row.status,
    StartedAt: row.startedAt.toISOString(),
    CompletedAt: row.completedAt?.toISOString(),
    Language: row.language,
    Channel: row.channel,
    ContactExternalRef: contact?.externalRef,
    ContactEmail: contact?.email,
    AccountExternalRef: account?.externalRef,
    AccountName: account?.name,
    NpsScore: row.npsScore,
    NpsCategory: row.npsCategory,
    CsatScore: row.csatScore === null ? null : Number(row.csatScore),
  };
  const value = values[header];
  // Directory names and a respondent's language are text from outside too: guarded like answers.
  return value === null || value === undefined ? '' : guardText(String(value));
}

async function* csvLines(batchesOf: AsyncGenerator<Batch>, columns: Column[]): AsyncGenerator<string> {
  // The BOM tells spreadsheets the file is UTF-8 (accents survive a double-click in Excel).
  yield `\uFEFF${columns.map((c) => csvCell(c.header)).join(',')}\r\n`;
  for await (const batch of batchesOf) {
    let text = '';
    for (const row of batch.rows) {
      const cells = columns.map((column) =>
        column.kind === 'fixed' ? fixedCell(column.header, row, batch) : answerCell(column, row),
      );
      text += `${cells.map(csvCell).join(',')}\r\n`;
    }
    yield text;
  }
}

/** The list endpoint's objects (contact and account named), one array element at a time. */
async function* jsonArray(batchesOf: AsyncGenerator<Batch>): AsyncGenerator<string> {
  yield '[';
  let first = true;
  for await (const batch of batchesOf) {
    let text = '';
    for (const row of batch.rows) {
      text += `${first ? '\n' : ',\n'}${JSON.stringify(toNamedResponse(row, batch))}`;
      first = false;
    }
    yield text;
  }
  yield first ? ']\n' : '\n]\n';
}

const slug = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'survey';

/**
 * Checks access and reads the survey first (a 403 or 404 is answered before any byte is sent),
 * then hands back the file's name, type and body to stream.
 */
export async function openResponsesExport(
  db: Executor,
  actor: Actor,
  surveyId: number,
  query: ExportQuery,
  options: { batchSize?: number } = {},
) {
  authorize(actor, 'data:read');
  checkResponseFilters(query);
  const survey = await getSurveyRow(db, surveyId);
  const [version] = await db
    .select()
    .from(surveyVersions)
    .where(and(eq(surveyVersions.surveyId, surveyId), eq(surveyVersions.version, survey.currentVersion)));
  const source = batches(db, actor, surveyId, query, options.batchSize ?? EXPORT_BATCH);
  const date = new Date().toISOString().slice(0, 10);
  const filename = `${slug(survey.name)}-${survey.id}-responses-${date}.${query.format}`;
  return query.format === 'csv'
    ? {
        filename,
        contentType: 'text/csv; charset=utf-8',
        body: csvLines(source, responseColumns(version!.definition as object, survey.embeddedFields)),
      }
    : { filename, contentType: 'application/json; charset=utf-8', body: jsonArray(source) };
}
