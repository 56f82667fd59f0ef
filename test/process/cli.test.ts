// Engine-independent (own data folders): run in the PGlite pass, skipped in the PostgreSQL one.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, type RunningProcess, runRapport, startRapport, tempDir } from '../harness/processes.ts';
import { testEngine } from '../harness/test-env.ts';

const running: RunningProcess[] = [];
afterEach(async () => {
  for (const p of running.splice(0))
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
});

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

  // `rapport distribute` hands its work to the running server (the control socket), which sends.
  it('distributes a survey to client roles and follows it with `distribute status`', {
    timeout: 400_000,
  }, async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const env = {
      RAPPORT_DATA_DIR: dataDir,
      RAPPORT_ADMIN_EMAIL: 'ops@cloudkicks.example',
      RAPPORT_ADMIN_PASSWORD: 'correct horse battery staple',
      PORT: String(port),
    };
    const file = (name: string, lines: string[]) => {
      const at = path.join(dataDir, name);
      writeFileSync(at, `${lines.join('\r\n')}\r\n`);
      return at;
    };
    const accounts = file('Account.csv', ['Id,Name', '001A,Cloud Kicks', '001B,Get Cloudy']);
    const contacts = file('Contact.csv', [
      'Id,AccountId,Title,FirstName,LastName,Email',
      '003A,001A,DECISION_MAKER,Ada,Lovelace,ada@cloudkicks.example',
      '003B,001A,Analyst,Ben,Jones,ben@cloudkicks.example',
      '003C,001B,DECISION_MAKER,Cy,Young,',
      '003D,001B,DECISION_MAKER,Di,Prince,di@getcloudy.example',
    ]);
    const server = startRapport(['start', '--no-build-ui'], env);
    running.push(server);
    await server.waitForOutput(/is running at/, 180_000);
    const imported = await runRapport(
      ['import', 'b2b', '--directory', 'Main', '--accounts', accounts, '--contacts', contacts],
      env,
    );
    expect(imported.code, imported.output).toBe(0);
    const token = JSON.parse((await runRapport(['token', 'create', '--name', 'cli', '--json'], env)).stdout)
      .token as string;
    // biome-ignore lint/suspicious/noExplicitAny: JSON from the API, checked by the assertions
    const call = async (method: string, url: string, body?: unknown): Promise<any> => {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1${url}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      expect(r.ok, `${method} ${url}: ${r.status}`).toBe(true);
      return r.json();
    };
    const survey = await call('POST', '/directories/Main/surveys', {
      name: 'Pulse',
      definition: { elements: [{ type: 'rating', name: 'nps', rateMin: 0, rateMax: 10 }] },
    });
    await call('POST', `/surveys/${survey.id}/activate`);

    const body = file('body.txt', ['Hello {{ contact.firstName }} of {{ account.name }}: {{ link }}']);
    const sent = await runRapport(
      [
        'distribute',
        ...['--directory', 'Main', '--survey', 'pulse', '--name', 'Decision makers'],
        ...['--roles', 'DECISION_MAKER', '--subject', 'A question, {{ contact.firstName }}'],
        ...['--text-file', body, '--from-name', 'Cloud Kicks', '--json'],
      ],
      env,
    );
    expect(sent.code, sent.output).toBe(0);
    const created = JSON.parse(sent.stdout);
    expect(created).toMatchObject({ name: 'Decision makers', channel: 'email' });

    let status = { code: null as number | null, stdout: '', output: '' };
    const deadline = Date.now() + 60_000;
    do {
      status = await runRapport(['distribute', 'status', String(created.id)], env);
      expect(status.code, status.output).toBe(0);
    } while (!/: completed/.test(status.stdout) && Date.now() < deadline);
    // Three DECISION_MAKERs, one without an email address: counted, not sent.
    expect(status.stdout).toContain(`Distribution ${created.id} "Decision makers" (email): completed`);
    expect(status.stdout).toContain('selected 3, opted out 0, missing email 1, missing phone 0, in list 2');
    const statusJson = await runRapport(['distribute', 'status', String(created.id), '--json'], env);
    expect(statusJson.code, statusJson.output).toBe(0);
    expect(JSON.parse(statusJson.stdout)).toMatchObject({ id: created.id, status: 'completed' });
    const outbox = await call('GET', `/outbox?distributionId=${created.id}`);
    expect(
      outbox.items
        .map((m: { toAddress: string; subject: string; text: string }) => [m.toAddress, m.subject, m.text])
        .sort(),
    ).toEqual([
      [
        'ada@cloudkicks.example',
        'A question, Ada',
        expect.stringMatching(/^Hello Ada of Cloud Kicks: http:\/\/\S+\/s\/\S+/),
      ],
      [
        'di@getcloudy.example',
        'A question, Di',
        expect.stringMatching(/^Hello Di of Get Cloudy: http:\/\/\S+\/s\/\S+/),
      ],
    ]);

    // Later, in a time zone of its own: scheduled, not sent.
    const later = await runRapport(
      [
        'distribute',
        ...['--directory', 'Main', '--survey', String(survey.id), '--contacts', '1,2'],
        ...[
          '--subject',
          'Later',
          '--text',
          'Answer: {{ link }}',
          '--at',
          '2030-01-15T09:00',
          '--tz',
          'Europe/Paris',
        ],
      ],
      env,
    );
    expect(later.code, later.output).toBe(0);
    expect(later.stdout).toMatch(/Distribution \d+ "Email [^"]+" \(email\): scheduled/);
    expect(later.stdout).toContain('scheduled 2030-01-15T09:00 Europe/Paris');

    const twoAudiences = await runRapport(
      [
        'distribute',
        '--directory',
        'Main',
        '--survey',
        'Pulse',
        '--roles',
        'DECISION_MAKER',
        '--contacts',
        '1',
        '--text',
        '{{ link }}',
      ],
      env,
    );
    expect(twoAudiences.code).not.toBe(0);
    expect(twoAudiences.output).toContain(
      'Name the recipients with exactly one of --list, --contacts or --roles',
    );
    const noSurvey = await runRapport(
      [
        'distribute',
        '--directory',
        'Main',
        '--survey',
        'Nope',
        '--roles',
        'DECISION_MAKER',
        '--text',
        '{{ link }}',
      ],
      env,
    );
    expect(noSurvey.code).not.toBe(0);
    expect(noSurvey.output).toContain('No survey "Nope" in this directory');
  });
});
