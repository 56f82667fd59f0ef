import type { FastifyRequest } from 'fastify';
import { type Actor, authorize } from '../../users/roles.ts';
import { forbidden, unauthorized } from '../errors.ts';
import type { Access, ApiApp } from './types.ts';

export type Authenticate = (
  request: FastifyRequest,
) => Promise<{ actor: Actor; sessionTokenHash: string | null } | null>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cookie-authenticated writes must come from our own pages. Browsers always send Origin on
 * cross-site POST/PATCH/DELETE, so a mismatch is a forged request (CSRF).
 */
function assertSameOrigin(request: FastifyRequest, publicUrl: string | undefined): void {
  const origin = request.headers.origin;
  if (!origin) return; // same-origin navigations and non-browser clients
  const allowed = new Set([`${request.protocol}://${request.host}`]);
  if (publicUrl) allowed.add(new URL(publicUrl).origin);
  if (!allowed.has(origin)) throw forbidden(`Requests from ${origin} are not accepted with a session cookie`);
}

/**
 * Every route under /api declares `config.access`; registering one without it fails at start, so
 * an endpoint cannot ship unauthorized by omission. Then each request is authenticated (bearer
 * token or session cookie) and checked against that access before its handler runs.
 */
export function registerAccessControl(
  app: ApiApp,
  authenticate: Authenticate,
  publicUrl: string | undefined,
): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionTokenHash', null);

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || route.url.startsWith('/api/docs')) return;
    const access = (route.config as { access?: Access } | undefined)?.access;
    if (!access) throw new Error(`Route ${route.method} ${route.url} does not declare config.access`);
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access;
    if (!access || access === 'public') return;
    const result = await authenticate(request);
    if (!result) throw unauthorized();
    if (result.sessionTokenHash && !SAFE_METHODS.has(request.method)) assertSameOrigin(request, publicUrl);
    request.actor = { ...result.actor, ...(result.actor.kind === 'user' ? { ip: request.ip } : {}) };
    request.sessionTokenHash = result.sessionTokenHash;
    if (access !== 'authenticated') authorize(request.actor, access);
  });
}

/** The actor of a request whose route is not public (set by the access hook). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw unauthorized();
  return request.actor;
}
