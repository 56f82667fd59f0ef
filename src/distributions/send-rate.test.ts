import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Auth, apiOf } from '../../test/harness/distributions.ts';
import { csvFile, fixture, importFiles } from '../../test/harness/import-helpers.ts';
import { silentLogger } from '../../test/harness/logger.ts';
import { type RunningProcess, startProcess } from '../../test/harness/processes.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import { testEngine, withDatabase } from '../../test/harness/test-env.ts';
import type { JobContext } from '../platform/jobs/define-job.ts';
import { sendBatch } from './send.ts';
import { startDistribution } from './start.jobs.ts';
import { closeTransports } from './transport-cache.ts';

/**
 * The provider's rate (messages per second) holds across every sender at once: two senders — on
 * PostgreSQL two processes of their own, as two `rapport worker`s are — send two distributions on
 * the same channel at the same time, and together they stay within the one rate.
 */

const RATE = 25;
const PER_DISTRIBUTION = 25;

let t: TestApp;
let cx: Auth;
let admin: Auth;
let surveyId: number;
const contactIds: number[] = [];
const running: RunningProcess[] = [];
const call = apiOf(() => t);

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.bearerFor('admin');
  cx = await t.bearerFor('cx_manager');
  expect((await call('POST', '/directories', cx, { name: 'Main' })).statusCode).toBe(201);
  const lines = ['Id,AccountId,Title,FirstName,LastName,Email'];
  for (let i = 1; i <= PER_DISTRIBUTION * 2; i++)
    lines.push(`R${i},001A,Analyst,Rae${i},Rate,r${i}@rate.example`);
  const { run, issues } = await importFiles(t.runtime.db, t.runtime.secrets, 'Main', {
    accounts: fixture('Account.csv'),
    contacts: csvFile('Contact.csv', lines),
  });
  expect(run.status, JSON.stringify({ run, issues })).toBe('succeeded');
  for (const row of await t.runtime.db.query<{ id: number }>('SELECT id FROM contacts ORDER BY external_ref'))
    contactIds.push(Number(row.id));
  const survey = await call('POST', '/directories/Main/surveys', cx, {
    name: 'Pulse',
    definition: { elements: [{ type: 'rating', name: 'nps', rateMin: 0, rateMax: 10 }] },
  });
  expect(survey.statusCode, survey.body).toBe(201);
  surveyId = survey.json().id;
  expect((await call('POST', `/surveys/${surveyId}/activate`, cx)).statusCode).toBe(200);
  const rate = await call('PUT', '/delivery-providers/email', admin, {
    settings: { kind: 'outbox' },
    ratePerSecond: RATE,
  });
  expect(rate.statusCode, rate.body).toBe(200);
});

afterAll(async () => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await closeTransports(t.runtime.db);
  await t.close();
});

/** A distribution built (recipients snapshotted, status `sending`) but not sent: no workers run here. */
async function built(name: string, ids: number[]): Promise<number> {
  const created = await call('POST', '/directories/Main/distributions', cx, {
    surveyId,
    name,
    channel: 'email',
    recipients: { type: 'contacts', contactIds: ids },
    message: {
      fromName: 'Cloud Kicks',
      subject: `${name}`,
      text: 'Hello {{ contact.firstName }}: {{ link }}',
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().id as number;
  const [row] = await t.runtime.db.query<{ scheduled_at: Date }>(
    'SELECT scheduled_at FROM distributions WHERE id = $1',
    [id],
  );
  await startDistribution.run(
    { distributionId: id, scheduledAt: new Date(row!.scheduled_at).toISOString() },
    t.runtime,
    { jobId: 'test', retryCount: 0, logger: silentLogger } as unknown as JobContext,
  );
  // Held until both senders are ready, then let go at the same instant.
  await t.runtime.db.query(`UPDATE distributions SET status = 'paused' WHERE id = $1`, [id]);
  return id;
}

describe('the send rate across senders', () => {
  it('keeps two concurrent senders of one channel within the provider rate, together', {
    timeout: 120_000,
  }, async () => {
    const a = await built('First', contactIds.slice(0, PER_DISTRIBUTION));
    const b = await built('Second', contactIds.slice(PER_DISTRIBUTION));
    const go = () =>
      t.runtime.db.query(`UPDATE distributions SET status = 'sending' WHERE id IN ($1, $2)`, [a, b]);

    if (testEngine() === 'postgres') {
      const [{ db: name }] = (await t.runtime.db.query<{ db: string }>(
        'SELECT current_database() AS db',
      )) as [{ db: string }];
      const url = withDatabase(process.env.TEST_DATABASE_URL!, name);
      const senders = [a, b].map((id) =>
        startProcess(new URL('./rate-sender.fixture.ts', import.meta.url).pathname, [url, String(id)], {}),
      );
      running.push(...senders);
      await Promise.all(senders.map((p) => p.waitForOutput(/ready/)));
      await go();
      await Promise.all(senders.map((p) => p.waitForOutput(/done/)));
      for (const p of senders) expect((await p.exited).code, p.output()).toBe(0);
    } else {
      // The embedded database is one process: its two senders are two batches in flight at once.
      await go();
      const deps = { ...t.runtime, publicUrl: 'http://127.0.0.1:1' };
      const sendAll = async (id: number) => {
        for (;;) {
          const outcome = await sendBatch(deps, id, 1, 2 ** 31 - 1);
          if ('completed' in outcome && outcome.completed) return;
        }
      };
      await Promise.all([sendAll(a), sendAll(b)]);
    }

    const sent = await t.runtime.db.query<{ distribution_id: number; at: number }>(
      `SELECT distribution_id, extract(epoch FROM created_at)::float8 * 1000 AS at
       FROM outbox_messages WHERE distribution_id IN ($1, $2) ORDER BY created_at`,
      [a, b],
    );
    expect(sent).toHaveLength(PER_DISTRIBUTION * 2);
    const at = sent.map((m) => Number(m.at));
    const of = (id: number) => at.filter((_, i) => Number(sent[i]!.distribution_id) === id);
    // The two really sent at the same time: each began before the other ended.
    expect(Math.min(...of(a))).toBeLessThan(Math.max(...of(b)));
    expect(Math.min(...of(b))).toBeLessThan(Math.max(...of(a)));
    // Together, one rate: 50 messages at 25/s take about 2 s (each sender alone at 25/s: about 1 s;
    // the margin is for a loaded machine, where a first message may leave late).
    const gap = 1000 / RATE;
    expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual((at.length - 1) * gap * 0.75);
    // And no burst: in any second, at most the rate, plus the messages whose slot came while their
    // process was held up (at most one per send worker: the outbox takes 4 at once, per sender).
    for (const from of at)
      expect(at.filter((x) => x >= from && x < from + 1000).length).toBeLessThanOrEqual(RATE + 8);
  });
});
