import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  type AccountRef,
  accountsByExternalRefs,
  type MatchedContact,
  matchContacts,
} from '../directory/lookups.service.ts';
import { csvRows } from '../imports/csv/csv-rows.ts';
import { readHeader } from '../imports/csv/read-header.ts';
import { type Database, queryRows, type Tx } from '../platform/db/database.ts';
import { AppError } from '../platform/errors.ts';
import { randomToken } from '../platform/tokens.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { checkAnswers } from './answers.ts';
import { responseMetrics } from './metrics.ts';
import { type Column, parseAnswer, responseColumns, unguardText } from './responses-columns.ts';
import { surveyVersions } from './surveys.schema.ts';
import { getSurveyRow } from './surveys.service.ts';

/**
 * Historical responses from a CSV file in the export's format (responses-columns.ts), into a
 * survey's current version. All or nothing: every row is read and checked (its dates, its contact,
 * its answers by checkAnswers() as a completed response); if any row is bad, nothing is stored and
 * every problem is reported with its line, column and reason. Rows are written a batch at a time
 * by one multi-row INSERT … ON CONFLICT DO NOTHING, in one transaction.
 *
 * Idempotent: a row's ResponseId becomes the response's external_ref (unique per survey), or, with
 * no ResponseId, a SHA-256 of the row's content; importing the same file again creates nothing.
 *
 * No response.created / response.completed events are emitted: those events start automations
 * (alerts, follow-up tasks, CRM updates) meant for a response given now, and replaying months of
 * history through them would alert account teams about old detractors. Imported rows are plain
 * history, marked by channel 'import'.
 */

export const IMPORT_BATCH = 500;
/** Problems and warnings listed in an answer; the counts say how many there were in all. */
export const MAX_LISTED_ISSUES = 1000;

export interface ImportIssue {
  line: number;
  column: string | null;
  reason: string;
}

export interface ImportReport {
  dryRun: boolean;
  /** Data rows read. */
  rows: number;
  created: number;
  /** Rows already imported before (same ResponseId or same content): left as they are. */
  skipped: number;
  warningCount: number;
  warnings: ImportIssue[];
}

class IssueList {
  readonly #items: ImportIssue[] = [];
  count = 0;
  add(line: number, column: string | null, reason: string) {
    this.count++;
    if (this.#items.length < MAX_LISTED_ISSUES) this.#items.push({ line, column, reason });
  }
  /** By line: a row's own problems are found as it is read, its answers' when its batch is checked. */
  get items(): ImportIssue[] {
    return [...this.#items].sort((a, b) => a.line - b.line);
  }
}

const trimmed = (v: unknown) => (typeof v === 'string' ? v.trim() || undefined : v);
const optionalText = (max: number) =>
  z.preprocess(
    trimmed,
    z
      .string()
      .max(max, { error: `at most ${max} characters` })
      .optional(),
  );
const ZWhen = z
  .union([z.iso.datetime({ offset: true }), z.iso.datetime({ offset: true, precision: -1 }), z.iso.date()], {
    error: (issue) =>
      issue.input === undefined
        ? 'required: when the response was completed'
        : 'expected an ISO 8601 date such as 2024-03-31T14:05:00Z or 2024-03-31',
  })
  .transform((text) => new Date(text));

/** The fixed columns the import uses; Channel, AccountName and the metrics are recomputed, not read. */
const ZRowFields = z.object({
  ResponseId: optionalText(200),
  Status: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v),
    z.literal('complete', { error: 'expected "complete": only complete responses are imported' }).optional(),
  ),
  StartedAt: z.preprocess(trimmed, ZWhen.optional()),
  CompletedAt: z.preprocess(trimmed, ZWhen),
  Language: optionalText(10),
  ContactExternalRef: optionalText(200),
  ContactEmail: z.preprocess(
    trimmed,
    z.string().max(320, { error: 'at most 320 characters' }).toLowerCase().optional(),
  ),
  AccountExternalRef: optionalText(200),
});
type RowFields = z.output<typeof ZRowFields>;

interface ParsedRow {
  line: number;
  fields: RowFields;
  externalRef: string;
  answers: Record<string, unknown>;
  embedded: Record<string, string>;
}

