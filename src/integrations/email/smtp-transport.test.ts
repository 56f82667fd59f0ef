import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpServer, type TestSmtpServer } from '../../../test/harness/smtp-server.ts';
import { isConfigurationFailure, type OutgoingEmail } from './email-message.ts';
import {
  createSmtpTransport,
  SmtpError,
  type SmtpSettingsInput,
  type SmtpTransport,
} from './smtp-transport.ts';

const opened: { servers: TestSmtpServer[]; transports: SmtpTransport[] } = { servers: [], transports: [] };
afterEach(async () => {
  await Promise.all(opened.transports.splice(0).map((t) => t.close()));
  await Promise.all(opened.servers.splice(0).map((s) => s.close()));
});

async function server(behaviour?: Parameters<typeof startSmtpServer>[0]) {
  const started = await startSmtpServer(behaviour);
  opened.servers.push(started);
  return started;
}

function transport(to: TestSmtpServer, settings: Partial<SmtpSettingsInput> = {}) {
  const created = createSmtpTransport({ host: to.host, port: to.port, requireTLS: false, ...settings });
  opened.transports.push(created);
  return created;
}

const email = (n: number, overrides: Partial<OutgoingEmail> = {}): OutgoingEmail => ({
  from: { name: 'Acme Customer Success', address: 'surveys@rapport.test' },
  to: `contact${n}@customer.test`,
  subject: `Survey ${n}`,
  text: `Hello ${n}`,
  messageId: `<inv-${n}@rapport.test>`,
  ...overrides,
});

describe('SMTP transport: delivery', () => {
  it('sends headers, Message-ID, UTF-8 text and an html alternative as given', async () => {
    const smtp = await server();
    const unsubscribe = '<https://rapport.test/u/9c1e7b>, <mailto:unsubscribe@rapport.test?subject=9c1e7b>';
    const subject = 'Votre avis compte : évaluez Acme — 您的意见 · Ваше мнение 🙂';
    const text =
      'Bonjour Zoë, comment évaluez-vous Acme ?\n日本語のテキスト, ελληνικά, עברית\nhttps://rapport.test/s/3q8ZkV';
    const html = '<p>Bonjour Zoë, comment <b>évaluez</b>-vous Acme ?</p><p>日本語 · Ελληνικά</p>';

    const outcome = await transport(smtp).send({
      from: { name: 'Équipe Acme – Réussite client', address: 'surveys@rapport.test' },
      replyTo: 'csm@acme.test',
      to: 'zoe.muller@customer.test',
      subject,
      text,
      html,
      headers: {
        'List-Unsubscribe': unsubscribe,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        // a newline in a value must not start a header of its own
        'X-Rapport-Campaign': 'q3\r\nBcc: attacker@evil.test',
      },
      messageId: '<inv-7f3a9c2e@rapport.test>',
    });

    expect(outcome).toEqual({
      status: 'sent',
      providerMessageId: 'T1',
      response: '250 2.6.0 Ok: queued as T1',
    });
    const [received] = await smtp.waitFor(1);
    expect(received!.envelope).toEqual({ from: 'surveys@rapport.test', to: ['zoe.muller@customer.test'] });
    expect(received!.messageId).toBe('<inv-7f3a9c2e@rapport.test>');
    expect(received!.header('List-Unsubscribe')).toBe(unsubscribe);
    expect(received!.header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(received!.header('X-Rapport-Campaign')).toBe('q3 Bcc: attacker@evil.test');
    expect(received!.header('Bcc')).toBeUndefined();
    expect(received!.subject).toBe(subject);
    expect(received!.text?.trim()).toBe(text);
    expect(received!.html).toBe(html);
    expect(received!.parsed.from?.value).toEqual([
      { name: 'Équipe Acme – Réussite client', address: 'surveys@rapport.test' },
    ]);
    expect(received!.parsed.replyTo?.text).toBe('csm@acme.test');
    expect(received!.header('Content-Type')).toMatch(/^multipart\/alternative;/);
    expect(received!.raw.every((byte) => byte < 0x80)).toBe(true); // encoded: no 8-bit bytes on the wire
  });

  it('sends 50 messages over at most 3 connections', async () => {
    const smtp = await server();
    const pool = transport(smtp, { maxConnections: 3 });
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, n) => pool.send(email(n))));

    expect(outcomes.every((o) => o.status === 'sent')).toBe(true);
    expect(smtp.messages).toHaveLength(50);
    expect(smtp.connections).toBeLessThanOrEqual(3);
    expect(new Set(smtp.messages.map((m) => m.sessionId)).size).toBeLessThanOrEqual(3);
    expect(new Set(smtp.messages.map((m) => m.messageId)).size).toBe(50);
  });

  it('replaces a connection after maxMessages', async () => {
    const smtp = await server();
    const pool = transport(smtp, { maxConnections: 1, maxMessages: 10 });
    await Promise.all(Array.from({ length: 30 }, (_, n) => pool.send(email(n))));
    expect(smtp.messages).toHaveLength(30);
    expect(smtp.connections).toBe(3);
  });

  it('refuses an address that is not a single mailbox without asking the server', async () => {
    const smtp = await server();
    const pool = transport(smtp);
    for (const to of ['not-an-address', 'a@customer.test, b@customer.test', '']) {
      expect(await pool.send(email(1, { to }))).toMatchObject({
        status: 'failed',
        permanent: true,
        code: '5.1.3',
      });
    }
    expect(smtp.connections).toBe(0);
  });

  it('rejects a malformed Message-ID or a header that would contradict the message', async () => {
    const pool = transport(await server());
    await expect(pool.send(email(1, { messageId: 'inv-1@rapport.test' }))).rejects.toThrow(/<key@host>/);
    await expect(pool.send(email(1, { headers: { 'message-id': '<x@y>' } }))).rejects.toThrow(
      /must not set message-id/,
    );
  });

  it('lets messages on the wire finish at close and fails the rest as temporary', async () => {
    const smtp = await server({ delay: { dataMs: 50 } });
    const pool = createSmtpTransport({
      host: smtp.host,
      port: smtp.port,
      requireTLS: false,
      maxConnections: 1,
    });
    const sending = Array.from({ length: 5 }, (_, n) => pool.send(email(n)));
    await new Promise((r) => setTimeout(r, 30));
    await pool.close();
    const outcomes = await Promise.all(sending);

    expect(outcomes[0]).toMatchObject({ status: 'sent' });
    expect(outcomes.slice(1).every((o) => o.status === 'failed' && !o.permanent)).toBe(true);
    expect(await pool.send(email(9))).toMatchObject({
      status: 'failed',
      permanent: false,
      code: 'ECONNECTION',
    });
  });
});

