import { z } from 'zod';
import { actorOf } from '../platform/http/access.ts';
import type { RouteModule } from '../platform/http/types.ts';
import { createApiToken, listApiTokens, revokeApiToken, ZTokenCreate } from './api-tokens.service.ts';

export const ZPublicToken = z.object({
  id: z.number(),
  name: z.string(),
  prefix: z.string(),
  userId: z.number(),
  userEmail: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export const tokensRoutes: RouteModule = (app, { db }) => {
  app.get(
    '/tokens',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['tokens'],
        summary: 'Your API tokens (admins: `?all=true` for everyone’s)',
        querystring: z.object({ all: z.enum(['true', 'false']).optional() }),
        response: { 200: z.object({ items: z.array(ZPublicToken) }) },
      },
    },
    async (request) => ({
      items: await listApiTokens(db.orm, actorOf(request), { all: request.query.all === 'true' }),
    }),
  );

  app.post(
    '/tokens',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token; the token is in this response only',
        body: ZTokenCreate,
        response: { 201: z.object({ token: z.string(), record: ZPublicToken }) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createApiToken(db, actorOf(request), request.body)),
  );

  app.delete(
    '/tokens/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['tokens'],
        summary: 'Revoke an API token',
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: z.object({ record: ZPublicToken }) },
      },
    },
    async (request) => ({ record: await revokeApiToken(db, actorOf(request), request.params.id) }),
  );
};
