import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MAPPING, fixture } from '../../test/harness/import-helpers.ts';
import { multipart } from '../../test/harness/multipart.ts';
import { startSftpServer, type TestSftpServer } from '../../test/harness/sftp-server.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';

let t: TestApp;
let cx: { authorization: string; userId: number };
let sftp: TestSftpServer;
beforeAll(async () => {
  t = await createTestApp();
  await t.runtime.jobs.startWorkers(t.runtime);
  cx = await t.bearerFor('cx_manager');
  sftp = await startSftpServer();
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/directories',
    headers: cx,
    payload: { name: 'Main', defaultCountry: 'US' },
  });
  expect(created.statusCode).toBe(201);
});
afterAll(async () => {
  await t.close();
  await sftp.close();
});

async function waitForRun(runId: number, authorization = cx.authorization) {
  for (let i = 0; i < 200; i++) {
    const r = await t.app.inject({ url: `/api/v1/imports/${runId}`, headers: { authorization } });
    const body = r.json();
    if (body.status === 'succeeded' || body.status === 'failed') return body;
    await sleep(100);
  }
  throw new Error('import did not finish');
}

describe('imports over the API', () => {
  it('takes uploaded files, runs the import as a job and reports it', async () => {
    const body = await multipart(
      {
        accounts: fixture('Account.csv'),
        contacts: fixture('Contact.csv'),
        teamMembers: fixture('AccountTeamMember.csv'),
      },
      { mapping: FIXTURE_MAPPING, options: { mailingList: 'Upload {{date}}' } },
    );
    const started = await t.app.inject({
      method: 'POST',
      url: '/api/v1/directories/main/imports',
      headers: { ...cx, ...body.headers },
      payload: body.payload,
    });
    expect(started.statusCode).toBe(202);
    expect(started.json()).toMatchObject({ status: 'queued', directoryId: expect.any(Number) });
    const run = await waitForRun(started.json().runId);
    expect(run).toMatchObject({
      status: 'succeeded',
      objects: { accounts: { created: 7 }, contacts: { created: 7 }, teamMembers: { created: 5 } },
      mailingListId: expect.any(Number),
      progress: { phase: 'done' },
    });
    expect(run.issues).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        object: 'contacts',
        file: 'Contact.csv',
        line: 9,
        field: 'Email',
        value: 'not-an-email',
      }),
    );

    const csv = await t.app.inject({ url: `/api/v1/imports/${run.runId}/errors.csv`, headers: cx });
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('severity,object,file,line,field,value,reason');
    expect(lines).toContain('error,contacts,Contact.csv,9,Email,not-an-email,expected an email address');
    expect(lines.length - 1).toBe(run.errorCount + run.warningCount);

    // The uploaded bytes are removed once the run is done.
    expect(
      await t.runtime.db.query('SELECT 1 FROM import_file_chunks WHERE run_id = $1', [run.runId]),
    ).toEqual([]);
  });

  it('serves the directory: contacts with search and paging, accounts, an account with its hierarchy and team', async () => {
    const page1 = await t.app.inject({
      url: '/api/v1/directories/Main/contacts?sort=lastName&limit=3',
      headers: cx,
    });
    expect(page1.statusCode).toBe(200);
    const first = page1.json();
    expect(first.items).toHaveLength(3);
    const page2 = await t.app.inject({
      url: `/api/v1/directories/Main/contacts?sort=lastName&limit=3&cursor=${first.nextCursor}`,
      headers: cx,
    });
    const page3 = await t.app.inject({
      url: `/api/v1/directories/Main/contacts?sort=lastName&limit=3&cursor=${page2.json().nextCursor}`,
      headers: cx,
    });
    const names = [...first.items, ...page2.json().items, ...page3.json().items].map(
      (c: { lastName: string }) => c.lastName.toLowerCase(),
    );
    expect(names).toHaveLength(7);
    expect(names).toEqual([...names].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)));
    expect(page3.json().nextCursor).toBeNull();

    const search = await t.app.inject({
      url: '/api/v1/directories/Main/contacts?q=alan%20john',
      headers: cx,
    });
    expect(search.json().items.map((c: { email: string }) => c.email)).toEqual(['alan@gogetcloudy.com']);
    const byEmail = await t.app.inject({ url: '/api/v1/directories/Main/contacts?q=LEUNG@', headers: cx });
    expect(byEmail.json().items[0]).toMatchObject({
      firstName: 'Leung',
      optOuts: { email: true, doNotCall: true },
      roles: [{ accountName: 'Get Cloudy Consulting, Inc.', role: 'INFLUENCER' }],
    });
    const deciders = await t.app.inject({
      url: '/api/v1/directories/Main/contacts?role=DECISION_MAKER',
      headers: cx,
    });
    expect(
      deciders
        .json()
        .items.map((c: { lastName: string }) => c.lastName)
        .sort(),
    ).toEqual(['Johnson', '李']);

    const accounts = await t.app.inject({
      url: '/api/v1/directories/Main/accounts?q=get%20cloudy',
      headers: cx,
    });
    const getCloudy = accounts.json().items.find((a: { externalRef: string }) => a.externalRef === '001B');
    expect(getCloudy).toMatchObject({
      childCount: 1,
      contactCount: 2,
      ownerEmail: 'owner.one@cloudkicks.example',
    });
    const detail = await t.app.inject({ url: `/api/v1/accounts/${getCloudy.id}`, headers: cx });
    expect(detail.json()).toMatchObject({
      displayName: 'Get Cloudy Consulting, Inc.',
      ancestors: [{ displayName: 'Cloud Kicks Holdings' }],
      children: [{ displayName: 'Get Cloudy – Reno' }],
      team: expect.arrayContaining([
        { role: 'ACCOUNT_OWNER', email: 'owner.one@cloudkicks.example', userName: null },
        { role: 'CUSTOMER_SUCCESS_MANAGER', email: 'csm@cloudkicks.example', userName: null },
      ]),
    });
    expect(
      detail.json().contactsByRole.map((c: { role: string; name: string }) => `${c.role}:${c.name}`),
    ).toEqual(['DECISION_MAKER:Alan Johnson', 'INFLUENCER:Leung Chan']);
    const tree = await t.app.inject({
      url: `/api/v1/accounts/${detail.json().ancestors[0].id}/tree?depth=3`,
      headers: cx,
    });
    expect(
      tree.json().items.map((n: { displayName: string; level: number }) => `${n.level}:${n.displayName}`),
    ).toEqual([
      '0:Cloud Kicks Holdings',
      '1:Get Cloudy Consulting, Inc.',
      '1:東京 Trading KK',
      '2:Get Cloudy – Reno',
    ]);
    const contact = await t.app.inject({
      url: `/api/v1/contacts/${byEmail.json().items[0].id}`,
      headers: cx,
    });
    expect(contact.json().lists).toEqual([
      expect.objectContaining({ name: expect.stringMatching(/^Upload /) }),
    ]);
  });

  it('lets an account manager see only the accounts of their team (and below), and their contacts', async () => {
    const owner = await t.addUser('account_manager', 'owner.one@cloudkicks.example');
    const cookie = await t.signIn(owner.email, owner.password);
    const mine = await t.app.inject({ url: '/api/v1/directories/Main/accounts', headers: { cookie } });
    expect(
      mine
        .json()
        .items.map((a: { externalRef: string }) => a.externalRef)
        .sort(),
    ).toEqual(['001A', '001B', '001C', '001I']);
    const stranger = await t.addUser('account_manager', 'stranger@cloudkicks.example');
    const theirs = await t.app.inject({
      url: '/api/v1/directories/Main/accounts',
      headers: { cookie: await t.signIn(stranger.email, stranger.password) },
    });
    expect(theirs.json().items).toEqual([]);
    const hidden = mine.json().items[0].id;
    const peek = await t.app.inject({
      url: `/api/v1/accounts/${hidden}`,
      headers: { cookie: await t.signIn(stranger.email, stranger.password) },
    });
    expect(peek.statusCode).toBe(404);
    const viewer = await t.bearerFor('viewer');
    const upload = await t.app.inject({
      method: 'POST',
      url: '/api/v1/directories/Main/imports',
      headers: viewer,
      payload: { sftpSourceId: 1 },
    });
    expect(upload.statusCode).toBe(403);
  });

  it('saves an SFTP source (pinning its host key), imports from it and archives the files', async () => {
    mkdirSync(path.join(sftp.root, 'exports'));
    copyFileSync(fixture('Account.csv'), path.join(sftp.root, 'exports', 'Account.csv'));
    copyFileSync(fixture('Contact.csv'), path.join(sftp.root, 'exports', 'Contact.csv'));
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/directories/Main/sftp-sources',
      headers: cx,
      payload: {
        name: 'CRM exports',
        host: sftp.host,
        port: sftp.port,
        username: sftp.username,
        password: 'wrong',
        paths: { accounts: '/exports/Account.csv' },
      },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.message).toMatch(
      /^Cannot connect to 127\.0\.0\.1:\d+ as exporter: .*All configured authentication methods failed/,
    );
    const missing = await t.app.inject({
      method: 'POST',
      url: '/api/v1/directories/Main/sftp-sources',
      headers: cx,
      payload: {
        name: 'CRM exports',
        host: sftp.host,
        port: sftp.port,
        username: sftp.username,
        password: sftp.password,
        paths: { accounts: '/exports/Nope.csv' },
      },
    });
    expect(missing.json().error.message).toBe(`/exports/Nope.csv does not exist on ${sftp.host}`);

    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/directories/Main/sftp-sources',
      headers: cx,
      payload: {
        name: 'CRM exports',
        host: sftp.host,
        port: sftp.port,
        username: sftp.username,
        privateKey: sftp.privateKey,
        paths: { accounts: '/exports/Account.csv', contacts: '/exports/Contact.csv' },
        archiveDir: '/archive',
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().source).toMatchObject({
      hostKeyFingerprint: sftp.hostKeyFingerprint,
      authMethod: 'private_key',
    });
    expect(created.body).not.toContain('PRIVATE KEY');
    const stored = await t.runtime.db.query<{ secret_sealed: string }>(
      'SELECT secret_sealed FROM sftp_sources',
    );
    expect(stored[0]!.secret_sealed).toMatch(/^v1\./);

    const started = await t.app.inject({
      method: 'POST',
      url: '/api/v1/directories/Main/imports',
      headers: cx,
      payload: { sftpSourceId: created.json().source.id, mapping: FIXTURE_MAPPING },
    });
    expect(started.statusCode).toBe(202);
    const run = await waitForRun(started.json().runId);
    expect(run.status).toBe('succeeded');
    expect(run.objects.accounts).toMatchObject({ created: 0, unchanged: 8 });
    expect(
      run.issues.some((i: { file: string }) => i.file === `sftp://${sftp.host}/exports/Contact.csv`),
    ).toBe(true);
    // Archiving follows the commit (files are never moved for a run that did not land).
    for (let i = 0; i < 50 && readdirSync(path.join(sftp.root, 'exports')).length > 0; i++) await sleep(100);
    expect(readdirSync(path.join(sftp.root, 'exports'))).toEqual([]);
    expect(readdirSync(path.join(sftp.root, 'archive')).map((n) => n.replace(/^.*Z-/, ''))).toEqual(
      ['Account.csv', 'Contact.csv'].sort(),
    );
    expect(existsSync(path.join(sftp.root, 'archive'))).toBe(true);
  });
});
