// Engine-independent (own data folders): run in the PGlite pass, skipped in the PostgreSQL one.

import { describe, expect, it } from 'vitest';
import { runRapport, tempDir } from '../harness/processes.ts';
import { testEngine } from '../harness/test-env.ts';

describe.skipIf(testEngine() === 'postgres')('rapport CLI', () => {
  it('explains bad configuration and exits with code 2', async () => {
    const r = await runRapport(['config'], { PORT: 'eighty', RAPPORT_DATA_DIR: tempDir() });
    expect(r.code).toBe(2);
    expect(r.output).toContain('Invalid configuration');
    expect(r.output).toContain('PORT="eighty": expected a whole number from 1 to 65535');
  });

  it('prints the configuration as JSON with secrets hidden', async () => {
    const r = await runRapport(['config', '--json'], {
      RAPPORT_DATA_DIR: '/srv/rapport-data',
      RAPPORT_ADMIN_PASSWORD: 'a-very-secret-password',
    });
    expect(r.code).toBe(0);
    const config = JSON.parse(r.stdout);
    expect(config).toMatchObject({
      PORT: 3000,
      RAPPORT_DATA_DIR: '/srv/rapport-data',
      RAPPORT_ADMIN_PASSWORD: '(set)',
    });
    expect(r.stdout).not.toContain('a-very-secret-password');
  });

  it('migrates a new data folder, then reports it up to date', async () => {
    const env = { RAPPORT_DATA_DIR: tempDir() };
    const first = await runRapport(['migrate', '--json'], env);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.database).toBe('pglite');
    expect(report.applied.length).toBeGreaterThan(0);
    const second = await runRapport(['migrate'], env);
    expect(second.stdout).toMatch(/The pglite database is up to date \(\d+ migrations\)/);
  });

  // Each offline command opens the embedded database in its own process: several of them in a row.
  it('creates users and tokens offline, printing each secret once', { timeout: 120_000 }, async () => {
    const env = { RAPPORT_DATA_DIR: tempDir() };
    const none = await runRapport(['token', 'create', '--name', 'ci'], env);
    expect(none.code).toBe(1);
    expect(none.output).toContain('There is no enabled administrator');

    const user = await runRapport(
      ['user', 'create', '--email', 'Ops@Example.test', '--role', 'admin', '--json'],
      env,
    );
    expect(user.code).toBe(0);
    const created = JSON.parse(user.stdout);
    expect(created.user).toMatchObject({ email: 'ops@example.test', role: 'admin' });
    expect(created.generatedPassword).toHaveLength(20);

    const badRole = await runRapport(['user', 'create', '--email', 'x@example.test', '--role', 'root'], env);
    expect(badRole.code).not.toBe(0);
    expect(badRole.output).toMatch(/Allowed choices are admin, cx_manager, account_manager, viewer/);

    const token = await runRapport(['token', 'create', '--name', 'ci', '--json'], env);
    expect(JSON.parse(token.stdout)).toMatchObject({
      token: expect.stringMatching(/^rap_/),
      record: { name: 'ci', userEmail: 'ops@example.test' },
    });
    const list = await runRapport(['token', 'list'], env);
    expect(list.stdout).toMatch(/ci\s+rap_\S+\s+ops@example\.test\s+active/);
    expect(list.stdout).not.toContain(JSON.parse(token.stdout).token);
  });

  it('refuses `rapport worker` on the embedded database with the reason', async () => {
    const r = await runRapport(['worker'], { RAPPORT_DATA_DIR: tempDir() });
    expect(r.code).toBe(1);
    expect(r.output).toContain('`rapport worker` needs DATABASE_URL');
  });
});
