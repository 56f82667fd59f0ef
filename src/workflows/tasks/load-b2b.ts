import { access } from 'node:fs/promises';
import { z } from 'zod';
import { getSavedImportMapping } from '../../directory/directories.service.ts';
import { executeImportRun } from '../../imports/b2b/run-b2b-import.ts';
import { importDeps } from '../../imports/imports.jobs.ts';
import { createImportRun, getImportRun } from '../../imports/imports.service.ts';
import { DEFAULT_MAPPING, IMPORT_OBJECTS, type MappingInput } from '../../imports/mapping.ts';
import { archiveSftpFiles, getSftpSourceRow, listSftpSources } from '../../imports/sftp-sources.service.ts';
import type { FileSource } from '../../imports/sources.ts';
import { systemActor } from '../../users/roles.ts';
import { defineTask, PermanentTaskError } from './task-type.ts';

const ZFileRef = z
  .object({
    /** A file on the machine that runs the task (an extract task's download, or a server path). */
    path: z.string().min(1).optional(),
    /** Where it came from on SFTP: read from there when `path` is not on this machine. */
    sourceId: z.number().int().positive().optional(),
    remotePath: z.string().min(1).optional(),
    bytes: z.number().optional(),
  })
  .refine((f) => f.path || (f.sourceId && f.remotePath), {
    error: 'give a path, or an SFTP source and remote path',
  });

const ZCounts = z.object({
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  deleted: z.number(),
  rejected: z.number(),
});

const actor = systemActor('workflows');

/**
 * Load B2B account data into the directory: one import run (accounts and hierarchy, contacts with
 * their client roles, account team members), optionally into a new mailing list named from a
 * template, which the next task can distribute a survey to (`{{ tasks.<key>.mailingListId }}`).
 */
