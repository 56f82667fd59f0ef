import { z } from 'zod';
import { findDirectory } from '../directory/directories.service.ts';
import { actorOf } from '../platform/http/access.ts';
import type { RouteModule } from '../platform/http/types.ts';
import {
  deleteTemplate,
  listTemplates,
  saveTemplate,
  templateDirectory,
  ZTemplateInput,
} from './templates.service.ts';

const ZTemplate = ZTemplateInput.extend({
  id: z.number(),
  subject: z.string().nullable(),
  html: z.string().nullable(),
  createdBy: z.string(),
  updatedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const ZDirParams = z.object({ dir: z.string().min(1).max(200) });
const ZIdParams = z.object({ id: z.coerce.number().int().positive() });
const tags = ['distributions'];

/** The message library of a directory: saved, reusable subjects and bodies. */
export const templatesRoutes: RouteModule = (app, { db }) => {
  app.get(
    '/directories/:dir/message-templates',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'Saved messages (the library), by name',
        params: ZDirParams,
        querystring: z.object({ channel: z.enum(['email', 'sms']).optional() }),
        response: { 200: z.object({ items: z.array(ZTemplate) }) },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return listTemplates(db.orm, actorOf(request), directory.id, request.query.channel);
    },
  );

  app.post(
    '/directories/:dir/message-templates',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Save a message to the library',
        params: ZDirParams,
        body: ZTemplateInput,
        response: { 201: ZTemplate },
      },
    },
    async (request, reply) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return reply
        .status(201)
        .send(await saveTemplate(db, actorOf(request), directory.id, null, request.body));
    },
  );

  app.put(
    '/message-templates/:id',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Change a saved message',
        params: ZIdParams,
        body: ZTemplateInput,
        response: { 200: ZTemplate },
      },
    },
    async (request) => {
      const directoryId = await templateDirectory(db.orm, request.params.id);
      return saveTemplate(db, actorOf(request), directoryId, request.params.id, request.body);
    },
  );

  app.delete(
    '/message-templates/:id',
    {
      config: { access: 'data:write' },
      schema: { tags, summary: 'Delete a saved message', params: ZIdParams, response: { 204: z.null() } },
    },
    async (request, reply) => {
      await deleteTemplate(db, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
