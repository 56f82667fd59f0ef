import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import {
  generateOrg,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from '../../src/integrations/salesforce/emulator/index.ts';
import { queryRows } from '../../src/platform/db/database.ts';
import { openPglite } from '../../src/platform/db/pglite-database.ts';
import { freePort, type RunningProcess, runRapport, startRapport, tempDir } from '../harness/processes.ts';
import { startSmtpServer, type TestSmtpServer } from '../harness/smtp-server.ts';
// Engine-independent (own data folders): run in the PGlite pass, skipped in the PostgreSQL one.
import { testEngine } from '../harness/test-env.ts';

/**
 * The seed's daily workflow (its template: the directory's Salesforce sync → distribute the survey
 * to the sync's new mailing list) on the Salesforce emulator, with the server killed -9 twice: once
 * while the sync is reading the org, once while the invitations are going out over SMTP. After each
 * restart the run goes on, and in the end every contact of the org is in the directory once, on one
 * new mailing list, with one invitation.
 */

const ADMIN = { email: 'ops@cloudkicks.example', password: 'correct horse battery staple' };
const running: RunningProcess[] = [];
let emulator: SalesforceEmulator | null = null;
let smtp: TestSmtpServer | null = null;
afterEach(async () => {
  for (const p of running.splice(0))
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  await smtp?.close();
  await emulator?.close();
  smtp = null;
  emulator = null;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 240_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(200);
  }
}

interface RunView {
  status: string;
  tasks: { key: string; status: string; attempts: number; output: Record<string, unknown> }[];
}

describe.skipIf(testEngine() === 'postgres')(
  'the Salesforce daily workflow across kill -9 (embedded database)',
  () => {
    it('killed during the sync, then during the sending: each contact synced once and invited once', {
      timeout: 480_000,
    }, async () => {
      emulator = await startSalesforceEmulator({
        bulkJobStepMs: 50,
        seed: (store) => void generateOrg(store, { accounts: 15, contactsPerAccount: 4, teamPerAccount: 1 }),
      });
      const orgContacts = emulator.store.records('Contact');
      const emails = [
        ...new Set(
          orgContacts.map((c) => String(c.Email ?? '').toLowerCase()).filter((e) => e.includes('@')),
        ),
      ].sort();
      expect(emails.length).toBeGreaterThanOrEqual(50);
      // 30 ms before each SMTP reply and 10 messages a second: the sending takes a few seconds.
      smtp = await startSmtpServer({ delay: { dataMs: 30 } });

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
        // A restart after kill -9 recovers the embedded database first: slow on a busy machine.
        await p.waitForOutput(/is running at/, 180_000);
        return p;
      };
      const kill = async (p: RunningProcess) => {
        p.child.kill('SIGKILL');
        await p.exited;
      };
      const first = await start();
      const token = JSON.parse(
        (await runRapport(['token', 'create', '--name', 'sf-crash', '--json'], env)).stdout,
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

      const directory = await call<{ id: number }>('POST', '/directories', { name: 'Cloud Kicks' });
      const connection = await call<{ connection: { id: number } }>('POST', '/salesforce/connections', {
        kind: 'client_credentials',
        name: 'Cloud Kicks org',
        loginUrl: emulator.loginUrl,
        clientId: emulator.clientId,
        clientSecret: emulator.clientSecret,
      });
      await call('PUT', `/directories/${directory.id}/salesforce/sync`, {
        connectionId: connection.connection.id,
        objects: { Account: {}, Contact: { fields: ['Email'] }, AccountTeamMember: {} },
        mailingList: 'Salesforce {{date}}',
        enabled: false,
      });
      await call('PUT', '/delivery-providers/email', {
        settings: {
          kind: 'smtp',
          defaultFrom: 'cx@cloudkicks.example',
          smtp: { host: smtp.host, port: smtp.port, secure: false, requireTLS: false, maxConnections: 1 },
        },
        ratePerSecond: 10,
      });
      const survey = await call<{ id: number }>('POST', `/directories/${directory.id}/surveys`, {
        name: 'Relationship NPS',
        definition: { elements: [{ type: 'rating', name: 'nps', rateMin: 0, rateMax: 10 }] },
      });
      await call('POST', `/surveys/${survey.id}/activate`);
      const workflow = await call<{ id: number }>(
        'POST',
        `/directories/${directory.id}/workflow-templates/salesforce-daily-sync-survey`,
        {
          surveyId: survey.id,
          time: '07:30',
          timeZone: 'America/Los_Angeles',
          fromName: 'Cloud Kicks',
          enabled: true,
        },
      );

      // Every API call of the org answers slowly: the sync is still reading when the kill comes.
      const slow = emulator.faults.inject({ kind: 'latency', ms: 700, times: Number.POSITIVE_INFINITY });
      const apiCallsBefore = emulator.requests().filter((r) => r.apiCall).length;
      const queued = await runRapport(['workflow', 'run', String(workflow.id), '--no-wait', '--json'], env);
      expect(queued.code, queued.output).toBe(0);
      const runId = JSON.parse(queued.stdout).id as number;
      const readRun = () => call<RunView>('GET', `/workflow-runs/${runId}`);
      await until(
        async () => ({
          run: await readRun(),
          calls: emulator!.requests().filter((r) => r.apiCall).length - apiCallsBefore,
        }),
        ({ run, calls }) => run.tasks[0]!.status === 'running' && calls >= 2,
        'the sync to be reading the org',
      );
      await kill(first);
      // Nothing was loaded yet: the kill came in the middle of the sync.
      const cut = await openPglite(dataDir);
      try {
        const [loaded] = await queryRows<{ n: number }>(
          cut.orm,
          sql`SELECT count(*)::int AS n FROM contacts`,
        );
        expect(Number(loaded!.n)).toBe(0);
      } finally {
        await cut.close();
      }
      slow.cancel();

      const second = await start();
      // The sync resumes and loads; the survey goes out; the second kill lands mid-sending.
      const midway = await until(
        async () => smtp!.messages.length,
        (n) => n >= 10,
        'the first invitations',
      );
      await kill(second);
      const atCrash = smtp.messages.length;
      expect(midway).toBeLessThan(emails.length);
      expect(atCrash).toBeLessThan(emails.length);

      await start();
      const run = await until(readRun, (r) => ['succeeded', 'failed'].includes(r.status), 'the run to end');
      expect(run.status, JSON.stringify(run)).toBe('succeeded');
      expect(run.tasks.map((t) => [t.key, t.status])).toEqual([
        ['salesforce', 'succeeded'],
        ['distribute', 'succeeded'],
      ]);
      // The sync was cut off once and ran again under its checkpoint; the distribution was created once.
      expect(run.tasks[0]!.attempts).toBe(2);
      expect(run.tasks[1]!.attempts).toBe(1);
      const mailingListId = run.tasks[0]!.output.mailingListId as number;
      const distributionId = run.tasks[1]!.output.distributionId as number;
      const distribution = await until(
        () =>
          call<{ status: string; stats: Record<string, number> }>('GET', `/distributions/${distributionId}`),
        (d) => d.status === 'completed',
        'the distribution to complete',
      );
      expect(distribution.stats).toMatchObject({
        selected: emails.length,
        inList: emails.length,
        pending: 0,
        failed: 0,
      });

      // SMTP: one invitation (Message-ID) per contact, to every contact of the org.
      const byMessageId = new Map<string, { to: string; n: number }>();
      for (const m of smtp.messages) {
        const seen = byMessageId.get(m.messageId!);
        byMessageId.set(m.messageId!, { to: m.envelope.to[0]!.toLowerCase(), n: (seen?.n ?? 0) + 1 });
      }
      expect(byMessageId.size).toBe(emails.length);
      expect([...byMessageId.values()].map((m) => m.to).sort()).toEqual(emails);

      for (const p of running.splice(0)) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
      const db = await openPglite(dataDir);
      try {
        // The directory: every contact of the org once, all on the one new mailing list.
        const [contacts] = await queryRows<{ n: number; refs: number }>(
          db.orm,
          sql`SELECT count(*)::int AS n, count(DISTINCT external_ref)::int AS refs FROM contacts`,
        );
        expect(Number(contacts!.n)).toBe(orgContacts.length);
        expect(Number(contacts!.refs)).toBe(orgContacts.length);
        const [accounts] = await queryRows<{ n: number }>(
          db.orm,
          sql`SELECT count(*)::int AS n FROM accounts`,
        );
        expect(Number(accounts!.n)).toBe(emulator.store.records('Account').length);
        const lists = await queryRows<{ id: number; members: number }>(
          db.orm,
          sql`SELECT l.id, (SELECT count(*)::int FROM mailing_list_members m WHERE m.mailing_list_id = l.id) AS members
            FROM mailing_lists l`,
        );
        expect(lists.map((l) => [Number(l.id), Number(l.members)])).toEqual([
          [mailingListId, orgContacts.length],
        ]);
        const [imports] = await queryRows<{ n: number }>(
          db.orm,
          sql`SELECT count(*)::int AS n FROM import_runs WHERE status = 'succeeded'`,
        );
        expect(Number(imports!.n)).toBe(1);
        const [distributions] = await queryRows<{ n: number }>(
          db.orm,
          sql`SELECT count(*)::int AS n FROM distributions`,
        );
        expect(Number(distributions!.n)).toBe(1);
        // Each contact invited once: one recipient row each, sent once.
        const recipients = await queryRows<{ contact_id: number; n: number; resent: boolean }>(
          db.orm,
          sql`SELECT contact_id, count(*)::int AS n, bool_or(resent_after_interruption) AS resent
            FROM distribution_recipients WHERE distribution_id = ${distributionId} GROUP BY contact_id`,
        );
        expect(recipients).toHaveLength(emails.length);
        expect(recipients.every((r) => Number(r.n) === 1)).toBe(true);
        // A message reaches SMTP twice only when the kill came after the server took it and before the
        // send was written down: that recipient is flagged, never silent, and it is one message at most.
        const twice = [...byMessageId.values()].filter((m) => m.n > 1).length;
        const flagged = recipients.filter((r) => r.resent).length;
        expect(twice).toBeLessThanOrEqual(flagged);
        expect(twice).toBeLessThanOrEqual(1);
      } finally {
        await db.close();
      }
    });
  },
);
