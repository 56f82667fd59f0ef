import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { ensureDirectory, getSavedImportMapping } from '../directory/directories.service.ts';
import { notFound } from '../platform/errors.ts';
import type { JobDeps } from '../platform/jobs/define-job.ts';
import type { Actor } from '../users/roles.ts';
import { executeImportRun } from './b2b/run-b2b-import.ts';
import { importDeps } from './imports.jobs.ts';
import { sftpSources } from './imports.schema.ts';
import { createImportRun, getImportRun, listIssues } from './imports.service.ts';
import { DEFAULT_MAPPING, IMPORT_OBJECTS, type ImportObject } from './mapping.ts';
import type { FileSource } from './sources.ts';

/** A file as the CLI names it: a local path, or `sftp://<saved source name or id>/<path>`. */
export const ZCliFile = z.string().min(1);

export const ZCliImport = z.object({
  directory: z.string().min(1),
  accounts: ZCliFile.optional(),
  contacts: ZCliFile.optional(),
  teamMembers: ZCliFile.optional(),
  mapping: z.unknown().optional(),
  mailingList: z.string().optional(),
});

async function resolveFile(
  deps: Pick<JobDeps, 'db'>,
  directoryId: number,
  text: string,
): Promise<FileSource> {
  const match = /^sftp:\/\/([^/@]+)(\/.*)$/.exec(text);
  if (!match) return { kind: 'path', path: text };
  const [, name, path] = match as unknown as [string, string, string];
  const [source] = await deps.db.orm
    .select()
    .from(sftpSources)
    .where(
      sql`${sftpSources.directoryId} = ${directoryId} AND (lower(${sftpSources.name}) = ${name.toLowerCase()} OR ${sftpSources.id}::text = ${name})`,
    );
  if (!source)
    throw notFound(
      `No saved SFTP source "${name}" in this directory (for a one-off server use sftp://user@host/path)`,
    );
  return { kind: 'sftp', sourceId: source.id, path };
}

/**
 * `rapport import b2b`: creates the directory if needed, records the run and executes it here and
 * now (not through the job queue), then answers the run's summary.
 */
export async function importB2bNow(
  deps: Pick<JobDeps, 'db' | 'logger' | 'secrets'>,
  actor: Actor,
  input: z.output<typeof ZCliImport>,
) {
  const directory = await ensureDirectory(deps.db, actor, input.directory);
  const sources: Partial<Record<ImportObject, FileSource>> = {};
  for (const object of IMPORT_OBJECTS) {
    const file = input[object];
    if (file) sources[object] = await resolveFile(deps, directory.id, file);
  }
  const mapping =
    input.mapping ?? (await getSavedImportMapping(deps.db.orm, directory.id)) ?? DEFAULT_MAPPING;
  const run = await createImportRun(deps.db, actor, {
    directory: directory.id,
    sources,
    mapping: mapping as never,
    options: { mailingList: input.mailingList ?? null },
  });
  try {
    await executeImportRun(importDeps(deps), run.runId);
  } catch {
    // The run records why it failed; the summary below says so.
  }
  return importSummary(deps, actor, run.runId);
}

/** The run summary the CLI prints (and the issue asks for). */
export async function importSummary(deps: Pick<JobDeps, 'db'>, actor: Actor, runId: number) {
  const run = await getImportRun(deps.db.orm, actor, runId);
  const issues = await listIssues(deps.db.orm, runId, 1000);
  const describe = (i: (typeof issues)[number]) => ({
    object: i.object,
    file: i.file,
    line: i.line,
    field: i.field,
    value: i.value,
    reason: i.reason,
  });
  return {
    runId: run.runId,
    status: run.status,
    objects: run.objects,
    mailingListId: run.mailingListId,
    failure: run.failure,
    errorCount: run.errorCount,
    warningCount: run.warningCount,
    warnings: issues.filter((i) => i.severity === 'warning').map(describe),
    errors: issues.filter((i) => i.severity === 'error').map(describe),
  };
}
