import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../platform/db/database.ts';
import { importFileChunks } from './imports.files.schema.ts';
import type { ImportObject } from './mapping.ts';

export const ZFileSource = z.discriminatedUnion('kind', [
  /** A file on the machine that runs the import (CLI, or a path the server can read). */
  z.object({ kind: z.literal('path'), path: z.string().min(1) }),
  /** Uploaded through the API, stored in the database. */
  z.object({
    kind: z.literal('upload'),
    name: z.string().min(1).max(500),
    bytes: z.number().int().nonnegative(),
  }),
  /** On a saved SFTP source. */
  z.object({ kind: z.literal('sftp'), sourceId: z.number().int().positive(), path: z.string().min(1) }),
]);
export type FileSource = z.output<typeof ZFileSource>;

export const ZImportSources = z
  .object({
    accounts: ZFileSource.optional(),
    contacts: ZFileSource.optional(),
    teamMembers: ZFileSource.optional(),
  })
  .refine((s) => s.accounts || s.contacts || s.teamMembers, {
    error: 'Give at least one file: accounts, contacts or teamMembers',
  });
export type ImportSources = z.output<typeof ZImportSources>;

export interface OpenedFile {
  /** How issues name the file. */
  label: string;
  size: number | null;
  stream(): Readable;
  close(): Promise<void>;
}

export const UPLOAD_CHUNK_BYTES = 1024 * 1024;

/** Stores an uploaded file in the database, in chunks, as it streams in; returns its size. */
export async function storeUpload(
  db: Database,
  runId: number,
  object: ImportObject,
  file: AsyncIterable<Buffer>,
): Promise<number> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let chunk = 0;
  let total = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    await db.orm
      .insert(importFileChunks)
      .values({ runId, object, chunk: chunk++, data: Buffer.concat(pending) });
    total += pendingBytes;
    pending = [];
    pendingBytes = 0;
  };
  for await (const piece of file) {
    pending.push(piece);
    pendingBytes += piece.length;
    if (pendingBytes >= UPLOAD_CHUNK_BYTES) await flush();
  }
  await flush();
  return total;
}

function uploadStream(db: Database, runId: number, object: ImportObject): Readable {
  async function* chunks() {
    for (let next = 0; ; next++) {
      const [row] = await db.orm
        .select({ data: importFileChunks.data })
        .from(importFileChunks)
        .where(
          and(
            eq(importFileChunks.runId, runId),
            eq(importFileChunks.object, object),
            eq(importFileChunks.chunk, next),
          ),
        )
        .orderBy(asc(importFileChunks.chunk));
      if (!row) return;
      yield row.data;
    }
  }
  return Readable.from(chunks());
}

export type SftpOpener = (sourceId: number, path: string) => Promise<OpenedFile>;

export async function openSource(
  db: Database,
  runId: number,
  object: ImportObject,
  source: FileSource,
  openSftp: SftpOpener,
): Promise<OpenedFile> {
  switch (source.kind) {
    case 'path': {
      const info = await stat(source.path).catch(() => {
        throw new Error(`Cannot read ${source.path}: no such file`);
      });
      if (!info.isFile()) throw new Error(`${source.path} is not a file`);
      return {
        label: source.path,
        size: info.size,
        stream: () => createReadStream(source.path, { highWaterMark: 256 * 1024 }),
        close: async () => {},
      };
    }
    case 'upload':
      return {
        label: source.name,
        size: source.bytes,
        stream: () => uploadStream(db, runId, object),
        close: async () => {},
      };
    case 'sftp':
      return openSftp(source.sourceId, source.path);
  }
}
