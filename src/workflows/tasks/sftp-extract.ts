import { createWriteStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { getSftpSourceRow, listSftpSources, sftpOpener } from '../../imports/sftp-sources.service.ts';
import { AppError } from '../../platform/errors.ts';
import { systemActor } from '../../users/roles.ts';
import { defineTask, PermanentTaskError } from './task-type.ts';

const OBJECTS = ['accounts', 'contacts', 'teamMembers'] as const;
const ZRemotePath = z
  .string()
  .trim()
  .regex(/^\//, { error: 'expected an absolute path such as /exports/Contact.csv' });

export const ZExtractedFile = z.object({
  /** The downloaded copy, on the machine that ran the task. */
  path: z.string(),
  /** Where it came from: the load task falls back to it when the copy is not on its machine. */
  sourceId: z.number(),
  remotePath: z.string(),
  bytes: z.number(),
});

/**
 * Extract account data from SFTP files: downloads the Account, Contact and AccountTeamMember files
 * of a saved SFTP source (its saved paths, or others given here) for the next task to load.
 */
export const sftpExtractTask = defineTask({
  type: 'sftp.extract',
  category: 'data',
  label: 'Extract account data from SFTP files',
  description:
    'Downloads the Account, Contact and AccountTeamMember files from a saved SFTP source, for "Load B2B data into the directory".',
  input: z
    .object({
      sourceId: z.number().int().positive(),
      /** Other files than the source's saved ones (absolute remote paths). */
      paths: z
        .object({
          accounts: ZRemotePath.nullable().optional(),
          contacts: ZRemotePath.nullable().optional(),
          teamMembers: ZRemotePath.nullable().optional(),
        })
        .optional(),
    })
    .strict(),
  output: z.object({
    sourceId: z.number(),
    files: z.object({
      accounts: ZExtractedFile.nullable(),
      contacts: ZExtractedFile.nullable(),
      teamMembers: ZExtractedFile.nullable(),
    }),
    fileCount: z.number().int(),
    bytes: z.number().int(),
  }),
  retry: { limit: 3, delaySeconds: 60 },
  async check(db, directoryId, input) {
    if (typeof input.sourceId !== 'number') return [];
    const sources = await listSftpSources(db, systemActor('workflows'), directoryId);
    return sources.some((s) => s.id === input.sourceId)
      ? []
      : [{ path: 'sourceId', message: `no SFTP source ${input.sourceId} in this directory` }];
  },
  async run(input, ctx) {
    const row = await getSftpSourceRow(ctx.deps.db.orm, input.sourceId).catch((error: unknown) => {
      if (error instanceof AppError) throw new PermanentTaskError(error.message);
      throw error;
    });
    if (row.directoryId !== ctx.workflow.directoryId)
      throw new PermanentTaskError(`The SFTP source ${input.sourceId} belongs to another directory`);
    const saved = row.paths as Partial<Record<(typeof OBJECTS)[number], string>>;
    const folder = path.join(ctx.runFolder, ctx.task.key);
    await mkdir(folder, { recursive: true });
    const open = sftpOpener(ctx.deps);
    const files: Record<string, z.input<typeof ZExtractedFile> | null> = {};
    let bytes = 0;
    for (const object of OBJECTS) {
      const override = input.paths?.[object];
      const remotePath = override === undefined ? saved[object] : override;
      if (!remotePath) {
        files[object] = null;
        continue;
      }
      const local = path.join(folder, `${object}.csv`);
      const file = await open(input.sourceId, remotePath).catch((error: unknown) => {
        throw new Error(`Could not download ${remotePath}: ${(error as Error).message}`);
      });
      try {
        // Written aside then renamed: a copy cut off by a crash is never taken for a whole file.
        await pipeline(file.stream(), createWriteStream(`${local}.part`));
        await rename(`${local}.part`, local);
      } finally {
        await file.close();
      }
      const size = (await stat(local)).size;
      bytes += size;
      files[object] = { path: local, sourceId: input.sourceId, remotePath, bytes: size };
    }
    const fileCount = Object.values(files).filter(Boolean).length;
    if (fileCount === 0) throw new PermanentTaskError('The SFTP source names no file to extract');
    return {
      sourceId: input.sourceId,
      files: {
        accounts: files.accounts ?? null,
        contacts: files.contacts ?? null,
        teamMembers: files.teamMembers ?? null,
      },
      fileCount,
      bytes,
    };
  },
});
