import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import { sha256 } from '../platform/tokens.ts';
import { apiTokens } from './users.schema.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('API tokens', () => {
  it('creates a token shown once, stored only as a hash, usable as Bearer', async () => {
    const user = await t.addUser('viewer');
    const cookie = await t.signIn(user.email, user.password);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { cookie },
      payload: { name: 'BI export' },
    });
    expect(created.statusCode).toBe(201);
    const { token, record } = created.json();
    expect(token).toMatch(/^rap_[A-Za-z0-9_-]{43}$/);
    expect(record).toMatchObject({ name: 'BI export', prefix: token.slice(0, 12), userEmail: user.email });

    const stored = await t.runtime.db.orm.select().from(apiTokens);
    const row = stored.find((r) => r.id === record.id)!;
    expect(row.tokenHash).toBe(sha256(token));
    expect(JSON.stringify(stored)).not.toContain(token);

    const me = await t.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.json()).toMatchObject({ user: { email: user.email }, via: 'token' });

    const listed = await t.app.inject({ url: '/api/v1/tokens', headers: { cookie } });
    expect(listed.json().items.map((i: { id: number }) => i.id)).toEqual([record.id]);
    expect(listed.json().items[0].lastUsedAt).not.toBeNull();
  });

  it('stops accepting a revoked token', async () => {
    const { authorization } = await t.bearerFor('cx_manager');
    const mine = await t.app.inject({ url: '/api/v1/tokens', headers: { authorization } });
    const id = mine.json().items[0].id;
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${id}`,
      headers: { authorization },
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().record.revokedAt).not.toBeNull();
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: { authorization } })).statusCode).toBe(401);
  });

  it('refuses malformed, unknown and expired tokens, and does not fall back to the cookie', async () => {
    const user = await t.addUser('viewer');
    const cookie = await t.signIn(user.email, user.password);
    for (const authorization of ['Bearer rap_unknown', 'Basic abc', 'Bearer']) {
      const r = await t.app.inject({ url: '/api/v1/auth/me', headers: { authorization, cookie } });
      expect(r.statusCode).toBe(401);
    }
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { cookie },
      payload: { name: 'short-lived', expiresInDays: 1 },
    });
    const { token, record } = created.json();
    const { eq } = await import('drizzle-orm');
    await t.runtime.db.orm
      .update(apiTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiTokens.id, record.id));
    expect(
      (await t.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } }))
        .statusCode,
    ).toBe(401);
  });

  it("hides other users' tokens from non-admins, and lets admins see and revoke them", async () => {
    const alice = await t.bearerFor('cx_manager');
    const bob = await t.bearerFor('viewer');
    const bobsTokens = await t.app.inject({
      url: '/api/v1/tokens',
      headers: { authorization: bob.authorization },
    });
    const bobsId = bobsTokens.json().items[0].id;

    const aliceAll = await t.app.inject({
      url: '/api/v1/tokens?all=true',
      headers: { authorization: alice.authorization },
    });
    expect(aliceAll.json().items.every((i: { userId: number }) => i.userId === alice.userId)).toBe(true);
    const steal = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${bobsId}`,
      headers: { authorization: alice.authorization },
    });
    expect(steal.statusCode).toBe(404);
    const forOther = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { authorization: alice.authorization },
      payload: { name: 'x', userId: bob.userId },
    });
    expect(forOther.statusCode).toBe(403);

    const admin = await t.bearerFor('admin');
    const all = await t.app.inject({
      url: '/api/v1/tokens?all=true',
      headers: { authorization: admin.authorization },
    });
    expect(all.json().items.map((i: { id: number }) => i.id)).toContain(bobsId);
    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${bobsId}`,
      headers: { authorization: admin.authorization },
    });
    expect(revoke.statusCode).toBe(200);
  });

  it('validates the body with a clear error', async () => {
    const { authorization } = await t.bearerFor('viewer');
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { authorization },
      payload: { name: '', expiresInDays: 0 },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('validation_failed');
    const paths = r.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.name', 'body.expiresInDays']));
  });
});