export const loadB2bTask = defineTask({
  type: 'directory.load_b2b',
  category: 'directory',
  label: 'Load B2B account data into the directory',
  description:
    'Imports accounts, contacts and account team members (from the previous task’s files, server paths or a saved SFTP source), optionally into a new mailing list per run.',
  input: z
    .object({
      /** The files, usually piped whole from an extract task: `{{ tasks.extract.files }}`. */
      files: z
        .object({
          accounts: ZFileRef.nullable().optional(),
          contacts: ZFileRef.nullable().optional(),
          teamMembers: ZFileRef.nullable().optional(),
        })
        .optional(),
      /** Or read a saved SFTP source's files directly. */
      sftpSourceId: z.number().int().positive().optional(),
      /** A new mailing list per run, named from this template ({{date}}, {{time}}, {{runId}}); null: none. */
      mailingList: z.string().trim().min(1).max(200).nullable().default(null),
      /** The directory's saved mapping (default), or the standard Salesforce one. */
      mapping: z.enum(['saved', 'default']).default('saved'),
    })
    .strict()
    .refine((i) => i.files || i.sftpSourceId, {
      error: 'give the files (from an extract task) or an SFTP source',
    }),
  output: z.object({
    importRunId: z.number().int(),
    directoryId: z.number().int(),
    status: z.string(),
    /** The run's new mailing list (null when no mailing list was asked for, or no contacts file). */
    mailingListId: z.number().int().nullable(),
    counts: z.object({ accounts: ZCounts, contacts: ZCounts, teamMembers: ZCounts }),
    errorCount: z.number().int(),
    warningCount: z.number().int(),
  }),
  retry: { limit: 2, delaySeconds: 60 },
  async check(db, directoryId, input) {
    if (typeof input.sftpSourceId !== 'number') return [];
    const sources = await listSftpSources(db, actor, directoryId);
    return sources.some((s) => s.id === input.sftpSourceId)
      ? []
      : [{ path: 'sftpSourceId', message: `no SFTP source ${input.sftpSourceId} in this directory` }];
  },
  async run(input, ctx) {
    const { db } = ctx.deps;
    const directoryId = ctx.workflow.directoryId;
    let runId = typeof ctx.checkpoint?.importRunId === 'number' ? ctx.checkpoint.importRunId : null;
    // Local copies read here; what came from SFTP is archived after success, as the source says.
    const archive = new Map<number, string[]>();
    if (runId === null) {
      const sources: Partial<Record<(typeof IMPORT_OBJECTS)[number], FileSource>> = {};
      if (input.files) {
        for (const object of IMPORT_OBJECTS) {
          const file = input.files[object];
          if (!file) continue;
          const local = file.path
            ? await access(file.path).then(
                () => true,
                () => false,
              )
            : false;
          if (local) {
            sources[object] = { kind: 'path', path: file.path! };
            if (file.sourceId && file.remotePath)
              archive.set(file.sourceId, [...(archive.get(file.sourceId) ?? []), file.remotePath]);
          } else if (file.sourceId && file.remotePath) {
            sources[object] = { kind: 'sftp', sourceId: file.sourceId, path: file.remotePath };
          } else throw new PermanentTaskError(`files.${object}: ${file.path} cannot be read on this server`);
        }
      } else {
        const source = await getSftpSourceRow(db.orm, input.sftpSourceId!);
        if (source.directoryId !== directoryId)
          throw new PermanentTaskError(`The SFTP source ${source.id} belongs to another directory`);
        for (const [object, remotePath] of Object.entries(source.paths as Record<string, string>))
          if (remotePath)
            sources[object as (typeof IMPORT_OBJECTS)[number]] = {
              kind: 'sftp',
              sourceId: source.id,
              path: remotePath,
            };
      }
      if (Object.keys(sources).length === 0)
        throw new PermanentTaskError('No file to load: every file is empty (null)');
      const saved = input.mapping === 'saved' ? await getSavedImportMapping(db.orm, directoryId) : null;
      const created = await createImportRun(
        db,
        actor,
        {
          directory: directoryId,
          sources,
          mapping: (saved ?? DEFAULT_MAPPING) as MappingInput,
          options: { mailingList: input.mailingList },
        },
        // The import run and the task's record of it commit together: a retry resumes this run.
        (tx, id) => ctx.saveCheckpoint({ importRunId: id, archive: [...archive] }, tx),
      );
      runId = created.runId;
    } else if (Array.isArray(ctx.checkpoint?.archive)) {
      for (const [id, paths] of ctx.checkpoint.archive as [number, string[]][]) archive.set(id, paths);
    }
    try {
      await executeImportRun(importDeps(ctx.deps), runId);
    } catch {
      // The run records why it failed; read below.
    }
    const run = await getImportRun(db.orm, actor, runId);
    if (run.status !== 'succeeded') {
      if (run.errorCount > 0)
        throw new PermanentTaskError(`Import run ${runId} failed: ${run.failure ?? 'see its report'}`);
      // Not the files' fault (a connection, a crash): the next attempt starts a new import run.
      await ctx.saveCheckpoint({});
      throw new Error(`Import run ${runId} failed: ${run.failure ?? 'unknown reason'}`);
    }
    for (const [sourceId, paths] of archive) {
      try {
        await archiveSftpFiles(ctx.deps, sourceId, paths);
      } catch (error) {
        ctx.logger.warn({ err: error, sourceId }, 'could not archive the loaded SFTP files');
      }
    }
    const zero = { created: 0, updated: 0, unchanged: 0, deleted: 0, rejected: 0 };
    const counts = (run.objects ?? {}) as Record<string, z.input<typeof ZCounts>>;
    return {
      importRunId: run.runId,
      directoryId: run.directoryId,
      status: run.status,
      mailingListId: run.mailingListId,
      counts: {
        accounts: { ...zero, ...counts.accounts },
        contacts: { ...zero, ...counts.contacts },
        teamMembers: { ...zero, ...counts.teamMembers },
      },
      errorCount: run.errorCount,
      warningCount: run.warningCount,
    };
  },
});
