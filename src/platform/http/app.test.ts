import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestApp, type TestApp } from '../../../test/harness/test-app.ts';
import { routeCatalog } from '../../runtime/catalog.ts';
import { createAuthenticator } from '../../users/authenticate.ts';
import { buildHttpApp } from './app.ts';
import type { RouteModule } from './types.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { RAPPORT_BODY_LIMIT_BYTES: '2048' } });
});
afterAll(() => t.close());

const build = (routes: RouteModule[], webDistDir?: string) =>
  buildHttpApp({
    deps: t.runtime,
    authenticate: createAuthenticator(t.runtime.db.orm, 24),
    routes,
    webDistDir: webDistDir ?? path.join(t.dataDir, 'none'),
  });

describe('HTTP platform', () => {
  it('reports health without authentication', async () => {
    const r = await t.app.inject({ url: '/api/v1/health' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: 'ok', database: t.runtime.db.kind, version: expect.any(String) });
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const r = await t.app.inject({ method: 'DELETE', url: '/api/v1/nothing/here?x=1' });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({
      error: { code: 'not_found', message: 'No route DELETE /api/v1/nothing/here', details: null },
    });
  });

  it('rejects bodies over the size limit with 413', async () => {
    const { authorization } = await t.bearerFor('viewer');
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { authorization, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(5000) }),
    });
    expect(r.statusCode).toBe(413);
    expect(r.json().error.code).toBe('payload_too_large');
  });

  it('rejects malformed JSON and other media types', async () => {
    const { authorization } = await t.bearerFor('viewer');
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { authorization, 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('bad_request');
    const xml = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { authorization, 'content-type': 'application/xml' },
      payload: '<name/>',
    });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().error.code).toBe('unsupported_media_type');
  });

  it('refuses to register an /api route that does not declare its access', async () => {
    const careless: RouteModule = (app) => {
      app.get('/careless', async () => ({ ok: true }));
    };
    await expect(build([careless])).rejects.toThrow(/GET \/api\/v1\/careless does not declare config.access/);
  });

  it('hides unexpected errors behind a 500 with the standard shape', async () => {
    const broken: RouteModule = (app) => {
      app.get('/broken', { config: { access: 'public' } }, async () => {
        throw new Error('database password is hunter2');
      });
      app.get(
        '/leaky',
        { config: { access: 'public' }, schema: { response: { 200: z.object({ n: z.number() }) } } },
        async () => ({ n: 'not a number' }) as unknown as { n: number },
      );
    };
    const app = await build([broken]);
    const r = await app.inject({ url: '/api/v1/broken' });
    expect(r.statusCode).toBe(500);
    expect(r.json().error.code).toBe('internal_error');
    expect(r.body).not.toContain('hunter2');
    const leaky = await app.inject({ url: '/api/v1/leaky' });
    expect(leaky.statusCode).toBe(500);
    await app.close();
  });

  it('validates query strings with field-level details', async () => {
    const { authorization } = await t.bearerFor('admin');
    const r = await t.app.inject({ url: '/api/v1/audit-events?limit=100000', headers: { authorization } });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'querystring.limit' }],
    });
  });

  it('serves the OpenAPI document with every route and its security', async () => {
    const r = await t.app.inject({ url: '/api/docs/json' });
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/health',
        '/api/v1/auth/login',
        '/api/v1/users',
        '/api/v1/tokens/{id}',
      ]),
    );
    expect(doc.paths['/api/v1/health'].get.security).toEqual([]);
    expect(doc.paths['/api/v1/users'].get.security).toBeUndefined(); // inherits the global bearer/session
    expect(doc.security).toEqual([{ bearer: [] }, { session: [] }]);
    const ui = await t.app.inject({ url: '/api/docs' });
    expect([200, 302]).toContain(ui.statusCode);
  });

  it('sets security headers', async () => {
    const r = await t.app.inject({ url: '/api/v1/health' });
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('serves the web app for any non-API page, with assets cached and index.html not', async () => {
    const dist = mkdtempSync(path.join(tmpdir(), 'rapport-dist-'));
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(path.join(dist, 'assets', 'app-abc123.js'), 'console.log(1)');
    const app = await build(routeCatalog, dist);
    const deep = await app.inject({ url: '/accounts/42?tab=team' });
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toContain('id="root"');
    expect(deep.headers['cache-control']).toBe('no-cache');
    const asset = await app.inject({ url: '/assets/app-abc123.js' });
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ url: '/api/v1/missing' })).headers['content-type']).toContain(
      'application/json',
    );
    await app.close();

    const unbuilt = await t.app.inject({ url: '/' });
    expect(unbuilt.statusCode).toBe(503);
    expect(unbuilt.body).toContain('npm run build');
  });
});
