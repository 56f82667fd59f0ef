import { z } from 'zod';
import { actorOf } from '../platform/http/access.ts';
import type { RouteModule } from '../platform/http/types.ts';
import { ZPassword } from './passwords.ts';
import { PERMISSIONS, USER_ROLES } from './roles.ts';
import {
  createUser,
  LOCALES,
  listUsers,
  resetPassword,
  updateUser,
  ZUserCreate,
  ZUserUpdate,
} from './users.service.ts';

export const ZPublicUser = z.object({
  id: z.number(),
  email: z.string(),
  name: z.string(),
  role: z.enum(USER_ROLES),
  locale: z.enum(LOCALES).nullable(),
  permissions: z.array(z.enum(PERMISSIONS)),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
  disabled: z.boolean(),
});

const ZIdParams = z.object({ id: z.coerce.number().int().positive() });

export const usersRoutes: RouteModule = (app, { db }) => {
  app.get(
    '/users',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'All users',
        response: { 200: z.object({ items: z.array(ZPublicUser) }) },
      },
    },
    async (request) => ({ items: await listUsers(db.orm, actorOf(request)) }),
  );

  app.post(
    '/users',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'Create a user; without a password one is generated and returned once',
        body: ZUserCreate,
        response: { 201: z.object({ user: ZPublicUser, generatedPassword: z.string().nullable() }) },
      },
    },
    async (request, reply) => reply.status(201).send(await createUser(db, actorOf(request), request.body)),
  );

  app.patch(
    '/users/:id',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'Change a user’s name, role, language, or disable them',
        params: ZIdParams,
        body: ZUserUpdate,
        response: { 200: z.object({ user: ZPublicUser }) },
      },
    },
    async (request) => ({ user: await updateUser(db, actorOf(request), request.params.id, request.body) }),
  );

  app.post(
    '/users/:id/password',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['users'],
        summary: 'Reset a user’s password (generated when none is given); their sessions end',
        params: ZIdParams,
        body: z.object({ password: ZPassword.optional() }),
        response: { 200: z.object({ generatedPassword: z.string().nullable() }) },
      },
    },
    async (request) => resetPassword(db, actorOf(request), request.params.id, request.body.password),
  );
};