/** Header names matched case-insensitively to the export's columns; each column once, in order. */
function planHeader(header: string[], columns: Column[], problems: IssueList, warnings: IssueList) {
  const taken = new Set<number>();
  const plan = header.map((name, i) => {
    const key = name.toLowerCase();
    const index = columns.findIndex((c, j) => !taken.has(j) && c.header.toLowerCase() === key);
    if (index >= 0) {
      taken.add(index);
      return columns[index]!;
    }
    if (key && columns.some((c) => c.header.toLowerCase() === key))
      problems.add(1, name, 'the column appears twice');
    else warnings.add(1, name || `#${i + 1}`, 'is not a column of this survey: ignored');
    return null;
  });
  if (!plan.some((c) => c?.kind === 'fixed' && c.header === 'CompletedAt'))
    problems.add(1, 'CompletedAt', 'the column is missing: every response needs the date it was completed');
  const answered = new Set(
    plan.flatMap((c) => (c?.kind === 'answer' || c?.kind === 'matrixRow' ? [c.question.name] : [])),
  );
  for (const c of columns)
    if (c.kind === 'answer' || (c.kind === 'matrixRow' && c.row === c.question.rows[0]))
      if (!answered.has(c.question.name))
        warnings.add(1, c.question.name, 'no column for this question: imported without its answers');
  return plan;
}

/** The row's content, independent of column order: what identifies a row that has no ResponseId. */
function contentHash(header: string[], fields: string[]): string {
  const pairs = header
    .map((name, i) => [name.toLowerCase(), fields[i] ?? ''] as const)
    .filter(([, value]) => value !== '')
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(pairs)).digest('hex');
}

/** What display logic and piped text know about a respondent, as a live response stores it (respond.service.ts). */
function contextFields(
  contact: MatchedContact | undefined,
  account: AccountRef | undefined,
  role: string | null,
) {
  if (!contact && !account) return {};
  return {
    ...(contact
      ? {
          firstName: contact.firstName ?? '',
          lastName: contact.lastName ?? '',
          email: contact.email ?? '',
          sfContactId: contact.externalRef ?? null,
        }
      : {}),
    accountName: account?.name ?? '',
    sfAccountId: account?.externalRef ?? null,
    role,
  };
}

