// Distribution throughput: builds an N-recipient email distribution under the directory's rules
// (exclusions, duplicates, missing addresses, frequency rules against a history of earlier sends)
// and sends it through the pooled SMTP transport to a real SMTP server on 127.0.0.1 (in a child
// process). Prints recipients/s for the build and messages/s for the send, beside a bare pooled
// SMTP send of the same number of messages measured in the same run (the ceiling).
// Usage: node bench/distribution.ts [recipients=100000] [pglite|postgres|both] [maxConnections=5]
// BENCH_BUILD_ONLY=1 measures the build alone.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { createDirectory } from '../src/directory/directories.service.ts';
import { buildRecipients } from '../src/distributions/build-recipients.ts';
import { distributions } from '../src/distributions/distributions.schema.ts';
import { messageHash } from '../src/distributions/message.ts';
import { updateProvider } from '../src/distributions/providers.ts';
import { DEFAULT_RULES, rulesFor } from '../src/distributions/rules.ts';
import { sendBatch } from '../src/distributions/send.ts';
import { closeTransports } from '../src/distributions/transport-cache.ts';
import { executeImportRun } from '../src/imports/b2b/run-b2b-import.ts';
import { createImportRun } from '../src/imports/imports.service.ts';
import { DEFAULT_MAPPING } from '../src/imports/mapping.ts';
import { createSmtpTransport } from '../src/integrations/email/smtp-transport.ts';
import { type Database, queryRows } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { openPglite } from '../src/platform/db/pglite-database.ts';
import { openPostgres } from '../src/platform/db/postgres-database.ts';
import { createSecretBox } from '../src/platform/secrets/secret-box.ts';
import { createSurvey, setSurveyStatus } from '../src/surveys/surveys.service.ts';
import { systemActor } from '../src/users/roles.ts';

type FromServer = { port: number } | { received: number; connections: number };

