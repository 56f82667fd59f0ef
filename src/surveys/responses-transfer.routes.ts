import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { AppError, badRequest } from '../platform/errors.ts';
import { actorOf } from '../platform/http/access.ts';
import type { RouteModule } from '../platform/http/types.ts';
import { authorize } from '../users/roles.ts';
import { openResponsesExport, ZExportQuery } from './responses-export.service.ts';
import { importResponses } from './responses-import.service.ts';

const ZIdParams = z.object({ id: z.coerce.number().int().positive() });
const ZIssue = z.object({ line: z.number(), column: z.string().nullable(), reason: z.string() });

const MAX_IMPORT_BYTES = 200 * 1024 * 1024;

/** A survey's responses out as CSV or JSON (streamed), and historical responses in from CSV. */
export const responsesTransferRoutes: RouteModule = (app, { db }) => {
  app.get(
    '/surveys/:id/responses/export',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['surveys'],
        summary:
          'Every response of a survey as a file (CSV with one column per question, or a JSON array), with the list’s filters; streamed',
        params: ZIdParams,
        querystring: ZExportQuery,
      },
    },
    async (request, reply) => {
      const file = await openResponsesExport(db.orm, actorOf(request), request.params.id, request.query);
      reply
        .type(file.contentType)
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .header('cache-control', 'no-store');
      return reply.send(Readable.from(file.body));
    },
  );

  app.post(
    '/surveys/:id/responses/import',
    {
      config: { access: 'data:write' },
      schema: {
        tags: ['surveys'],
        summary:
          'Import historical responses from a CSV in the export’s format (multipart field "file"); all or nothing, idempotent; ?dryRun=true only checks',
        consumes: ['multipart/form-data'],
        params: ZIdParams,
        querystring: z.object({ dryRun: z.enum(['true', 'false']).default('false') }),
        response: {
          200: z.object({
            dryRun: z.boolean(),
            rows: z.number(),
            created: z.number(),
            skipped: z.number().describe('Rows imported before (same ResponseId or same content)'),
            warningCount: z.number(),
            warnings: z.array(ZIssue),
          }),
        },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      authorize(actor, 'data:write');
      if (!request.isMultipart())
        throw badRequest('Send the CSV file as multipart/form-data, in the field "file"');
      const part = await request.file({ limits: { fileSize: MAX_IMPORT_BYTES, files: 1 } });
      if (!part) throw badRequest('No file: send the CSV in the form field "file"');
      if (part.fieldname !== 'file') {
        part.file.resume();
        throw badRequest(`Unknown file field "${part.fieldname}": send the CSV in the field "file"`);
      }
      // The upload is spooled to disk first, so a slow client never holds the import's
      // transaction (on the embedded database, the only connection) open.
      const dir = await mkdtemp(path.join(tmpdir(), 'rapport-responses-'));
      try {
        const spooled = path.join(dir, 'upload.csv');
        try {
          await pipeline(part.file, createWriteStream(spooled));
        } catch (error) {
          if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
            throw new AppError(
              413,
              'payload_too_large',
              `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB`,
            );
          throw error;
        }
        return await importResponses(db, actor, request.params.id, createReadStream(spooled), {
          dryRun: request.query.dryRun === 'true',
          fileName: part.filename || 'upload.csv',
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
};
