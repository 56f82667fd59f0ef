import { createHash } from 'node:crypto';
import { copyCsvInto } from '../../platform/db/copy.ts';
import { type Database, isUniqueViolation } from '../../platform/db/database.ts';
import { ident, lit } from '../../platform/db/sql-text.ts';
import type { RejectedRecord } from '../csv/csv-records.ts';
import { readHeader } from '../csv/read-header.ts';
import { copyLines } from '../csv/scan-in-worker.ts';
import type { ImportObject, Mapping } from '../mapping.ts';
import type { OpenedFile } from '../sources.ts';
import { isTitleMarker } from './client-roles.ts';
import { type ColumnPlan, type PlanProblem, planColumns } from './column-plan.ts';
import { type Timer, untimed } from './phase-timer.ts';
import { resolvePhones } from './phones.ts';
import { dropSkipTables, skipUnchanged } from './skip-unchanged.ts';
import { withImportSettings } from './sql-run.ts';
import {
  insertProblemIssues,
  pendingTable,
  rawColumn,
  rawTable,
  skippedTable,
  stageStatements,
  stageTable,
} from './stage-sql.ts';

export interface StagedFile {
  plan: ColumnPlan | null;
  problems: PlanProblem[];
  records: number;
  /** Rows set aside as unchanged since the last import (never staged). */
  skipped: number;
}

export type StageProgress = (update: {
  object: ImportObject;
  bytesRead: number;
  bytesTotal: number | null;
  records: number;
}) => void;

/**
 * One file into its typed staging table: header → column plan; records streamed by COPY into a
 * raw table of text columns (every line number kept); then SQL checks every value, writing a row
 * error for each that does not fit, and builds the typed table from the rest. Duplicated external
 * references keep their first row. Nothing here touches the directory.
 */
const STATS_COLUMNS = new Set([
  'external_ref',
  'email',
  'account_ref',
  'parent_ref',
  'title',
  'user_email',
  'role_value',
  'is_deleted',
]);