if (process.argv[2] === '--serve') {
  // A relay that takes each message and queues it (here: counts it), as Postfix would: it does not
  // parse the MIME body (the test harness does, to check contents; that would bench the parser).
  let received = 0;
  let connections = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect: (_session, callback) => {
      connections++;
      callback();
    },
    onData(stream, _session, callback) {
      stream.on('end', () => {
        received++;
        callback();
      });
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send!({ port: (server.server.address() as { port: number }).port } satisfies FromServer);
  process.on('message', (message: 'stats' | 'close') => {
    if (message === 'stats') process.send!({ received, connections } satisfies FromServer);
    if (message === 'close') server.close(() => process.disconnect());
  });
} else {
  await main();
}

async function main() {
  const n = Number(process.argv[2] ?? 100_000);
  const engines = (process.argv[3] ?? 'both') === 'both' ? ['pglite', 'postgres'] : [process.argv[3]!];
  const maxConnections = Number(process.argv[4] ?? 5);
  const actor = systemActor('bench');
  const logger = pino({ level: 'warn' });
  const secrets = createSecretBox(randomBytes(32));
  const child = fork(import.meta.filename, ['--serve']);
  // The server child must not outlive a failed bench.
  process.on('exit', () => child.kill());
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  const stats = async () => {
    child.send('stats');
    return ((await once(child, 'message')) as [{ received: number; connections: number }])[0];
  };

  const work = mkdtempSync(path.join(tmpdir(), 'rapport-bench-dist-'));
  const contacts = path.join(work, 'Contact.csv');
  // 2% opted out, 1% without an email, 1% sharing another contact's address.
  const lines = ['Id,FirstName,LastName,Email,HasOptedOutOfEmail,Region__c'];
  for (let i = 0; i < n; i++) {
    const email =
      i % 100 === 7 ? '' : i % 100 === 9 ? `person${i - 1}@example.test` : `person${i}@example.test`;
    lines.push(
      `003B${i},Person${i},Émile${i % 97},${email},${i % 50 === 3},${['EMEA', 'AMER', 'APAC'][i % 3]}`,
    );
  }
  writeFileSync(contacts, `${lines.join('\r\n')}\r\n`);
  console.log(
    `${n} contacts, SMTP server on 127.0.0.1:${port} (child process), ${maxConnections} pooled connections`,
  );

  for (const engine of engines) {
    const { db, cleanup } = await openEngine(engine);
    try {
      await migrate(db);
      const directory = await createDirectory(db, actor, { name: 'Bench' });
      const run = await createImportRun(db, actor, {
        directory: 'Bench',
        mapping: DEFAULT_MAPPING,
        sources: { contacts: { kind: 'path', path: contacts } },
        options: { mailingList: 'Everyone {{date}}' },
      });
      await executeImportRun(
        { db, logger, openSftp: async () => Promise.reject(new Error('no sftp')) },
        run.runId,
      );
      const [imported] = await queryRows<{ mailing_list_id: number; status: string }>(
        db.orm,
        sql`SELECT mailing_list_id, status FROM import_runs WHERE id = ${run.runId}`,
      );
      if (imported?.status !== 'succeeded') throw new Error('the contacts import failed');
      const survey = await createSurvey(db, actor, directory.id, { name: 'Pulse', template: 'case-csat' });
      await setSurveyStatus(db, actor, survey.id, 'active');
      // A history: 10% of the contacts had an invitation yesterday (held back by the 30-day rule).
      await db.orm.execute(sql`INSERT INTO distributions (directory_id, survey_id, name, channel, recipients, message,
          message_hash, status, created_by, updated_by)
        VALUES (${directory.id}, ${survey.id}, 'Yesterday', 'email', '{}', '{}', 'old', 'completed', 'bench', 'bench')`);
      await db.orm.execute(sql`INSERT INTO distribution_recipients (distribution_id, contact_id, channel,
          counts_for_frequency, address, status, sent_at)
        SELECT (SELECT max(id) FROM distributions), id, 'email', true, email, 'sent', now() - interval '1 day'
        FROM contacts WHERE id % 10 = 0`);
      await updateProvider(db, secrets, actor, 'email', {
        settings: {
          kind: 'smtp',
          defaultFrom: 'surveys@rapport.example',
          smtp: { host: '127.0.0.1', port, requireTLS: false, maxConnections, maxMessages: 1000 },
        },
        ratePerSecond: 10_000,
      });

      const message = {
        fromName: 'Acme Customer Success',
        subject: 'Votre avis compte, {{ contact.firstName }} : comment évaluez-vous Acme ?',
        text: 'Bonjour {{ contact.firstName }},\n\nRecommanderiez-vous Acme ?\n{{ link }}\n\nDésinscription : {{ unsubscribe_link }}',
        html: '<p>Bonjour {{ contact.firstName }},</p><p><a href="{{ link }}">Répondre</a></p>',
        trackOpens: false,
      };
      const [distribution] = await db.orm
        .insert(distributions)
        .values({
          directoryId: directory.id,
          surveyId: survey.id,
          name: 'Everyone',
          channel: 'email',
          recipients: { type: 'mailingList', mailingListId: Number(imported.mailing_list_id) },
          message,
          messageHash: messageHash('email', message as never),
          embedded: { region: 'contact.attributes.Region' },
          status: 'building',
          createdBy: 'bench',
          updatedBy: 'bench',
        })
        .returning();

      const buildStarted = performance.now();
      const built = await db.orm.transaction((tx) =>
        buildRecipients(tx, {
          distribution: distribution!,
          exclusions: DEFAULT_RULES.exclusions,
          frequencyRules: rulesFor(DEFAULT_RULES.frequencyRules, {
            surveyId: survey.id,
            mailingListId: null,
          }),
          audience: { type: 'mailingList', mailingListId: Number(imported.mailing_list_id) },
          linkExpiresAt: null,
        }),
      );
      const buildSeconds = (performance.now() - buildStarted) / 1000;
      const counts = await queryRows<{ status: string; n: number }>(
        db.orm,
        sql`SELECT status::text AS status, count(*)::int AS n FROM distribution_recipients
            WHERE distribution_id = ${distribution!.id} GROUP BY 1 ORDER BY 1`,
      );
      console.log(`\n[${engine}]`);
      console.log(
        `  build:  ${buildSeconds.toFixed(2)} s  ${Math.round(n / buildSeconds).toLocaleString('en')} recipients/s  (target < 3 s)`,
      );
      console.log(`          ${counts.map((c) => `${c.status} ${c.n}`).join(', ')}`);
      console.log(`          phases (s): ${JSON.stringify(built.phases)}`);
      // BENCH_BUILD_ONLY=1: the build alone (the send of 100,000 takes minutes).
      if (process.env.BENCH_BUILD_ONLY) continue;

      await db.orm
        .update(distributions)
        .set({ status: 'sending' })
        .where(eq(distributions.id, distribution!.id));
      const ranges = await queryRows<{ from_id: number; to_id: number }>(
        db.orm,
        sql`SELECT min(id) AS from_id, max(id) AS to_id FROM (
              SELECT id, (row_number() OVER (ORDER BY id) - 1) / 250 AS b FROM distribution_recipients
              WHERE distribution_id = ${distribution!.id} AND status = 'pending') x GROUP BY b ORDER BY b`,
      );
      const pending = counts.find((c) => c.status === 'pending')?.n ?? 0;
      const before = await stats();
      const deps = { db, secrets, logger, publicUrl: 'https://rapport.example' };
      let peakRss = process.memoryUsage().rss;
      // The live heap after a full collection, every 40 batches: flat if the send holds one batch at a time.
      const liveHeap: number[] = [liveHeapMb()];
      const sendStarted = performance.now();
      for (const [i, range] of ranges.entries()) {
        await sendBatch(deps, distribution!.id, Number(range.from_id), Number(range.to_id));
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        if (i % 40 === 39) liveHeap.push(liveHeapMb());
      }
      const sendSeconds = (performance.now() - sendStarted) / 1000;
      await closeTransports(db);
      const after = await stats();
      const [sent] = await queryRows<{ n: number }>(
        db.orm,
        sql`SELECT count(*)::int AS n FROM distribution_recipients WHERE distribution_id = ${distribution!.id} AND status = 'sent'`,
      );
      console.log(
        `  send:   ${sendSeconds.toFixed(2)} s  ${Math.round(pending / sendSeconds).toLocaleString('en')} messages/s  (target >= 500)` +
          `  ${sent?.n} marked sent, ${after.received - before.received} received by the server, ${after.connections - before.connections} connections`,
      );

      // The ceiling: the same number of messages through a bare pool, no database, no rendering.
      const bare = createSmtpTransport({
        host: '127.0.0.1',
        port,
        requireTLS: false,
        maxConnections,
        maxMessages: 1000,
      });
      let next = 0;
      const bareStarted = performance.now();
      await Promise.all(
        Array.from({ length: maxConnections }, async () => {
          while (next < pending) {
            const i = next++;
            // The same shape as the distribution's messages: text and HTML, unsubscribe headers.
            const link = `https://rapport.example/s/${randomBytes(32).toString('base64url')}`;
            await bare.send({
              from: { name: 'Acme Customer Success', address: 'surveys@rapport.example' },
              to: `person${i}@example.test`,
              subject: `Votre avis compte, Person${i} : comment évaluez-vous Acme ?`,
              text: `Bonjour Person${i},\n\nRecommanderiez-vous Acme ?\n${link}\n\nDésinscription : ${link}`,
              html: `<p>Bonjour Person${i},</p><p><a href="${link}">Répondre</a></p>`,
              headers: {
                'List-Unsubscribe': `<${link}>`,
                'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
              },
              messageId: `<bare-${engine}-${i}@rapport.example>`,
            });
          }
        }),
      );
      const bareSeconds = (performance.now() - bareStarted) / 1000;
      await bare.close();
      console.log(
        `  bare pooled SMTP send of the same ${pending} messages: ${Math.round(pending / bareSeconds).toLocaleString('en')} messages/s` +
          `  → the distribution sends at ${Math.round((bareSeconds / sendSeconds) * 100)}% of it`,
      );
      console.log(
        `  peak RSS ${Math.round(peakRss / 1e6)} MB; live heap after GC during the send (MB): ${liveHeap.join(' ')}`,
      );
    } finally {
      await cleanup();
    }
  }
  child.send('close');
  await once(child, 'exit');
  rmSync(work, { recursive: true, force: true });
}

/** Live heap in MB after a full collection (gc exposed at run time: no node flag needed). */
function liveHeapMb(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return Math.round(process.memoryUsage().heapUsed / 1e6);
}

async function openEngine(engine: string): Promise<{ db: Database; cleanup(): Promise<void> }> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'rapport-bench-pglite-'));
    const db = await openPglite(dir);
    return {
      db,
      cleanup: async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('Set BENCH_DATABASE_URL or TEST_DATABASE_URL for the PostgreSQL run');
  const name = `rapport_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = await openPostgres(u.toString());
  return {
    db,
    cleanup: async () => {
      await db.close();
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
    },
  };
}