describe('SMTP transport: TLS and authentication', () => {
  it('upgrades with STARTTLS to a server whose certificate is trusted through tls.ca', async () => {
    const smtp = await server({ tls: 'starttls' });
    const outcome = await transport(smtp, { requireTLS: true, tls: { ca: smtp.certificate! } }).send(
      email(1),
    );
    expect(outcome.status).toBe('sent');
    expect(smtp.messages[0]!.secure).toBe(true);
  });

  it('speaks implicit TLS (secure)', async () => {
    const smtp = await server({ tls: 'implicit' });
    expect(
      (await transport(smtp, { secure: true, tls: { ca: smtp.certificate! } }).send(email(1))).status,
    ).toBe('sent');
    expect(smtp.messages[0]!.secure).toBe(true);
  });

  // An untrusted certificate is the settings' fault, not the message's: not permanent (the message
  // can go once an admin fixes the CA), coded ETLS so the sender stops the batch instead of retrying.
  it('refuses an untrusted certificate as a configuration failure and sends nothing', async () => {
    for (const [tls, settings] of [
      ['starttls', { requireTLS: true }],
      ['implicit', { secure: true }],
    ] as const) {
      const smtp = await server({ tls });
      const outcome = await transport(smtp, settings).send(email(1));
      expect(outcome).toMatchObject({ status: 'failed', permanent: false, code: 'ETLS' });
      expect(outcome.status === 'failed' && outcome.message).toMatch(
        /certificate of the SMTP server 127\.0\.0\.1:\d+ is not trusted \(self-signed certificate.*tls\.ca/,
      );
      expect(isConfigurationFailure(outcome)).toBe(true);
      expect(smtp.messages).toHaveLength(0);
    }
  });

  it('does not fall back to clear text when requireTLS meets a server without STARTTLS', async () => {
    const smtp = await server();
    const outcome = await transport(smtp, { requireTLS: true }).send(email(1));
    expect(outcome).toMatchObject({ status: 'failed', permanent: false, code: 'ETLS' });
    expect(outcome.status === 'failed' && outcome.message).toMatch(
      /does not offer STARTTLS.*Nothing was sent/,
    );
    expect(smtp.messages).toHaveLength(0);
  });

  it('explains implicit TLS pointed at a STARTTLS port', async () => {
    const outcome = await transport(await server(), { secure: true }).send(email(1));
    expect(outcome).toMatchObject({ status: 'failed', permanent: false, code: 'ETLS' });
    expect(outcome.status === 'failed' && outcome.message).toMatch(/does not start TLS on connect.*port 465/);
  });

  it('logs in, and says clearly when the password is wrong or missing', async () => {
    const smtp = await server({ tls: 'starttls', auth: { user: 'rapport', pass: 'correct horse' } });
    const base = { requireTLS: true, tls: { ca: smtp.certificate! } };

    const good = transport(smtp, { ...base, auth: { user: 'rapport', pass: 'correct horse' } });
    await good.verify();
    expect((await good.send(email(1))).status).toBe('sent');
    expect(smtp.messages[0]!.user).toBe('rapport');

    const wrong = transport(smtp, { ...base, auth: { user: 'rapport', pass: 'wrong' } });
    const refused = await wrong.send(email(2));
    expect(refused).toEqual({
      status: 'failed',
      permanent: false,
      code: 'EAUTH',
      message: `The SMTP server 127.0.0.1:${smtp.port} refused the login of rapport: 535 5.7.8 Authentication credentials invalid`,
    });
    await expect(wrong.verify()).rejects.toThrow(SmtpError);
    await expect(wrong.verify()).rejects.toThrow(/refused the login of rapport: 535 5\.7\.8/);

    const anonymous = await transport(smtp, base).send(email(3));
    expect(anonymous).toMatchObject({ status: 'failed', permanent: false, code: 'ENOAUTH' });
    expect(anonymous.status === 'failed' && anonymous.message).toMatch(/requires authentication: set a user/);
    expect(smtp.messages).toHaveLength(1);
  });
});

describe('SMTP transport: failures', () => {
  it('reports a refused recipient as permanent and keeps using the connection', async () => {
    const smtp = await server({ rejectRecipients: ['gone@customer.test'] });
    const pool = transport(smtp, { maxConnections: 1 });
    const refused = await pool.send(email(1, { to: 'gone@customer.test' }));
    expect(refused).toMatchObject({ status: 'failed', permanent: true, code: '5.1.1' });
    expect(refused.status === 'failed' && refused.message).toMatch(
      /refused the recipient: 550 5\.1\.1 <gone@customer\.test>: Recipient address rejected: User unknown/,
    );
    expect((await pool.send(email(2))).status).toBe('sent');
    expect(smtp.connections).toBe(1);
  });

  it('reports 451 as temporary; the next message goes through', async () => {
    const smtp = await server({ tempFailFirst: 1 });
    const pool = transport(smtp, { maxConnections: 1 });
    expect(await pool.send(email(1))).toMatchObject({ status: 'failed', permanent: false, code: '4.3.0' });
    expect((await pool.send(email(1))).status).toBe('sent');
  });

  it('reports a connection cut after DATA as temporary and carries on over a new connection', async () => {
    const smtp = await server({ dropConnectionOnMessage: 2 });
    const pool = transport(smtp, { maxConnections: 1 });
    const outcomes = await Promise.all([1, 2, 3].map((n) => pool.send(email(n))));

    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'failed', 'sent']);
    expect(outcomes[1]).toMatchObject({ permanent: false, code: 'ECONNECTION' });
    expect(smtp.messages.map((m) => m.messageId)).toEqual(['<inv-1@rapport.test>', '<inv-3@rapport.test>']);
    expect(smtp.connections).toBe(2);
  });

  it('times out on a slow server (greeting or reply) as temporary', async () => {
    const slowReply = await transport(await server({ delay: { dataMs: 1000 } }), { socketTimeout: 300 }).send(
      email(1),
    );
    expect(slowReply).toMatchObject({ status: 'failed', permanent: false, code: 'ETIMEDOUT' });
    expect(slowReply.status === 'failed' && slowReply.message).toMatch(
      /did not answer in time \(socket timeout\)/,
    );

    const slowGreeting = await transport(await server({ delay: { greetingMs: 1000 } }), {
      greetingTimeout: 300,
    }).send(email(1));
    expect(slowGreeting).toMatchObject({ status: 'failed', permanent: false, code: 'ETIMEDOUT' });
  });

  it('reports a refused connection as temporary', async () => {
    const closed = await startSmtpServer();
    await closed.close();
    const outcome = await transport(closed).send(email(1));
    expect(outcome).toMatchObject({ status: 'failed', permanent: false, code: 'ECONNREFUSED' });
    await expect(transport(closed).verify()).rejects.toThrow(/Cannot reach the SMTP server 127\.0\.0\.1:\d+/);
  });
});
