import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../config/env.ts';
import type { Actor, Permission } from '../../users/roles.ts';
import type { Database } from '../db/database.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Logger } from '../logger.ts';
import type { SecretBox } from '../secrets/secret-box.ts';

/** The Fastify instance every route module receives: Zod schemas type params, body and reply. */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** Who may call a route. Every /api route must say (checked when the route is registered). */
export type Access = 'public' | 'authenticated' | Permission;

/** What route modules may use. */
export interface RouteDeps {
  config: Config;
  db: Database;
  jobs: JobQueue;
  secrets: SecretBox;
  logger: Logger;
  version: string;
}

export type RouteModule = (app: ApiApp, deps: RouteDeps) => void | Promise<void>;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** Set for every route whose access is not 'public'. */
    actor: Actor | null;
    /** SHA-256 of the session cookie when the request came with one (to keep it on password change). */
    sessionTokenHash: string | null;
  }
}