export async function stageFile(
  db: Database,
  runId: number,
  object: ImportObject,
  file: OpenedFile,
  mapping: Mapping,
  onProgress: StageProgress,
  options: {
    defaultCountry: string | null;
    /** Set to skip rows unchanged since this directory's last import. */
    directoryId?: number;
    checkPlan?: (plan: ColumnPlan) => Promise<PlanProblem[]>;
    timer?: Timer;
  } = { defaultCountry: null },
): Promise<StagedFile> {
  const { header, body } = await readHeader(file.stream());
  if (!header) {
    return {
      plan: null,
      problems: [{ field: null, reason: 'the file is empty: expected a header line' }],
      records: 0,
      skipped: 0,
    };
  }
  const { plan, problems } = planColumns(object, header.columns, mapping);
  if (problems.length === 0 && options.checkPlan) problems.push(...(await options.checkPlan(plan)));
  if (problems.length) {
    await body.return(undefined);
    return { plan, problems, records: 0, skipped: 0 };
  }

  const timer = options.timer ?? untimed;
  const t = <T>(phase: string, work: () => Promise<T>) => timer.time(`${object}: ${phase}`, work);
  const defaultCountry = mapping.defaultCountry ?? options.defaultCountry;
  // "This row, read this way": the row's bytes hashed as they stream by, prefixed with a digest of
  // everything that decides how they are read.
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ mapping, defaultCountry, columns: header.columns }))
    .digest('hex')
    .slice(0, 16);
  const raw = rawTable(runId, object);
  await db.query(`DROP TABLE IF EXISTS ${raw}`);
  // UNLOGGED: staging is rebuilt from the file after a crash, so it needs no WAL.
  const columns = header.columns.map((_, i) => rawColumn(i));
  await db.query(
    `CREATE UNLOGGED TABLE ${raw} (line int NOT NULL, source_hash text NOT NULL, ${columns.map((c) => `${c} text`).join(', ')})`,
  );

  const rejected: RejectedRecord[] = [];
  let bytesRead = header.byteLength;
  let lastReport = 0;
  const counted = async function* (): AsyncGenerator<Buffer> {
    for await (const chunk of body) {
      bytesRead += chunk.length;
      const now = Date.now();
      if (now - lastReport > 500) {
        lastReport = now;
        onProgress({ object, bytesRead, bytesTotal: file.size, records: records() });
      }
      yield chunk;
    }
  };
  const { lines: input, records } = copyLines(
    counted(),
    {
      delimiter: header.delimiter,
      fieldCount: header.columns.length,
      firstLine: header.lines + 1,
      hashPrefix: fingerprint,
      trim: true,
    },
    (r) => rejected.push(r),
    scanOnWorker(db, file.size) ? 'worker' : 'here',
  );
  await t('copy raw', () =>
    copyCsvInto(db, input, {
      table: raw,
      columns: ['line', 'source_hash', ...columns],
      delimiter: header.delimiter,
      // Values arrive trimmed; an empty one, quoted or not, is NULL: SQL reads the columns as they are.
      forceNull: columns,
    }),
  );
  onProgress({ object, bytesRead, bytesTotal: file.size, records: records() });

  if (rejected.length) {
    await insertRejected(db, runId, object, file.label, rejected);
  }
  if (plan.unused.length) {
    await db.query(
      `INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason) VALUES ($1, 'warning', $2, $3, NULL, NULL, $4, $5)`,
      [
        runId,
        object,
        file.label,
        plan.unused.join(', ').slice(0, 200),
        'columns not used by the mapping (ignored)',
      ],
    );
  }

  await t('duplicates', () => removeDuplicates(db, runId, plan, file.label));
  const skipped = await t('skip unchanged', () => skipUnchanged(db, runId, plan, options.directoryId));
  const stage = stageTable(runId, object);
  const statements = stageStatements(
    plan,
    runId,
    file.label,
    defaultCountry,
    skipped ? pendingTable(runId, object) : null,
  );
  await db.query(`DROP TABLE IF EXISTS ${stage}`);
  await t('parse', () => withImportSettings(db, statements.createStage));
  await t('phones', () => resolvePhones(db, stage, statements.phones, statements.columns, defaultCountry));
  await t('row issues', async () => {
    await db.query(statements.insertIssues);
    await db.query(statements.deleteRejected);
    // The warnings of unchanged rows, as they were found when the row was read: the same file
    // gets the same report. (An unmapped Title is reported once per Title, by the merge.)
    if (skipped)
      await db.query(
        insertProblemIssues(
          runId,
          object,
          file.label,
          skippedTable(runId, object),
          'warnings',
          `NOT ${isTitleMarker('p')}`,
        ),
      );
  });
  // Statistics only for the columns the merge joins and groups on: the rest are never planned on.
  const joinColumns = statements.columns.filter((c) => STATS_COLUMNS.has(c));
  await t('analyze stage', () =>
    db.query(`ANALYZE ${stage} (line${joinColumns.map((c) => `, ${ident(c)}`).join('')})`),
  );
  return { plan, problems: [], records: records(), skipped };
}

/**
 * PGlite runs COPY on this thread: scanning a large file's records here too made the two take turns
 * (a million contacts: a second of scanning, then the load); on a worker they overlap (copy 3.6 s
 * became 2.5 s). PostgreSQL's COPY runs in its own process, which already overlaps with a scan
 * here; a worker there only added a third busy thread (on 2 cores, 1.3 s became 1.8 s). A small
 * file is not worth a worker's start.
 */
function scanOnWorker(db: Database, fileBytes: number | null): boolean {
  return db.kind === 'pglite' && (fileBytes === null || fileBytes >= 8 * 1024 * 1024);
}

