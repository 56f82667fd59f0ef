import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows } from '../platform/db/database.ts';
import { actorOf } from '../platform/http/access.ts';
import { ZPageQuery } from '../platform/http/paging.ts';
import type { RouteModule } from '../platform/http/types.ts';
import { authorize } from '../users/roles.ts';
import { getAccount, getAccountTree, listAccounts, ZAccountQuery } from './accounts.service.ts';
import { consolidateDuplicates, listMerges, revertMerge } from './consolidation.service.ts';
import { getContact, listContacts, ZContactQuery } from './contacts.service.ts';
import {
  createDirectory,
  findDirectory,
  listAttributeDefinitions,
  listDirectories,
  toPublicDirectory,
  ZDirectoryCreate,
} from './directories.service.ts';

const ZDirParams = z.object({ dir: z.string().min(1).max(200) });
const ZIdParams = z.object({ id: z.coerce.number().int().positive() });
const ZDirectory = z.object({
  id: z.number(),
  name: z.string(),
  dedupKeys: z.array(z.string()),
  defaultCountry: z.string().nullable(),
  createdAt: z.string(),
});
const ZAnyObject = z.record(z.string(), z.unknown());

export const directoryRoutes: RouteModule = (app, { db }) => {
  app.get(
    '/directories',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['directory'],
        summary: 'Directories',
        response: { 200: z.object({ items: z.array(ZDirectory) }) },
      },
    },
    async (request) => ({ items: await listDirectories(db.orm, actorOf(request)) }),
  );

  app.post(
    '/directories',
    {
      config: { access: 'data:write' },
      schema: {
        tags: ['directory'],
        summary: 'Create a directory',
        body: ZDirectoryCreate,
        response: { 201: ZDirectory },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createDirectory(db, actorOf(request), request.body)),
  );

  app.get(
    '/directories/:dir',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['directory'],
        summary: 'A directory (by id or name) with its counts',
        params: ZDirParams,
        response: {
          200: ZDirectory.extend({
            counts: z.object({
              contacts: z.number(),
              accounts: z.number(),
              mailingLists: z.number(),
              attributes: z.number(),
            }),
          }),
        },
      },
    },
    async (request) => {
      authorize(actorOf(request), 'data:read');
      const directory = await findDirectory(db.orm, request.params.dir);
      const [counts] = await queryRows<{
        contacts: number;
        accounts: number;
        mailing_lists: number;
        attributes: number;
      }>(
        db.orm,
        sql`SELECT
          (SELECT count(*) FROM contacts WHERE directory_id = ${directory.id} AND deleted_at IS NULL AND merged_into_id IS NULL)::int AS contacts,
          (SELECT count(*) FROM accounts WHERE directory_id = ${directory.id} AND deleted_at IS NULL)::int AS accounts,
          (SELECT count(*) FROM mailing_lists WHERE directory_id = ${directory.id})::int AS mailing_lists,
          (SELECT count(*) FROM attribute_definitions WHERE directory_id = ${directory.id})::int AS attributes`,
      );
      return {
        ...toPublicDirectory(directory),
        counts: {
          contacts: counts!.contacts,
          accounts: counts!.accounts,
          mailingLists: counts!.mailing_lists,
          attributes: counts!.attributes,
        },
      };
    },
  );

  app.get(
    '/directories/:dir/contacts',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['directory'],
        summary:
          'Contacts: search (email, last name or "first last" prefix, or external reference), filters, sort, cursor paging',
        params: ZDirParams,
        querystring: ZContactQuery,
        response: { 200: z.object({ items: z.array(ZAnyObject), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return listContacts(db.orm, actorOf(request), directory.id, request.query);
    },
  );

  app.get(
    '/directories/:dir/accounts',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['directory'],
        summary:
          'Accounts: search by name prefix or external reference, hierarchy and team filters, cursor paging',
        params: ZDirParams,
        querystring: ZAccountQuery,
        response: { 200: z.object({ items: z.array(ZAnyObject), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return listAccounts(db.orm, actorOf(request), directory.id, request.query);
    },
  );

  app.get(
    '/directories/:dir/attributes',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['directory'],
        summary: 'Declared custom attributes',
        params: ZDirParams,
        response: { 200: z.object({ items: z.array(ZAnyObject) }) },
      },
    },
    async (request) => {
      const directory = await findDirectory(db.orm, request.params.dir);
      return { items: await listAttributeDefinitions(db.orm, actorOf(request), directory.id) };
    },
  );

  app.get(
    '/directories/:dir/mailing-lists',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['directory'],
        summary: 'Mailing lists, newest first, with their sizes',
        params: ZDirParams,
        response: { 200: z.object({ items: z.array(ZAnyObject) }) },
      },
    },
    async (request) => {
      authorize(actorOf(request), 'data:read');
      const directory = await findDirectory(db.orm, request.params.dir);
      const rows = await queryRows<{
        id: number;
        name: string;
        import_run_id: number | null;
        created_at: string;
        members: number;
      }>(
        db.orm,
        sql`SELECT l.id, l.name, l.import_run_id, l.created_at,
              l.member_count AS members
            FROM mailing_lists l WHERE l.directory_id = ${directory.id} ORDER BY l.id DESC LIMIT 500`,
      );
      return {
        items: rows.map((r) => ({
          id: Number(r.id),
          name: r.name,
          importRunId: r.import_run_id === null ? null : Number(r.import_run_id),
          members: r.members,
          createdAt: new Date(r.created_at).toISOString(),
        })),
      };
    },
  );

  app.get(
    '/accounts/:id',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['directory'],
        summary:
          'An account with its parent chain, children, contacts by client role, team by role and history',
        params: ZIdParams,
        response: { 200: ZAnyObject },
      },
    },
    async (request) => getAccount(db.orm, actorOf(request), request.params.id),
  );

  app.get(
    '/accounts/:id/tree',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['directory'],
        summary: 'The hierarchy below an account, to `depth` levels',
        params: ZIdParams,
        querystring: z.object({ depth: z.coerce.number().int().min(1).max(10).default(3) }),
        response: { 200: z.object({ items: z.array(ZAnyObject) }) },
      },
    },
    async (request) => ({
      items: await getAccountTree(db.orm, actorOf(request), request.params.id, request.query.depth),
    }),
  );

  app.get(
    '/contacts/:id',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['directory'],
        summary: 'A contact with attributes, accounts and roles, mailing lists, history and merges',
        params: ZIdParams,
        response: { 200: ZAnyObject },
      },
    },
    async (request) => getContact(db.orm, actorOf(request), request.params.id),
  );

  app.post(
    '/directories/:dir/consolidations',
    {
      config: { access: 'data:write' },
      schema: {
        tags: ['directory'],
        summary:
          'Merge duplicate contacts by the directory’s deduplication rules (dryRun: only list the groups)',
        params: ZDirParams,
        body: z.object({ dryRun: z.boolean().default(false) }),
        response: {
          200: z.object({
            dryRun: z.boolean(),
            merged: z.number(),
            groups: z.array(
              z.object({
                matchedOn: z.string(),
                key: z.string(),
                survivorId: z.number(),
                mergedIds: z.array(z.number()),
              }),
            ),
          }),
        },
      },
    },
    async (request) =>
      consolidateDuplicates(db, actorOf(request), request.params.dir, { dryRun: request.body.dryRun }),
  );

  app.get(
    '/directories/:dir/contact-merges',
    {
      config: { access: 'data:read' },
      schema: {
        tags: ['directory'],
        summary: 'The merge log, newest first, with both contacts as they were',
        params: ZDirParams,
        querystring: ZPageQuery,
        response: { 200: z.object({ items: z.array(ZAnyObject), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const before = request.query.cursor ? Number(request.query.cursor) : undefined;
      return listMerges(
        db.orm,
        actorOf(request),
        request.params.dir,
        Number.isSafeInteger(before) ? before : undefined,
        request.query.limit,
      );
    },
  );

  app.post(
    '/contact-merges/:id/revert',
    {
      config: { access: 'data:write' },
      schema: {
        tags: ['directory'],
        summary: 'Undo a merge: the merged contact comes back with its roles and lists',
        params: ZIdParams,
        response: {
          200: z.object({
            mergeId: z.number(),
            survivorId: z.number(),
            restoredId: z.number(),
            restoredFields: z.array(z.string()),
          }),
        },
      },
    },
    async (request) => revertMerge(db, actorOf(request), request.params.id),
  );
};
