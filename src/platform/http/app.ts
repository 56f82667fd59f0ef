import { createRequire } from 'node:module';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { type Authenticate, registerAccessControl } from './access.ts';
import { handleError } from './error-handler.ts';
import type { ApiApp, RouteDeps, RouteModule } from './types.ts';
import { registerWebApp } from './web.ts';

// helmet, as @fastify/helmet (our dependency) brings it. @fastify/helmet builds helmet's middleware
// again on every request (parsing the CSP directives each time); built once, it sets the same headers.
const helmet: typeof import('helmet').default = createRequire(import.meta.resolve('@fastify/helmet'))(
  'helmet',
);

export interface HttpAppOptions {
  deps: RouteDeps;
  authenticate: Authenticate;
  /** Route modules, mounted under /api/v1. */
  routes: RouteModule[];
  webDistDir?: string;
}

/**
 * Builds the Fastify app: one error shape, Zod-validated routes with their OpenAPI at /api/docs,
 * access control on every /api route, and the web UI at /.
 */
export async function buildHttpApp(options: HttpAppOptions): Promise<ApiApp> {
  const { config, logger, version } = options.deps;
  const app = Fastify({
    loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    requestIdHeader: 'x-request-id',
    // Cursors and filters can be long, but not unbounded.
    routerOptions: { maxParamLength: 500 },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);

  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Mantine injects its CSS variables in <style> tags.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    // Secure cookies and HSTS only make sense behind HTTPS; the public URL says whether we are.
    strictTransportSecurity: config.http.publicUrl?.startsWith('https:') ? undefined : false,
  });
  app.addHook('onRequest', (request, reply, done) =>
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)),
  );
  // Embeddable pages (a widget in a CRM record page) may be framed by the configured origins only.
  app.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith('/embed/')) return;
    const policy = reply.getHeader('content-security-policy');
    if (typeof policy === 'string')
      reply.header(
        'content-security-policy',
        policy.replace(
          "frame-ancestors 'none'",
          `frame-ancestors ${config.http.embedFrameAncestors.join(' ')}`,
        ),
      );
    reply.removeHeader('x-frame-options');
  });
  await app.register(fastifyCookie);
  // Uploads stream: each route sets its own limits (an import file can be large).
  await app.register(fastifyMultipart, { limits: { fileSize: 16 * 1024 * 1024, files: 5, fields: 20 } });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Rapport API',
        version,
        description: 'B2B account experience platform. JSON under /api/v1.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API token (rap_…), from Settings → API tokens',
          },
          session: { type: 'apiKey', in: 'cookie', name: 'rapport_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  registerAccessControl(app, options.authenticate, config.http.publicUrl);

  await app.register(
    async (api) => {
      const typed = api.withTypeProvider<ZodTypeProvider>();
      for (const routes of options.routes) await routes(typed, options.deps);
    },
    { prefix: '/api/v1' },
  );

  const sendIndex = await registerWebApp(app, options.webDistDir);
  app.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split('?')[0] ?? '';
    const wantsPage = request.method === 'GET' && !pathname.startsWith('/api/') && pathname !== '/api';
    if (wantsPage) return sendIndex(reply);
    return reply.status(404).send({
      error: { code: 'not_found', message: `No route ${request.method} ${pathname}`, details: null },
    });
  });

  return app;
}
