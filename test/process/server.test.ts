import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  freePort,
  type RunningProcess,
  runRapport,
  startRapport,
  tempDir,
  waitForHealth,
} from '../harness/processes.ts';
// Engine-independent (own data folders): run in the PGlite pass, skipped in the PostgreSQL one.
import { testEngine } from '../harness/test-env.ts';

const running: RunningProcess[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
});

async function start(dataDir: string, port: number, env: Record<string, string> = {}) {
  const p = startRapport(['start', '--no-build-ui'], {
    RAPPORT_DATA_DIR: dataDir,
    PORT: String(port),
    ...env,
  });
  running.push(p);
  await p.waitForOutput(/is running at (http:\/\/\S+)/);
  return p;
}

async function login(base: string, email: string, password: string) {
  return fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}

// Each test starts real servers: on a loaded machine one start took over 30 s.
describe.skipIf(testEngine() === 'postgres')('rapport start (embedded database)', { timeout: 90_000 }, () => {
  it('creates the first admin with a generated password, printed on the first start only', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const first = await start(dataDir, port);
    const [, password] = first.output().match(/with the password (\S+)/)!;
    expect(password).toHaveLength(20);
    const base = `http://127.0.0.1:${port}`;
    expect((await login(base, 'admin@rapport.local', password!)).status).toBe(200);
    // Printed once, on stdout, never in a log line.
    expect(first.output().match(new RegExp(password!, 'g'))).toHaveLength(1);
    expect(
      first
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{') && l.includes(password!)),
    ).toEqual([]);

    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    const second = await start(dataDir, port);
    expect(second.output()).not.toContain('with the password');
    expect(second.output()).not.toContain('Sign in as');
  });

  it('keeps one process per data folder, and hands CLI commands to the running server', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const env = { RAPPORT_ADMIN_EMAIL: 'root@example.test', RAPPORT_ADMIN_PASSWORD: 'correct horse battery' };
    await start(dataDir, port, env);

    const intruder = await runRapport(['start', '--no-build-ui'], {
      RAPPORT_DATA_DIR: dataDir,
      PORT: String(await freePort()),
    });
    expect(intruder.code).toBe(1);
    expect(intruder.output).toMatch(/is in use by another Rapport process \(pid \d+, "rapport start"/);

    const created = await runRapport(['token', 'create', '--name', 'while running', '--json'], {
      RAPPORT_DATA_DIR: dataDir,
    });
    expect(created.code).toBe(0);
    const { token } = JSON.parse(created.stdout);
    const me = await fetch(`http://127.0.0.1:${port}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe('root@example.test');
  });

  it('loses no committed data to kill -9', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { RAPPORT_ADMIN_EMAIL: 'root@example.test', RAPPORT_ADMIN_PASSWORD: 'correct horse battery' };
    const first = await start(dataDir, port, env);
    const cookie = (await login(base, 'root@example.test', 'correct horse battery')).headers
      .get('set-cookie')!
      .split(';')[0]!;

    const emails: string[] = [];
    for (let i = 0; i < 20; i++) {
      const email = `user${i}@example.test`;
      const r = await fetch(`${base}/api/v1/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ email, role: 'viewer', password: 'another long password' }),
      });
      expect(r.status).toBe(201);
      emails.push(email);
    }
    first.child.kill('SIGKILL');
    await first.exited;
    expect(existsSync(path.join(dataDir, 'rapport.lock'))).toBe(true); // left behind, taken over next

    await start(dataDir, port, env);
    const users = await fetch(`${base}/api/v1/users`, { headers: { cookie } }); // the session survived too
    expect(users.status).toBe(200);
    const listed = ((await users.json()) as { items: { email: string }[] }).items.map((u) => u.email);
    expect(listed).toEqual(expect.arrayContaining(emails));
    expect((await login(base, 'user19@example.test', 'another long password')).status).toBe(200);
  });

  it('stops on SIGTERM, releasing the data folder', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const p = await start(dataDir, port);
    await waitForHealth(`http://127.0.0.1:${port}`);
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.output()).toContain('SIGTERM: finishing running work');
    expect(existsSync(path.join(dataDir, 'rapport.lock'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'control.sock'))).toBe(false);
  });

  it('stops on SIGINT (Ctrl+C) the same way, releasing the data folder', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const p = await start(dataDir, port);
    await waitForHealth(`http://127.0.0.1:${port}`);
    p.child.kill('SIGINT');
    // Node's default for SIGINT is to die by the signal (code null): a clean exit is the handler's.
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.output()).toContain('SIGINT: finishing running work');
    expect(p.output()).not.toContain('again: exiting now');
    expect(existsSync(path.join(dataDir, 'rapport.lock'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'control.sock'))).toBe(false);
  });
});
