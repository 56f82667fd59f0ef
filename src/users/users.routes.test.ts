import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';

let t: TestApp;
let admin: { authorization: string; userId: number };
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.bearerFor('admin');
});
afterAll(() => t.close());

describe('user management', () => {
  it('creates a user with a generated password that works once shown', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: admin.authorization },
      payload: { email: '  Dana.Owner@Example.TEST ', name: 'Dana', role: 'account_manager' },
    });
    expect(created.statusCode).toBe(201);
    const { user, generatedPassword } = created.json();
    expect(user).toMatchObject({
      email: 'dana.owner@example.test',
      role: 'account_manager',
      disabled: false,
    });
    expect(user.permissions).toEqual(['data:read', 'tickets:work']);
    expect(generatedPassword).toHaveLength(20);
    await expect(t.signIn('dana.owner@example.test', generatedPassword)).resolves.toMatch(/rapport_session/);

    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: admin.authorization },
      payload: { email: 'DANA.OWNER@example.test', role: 'viewer' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('conflict');
  });

  it('rejects a bad role or email, naming the fields', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: admin.authorization },
      payload: { email: 'not-an-email', role: 'superuser' },
    });
    expect(r.statusCode).toBe(400);
    const paths = r.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.email', 'body.role']));
  });

  it('lets only admins manage users', async () => {
    for (const role of ['cx_manager', 'account_manager', 'viewer'] as const) {
      const { authorization } = await t.bearerFor(role);
      const list = await t.app.inject({ url: '/api/v1/users', headers: { authorization } });
      expect(list.statusCode).toBe(403);
      expect(list.json().error.code).toBe('forbidden');
      const create = await t.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: { authorization },
        payload: { email: `x-${role}@example.test`, role: 'admin' },
      });
      expect(create.statusCode).toBe(403);
    }
    expect((await t.app.inject({ url: '/api/v1/users' })).statusCode).toBe(401);
  });

  it('keeps at least one enabled administrator', async () => {
    const solo = await createTestApp();
    try {
      const only = await solo.bearerFor('admin');
      const demote = await solo.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${only.userId}`,
        headers: { authorization: only.authorization },
        payload: { role: 'viewer' },
      });
      expect(demote.statusCode).toBe(409);
      const disable = await solo.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${only.userId}`,
        headers: { authorization: only.authorization },
        payload: { disabled: true },
      });
      expect(disable.statusCode).toBe(409);
      const second = await solo.addUser('admin');
      const patch = (id: number, role: string) =>
        solo.app.inject({
          method: 'PATCH',
          url: `/api/v1/users/${id}`,
          headers: { authorization: only.authorization },
          payload: { role },
        });
      // With two admins one may step down…
      expect((await patch(second.id, 'cx_manager')).statusCode).toBe(200);
      // …which makes `only` the last one again.
      expect((await patch(only.userId, 'viewer')).statusCode).toBe(409);
    } finally {
      await solo.close();
    }
  });

  it('resets a password: the user is signed out and only the new one works', async () => {
    const user = await t.addUser('viewer');
    const cookie = await t.signIn(user.email, user.password);
    const reset = await t.app.inject({
      method: 'POST',
      url: `/api/v1/users/${user.id}/password`,
      headers: { authorization: admin.authorization },
      payload: {},
    });
    expect(reset.statusCode).toBe(200);
    const { generatedPassword } = reset.json();
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(401);
    await expect(t.signIn(user.email, user.password)).rejects.toThrow();
    await expect(t.signIn(user.email, generatedPassword)).resolves.toBeTruthy();
  });

  it('records who did what in the audit trail, without secrets', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: admin.authorization },
      payload: { email: 'audited@example.test', role: 'viewer', password: 'a-long-secret-password' },
    });
    const id = created.json().user.id;
    const audit = await t.app.inject({
      url: `/api/v1/audit-events?targetType=user&targetId=${id}`,
      headers: { authorization: admin.authorization },
    });
    expect(audit.statusCode).toBe(200);
    expect(audit.json().items).toEqual([
      expect.objectContaining({ action: 'user.created', actorUserId: admin.userId, targetId: String(id) }),
    ]);
    expect(audit.body).not.toContain('a-long-secret-password');
  });

  it('pages the audit trail with a cursor', async () => {
    const first = await t.app.inject({
      url: '/api/v1/audit-events?limit=2',
      headers: { authorization: admin.authorization },
    });
    expect(first.json().items).toHaveLength(2);
    const cursor = first.json().nextCursor;
    expect(cursor).toBeTruthy();
    const second = await t.app.inject({
      url: `/api/v1/audit-events?limit=2&cursor=${cursor}`,
      headers: { authorization: admin.authorization },
    });
    const ids = [...first.json().items, ...second.json().items].map((i: { id: number }) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });
});
