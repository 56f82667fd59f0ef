import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Auth,
  apiOf,
  retriesOf,
  runRetriesNow,
  sleep,
  waitFor,
} from '../../test/harness/distributions.ts';
import { csvFile, fixture, importFiles } from '../../test/harness/import-helpers.ts';
import { startSmtpServer, type TestSmtpServer } from '../../test/harness/smtp-server.ts';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import { closeTransports } from './transport-cache.ts';

/**
 * Email through a real SMTP server on 127.0.0.1, end to end: the provider set through the API,
 * distributions created through the API, the start and send jobs run by workers started here.
 */

const PUBLIC_URL = 'https://cx.cloudkicks.example';
const CONTACTS = 60;
const SEND_QUEUE = 'distributions.send-batch';

let t: TestApp;
let admin: Auth;
let cx: Auth;
let surveyId: number;
let listId: number;
const servers: TestSmtpServer[] = [];
/** contact id by external ref, and by email address. */
const idOf: Record<string, number> = {};
const idByEmail: Record<string, number> = {};

const call = apiOf(() => t);
const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  call(method, url, cx, payload);

const emailOf = (i: number) => `contact${String(i).padStart(2, '0')}@customer${i % 4}.example`;
const REFUSED = emailOf(7);

const MESSAGE = {
  fromName: 'Cloud Kicks Customer Success',
  fromAddress: 'cx@cloudkicks.example',
  subject: 'Votre avis compte, {{ contact.firstName }} : évaluez Cloud Kicks',
  text: 'Bonjour {{ contact.firstName }},\nRépondez ici : {{ link }}\nSe désinscrire : {{ unsubscribe_link }}',
  html: '<p>Bonjour {{ contact.firstName }}, <a href="{{ link }}">répondre</a></p>',
};

let messageCounter = 0;
/** Each distribution a message of its own: the identical-message rule would hold a repeat back. */
const message = () => ({ ...MESSAGE, text: `${MESSAGE.text}\n(${++messageCounter})` });