async function insertRejected(
  db: Database,
  runId: number,
  object: ImportObject,
  label: string,
  rejected: RejectedRecord[],
) {
  for (let i = 0; i < rejected.length; i += 5000) {
    const batch = rejected.slice(i, i + 5000);
    await db.query(
      `INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason)
       SELECT $1, 'error', $2, $3, l, NULL, NULL, 'the record ' || r FROM unnest($4::int[], $5::text[]) AS u(l, r)`,
      [runId, object, label, batch.map((r) => r.line), batch.map((r) => r.reason)],
    );
  }
}

/**
 * The same external reference twice in one file: the first row is imported, the others are row
 * errors naming the first. (For contacts without a reference, the same email twice.) Checked on
 * the raw rows, before unchanged rows are set aside, so every duplicate is reported.
 *
 * Usually there is none: a unique index over the keys proves it (a sort, in byte order: a million
 * references in 0.2 to 0.6 s where grouping them took 0.6 to 1.2 s). Only when the index is
 * refused are the duplicates found and reported, by grouping.
 */
async function removeDuplicates(db: Database, runId: number, plan: ColumnPlan, label: string) {
  const raw = rawTable(runId, plan.object);
  // Each key as SQL over the raw row, with the table alias given (none inside an index definition).
  const keys: { key(r: string): string; column: string; where(r: string): string }[] = [];
  const refIndex = plan.fields.externalRef;
  const ref = (r: string) => `${r}${rawColumn(refIndex!)}`;
  if (refIndex !== undefined)
    keys.push({ key: ref, column: plan.columns[refIndex]!, where: (r) => `${ref(r)} IS NOT NULL` });
  const emailIndex = plan.fields.email;
  if (plan.object === 'contacts' && emailIndex !== undefined) {
    const email = (r: string) => `lower(${r}${rawColumn(emailIndex)})`;
    keys.push({
      key: email,
      column: plan.columns[emailIndex]!,
      where: (r) => `${refIndex !== undefined ? `${ref(r)} IS NULL AND ` : ''}${email(r)} IS NOT NULL`,
    });
  }
  for (const [i, keyOf] of keys.entries()) {
    const index = ident(`import_raw_${runId}_${plan.object}_key${i}`);
    try {
      await db.query(
        `CREATE UNIQUE INDEX ${index} ON ${raw} ((${keyOf.key('')}) COLLATE "C") WHERE ${keyOf.where('')}`,
      );
      await db.query(`DROP INDEX ${index}`);
      continue;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const [key, where, column] = [keyOf.key('r.'), keyOf.where('r.'), keyOf.column];
    // Hash-aggregate the keys (no sort of the whole file); the delete reads only the repeated ones.
    await withImportSettings(
      db,
      `WITH dup AS (
         SELECT ${key} AS value, min(r.line) AS first_line FROM ${raw} r WHERE ${where} GROUP BY 1 HAVING count(*) > 1
       ), removed AS (
         DELETE FROM ${raw} r USING dup WHERE ${key} = dup.value AND r.line <> dup.first_line
         RETURNING r.line, dup.value, dup.first_line
       )
       INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason)
       SELECT ${lit(runId)}, 'error', ${lit(plan.object)}, ${lit(label)}, d.line, ${lit(column)}, left(d.value, 200),
              'duplicate ${column.replace(/'/g, "''")} in this file (first on line ' || d.first_line || '): row ignored'
       FROM removed d`,
    );
  }
}

export async function dropStaging(db: Database, runId: number): Promise<void> {
  for (const object of ['accounts', 'contacts', 'teamMembers'] as const) {
    await db.query(`DROP TABLE IF EXISTS ${rawTable(runId, object)}`);
    await db.query(`DROP TABLE IF EXISTS ${stageTable(runId, object)}`);
  }
  for (const object of ['accounts', 'contacts', 'teamMembers'] as const) {
    await dropSkipTables(db, runId, object);
  }
  await db.query(`DROP TABLE IF EXISTS ${ident(`import_phone_${runId}`)}`);
}
