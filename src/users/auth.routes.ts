import { z } from 'zod';
import { tooManyRequests, unauthorized } from '../platform/errors.ts';
import { actorOf } from '../platform/http/access.ts';
import type { RouteModule } from '../platform/http/types.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { ZPassword } from './passwords.ts';
import { createSession, revokeSession, SESSION_COOKIE } from './sessions.service.ts';
import { ZPublicUser } from './users.routes.ts';
import {
  authenticatePassword,
  changeOwnPassword,
  getPublicUser,
  LOCALES,
  toPublicUser,
  updateOwnProfile,
} from './users.service.ts';

const ZLogin = z.object({
  email: z.string().trim().min(1, { error: 'Enter your email' }).max(320),
  password: z.string().min(1, { error: 'Enter your password' }).max(256),
});

export const authRoutes: RouteModule = (app, { db, config }) => {
  const throttle = createLoginThrottle(config.auth.loginMaxAttempts);
  const secureCookie = (protocol: string) =>
    protocol === 'https' || config.http.publicUrl?.startsWith('https:') === true;

  app.post(
    '/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password; sets the session cookie',
        security: [],
        body: ZLogin,
        response: { 200: z.object({ user: ZPublicUser }) },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const wait = throttle.retryAfterSeconds(request.ip, email);
      if (wait > 0) {
        throw tooManyRequests(`Too many failed sign-ins. Try again in ${Math.ceil(wait / 60)} minute(s).`, {
          retryAfterSeconds: wait,
        });
      }
      const user = await authenticatePassword(db.orm, email, password);
      if (!user) {
        throttle.recordFailure(request.ip, email);
        throw unauthorized('Email or password is incorrect');
      }
      throttle.recordSuccess(request.ip, email);
      const session = await createSession(db.orm, user.id, {
        idleHours: config.auth.sessionIdleHours,
        ip: request.ip,
        ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
      });
      reply.setCookie(SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        secure: secureCookie(request.protocol),
        maxAge: config.auth.sessionIdleHours * 3600,
      });
      return { user: toPublicUser(user) };
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['auth'], summary: 'End this session', response: { 204: z.null() } },
    },
    async (request, reply) => {
      const cookie = request.cookies[SESSION_COOKIE];
      if (cookie) await revokeSession(db.orm, cookie);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/auth/me',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user, with their permissions',
        response: { 200: z.object({ user: ZPublicUser, via: z.enum(['session', 'token', 'cli']) }) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      if (actor.kind !== 'user') throw unauthorized();
      return { user: await getPublicUser(db.orm, actor.userId), via: actor.via };
    },
  );

  app.patch(
    '/auth/me',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Update your name or language',
        body: z.object({
          name: z.string().trim().max(200).optional(),
          locale: z.enum(LOCALES).nullable().optional(),
        }),
        response: { 200: z.object({ user: ZPublicUser }) },
      },
    },
    async (request) => ({ user: await updateOwnProfile(db, actorOf(request), request.body) }),
  );

  app.post(
    '/auth/me/password',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Change your password; your other sessions are signed out',
        body: z.object({ currentPassword: z.string().min(1).max(256), newPassword: ZPassword }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await changeOwnPassword(db, actorOf(request), request.body, request.sessionTokenHash ?? undefined);
      return reply.status(204).send(null);
    },
  );
};