async function useSmtp(server: TestSmtpServer, extra: { user?: string; secret?: string } = {}) {
  const response = await call('PUT', '/delivery-providers/email', admin, {
    settings: {
      kind: 'smtp',
      defaultFrom: 'surveys@cloudkicks.example',
      smtp: { host: server.host, port: server.port, secure: false, requireTLS: false, maxConnections: 3 },
      ...(extra.user ? { user: extra.user } : {}),
    },
    ...(extra.secret ? { secret: extra.secret } : {}),
    ratePerSecond: 500,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

async function smtpServer(behaviour: Parameters<typeof startSmtpServer>[0] = {}) {
  const server = await startSmtpServer(behaviour);
  servers.push(server);
  return server;
}

async function send(name: string, recipients: object) {
  const created = await api('POST', '/directories/Main/distributions', {
    surveyId,
    name,
    channel: 'email',
    recipients,
    message: message(),
  });
  expect(created.statusCode, created.body).toBe(201);
  return created.json().id as number;
}

const distribution = async (id: number) => (await api('GET', `/distributions/${id}`)).json();
const settled = (id: number, statuses = ['completed', 'failed', 'paused']) =>
  waitFor(
    () => distribution(id),
    (d) => statuses.includes(d.status),
    `distribution ${id} to be ${statuses.join(' or ')}`,
  );
async function recipients(id: number) {
  const items: { contactId: number; status: string; reason: string | null; attempts: number }[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: typeof items; nextCursor: string | null } = (
      await api('GET', `/distributions/${id}/recipients?limit=500${cursor ? `&cursor=${cursor}` : ''}`)
    ).json();
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** How many messages each envelope recipient got. */
function countByRecipient(server: TestSmtpServer) {
  const counts: Record<string, number> = {};
  for (const m of server.messages) for (const to of m.envelope.to) counts[to] = (counts[to] ?? 0) + 1;
  return counts;
}

beforeAll(async () => {
  t = await createTestApp({ env: { RAPPORT_PUBLIC_URL: PUBLIC_URL } });
  await t.runtime.jobs.startWorkers(t.runtime);
  admin = await t.bearerFor('admin');
  cx = await t.bearerFor('cx_manager');
  expect((await api('POST', '/directories', { name: 'Main' })).statusCode).toBe(201);

  const lines = ['Id,AccountId,Title,FirstName,LastName,Email'];
  const firstNames = ['Zoë', 'Amélie', 'Jürgen', 'Ana', 'Łukasz', 'Chloé'];
  for (let i = 1; i <= CONTACTS; i++)
    lines.push(`C${i},001A,Analyst,${firstNames[i % firstNames.length]},Nº${i},${emailOf(i)}`);
  const { run, issues } = await importFiles(
    t.runtime.db,
    t.runtime.secrets,
    'Main',
    { accounts: fixture('Account.csv'), contacts: csvFile('Contact.csv', lines) },
    { mailingList: 'Customers' },
  );
  expect(run.status, JSON.stringify({ run, issues })).toBe('succeeded');
  listId = Number(run.mailing_list_id);
  for (const row of await t.runtime.db.query<{ id: number; external_ref: string; email: string }>(
    'SELECT id, external_ref, email FROM contacts',
  )) {
    idOf[row.external_ref] = Number(row.id);
    idByEmail[row.email] = Number(row.id);
  }
  expect(Object.keys(idOf)).toHaveLength(CONTACTS);

  // These tests send to the same contacts several times: no frequency rule (exclusions as default).
  const rules = await api('PUT', '/directories/Main/sending-rules', { frequencyRules: [] });
  expect(rules.statusCode, rules.body).toBe(200);

  const survey = await api('POST', '/directories/Main/surveys', {
    name: 'Relationship NPS',
    definition: { elements: [{ type: 'rating', name: 'nps', rateMin: 0, rateMax: 10, isRequired: true }] },
    metrics: { npsQuestion: 'nps' },
  });
  surveyId = survey.json().id;
  expect((await api('POST', `/surveys/${surveyId}/activate`)).statusCode).toBe(200);
});

afterAll(async () => {
  await closeTransports(t.runtime.db);
  await t.close();
  for (const server of servers) await server.close();
});

describe('email through a real SMTP server', () => {
  let mainId: number;

  it('sends one message per contact over a pool of at most maxConnections, with our headers', async () => {
    const server = await smtpServer({ rejectRecipients: [REFUSED] });
    const provider = await useSmtp(server);
    expect(provider).toMatchObject({ channel: 'email', hasSecret: false, ratePerSecond: 500 });
    expect(JSON.stringify(provider)).not.toContain('secret":');

    mainId = await send('Q4 by SMTP', { type: 'mailingList', mailingListId: listId });
    const done = await settled(mainId);
    expect(done.status).toBe('completed');
    expect(done.stats).toMatchObject({
      selected: CONTACTS,
      inList: CONTACTS - 1,
      delivered: CONTACTS - 1,
      bounced: 1,
      failed: 0,
      pending: 0,
    });

    // Every contact but the refused one received exactly one message, and nothing else arrived.
    await sleep(300);
    const counts = countByRecipient(server);
    const expected = Object.fromEntries(
      Array.from({ length: CONTACTS }, (_, i) => emailOf(i + 1))
        .filter((e) => e !== REFUSED)
        .map((e) => [e, 1]),
    );
    expect(counts).toEqual(expected);
    expect(server.messages).toHaveLength(CONTACTS - 1);

    // Pooled: the whole send took at most maxConnections connections.
    expect(new Set(server.messages.map((m) => m.sessionId)).size).toBeLessThanOrEqual(3);
    expect(server.connections).toBeLessThanOrEqual(3);

    for (const m of server.messages) {
      const to = m.envelope.to[0]!;
      const contactId = idByEmail[to]!;
      expect(m.envelope.to).toEqual([to]);
      expect(m.messageId).toBe(`<rapport-d${mainId}-c${contactId}@cloudkicks.example>`);
      expect(m.parsed.from?.value).toEqual([
        { address: 'cx@cloudkicks.example', name: 'Cloud Kicks Customer Success' },
      ]);
      expect(m.header('List-Unsubscribe')).toMatch(
        new RegExp(`^<${PUBLIC_URL.replace(/\./g, '\\.')}/api/v1/public/unsubscribe/[\\w.-]+>$`),
      );
      expect(m.header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(m.text).toContain(`${PUBLIC_URL}/s/`);
    }
    // The subject is UTF-8, encoded on the wire (RFC 2047), and decodes to the accented text.
    const zoe = server.messages.find((m) => m.envelope.to[0] === emailOf(6))!;
    expect(zoe.subject).toBe('Votre avis compte, Zoë : évaluez Cloud Kicks');
    expect(zoe.header('Subject')).toMatch(/^=\?UTF-8\?[BQ]\?/i);
    expect(zoe.text).toContain('Bonjour Zoë,');
  });

  it('marks a recipient the server refuses with 550 5.1.1 bounced, and a later distribution excludes them', async () => {
    const list = await recipients(mainId);
    const refused = list.find((r) => r.contactId === idByEmail[REFUSED]);
    expect(refused).toMatchObject({ status: 'bounced', attempts: 1 });
    expect(list.filter((r) => r.status === 'sent')).toHaveLength(CONTACTS - 1);
    const [contact] = await t.runtime.db.query<{ email_bounced: boolean; email_bounced_reason: string }>(
      'SELECT email_bounced, email_bounced_reason FROM contacts WHERE id = $1',
      [idByEmail[REFUSED]],
    );
    expect(contact!.email_bounced).toBe(true);
    expect(contact!.email_bounced_reason).toMatch(/5\.1\.1/);

    const server = servers[0]!;
    const before = server.messages.length;
    const later = await send('Follow-up', { type: 'mailingList', mailingListId: listId });
    const done = await settled(later);
    expect(done.status).toBe('completed');
    expect(done.stats).toMatchObject({
      selected: CONTACTS,
      optedOut: 1,
      excludedByReason: { email_bounced: 1 },
      inList: CONTACTS - 1,
      bounced: 0,
    });
    const excluded = (await recipients(later)).find((r) => r.contactId === idByEmail[REFUSED]);
    expect(excluded).toMatchObject({ status: 'excluded', reason: 'email_bounced' });
    await sleep(200);
    expect(server.messages.length - before).toBe(CONTACTS - 1);
    expect(server.messages.slice(before).some((m) => m.envelope.to.includes(REFUSED))).toBe(false);
  });

  it('retries temporary 451 failures with the job backoff and delivers each message once', async () => {
    const server = await smtpServer({ tempFailFirst: 3 });
    await useSmtp(server);
    const picked = [1, 2, 3, 4, 5, 6].map((i) => idOf[`C${i}`]!);
    const id = await send('Temporary failures', { type: 'contacts', contactIds: picked });

    // The first pass delivers 3 and leaves 3 pending; the batch job fails and waits for its retry.
    const [retry] = await waitFor(
      () => retriesOf(t, SEND_QUEUE),
      (rows) => rows.length === 1,
      'the send job to wait for its retry',
    );
    // Backoff: 15 s and more before the retry, not an immediate loop.
    expect(retry!.wait_seconds).toBeGreaterThan(10);
    const midway = await distribution(id);
    expect(midway.status).toBe('sending');
    expect(midway.stats).toMatchObject({ inList: 3, pending: 3 });
    expect(server.messages).toHaveLength(3);

    await runRetriesNow(t, SEND_QUEUE);
    const done = await settled(id);
    expect(done.status).toBe('completed');
    expect(done.stats).toMatchObject({ selected: 6, inList: 6, delivered: 6, failed: 0, pending: 0 });
    await sleep(200);
    expect(Object.values(countByRecipient(server))).toEqual([1, 1, 1, 1, 1, 1]);
    const attempts = (await recipients(id)).map((r) => r.attempts).sort();
    expect(attempts).toEqual([1, 1, 1, 2, 2, 2]);
  });

  it('pauses on a refused SMTP login, says why, and resumes once the password is fixed, without duplicates', async () => {
    const server = await smtpServer({ auth: { user: 'rapport', pass: 'right-password' } });
    const configured = await useSmtp(server, { user: 'rapport', secret: 'wrong-password' });
    expect(configured.hasSecret).toBe(true);
    const picked = Array.from({ length: 20 }, (_, i) => idOf[`C${i + 11}`]!);
    const id = await send('Wrong password', { type: 'contacts', contactIds: picked });

    const paused = await settled(id);
    expect(paused.status).toBe('paused');
    expect(paused.error).toMatch(/^Paused: The SMTP server 127\.0\.0\.1:\d+ refused the login of rapport/);
    expect(paused.error).toContain('535');
    expect(paused.stats).toMatchObject({ inList: 0, pending: 20, failed: 0 });
    expect(server.messages).toHaveLength(0);

    // Only the password changes: the stored settings stay.
    const fixed = await call('PUT', '/delivery-providers/email', admin, {
      settings: {
        kind: 'smtp',
        defaultFrom: 'surveys@cloudkicks.example',
        smtp: { host: server.host, port: server.port, secure: false, requireTLS: false, maxConnections: 3 },
        user: 'rapport',
      },
      secret: 'right-password',
      ratePerSecond: 500,
    });
    expect(fixed.statusCode, fixed.body).toBe(200);
    const resumed = await api('POST', `/distributions/${id}/resume`);
    expect(resumed.statusCode, resumed.body).toBe(200);
    expect(resumed.json()).toMatchObject({ status: 'sending', error: null });

    const done = await settled(id, ['completed', 'failed']);
    expect(done.status).toBe('completed');
    expect(done.stats).toMatchObject({ selected: 20, inList: 20, failed: 0, pending: 0 });
    await sleep(300);
    const counts = countByRecipient(server);
    expect(Object.keys(counts)).toHaveLength(20);
    expect(Object.values(counts).every((n) => n === 1)).toBe(true);
    expect(server.messages.every((m) => m.user === 'rapport')).toBe(true);
    // A second resume is refused: it is no longer paused.
    expect((await api('POST', `/distributions/${id}/resume`)).statusCode).toBe(400);
  });

  it('marks a recipient bounced from a real DSN naming one of our Message-IDs', async () => {
    const contactId = idOf.C20!;
    const [before] = await t.runtime.db.query<{ email_bounced: boolean }>(
      'SELECT email_bounced FROM contacts WHERE id = $1',
      [contactId],
    );
    expect(before!.email_bounced).toBe(false);
    const dsn = readFileSync(
      new URL('../integrations/email/dsn-fixtures/postfix-user-unknown.eml', import.meta.url),
      'utf8',
    ).replace('<inv-7f3a9c2e@rapport.example>', `<rapport-d${mainId}-c${contactId}@cloudkicks.example>`);
    const post = (body: string, headers: Record<string, string> = {}) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/bounces',
        headers: { authorization: cx.authorization, 'content-type': 'message/rfc822', ...headers },
        payload: body,
      });

    const reported = await post(dsn);
    expect(reported.statusCode, reported.body).toBe(200);
    expect(reported.json()).toEqual({ bounced: 1, ignored: false });
    const recipient = (await recipients(mainId)).find((r) => r.contactId === contactId);
    expect(recipient).toMatchObject({ status: 'bounced' });
    const [after] = await t.runtime.db.query<{ email_bounced: boolean; email_bounced_reason: string }>(
      'SELECT email_bounced, email_bounced_reason FROM contacts WHERE id = $1',
      [contactId],
    );
    expect(after).toMatchObject({ email_bounced: true });
    expect(after!.email_bounced_reason).toContain('5.1.1');
    expect((await distribution(mainId)).stats.bounced).toBe(2);

    // Not ours, or not a bounce: nothing changes.
    const foreign = readFileSync(
      new URL('../integrations/email/dsn-fixtures/postfix-user-unknown.eml', import.meta.url),
      'utf8',
    );
    expect((await post(foreign)).json()).toEqual({ bounced: 0, ignored: true });
    const outOfOffice = readFileSync(
      new URL('../integrations/email/dsn-fixtures/out-of-office.eml', import.meta.url),
      'utf8',
    );
    expect((await post(outOfOffice)).json()).toEqual({ bounced: 0, ignored: true });
    // A delayed (4.x.x) report is not a bounce either.
    const delayed = readFileSync(
      new URL('../integrations/email/dsn-fixtures/postfix-delayed.eml', import.meta.url),
      'utf8',
    ).replace('<inv-2b7d41aa@rapport.example>', `<rapport-d${mainId}-c${idOf.C21}@cloudkicks.example>`);
    expect((await post(delayed)).json()).toEqual({ bounced: 0, ignored: true });
    expect((await recipients(mainId)).find((r) => r.contactId === idOf.C21)).toMatchObject({
      status: 'sent',
    });
    // The endpoint needs a user who may write data.
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/api/v1/bounces',
      headers: { 'content-type': 'message/rfc822' },
      payload: dsn,
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
