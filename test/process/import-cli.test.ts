// Engine-independent (own data folders): run in the PGlite pass, skipped in the PostgreSQL one.

import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runRapport, tempDir } from '../harness/processes.ts';
import { startSftpServer, type TestSftpServer } from '../harness/sftp-server.ts';
import { testEngine } from '../harness/test-env.ts';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'b2b');
const fixture = (name: string) => path.join(FIXTURES, name);

describe.skipIf(testEngine() === 'postgres')('rapport import b2b', () => {
  let sftp: TestSftpServer;
  beforeAll(async () => {
    sftp = await startSftpServer();
    mkdirSync(path.join(sftp.root, 'exports'));
    for (const name of ['Account.csv', 'Contact.csv', 'AccountTeamMember.csv'])
      copyFileSync(fixture(name), path.join(sftp.root, 'exports', name));
  });
  afterAll(() => sftp?.close());

  // Each step starts a `rapport` process: slow on a busy machine.
  it('imports local files, prints the run summary, and finds nothing to change the second time', async () => {
    const env = { RAPPORT_DATA_DIR: tempDir() };
    const args = [
      'import',
      'b2b',
      '--directory',
      'Customers',
      '--accounts',
      fixture('Account.csv'),
      '--contacts',
      fixture('Contact.csv'),
      '--team',
      fixture('AccountTeamMember.csv'),
      '--mailing-list',
      'Wave {{date}}',
      '--json',
    ];
    const first = await runRapport(args, env);
    expect(first.code, first.output).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({
      status: 'succeeded',
      objects: {
        accounts: { created: 8, rejected: 1 },
        contacts: { created: 7, rejected: 4 },
        teamMembers: { created: 5, rejected: 2 },
      },
    });
    expect(summary.mailingListId).toEqual(expect.any(Number));
    expect(summary.errors).toContainEqual(
      expect.objectContaining({
        line: 9,
        field: 'Email',
        value: 'not-an-email',
        reason: 'expected an email address',
      }),
    );

    const again = JSON.parse((await runRapport(args, env)).stdout);
    for (const object of ['accounts', 'contacts', 'teamMembers'] as const) {
      expect(again.objects[object]).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    }
    expect(again.objects.contacts.unchanged).toBe(
      summary.objects.contacts.created + summary.objects.contacts.unchanged,
    );

    const status = await runRapport(['import', 'status', String(summary.runId)], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Import run ${summary.runId}: succeeded`);
    expect(status.stdout).toMatch(/contacts\s+7\s+0\s+1\s+0\s+4/);
  }, 120_000);

  it('reads sftp:// files with a pinned host key, and refuses a wrong one', async () => {
    const env = { RAPPORT_DATA_DIR: tempDir(), RAPPORT_SFTP_PASSWORD: sftp.password };
    const url = (name: string) => `sftp://${sftp.username}@${sftp.host}:${sftp.port}/exports/${name}`;
    const args = ['import', 'b2b', '--directory', 'Remote', '--accounts', url('Account.csv'), '--json'];
    const ok = await runRapport([...args, '--sftp-host-key', sftp.hostKeyFingerprint], env);
    expect(ok.code, ok.output).toBe(0);
    expect(JSON.parse(ok.stdout).objects.accounts.created).toBe(8);
    expect(ok.output).not.toContain(sftp.password);

    const wrong = await runRapport(
      [...args, '--sftp-host-key', 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      env,
    );
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toMatch(/host key/i);
  }, 120_000);
});
