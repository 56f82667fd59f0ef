import { z } from 'zod';
import { findDirectory } from '../directory/directories.service.ts';
import { actorOf } from '../platform/http/access.ts';
import type { RouteModule } from '../platform/http/types.ts';
import {
  deleteSegment,
  getSegment,
  listSegmentMembers,
  listSegments,
  previewSegment,
  SAMPLE_SIZE,
  saveSegment,
  segmentDirectory,
  ZMembersQuery,
  ZSegmentInput,
  ZSegmentPreviewInput,
} from './segments.service.ts';

const ZDirParams = z.object({ dir: z.string().min(1).max(200) });
const ZIdParams = z.object({ id: z.coerce.number().int().positive() });
const ZEntity = z.enum(['contact', 'account']);
const ZProblem = z.object({ path: z.string(), message: z.string() });
const ZMember = z.object({
  id: z.number(),
  name: z.string().nullable(),
  externalRef: z.string().nullable(),
  email: z.string().nullable().optional(),
  accountId: z.number().nullable().optional(),
  accountName: z.string().nullable().optional(),
  parentId: z.number().nullable().optional(),
  parentName: z.string().nullable().optional(),
});
const ZSegment = z.object({
  id: z.number(),
  directoryId: z.number(),
  name: z.string(),
  entity: ZEntity,
  rules: z.unknown(),
  count: z.number().nullable(),
  problems: z.array(ZProblem),
  createdBy: z.string(),
  updatedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const tags = ['segments'];
const RULES_HELP =
  'rules: a tree of { all: [...] } / { any: [...] } / { not: rule } over conditions { type, … } (see src/segments/rules.ts)';

/** Segments: rule-based, always-current sets of contacts or accounts of a directory. */
export const segmentsRoutes: RouteModule = (app, { db }) => {
  app.get(
    '/directories/:dir/segments',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'Segments of a directory, by name, with their member counts now (scoped to the caller)',
        params: ZDirParams,
        querystring: z.object({ counts: z.enum(['true', 'false']).default('true') }),
        response: { 200: z.object({ items: z.array(ZSegment) }) },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return listSegments(db.orm, actorOf(request), directory.id, request.query.counts === 'true');
    },
  );

  app.post(
    '/directories/:dir/segments',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: `Create a segment. ${RULES_HELP}`,
        params: ZDirParams,
        body: ZSegmentInput,
        response: { 201: ZSegment },
      },
    },
    async (request, reply) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return reply
        .status(201)
        .send(await saveSegment(db, actorOf(request), directory.id, null, request.body));
    },
  );

  app.post(
    '/directories/:dir/segments/preview',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: `The count and first ${SAMPLE_SIZE} members of rules being edited (nothing stored). ${RULES_HELP}`,
        params: ZDirParams,
        body: ZSegmentPreviewInput,
        response: { 200: z.object({ entity: ZEntity, count: z.number(), sample: z.array(ZMember) }) },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return previewSegment(db.orm, actorOf(request), directory.id, request.body);
    },
  );

  app.get(
    '/segments/:id',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'A segment with its count now',
        params: ZIdParams,
        response: { 200: ZSegment },
      },
    },
    async (request) => getSegment(db.orm, actorOf(request), request.params.id),
  );

  app.put(
    '/segments/:id',
    {
      config: { access: 'data:write' },
      schema: {
        tags,
        summary: 'Change a segment (name, entity and rules, whole)',
        params: ZIdParams,
        body: ZSegmentInput,
        response: { 200: ZSegment },
      },
    },
    async (request) => {
      const directoryId = await segmentDirectory(db.orm, request.params.id);
      return saveSegment(db, actorOf(request), directoryId, request.params.id, request.body);
    },
  );

  app.delete(
    '/segments/:id',
    {
      config: { access: 'data:write' },
      schema: { tags, summary: 'Delete a segment', params: ZIdParams, response: { 204: z.null() } },
    },
    async (request, reply) => {
      await deleteSegment(db, actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/segments/:id/members',
    {
      config: { access: 'data:read' },
      schema: {
        tags,
        summary: 'Members now, in id order, with names (contacts: email and main account; accounts: parent)',
        params: ZIdParams,
        querystring: ZMembersQuery,
        response: {
          200: z.object({ entity: ZEntity, items: z.array(ZMember), nextCursor: z.string().nullable() }),
        },
      },
    },
    async (request) => listSegmentMembers(db.orm, actorOf(request), request.params.id, request.query),
  );
};
