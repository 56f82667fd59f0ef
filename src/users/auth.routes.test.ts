import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { RAPPORT_LOGIN_MAX_ATTEMPTS: '3' } });
});
afterAll(() => t.close());

describe('password login', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie and returns the user', async () => {
    const user = await t.addUser('cx_manager');
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email.toUpperCase(), password: user.password },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().user).toMatchObject({ email: user.email, role: 'cx_manager' });
    expect(response.json().user).not.toHaveProperty('passwordHash');
    const cookie = response.cookies.find((c) => c.name === 'rapport_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.value.length).toBeGreaterThanOrEqual(43);

    const me = await t.app.inject({
      url: '/api/v1/auth/me',
      headers: { cookie: `rapport_session=${cookie.value}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ user: { email: user.email }, via: 'session' });
  });

  it('marks the cookie Secure behind HTTPS', async () => {
    const user = await t.addUser('viewer');
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: user.password },
      headers: { 'x-forwarded-proto': 'https' },
    });
    // Without RAPPORT_TRUST_PROXY the forwarded header is ignored: plain HTTP, no Secure flag.
    expect(response.cookies[0]?.secure).toBeFalsy();
    const secure = await createTestApp({ env: { RAPPORT_PUBLIC_URL: 'https://cx.example.com' } });
    try {
      const u = await secure.addUser('viewer');
      const r = await secure.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: u.email, password: u.password },
      });
      expect(r.cookies[0]?.secure).toBe(true);
    } finally {
      await secure.close();
    }
  });

  it('answers a wrong password and an unknown email with the same 401', async () => {
    const user = await t.addUser('viewer');
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: 'not-the-password' },
      remoteAddress: '10.0.0.1',
    });
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'nobody@example.test', password: 'whatever-password' },
      remoteAddress: '10.0.0.1',
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json()).toEqual({
      error: { code: 'unauthorized', message: 'Email or password is incorrect', details: null },
    });
  });

  it('rate-limits repeated failures for one email from one address, with Retry-After', async () => {
    const user = await t.addUser('viewer');
    const attempt = (password: string, remoteAddress = '10.0.0.2') =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: user.email, password },
        remoteAddress,
      });
    for (let i = 0; i < 3; i++) expect((await attempt('wrong-password')).statusCode).toBe(401);
    const blocked = await attempt(user.password);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error.code).toBe('too_many_requests');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not blocked by these failures.
    expect((await attempt(user.password, '10.0.0.3')).statusCode).toBe(200);
  });

  it('refuses a disabled user', async () => {
    const admin = await t.bearerFor('admin');
    const user = await t.addUser('viewer');
    const cookie = await t.signIn(user.email, user.password);
    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}`,
      headers: { authorization: admin.authorization },
      payload: { disabled: true },
    });
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(401);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: user.password },
    });
    expect(login.statusCode).toBe(401);
  });

  it('logs out: the cookie stops working', async () => {
    const user = await t.addUser('viewer');
    const cookie = await t.signIn(user.email, user.password);
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } });
    expect(out.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('rejects a cookie-authenticated write from another origin (CSRF)', async () => {
    const user = await t.addUser('viewer');
    const cookie = await t.signIn(user.email, user.password);
    const forged = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/auth/me',
      headers: { cookie, origin: 'https://evil.example' },
      payload: { name: 'Mallory' },
    });
    expect(forged.statusCode).toBe(403);
    const own = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/auth/me',
      headers: { cookie, origin: 'http://localhost:80', host: 'localhost:80' },
      payload: { name: 'Alice', locale: 'fr' },
    });
    expect(own.statusCode).toBe(200);
    expect(own.json().user).toMatchObject({ name: 'Alice', locale: 'fr' });
  });

  it('changes the password: the old one stops working and other sessions end', async () => {
    const user = await t.addUser('account_manager');
    const here = await t.signIn(user.email, user.password);
    const elsewhere = await t.signIn(user.email, user.password);
    const wrongCurrent = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/me/password',
      headers: { cookie: here },
      payload: { currentPassword: 'not-it-at-all', newPassword: 'a-brand-new-passphrase' },
    });
    expect(wrongCurrent.statusCode).toBe(400);
    const tooShort = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/me/password',
      headers: { cookie: here },
      payload: { currentPassword: user.password, newPassword: 'short' },
    });
    expect(tooShort.statusCode).toBe(400);
    expect(tooShort.json().error.code).toBe('validation_failed');
    expect(tooShort.json().error.details[0].path).toBe('body.newPassword');

    const changed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/me/password',
      headers: { cookie: here },
      payload: { currentPassword: user.password, newPassword: 'a-brand-new-passphrase' },
    });
    expect(changed.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie: here } })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie: elsewhere } })).statusCode).toBe(
      401,
    );
    await expect(t.signIn(user.email, user.password)).rejects.toThrow(/401/);
    await expect(t.signIn(user.email, 'a-brand-new-passphrase')).resolves.toMatch(/rapport_session=/);
  });
});
