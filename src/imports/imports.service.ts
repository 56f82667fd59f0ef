import { and, asc, desc, eq, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { findDirectory } from '../directory/directories.service.ts';
import type { Database, Executor, Tx } from '../platform/db/database.ts';
import { notFound, validationFailed } from '../platform/errors.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, actorLabel, authorize } from '../users/roles.ts';
import { importIssues, importRuns } from './imports.schema.ts';
import { checkMapping, DEFAULT_MAPPING, type Mapping, type MappingInput, parseMapping } from './mapping.ts';
import { type ImportSources, ZImportSources } from './sources.ts';

export const ZImportOptions = z.object({
  mailingList: z.string().trim().min(1).max(200).nullable().optional(),
});

export interface CreateImportRun {
  directory: string | number;
  sources: z.input<typeof ZImportSources>;
  mapping?: MappingInput | undefined;
  options?: z.input<typeof ZImportOptions> | undefined;
}

/** Validates the request (mapping included) and records a queued run; the caller executes it. */
export async function createImportRun(
  db: Database,
  actor: Actor,
  input: CreateImportRun,
  onCreated?: (tx: Tx, runId: number) => Promise<void>,
): Promise<ImportRunView> {
  authorize(actor, 'data:write');
  const directory = await findDirectory(db.orm, input.directory);
  const sources: ImportSources = ZImportSources.parse(input.sources);
  const mapping = parseMapping(input.mapping ?? DEFAULT_MAPPING);
  const problems = checkMapping(mapping);
  if (problems.length)
    throw validationFailed(
      'The mapping cannot be used',
      problems.map((message) => ({ path: 'mapping', message })),
    );
  const options = ZImportOptions.parse(input.options ?? {});
  return db.orm.transaction(async (tx) => {
    const [run] = await tx
      .insert(importRuns)
      .values({ directoryId: directory.id, sources, mapping, options, createdBy: actorLabel(actor) })
      .returning();
    await recordAudit(tx, actor, {
      action: 'import.created',
      targetType: 'import_run',
      targetId: run!.id,
      details: { directoryId: directory.id, objects: Object.keys(sources) },
    });
    await onCreated?.(tx, run!.id);
    return toView(run!);
  });
}

export type ImportRunRow = typeof importRuns.$inferSelect;

export function toView(run: ImportRunRow) {
  return {
    runId: run.id,
    directoryId: run.directoryId,
    status: run.status,
    objects: run.summary as Record<string, Record<string, number>> | null,
    mailingListId: run.mailingListId,
    errorCount: run.errorCount,
    warningCount: run.warningCount,
    failure: run.failure,
    progress: run.progress as Record<string, unknown>,
    options: run.options as Record<string, unknown>,
    createdBy: run.createdBy,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}
export type ImportRunView = ReturnType<typeof toView>;

export async function getImportRun(db: Executor, actor: Actor, runId: number): Promise<ImportRunView> {
  authorize(actor, 'data:read');
  const [run] = await db.select().from(importRuns).where(eq(importRuns.id, runId));
  if (!run) throw notFound(`No import run ${runId}`);
  return toView(run);
}

export async function listImportRuns(
  db: Executor,
  actor: Actor,
  directoryId: number,
  before: number | undefined,
  limit: number,
) {
  authorize(actor, 'data:read');
  const rows = await db
    .select()
    .from(importRuns)
    .where(and(eq(importRuns.directoryId, directoryId), before ? lt(importRuns.id, before) : undefined))
    .orderBy(desc(importRuns.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit).map(toView);
  return { items, nextCursor: rows.length > limit ? String(items.at(-1)!.runId) : null };
}

export type IssueRow = typeof importIssues.$inferSelect;

/** The first issues of a run (errors first), for the summary; the CSV report has them all. */
export async function listIssues(db: Executor, runId: number, limit: number) {
  return db
    .select()
    .from(importIssues)
    .where(eq(importIssues.runId, runId))
    .orderBy(
      asc(importIssues.severity),
      asc(importIssues.object),
      asc(importIssues.line),
      asc(importIssues.id),
    )
    .limit(limit);
}

/** Streams every issue of a run as CSV, page by page (never the whole report in memory). */
export async function* issuesCsv(db: Executor, actor: Actor, runId: number): AsyncGenerator<string> {
  await getImportRun(db, actor, runId);
  yield '\uFEFFseverity,object,file,line,field,value,reason\r\n';
  let after = 0;
  for (;;) {
    const page = await db
      .select()
      .from(importIssues)
      .where(and(eq(importIssues.runId, runId), sql`${importIssues.id} > ${after}`))
      .orderBy(asc(importIssues.id))
      .limit(5000);
    if (page.length === 0) return;
    after = page.at(-1)!.id;
    yield page
      .map((i) =>
        [i.severity, i.object, i.file, i.line ?? '', i.field ?? '', i.value ?? '', i.reason]
          .map(csvCell)
          .join(','),
      )
      .join('\r\n')
      .concat('\r\n');
  }
}

function csvCell(value: string | number): string {
  const text = String(value);
  // A leading =, +, - or @ would be run as a formula by spreadsheets: neutralise it.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Turns the placeholder run of an upload (files already stored) into a queued run. */
export async function finalizeUploadRun(
  tx: Tx,
  runId: number,
  actor: Actor,
  sources: Partial<Record<string, unknown>>,
  mapping: Mapping,
  options: unknown,
): Promise<void> {
  const parsedSources = ZImportSources.parse(sources);
  const problems = checkMapping(mapping);
  if (problems.length)
    throw validationFailed(
      'The mapping cannot be used',
      problems.map((message) => ({ path: 'mapping', message })),
    );
  const parsedOptions = ZImportOptions.parse(options ?? {});
  await tx
    .update(importRuns)
    .set({
      sources: parsedSources,
      mapping,
      options: parsedOptions,
      createdBy: actorLabel(actor),
      progress: {},
    })
    .where(eq(importRuns.id, runId));
  await recordAudit(tx, actor, {
    action: 'import.created',
    targetType: 'import_run',
    targetId: runId,
    details: { objects: Object.keys(parsedSources), upload: true },
  });
}