export async function importResponses(
  db: Database,
  actor: Actor,
  surveyId: number,
  file: AsyncIterable<Buffer>,
  options: { dryRun: boolean; fileName?: string },
): Promise<ImportReport> {
  authorize(actor, 'data:write');
  const survey = await getSurveyRow(db.orm, surveyId);
  const [version] = await db.orm
    .select()
    .from(surveyVersions)
    .where(and(eq(surveyVersions.surveyId, surveyId), eq(surveyVersions.version, survey.currentVersion)));
  const definition = version!.definition as object;
  const columns = responseColumns(definition, survey.embeddedFields);
  const problems = new IssueList();
  const warnings = new IssueList();
  const reject = (rows: number) =>
    new AppError(
      400,
      'import_rejected',
      `The file has ${problems.count} problem${problems.count === 1 ? '' : 's'}: nothing was imported`,
      {
        rows,
        problemCount: problems.count,
        problems: problems.items,
        warningCount: warnings.count,
        warnings: warnings.items,
      },
    );

  const { header, body } = await readHeader(file);
  if (!header) {
    problems.add(1, null, 'the file is empty: expected a header line');
    throw reject(0);
  }
  const plan = planHeader(header.columns, columns, problems, warnings);
  if (problems.count) throw reject(0);

  const seenRefs = new Map<string, number>();
  const seenContent = new Map<string, number>();
  const readRow = (line: number, values: string[]): ParsedRow | null => {
    const fixed: Record<string, string> = {};
    const answers: Record<string, unknown> = {};
    const embedded: Record<string, string> = {};
    plan.forEach((column, i) => {
      const raw = values[i] ?? '';
      if (!column) return;
      if (column.kind === 'fixed') fixed[column.header] = unguardText(raw);
      else if (column.kind === 'embedded') {
        const text = unguardText(raw).trim();
        if (text) embedded[column.field] = text;
      } else if (column.kind === 'comment') {
        const text = unguardText(raw);
        if (text.trim()) answers[`${column.question.name}-Comment`] = text;
      } else {
        const value = parseAnswer(column.question, raw);
        if (value === undefined) return;
        if (column.kind === 'answer') answers[column.question.name] = value;
        else {
          const rows = (answers[column.question.name] ?? {}) as Record<string, unknown>;
          answers[column.question.name] = { ...rows, [column.row]: value };
        }
      }
    });
    const parsed = ZRowFields.safeParse(fixed);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const column = String(issue.path[0]);
        const raw = fixed[column]?.trim();
        problems.add(line, column, raw ? `${issue.message}, got ${JSON.stringify(raw)}` : issue.message);
      }
      return null;
    }
    // StartedAt may come after CompletedAt by a little: live responses take one from the database's
    // clock and the other from the server's. Dates are kept as given.
    const fields = parsed.data;
    let externalRef = fields.ResponseId;
    if (externalRef) {
      const first = seenRefs.get(externalRef);
      if (first !== undefined) problems.add(line, 'ResponseId', `${externalRef} is also on line ${first}`);
      else seenRefs.set(externalRef, line);
    } else {
      // Identical rows are distinct responses: the nth copy gets its own reference, the same on
      // every import of the file.
      const hash = contentHash(header.columns, values);
      const n = (seenContent.get(hash) ?? 0) + 1;
      seenContent.set(hash, n);
      externalRef = n === 1 ? `sha256:${hash}` : `sha256:${hash}:${n}`;
    }
    return { line, fields, externalRef, answers, embedded };
  };

  const run = async (tx: Tx): Promise<ImportReport> => {
    let rows = 0;
    let created = 0;
    let stored = 0;
    let pending: ParsedRow[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      const values = await checkBatch(tx, survey, definition, batch, problems, warnings);
      // Once a row is bad nothing will be kept: only checking goes on, to report every problem.
      if (problems.count > 0) return;
      created += await insertBatch(tx, survey.id, survey.currentVersion, values);
      stored += values.length;
    };
    for await (const record of csvRows(body, {
      delimiter: header.delimiter,
      fieldCount: header.columns.length,
      firstLine: header.lines + 1,
    })) {
      rows++;
      if ('error' in record) {
        problems.add(record.line, null, `the row ${record.error}`);
        continue;
      }
      const row = readRow(record.line, record.fields);
      if (row) pending.push(row);
      if (pending.length >= IMPORT_BATCH) await flush();
    }
    await flush();
    if (problems.count) throw reject(rows);
    const report: ImportReport = {
      dryRun: options.dryRun,
      rows,
      created,
      skipped: stored - created,
      warningCount: warnings.count,
      warnings: warnings.items,
    };
    if (!options.dryRun)
      await recordAudit(tx, actor, {
        action: 'responses.imported',
        targetType: 'survey',
        targetId: survey.id,
        details: {
          file: options.fileName ?? null,
          rows,
          created: report.created,
          skipped: report.skipped,
          warnings: warnings.count,
        },
      });
    return report;
  };

  // Two imports of one file at once are safe: the second's INSERT waits on the first's rows and
  // skips them. Rows are stored with the version they were checked against, even if the survey
  // gets a new version meanwhile.
  try {
    return await db.orm.transaction(async (tx) => {
      const report = await run(tx);
      if (options.dryRun) throw new DryRunDone(report);
      return report;
    });
  } catch (error) {
    if (error instanceof DryRunDone) return error.report;
    throw error;
  }
}

/** Thrown to roll a dry run back: it does everything, inserts included, so its counts are exact. */
class DryRunDone extends Error {
  readonly report: ImportReport;
  constructor(report: ImportReport) {
    super('dry run');
    this.report = report;
  }
}

interface InsertValue {
  n: number;
  external_ref: string;
  resume_token: string;
  contact_id: number | null;
  account_id: number | null;
  language: string | null;
  answers: Record<string, unknown>;
  embedded: Record<string, unknown>;
  nps_score: number | null;
  nps_category: string | null;
  csat_score: number | null;
  csat_satisfied: boolean | null;
  started_at: string;
  completed_at: string;
}

