import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import type { OutgoingEmail, SendOutcome } from './email-message.ts';
import { classifySmtpError, type SendFailure } from './smtp-errors.ts';
import { type SmtpSettingsInput, ZSmtpSettings } from './smtp-settings.ts';

export {
  parseSmtpUrl,
  type SmtpSettings,
  type SmtpSettingsInput,
  ZSmtpSettings,
  ZSmtpUrl,
} from './smtp-settings.ts';

export interface SmtpTransport {
  /** Resolves with the outcome; rejects only for a programming error (a malformed messageId or header). */
  send(email: OutgoingEmail): Promise<SendOutcome>;
  /** Connects, upgrades TLS and logs in on a connection of its own; throws SmtpError saying what is wrong. */
  verify(): Promise<void>;
  /**
   * Stops taking messages. Messages on the wire finish; those still queued fail as temporary
   * (retry later). Resolves once every send has settled.
   */
  close(): Promise<void>;
}

export class SmtpError extends Error {
  code: string | null;
  constructor(message: string, options: { code: string | null; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'SmtpError';
    this.code = options.code;
  }
}

/** Headers nodemailer writes from OutgoingEmail's own fields: a second copy would contradict them. */
const OWN_HEADERS = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'message-id',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);

/** `<key@host>`: angle brackets, an @, no spaces (RFC 5322 msg-id). */
const MESSAGE_ID = /^<[^<>\s@]+@[^<>\s@]+>$/;

/** A pool of SMTP connections (nodemailer) that turns every delivery problem into a SendOutcome. */
export function createSmtpTransport(input: SmtpSettingsInput): SmtpTransport {
  const settings = ZSmtpSettings.parse(input);
  const server = { host: settings.host, port: settings.port, user: settings.auth?.user };
  const transporter = nodemailer.createTransport({
    pool: true,
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: !settings.secure && settings.requireTLS,
    tls: {
      rejectUnauthorized: settings.tls.rejectUnauthorized,
      minVersion: 'TLSv1.2',
      ...(settings.tls.ca ? { ca: settings.tls.ca } : {}),
      ...(settings.tls.servername ? { servername: settings.tls.servername } : {}),
    },
    ...(settings.auth ? { auth: { user: settings.auth.user, pass: settings.auth.pass } } : {}),
    ...(settings.name ? { name: settings.name } : {}),
    maxConnections: settings.maxConnections,
    maxMessages: settings.maxMessages,
    ...(settings.rateLimit ? { rateLimit: settings.rateLimit, rateDelta: settings.rateDelta } : {}),
    connectionTimeout: settings.connectionTimeout,
    greetingTimeout: settings.greetingTimeout,
    socketTimeout: settings.socketTimeout,
    // Every failure comes back as a SendOutcome for the caller to record; nodemailer's own log
    // would repeat each one up to three times, refused recipients at error level.
    logger: false,
  });
  const inFlight = new Set<Promise<SendOutcome>>();
  let closed = false;

  async function deliver(email: OutgoingEmail): Promise<SendOutcome> {
    const invalid = checkRecipient(email.to);
    if (invalid) return invalid;
    try {
      const info = await transporter.sendMail({
        from: { name: email.from.name ?? '', address: email.from.address },
        ...(email.replyTo ? { replyTo: email.replyTo } : {}),
        to: email.to,
        subject: email.subject,
        text: email.text,
        ...(email.html !== undefined ? { html: email.html } : {}),
        headers: email.headers ?? {},
        messageId: email.messageId,
        // content is always given as strings: never let a value be read as a file path or URL
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      return {
        status: 'sent',
        providerMessageId: providerMessageIdOf(info, email.messageId),
        response: info.response,
      };
    } catch (error) {
      return classifySmtpError(error, server);
    }
  }

  return {
    async send(email) {
      checkEmail(email);
      if (closed) {
        return {
          status: 'failed',
          permanent: false,
          code: 'ECONNECTION',
          message: 'The SMTP transport is closed',
        };
      }
      const sending = deliver(email);
      inFlight.add(sending);
      try {
        return await sending;
      } finally {
        inFlight.delete(sending);
      }
    },
    async verify() {
      try {
        await transporter.verify();
      } catch (error) {
        const failure = classifySmtpError(error, server);
        throw new SmtpError(failure.message, { code: failure.code, cause: error });
      }
    },
    async close() {
      closed = true;
      transporter.close();
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** Mistakes of the calling code, not delivery problems: they throw. */
function checkEmail(email: OutgoingEmail) {
  if (!MESSAGE_ID.test(email.messageId)) {
    throw new TypeError(`messageId must look like <key@host>, got ${JSON.stringify(email.messageId)}`);
  }
  for (const name of Object.keys(email.headers ?? {})) {
    if (OWN_HEADERS.has(name.toLowerCase())) {
      throw new TypeError(`headers must not set ${name}: it comes from the OutgoingEmail's own fields`);
    }
  }
}

/**
 * One message goes to exactly one mailbox. A list ("a@x, b@y") or a malformed address from contact
 * data is refused here, as a server would refuse it: permanently, with RFC 3463's 5.1.3.
 */
function checkRecipient(to: string): SendFailure | null {
  const parsed = addressparser(to);
  const only = parsed.length === 1 ? parsed[0] : undefined;
  if (only?.address && /^[^@\s]+@[^@\s]+$/.test(only.address)) return null;
  return {
    status: 'failed',
    permanent: true,
    code: '5.1.3',
    message: `Not a single valid email address: ${JSON.stringify(to)}`,
  };
}

/** Postfix, SendGrid…: `250 2.0.0 Ok: queued as 4F2k9`; Exim: `250 OK id=1t2AbC-0004Xy-2Q`. */
const QUEUE_ID = /\b(?:queued as|id=)\s*([\w.-]+)/i;

function providerMessageIdOf(info: { response: string; serverMessageId?: string }, ownId: string) {
  return info.serverMessageId ?? QUEUE_ID.exec(info.response)?.[1] ?? ownId;
}
