import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.ts';
import { openPglite } from '../../src/platform/db/pglite-database.ts';
import { type HttpReceiver, startHttpReceiver } from '../harness/http-receiver.ts';
import { freePort, type RunningProcess, runRapport, startRapport, tempDir } from '../harness/processes.ts';
import { startSftpServer, type TestSftpServer } from '../harness/sftp-server.ts';
// Engine-independent (own data folders): run in the PGlite pass, skipped in the PostgreSQL one.
import { testEngine } from '../harness/test-env.ts';

const ADMIN = { email: 'ops@cloudkicks.example', password: 'correct horse battery staple' };
const running: RunningProcess[] = [];
let sftp: TestSftpServer | null = null;
let hook: HttpReceiver | null = null;
afterEach(async () => {
  for (const p of running.splice(0))
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  await sftp?.close();
  await hook?.close();
  sftp = null;
  hook = null;
});

const CONTACTS = 40;

describe.skipIf(testEngine() === 'postgres')('a workflow run across kill -9 (embedded database)', () => {
  it('resumes at the task that was running: no second import, distribution or email', {
    timeout: 240_000,
  }, async () => {
    sftp = await startSftpServer();
    hook = await startHttpReceiver();
    writeFileSync(path.join(sftp.root, 'Account.csv'), 'Id,Name\r\n001A,Cloud Kicks\r\n');
    writeFileSync(
      path.join(sftp.root, 'Contact.csv'),
      `${[
        'Id,AccountId,Title,FirstName,LastName,Email',
        ...Array.from(
          { length: CONTACTS },
          (_, i) => `003X${i},001A,Analyst,Ann${i},Lee,ann${i}@example.test`,
        ),
      ].join('\r\n')}\r\n`,
    );
    const dataDir = tempDir();
    const port = await freePort();
    const env = {
      RAPPORT_DATA_DIR: dataDir,
      RAPPORT_ADMIN_EMAIL: ADMIN.email,
      RAPPORT_ADMIN_PASSWORD: ADMIN.password,
      PORT: String(port),
    };
    const start = async () => {
      const p = startRapport(['start', '--no-build-ui'], env);
      running.push(p);
      await p.waitForOutput(/is running at/);
      return p;
    };
    const first = await start();
    const token = JSON.parse(
      (await runRapport(['token', 'create', '--name', 'crash', '--json'], env)).stdout,
    ).token;
    const call = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1${url}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${await r.text()}`);
      return (r.status === 204 ? undefined : await r.json()) as T;
    };
    await call('POST', '/directories', { name: 'Main' });
    const source = await call<{ source: { id: number } }>('POST', '/directories/Main/sftp-sources', {
      name: 'Exports',
      host: sftp.host,
      port: sftp.port,
      username: sftp.username,
      password: sftp.password,
      paths: { accounts: '/Account.csv', contacts: '/Contact.csv' },
      hostKeyFingerprint: sftp.hostKeyFingerprint,
    });
    const survey = await call<{ id: number }>('POST', '/directories/Main/surveys', {
      name: 'Pulse',
      definition: { elements: [{ type: 'rating', name: 'nps', rateMin: 0, rateMax: 10 }] },
    });
    await call('POST', `/surveys/${survey.id}/activate`);
    // The webhook answers after 20 s: the kill lands while it is out.
    hook.respondTo('/slow', { status: 200, delayMs: 20_000 });
    const workflow = await call<{ id: number }>('POST', '/directories/Main/workflows', {
      name: 'Import, survey, tell',
      enabled: true,
      trigger: { type: 'manual' },
      tasks: [
        { key: 'extract', type: 'sftp.extract', input: { sourceId: source.source.id } },
        {
          key: 'load',
          type: 'directory.load_b2b',
          input: { files: '{{ tasks.extract.files }}', mailingList: 'Crash {{date}}' },
        },
        {
          key: 'distribute',
          type: 'distribution.send_survey',
          input: {
            surveyId: survey.id,
            name: 'Crash test',
            recipients: { type: 'mailingList', mailingListId: '{{ tasks.load.mailingListId }}' },
            message: {
              fromName: 'Cloud Kicks',
              subject: 'Hello {{ contact.firstName }}',
              text: 'Answer: {{ link }}',
            },
          },
        },
        {
          key: 'hook',
          type: 'http.webhook',
          input: { url: `${hook.url}/slow`, body: { list: '{{ tasks.load.mailingListId }}' } },
          retry: { limit: 3, delaySeconds: 1 },
        },
        {
          key: 'mail',
          type: 'notify.email',
          input: {
            to: ['cx-team@cloudkicks.example'],
            subject: 'Imported {{ tasks.load.counts.contacts.created }} contacts',
            text: 'Done.',
          },
        },
      ],
    });

    // Started from the shell, through the running server's control socket.
    const queued = await runRapport(['workflow', 'run', String(workflow.id), '--no-wait', '--json'], env);
    expect(queued.code, queued.output).toBe(0);
    const runId = JSON.parse(queued.stdout).id as number;
    await hook.waitFor(1, 60_000);
    first.child.kill('SIGKILL');
    await first.exited;

    await start();
    const deadline = Date.now() + 120_000;
    let run: {
      status: string;
      tasks: { key: string; status: string; attempts: number; output: Record<string, unknown> }[];
    };
    for (;;) {
      run = await call('GET', `/workflow-runs/${runId}`);
      if (run.status === 'succeeded' || run.status === 'failed') break;
      if (Date.now() > deadline) throw new Error(`the run did not end: ${JSON.stringify(run)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(run.tasks.map((t) => [t.key, t.status])).toEqual([
      ['extract', 'succeeded'],
      ['load', 'succeeded'],
      ['distribute', 'succeeded'],
      ['hook', 'succeeded'],
      ['mail', 'succeeded'],
    ]);
    // Only the task cut off ran again; the ones before it kept their one attempt.
    expect(run.tasks.slice(0, 3).map((t) => t.attempts)).toEqual([1, 1, 1]);
    expect(run.tasks[3]!.attempts).toBe(2);
    expect(run.tasks[3]!.output.resentAfterInterruption).toBe(true);
    const deliveries = hook.requests.filter((r) => r.path === '/slow');
    expect(deliveries.length).toBe(2);
    expect(new Set(deliveries.map((r) => r.headers['x-rapport-delivery'])).size).toBe(1);

    const distributionId = run.tasks[2]!.output.distributionId as number;
    for (;;) {
      const d = await call<{ status: string }>('GET', `/distributions/${distributionId}`);
      if (d.status === 'completed') break;
      if (Date.now() > deadline) throw new Error(`the distribution did not complete: ${JSON.stringify(d)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const status = await runRapport(['workflow', 'status', String(runId)], env);
    expect(status.stdout).toContain(
      `Run ${runId} of workflow ${workflow.id} "Import, survey, tell": succeeded`,
    );
    const listed = await runRapport(['workflow', 'list', '--json'], env);
    expect(JSON.parse(listed.stdout)[0]).toMatchObject({
      id: workflow.id,
      lastRun: { id: runId, status: 'succeeded' },
    });

    for (const p of running.splice(0)) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
    const db = await openPglite(dataDir);
    try {
      const [imports] = await queryRows<{ n: number }>(
        db.orm,
        sql`SELECT count(*)::int AS n FROM import_runs`,
      );
      expect(Number(imports!.n)).toBe(1);
      const [distributions] = await queryRows<{ n: number }>(
        db.orm,
        sql`SELECT count(*)::int AS n FROM distributions`,
      );
      expect(Number(distributions!.n)).toBe(1);
      const invitations = await queryRows<{ to_address: string; n: number }>(
        db.orm,
        sql`SELECT to_address, count(*)::int AS n FROM outbox_messages WHERE distribution_id = ${distributionId} GROUP BY 1`,
      );
      expect(invitations).toHaveLength(CONTACTS);
      expect(invitations.every((m) => Number(m.n) === 1)).toBe(true);
      const notices = await queryRows<{ subject: string }>(
        db.orm,
        sql`SELECT subject FROM outbox_messages WHERE to_address = 'cx-team@cloudkicks.example'`,
      );
      expect(notices).toEqual([{ subject: `Imported ${CONTACTS} contacts` }]);
    } finally {
      await db.close();
    }
  });
});