/** Contacts and accounts of a batch in two queries, then each row's answers checked and its metrics. */
async function checkBatch(
  tx: Tx,
  survey: { directoryId: number; metrics: { npsQuestion?: string; csatQuestion?: string } },
  definition: object,
  batch: ParsedRow[],
  problems: IssueList,
  warnings: IssueList,
): Promise<InsertValue[]> {
  const contacts = await matchContacts(tx, survey.directoryId, {
    externalRefs: batch.flatMap((r) => (r.fields.ContactExternalRef ? [r.fields.ContactExternalRef] : [])),
    emails: batch.flatMap((r) => (r.fields.ContactEmail ? [r.fields.ContactEmail] : [])),
  });
  const accounts = await accountsByExternalRefs(
    tx,
    survey.directoryId,
    batch.flatMap((r) => (r.fields.AccountExternalRef ? [r.fields.AccountExternalRef] : [])),
  );
  const byRef = new Map<string, MatchedContact>();
  const byEmail = new Map<string, MatchedContact>();
  for (const c of contacts) {
    if (c.externalRef) byRef.set(c.externalRef, c);
    // Several contacts may share an email: the oldest is taken.
    if (c.email && !byEmail.has(c.email)) byEmail.set(c.email, c);
  }

  const values: InsertValue[] = [];
  for (const row of batch) {
    const { ContactExternalRef: ref, ContactEmail: email, AccountExternalRef: accountRef } = row.fields;
    const contact = (ref ? byRef.get(ref) : undefined) ?? (email ? byEmail.get(email) : undefined);
    if ((ref || email) && !contact)
      warnings.add(
        row.line,
        ref ? 'ContactExternalRef' : 'ContactEmail',
        `no contact ${ref ? `with external ref ${JSON.stringify(ref)}` : `with email ${JSON.stringify(email)}`} in this directory: imported without a contact`,
      );
    const primary = contact?.roles[0];
    let account: AccountRef | undefined = accountRef ? accounts.get(accountRef) : undefined;
    if (accountRef && !account)
      warnings.add(
        row.line,
        'AccountExternalRef',
        `no account with external ref ${JSON.stringify(accountRef)} in this directory: ${primary ? 'the contact’s account is used' : 'imported without an account'}`,
      );
    if (!account && primary)
      account = { id: primary.accountId, externalRef: primary.accountRef, name: primary.accountName };
    const role = contact?.roles.find((r) => r.accountId === account?.id)?.role ?? null;
    // The file's embedded columns over what the directory knows, as a link's data wins live.
    const embedded = { ...contextFields(contact, account, role), ...row.embedded };
    const checked = checkAnswers(definition, row.answers, { embedded, complete: true });
    for (const p of checked.problems) problems.add(row.line, p.question, p.message);
    if (checked.problems.length) continue;
    const metrics = responseMetrics(definition, survey.metrics, checked.answers);
    const completedAt = row.fields.CompletedAt;
    values.push({
      n: row.line,
      external_ref: row.externalRef,
      resume_token: randomToken(24),
      contact_id: contact?.id ?? null,
      account_id: account?.id ?? null,
      language: row.fields.Language ?? null,
      answers: checked.answers,
      embedded,
      nps_score: metrics.npsScore ?? null,
      nps_category: metrics.npsCategory ?? null,
      csat_score: metrics.csatScore ?? null,
      csat_satisfied: metrics.csatSatisfied ?? null,
      started_at: (row.fields.StartedAt ?? completedAt).toISOString(),
      completed_at: completedAt.toISOString(),
    });
  }
  return values;
}

/**
 * One statement for the whole batch (its rows as one JSON parameter: no bind-parameter limit);
 * rows already there are skipped by the unique (survey_id, external_ref). A numeric reference
 * that is the id of one of this survey's own responses is that response, exported and brought
 * back: skipped too. Returns how many rows were created.
 */
async function insertBatch(tx: Tx, surveyId: number, version: number, values: InsertValue[]) {
  if (values.length === 0) return 0;
  const inserted = await queryRows<{ id: number }>(
    tx,
    sql`INSERT INTO responses (survey_id, version, resume_token, contact_id, account_id, channel, language,
          status, answers, embedded, nps_score, nps_category, csat_score, csat_satisfied, external_ref,
          started_at, updated_at, completed_at)
        SELECT ${surveyId}, ${version}, v.resume_token, v.contact_id, v.account_id, 'import', v.language,
          'complete', v.answers, v.embedded, v.nps_score, v.nps_category, v.csat_score, v.csat_satisfied,
          v.external_ref, v.started_at, now(), v.completed_at
        FROM jsonb_to_recordset(${JSON.stringify(values)}::jsonb) AS v(n int, external_ref text,
          resume_token text, contact_id bigint, account_id bigint, language text, answers jsonb,
          embedded jsonb, nps_score smallint, nps_category text, csat_score numeric,
          csat_satisfied boolean, started_at timestamptz, completed_at timestamptz)
        WHERE NOT EXISTS (
          SELECT 1 FROM responses own WHERE own.survey_id = ${surveyId} AND own.external_ref IS NULL
            AND own.id = CASE WHEN v.external_ref ~ '^[0-9]{1,18}$' THEN v.external_ref::bigint END)
        ORDER BY v.n
        ON CONFLICT (survey_id, external_ref) WHERE external_ref IS NOT NULL DO NOTHING
        RETURNING id`,
  );
  return inserted.length;
}
