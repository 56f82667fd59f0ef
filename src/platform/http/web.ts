import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import type { ApiApp } from './types.ts';

export const WEB_DIST_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>Rapport</title>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto">
<h1>The web interface is not built</h1>
<p>Run <code>npm run build</code> (or start with <code>npm start</code>, which builds it), then reload.</p>
<p>The API is running: <a href="/api/docs">/api/docs</a>.</p></body>`;

export type SendIndex = (reply: FastifyReply) => FastifyReply;

/**
 * Serves the built single-page app. Hashed assets are cached for a year; index.html never, so a
 * new release is picked up on the next load. Returns the function the not-found handler uses to
 * answer any other GET outside /api with index.html, for the client-side router to take over.
 */
export async function registerWebApp(app: ApiApp, distDir = WEB_DIST_DIR): Promise<SendIndex> {
  if (!existsSync(path.join(distDir, 'index.html'))) {
    return (reply) => reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
  }
  await app.register(fastifyStatic, {
    root: distDir,
    wildcard: false,
    index: false,
    setHeaders(res, filePath) {
      const hashed = filePath.includes(`${path.sep}assets${path.sep}`);
      res.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return (reply) => reply.header('cache-control', 'no-cache').sendFile('index.html', distDir);
}
