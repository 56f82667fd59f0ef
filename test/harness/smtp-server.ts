import { type HeaderLines, type ParsedMail, simpleParser } from 'mailparser';
import { generate } from 'selfsigned';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMessage {
  envelope: { from: string; to: string[] };
  /** The message as the client sent it (after dot-unstuffing). */
  raw: Buffer;
  parsed: ParsedMail;
  subject: string | undefined;
  text: string | undefined;
  html: string | false;
  messageId: string | undefined;
  /** A header as written on the wire, unfolded and not decoded (`List-Unsubscribe` → `<https://…>`). */
  header(name: string): string | undefined;
  /** Which connection carried it (the smtp-server session id). */
  sessionId: string;
  secure: boolean;
  user: string | undefined;
}

export interface SmtpServerBehaviour {
  /** `none` (default; AUTH allowed in clear), `starttls`, or `implicit` TLS from the first byte. */
  tls?: 'none' | 'starttls' | 'implicit';
  /** Require AUTH PLAIN/LOGIN with these credentials before MAIL FROM. */
  auth?: { user: string; pass: string };
  /** Recipients answered `550 5.1.1` at RCPT TO. */
  rejectRecipients?: string[];
  /** Answer `451 4.3.0` to the first N messages (counted over the server, at the end of DATA). */
  tempFailFirst?: number;
  /** Cut the connection without a reply after receiving the whole Nth message (1-based). */
  dropConnectionOnMessage?: number;
  /** Wait before the greeting and before the reply to each message's DATA. */
  delay?: { greetingMs?: number; dataMs?: number };
}

export interface TestSmtpServer {
  host: string;
  port: number;
  /** PEM of the self-signed certificate a TLS server presents (trust it as `tls.ca`); null without TLS. */
  certificate: string | null;
  messages: ReceivedMessage[];
  /** Connections accepted so far: pooling shows as few connections for many messages. */
  readonly connections: number;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  close(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 (nodemailer's smtp-server package) that keeps what it receives,
 * with switches to misbehave the way production relays do: refused recipients, temporary
 * failures, connections cut after DATA, slow answers, TLS with a certificate made for the test.
 */
export async function startSmtpServer(behaviour: SmtpServerBehaviour = {}): Promise<TestSmtpServer> {
  const tlsMode = behaviour.tls ?? 'none';
  const pems = tlsMode === 'none' ? null : await selfSignedCertificate();
  const rejected = new Set((behaviour.rejectRecipients ?? []).map((a) => a.toLowerCase()));
  const messages: ReceivedMessage[] = [];
  const waiters = new Set<() => void>();
  let connections = 0;
  let dataAttempts = 0;
  let queueId = 0;

  const options: SMTPServerOptions = {
    logger: false,
    name: 'smtp.test.local',
    secure: tlsMode === 'implicit',
    // smtp-server would still answer a hidden STARTTLS with its built-in (expired) certificate
    ...(tlsMode === 'none' ? { hideSTARTTLS: true, disabledCommands: ['STARTTLS'] } : {}),
    ...(pems ? { key: pems.private, cert: pems.cert } : {}),
    // the tests decide when TLS matters; without it AUTH has to be allowed in clear
    allowInsecureAuth: tlsMode === 'none',
    authOptional: !behaviour.auth,
    closeTimeout: 1000,
    hideENHANCEDSTATUSCODES: false,
    onConnect(_session, callback) {
      connections++;
      setTimeout(callback, behaviour.delay?.greetingMs ?? 0);
    },
    onAuth(auth, _session, callback) {
      const expected = behaviour.auth;
      if (expected && auth.username === expected.user && auth.password === expected.pass) {
        return callback(null, { user: auth.username });
      }
      callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      if (rejected.has(address.address.toLowerCase())) {
        // smtp-server adds the enhanced code (5.1.1 for 550)
        return callback(
          Object.assign(new Error(`<${address.address}>: Recipient address rejected: User unknown`), {
            responseCode: 550,
          }),
        );
      }
      callback();
    },
    onData(stream, session, callback) {
      const attempt = ++dataAttempts;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (attempt === behaviour.dropConnectionOnMessage) {
          // the whole message is in, the client never hears about it: the ambiguous case
          cut(session.id);
          return;
        }
        setTimeout(() => {
          if (attempt <= (behaviour.tempFailFirst ?? 0)) {
            return callback(
              Object.assign(new Error('Temporary local problem, try again'), { responseCode: 451 }),
            );
          }
          const raw = Buffer.concat(chunks);
          void keep(raw, session).then(() => callback(null, `Ok: queued as T${++queueId}`), callback);
        }, behaviour.delay?.dataMs ?? 0);
      });
    },
  };

  async function keep(raw: Buffer, session: SMTPServerSession) {
    const parsed = await simpleParser(raw);
    messages.push({
      envelope: {
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
      },
      raw,
      parsed,
      subject: parsed.subject,
      text: parsed.text,
      html: parsed.html ?? false,
      messageId: parsed.messageId,
      header: (name) => rawHeader(parsed.headerLines, name),
      sessionId: session.id,
      secure: session.secure,
      user: session.user as string | undefined,
    });
    for (const wake of waiters) wake();
  }

  const server = new SMTPServer(options);
  server.on('error', () => {}); // a client cutting its own connection is not the test's failure
  /**
   * Destroys a session's topmost socket (the TLS one once encrypted): destroying the TCP socket
   * under a live TLS socket crashes Node (a segfault, seen on Node 24).
   */
  const cut = (sessionId?: string) => {
    for (const connection of server.connections) {
      if (sessionId === undefined || connection.session.id === sessionId) connection._socket.destroy();
    }
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (typeof address !== 'object' || !address) throw new Error('SMTP server has no address');

  return {
    host: '127.0.0.1',
    port: address.port,
    certificate: pems?.cert ?? null,
    messages,
    get connections() {
      return connections;
    },
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(messages);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`SMTP server received ${messages.length} messages, expected ${count}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function rawHeader(lines: HeaderLines, name: string) {
  const line = lines.find((l) => l.key === name.toLowerCase())?.line;
  return line
    ?.slice(line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim();
}

/** A certificate for 127.0.0.1 and localhost, made now (EC keys: quick to generate). */
function selfSignedCertificate() {
  return generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
}
