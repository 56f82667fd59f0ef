import { Readable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { findDirectory, getSavedImportMapping, saveImportMapping } from '../directory/directories.service.ts';
import type { Tx } from '../platform/db/database.ts';
import { badRequest, validationFailed } from '../platform/errors.ts';
import { actorOf } from '../platform/http/access.ts';
import { describeIssues } from '../platform/http/error-handler.ts';
import { ZPageQuery } from '../platform/http/paging.ts';
import type { RouteModule } from '../platform/http/types.ts';
import { authorize } from '../users/roles.ts';
import { runImport } from './imports.jobs.ts';
import { importRuns } from './imports.schema.ts';
import {
  createImportRun,
  finalizeUploadRun,
  getImportRun,
  issuesCsv,
  listImportRuns,
  listIssues,
  ZImportOptions,
} from './imports.service.ts';
import { checkMapping, DEFAULT_MAPPING, IMPORT_OBJECTS, type ImportObject, ZMapping } from './mapping.ts';
import {
  createSftpSource,
  deleteSftpSource,
  getSftpSourceRow,
  listSftpSources,
  testSftpSource,
  ZSftpSourceInput,
} from './sftp-sources.service.ts';
import { type FileSource, storeUpload } from './sources.ts';

const ZDirParams = z.object({ dir: z.string().min(1).max(200) });
const ZIdParams = z.object({ id: z.coerce.number().int().positive() });
const ZAnyObject = z.record(z.string(), z.unknown());
const ZRunView = z.object({
  runId: z.number(),
  directoryId: z.number(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  objects: z.record(z.string(), z.record(z.string(), z.number())).nullable(),
  mailingListId: z.number().nullable(),
  errorCount: z.number(),
  warningCount: z.number(),
  failure: z.string().nullable(),
  progress: ZAnyObject,
  options: ZAnyObject,
  createdBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
const ZIssue = z.object({
  severity: z.enum(['error', 'warning']),
  object: z.string(),
  file: z.string(),
  line: z.number().nullable(),
  field: z.string().nullable(),
  value: z.string().nullable(),
  reason: z.string(),
});

/** JSON body of an import from a saved SFTP source (uploads come as multipart/form-data). */
const ZImportFromSftp = z.object({
  sftpSourceId: z.number().int().positive(),
  /** Which of the source's files to read (default: all it names). */
  objects: z.array(z.enum(IMPORT_OBJECTS)).min(1).optional(),
  mapping: ZMapping.optional(),
  options: ZImportOptions.optional(),
});

const MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;

function parseJsonField(name: string, value: unknown): unknown {
  try {
    return JSON.parse(String(value));
  } catch {
    throw badRequest(`The form field "${name}" is not valid JSON`);
  }
}

export const importsRoutes: RouteModule = async (app, { db, jobs, secrets }) => {
  const resolveMapping = async (directoryId: number, given: unknown) => {
    if (given !== undefined) return given;
    return (await getSavedImportMapping(db.orm, directoryId)) ?? DEFAULT_MAPPING;
  };

  app.post(
    '/directories/:dir/imports',
    {
      config: { access: 'data:write' },
      schema: {
        tags: ['imports'],
        summary:
          'Start an import: multipart files (accounts, contacts, teamMembers; optional JSON fields mapping and options), or JSON {sftpSourceId}',
        consumes: ['multipart/form-data', 'application/json'],
        params: ZDirParams,
        response: { 202: ZRunView },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      authorize(actor, 'data:write');
      const directory = await findDirectory(db.orm, request.params.dir);
      const enqueue = async (tx: Tx, runId: number) => {
        await jobs.send(runImport, { runId }, { tx });
      };

      if (!request.isMultipart()) {
        const parsed = ZImportFromSftp.safeParse(request.body);
        if (!parsed.success)
          throw validationFailed('The body is not valid', describeIssues(parsed.error.issues));
        const source = await getSftpSourceRow(db.orm, parsed.data.sftpSourceId);
        if (source.directoryId !== directory.id)
          throw badRequest('That SFTP source belongs to another directory');
        const paths = source.paths as Partial<Record<ImportObject, string>>;
        const objects = parsed.data.objects ?? IMPORT_OBJECTS.filter((o) => paths[o]);
        const sources: Partial<Record<ImportObject, FileSource>> = {};
        for (const object of objects) {
          const path = paths[object];
          if (!path) throw badRequest(`The SFTP source has no path for ${object}`);
          sources[object] = { kind: 'sftp', sourceId: source.id, path };
        }
        const run = await createImportRun(
          db,
          actor,
          {
            directory: directory.id,
            sources,
            mapping: (await resolveMapping(directory.id, parsed.data.mapping)) as never,
            options: parsed.data.options,
          },
          enqueue,
        );
        return reply.status(202).send(run);
      }

      // Multipart: store each file as it streams in, then create the run that reads them.
      const [placeholder] = await db.orm
        .insert(importRuns)
        .values({
          directoryId: directory.id,
          sources: {},
          mapping: {},
          createdBy: 'upload',
          progress: { phase: 'uploading' },
        })
        .returning();
      const uploadId = placeholder!.id;
      try {
        const sources: Partial<Record<ImportObject, FileSource>> = {};
        let mapping: unknown;
        let options: unknown;
        for await (const part of request.parts({
          limits: { fileSize: MAX_UPLOAD_BYTES, files: 3, fields: 10 },
        })) {
          if (part.type === 'file') {
            if (!(IMPORT_OBJECTS as readonly string[]).includes(part.fieldname)) {
              part.file.resume();
              throw badRequest(
                `Unknown file field "${part.fieldname}": use accounts, contacts or teamMembers`,
              );
            }
            const object = part.fieldname as ImportObject;
            const bytes = await storeUpload(db, uploadId, object, Readable.from(part.file));
            sources[object] = { kind: 'upload', name: part.filename || `${object}.csv`, bytes };
          } else if (part.fieldname === 'mapping') mapping = parseJsonField('mapping', part.value);
          else if (part.fieldname === 'options') options = parseJsonField('options', part.value);
          else throw badRequest(`Unknown form field "${part.fieldname}"`);
        }
        const resolved = ZMapping.safeParse(await resolveMapping(directory.id, mapping));
        if (!resolved.success)
          throw validationFailed('The mapping is not valid', describeIssues(resolved.error.issues));
        // The placeholder becomes the run: files stay attached to its id.
        await db.orm.transaction(async (tx) => {
          await finalizeUploadRun(tx, uploadId, actor, sources, resolved.data, options);
          await jobs.send(runImport, { runId: uploadId }, { tx });
        });
        return reply.status(202).send(await getImportRun(db.orm, actor, uploadId));
      } catch (error) {
        await db.orm.delete(importRuns).where(eq(importRuns.id, uploadId));
        throw error;
      }
    },
  );

  app.get(
    '/directories/:dir/imports',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['imports'],
        summary: 'Import runs of a directory, newest first',
        params: ZDirParams,
        querystring: ZPageQuery,
        response: { 200: z.object({ items: z.array(ZRunView), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      const before = request.query.cursor ? Number(request.query.cursor) : undefined;
      return listImportRuns(
        db.orm,
        actorOf(request),
        directory.id,
        Number.isSafeInteger(before) ? before : undefined,
        request.query.limit,
      );
    },
  );

  app.get(
    '/imports/:id',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['imports'],
        summary:
          'An import run: status, progress, counts per object, and its first issues (all in errors.csv)',
        params: ZIdParams,
        response: { 200: ZRunView.extend({ issues: z.array(ZIssue) }) },
      },
    },
    async (request) => {
      const run = await getImportRun(db.orm, actorOf(request), request.params.id);
      const issues = await listIssues(db.orm, run.runId, 100);
      return {
        ...run,
        issues: issues.map((i) => ({
          severity: i.severity,
          object: i.object,
          file: i.file,
          line: i.line,
          field: i.field,
          value: i.value,
          reason: i.reason,
        })),
      };
    },
  );

  app.get(
    '/imports/:id/errors.csv',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['imports'],
        summary: 'Every error and warning of a run as CSV (file, line, field, value, reason)',
        params: ZIdParams,
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      await getImportRun(db.orm, actor, request.params.id);
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="import-${request.params.id}-issues.csv"`);
      return reply.send(Readable.from(issuesCsv(db.orm, actor, request.params.id)));
    },
  );

  app.get(
    '/directories/:dir/mapping',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['imports'],
        summary: 'The import mapping of a directory (the default one until a mapping is saved)',
        params: ZDirParams,
        response: { 200: z.object({ mapping: ZAnyObject, saved: z.boolean() }) },
      },
    },
    async (request) => {
      authorize(actorOf(request), 'data:read');
      const directory = await findDirectory(db.orm, request.params.dir);
      const saved = await getSavedImportMapping(db.orm, directory.id);
      return {
        mapping: ZMapping.parse(saved ?? DEFAULT_MAPPING) as Record<string, unknown>,
        saved: saved !== null,
      };
    },
  );

  app.put(
    '/directories/:dir/mapping',
    {
      config: { access: 'data:write' },
      schema: {
        tags: ['imports'],
        summary: 'Save the import mapping of a directory (checked first: compound fields, duplicates, types)',
        params: ZDirParams,
        body: ZMapping,
        response: { 200: z.object({ mapping: ZAnyObject, saved: z.boolean() }) },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      const problems = checkMapping(request.body);
      if (problems.length)
        throw validationFailed(
          'The mapping cannot be used',
          problems.map((message) => ({ path: 'body', message })),
        );
      await saveImportMapping(db, actorOf(request), directory.id, request.body);
      return { mapping: request.body as Record<string, unknown>, saved: true };
    },
  );

  app.get(
    '/directories/:dir/sftp-sources',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['imports'],
        summary: 'Saved SFTP sources (credentials never returned)',
        params: ZDirParams,
        response: { 200: z.object({ items: z.array(ZAnyObject) }) },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return { items: await listSftpSources(db.orm, actorOf(request), directory.id) };
    },
  );

  app.post(
    '/directories/:dir/sftp-sources',
    {
      config: { access: 'data:write' },
      schema: {
        tags: ['imports'],
        summary:
          'Save an SFTP source after connecting to it (the host key is pinned; the secret is encrypted at rest)',
        params: ZDirParams,
        body: ZSftpSourceInput,
        response: {
          201: z.object({
            source: ZAnyObject,
            files: z.array(z.object({ path: z.string(), bytes: z.number() })),
          }),
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createSftpSource({ db, secrets }, actorOf(request), request.params.dir, request.body)),
  );

  app.post(
    '/sftp-sources/:id/test',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['imports'],
        summary: 'Connect to a saved SFTP source and check its files',
        params: ZIdParams,
        response: {
          200: z.object({
            hostKeyFingerprint: z.string(),
            files: z.array(z.object({ path: z.string(), bytes: z.number() })),
          }),
        },
      },
    },
    async (request) => testSftpSource({ db, secrets }, actorOf(request), request.params.id),
  );

  app.delete(
    '/sftp-sources/:id',
    {
      config: { access: 'data:write' },
      schema: {
        tags: ['imports'],
        summary: 'Delete a saved SFTP source',
        params: ZIdParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await deleteSftpSource(db, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
