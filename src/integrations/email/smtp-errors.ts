import type { SendOutcome } from './email-message.ts';

export type SendFailure = Extract<SendOutcome, { status: 'failed' }>;

/** The fields nodemailer puts on its errors (see nodemailer/lib/errors NodemailerError). */
interface NodemailerErrorLike {
  message?: string;
  code?: string;
  /** The system error behind a nodemailer code: ECONNREFUSED behind ESOCKET, a TLS code… */
  originalCode?: string;
  responseCode?: number;
  response?: string;
  /** The SMTP command the reply answered: `MAIL FROM`, `RCPT TO`, `DATA`, `AUTH PLAIN`, `CONN`, `API`. */
  command?: string;
  timeoutType?: string;
  rejectedErrors?: NodemailerErrorLike[];
}

/** Node's codes for a certificate that does not chain to a trusted CA or does not fit the host. */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
// nodemailer rewraps STARTTLS failures in a new Error, keeping only the text of Node's error
const CERTIFICATE_TEXT =
  /self[- ]signed certificate|unable to (?:verify|get) .*certificate|certificate has expired|certificate is not yet valid|Hostname\/IP does not match certificate/i;

const enhancedCodeOf = (response: string | undefined) =>
  /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(response ?? '')?.[1] ?? null;

/** The reply's enhanced status code (`5.1.1`), else its reply code (`550`). */
const replyCodeOf = (error: NodemailerErrorLike) =>
  enhancedCodeOf(error.response) ?? (error.responseCode ? String(error.responseCode) : null);

/**
 * RFC 5321: 5yz is a permanent refusal, 4yz a transient one. 503 (bad sequence of commands) says
 * the session was in the wrong state, not that the message is unacceptable: a new session may work.
 */
const isPermanentReply = (code: number | undefined) => !!code && code >= 500 && code < 600 && code !== 503;

const failed = (permanent: boolean, code: string | null, message: string): SendFailure => ({
  status: 'failed',
  permanent,
  code,
  message,
});

/**
 * Turns whatever nodemailer rejected a send (or a verify) with into a failure outcome: permanent
 * only for a refusal that would recur for this message or address, never for a network or
 * configuration problem (those affect every message and are fixed elsewhere; see `code`).
 */
export function classifySmtpError(
  error: unknown,
  server: { host: string; port: number; user?: string | undefined },
): SendFailure {
  const e = (error ?? {}) as NodemailerErrorLike;
  const where = `${server.host}:${server.port}`;
  const reply = e.response ? `: ${e.response}` : '';
  const text = e.message ?? String(error);

  if (
    (e.originalCode && CERTIFICATE_CODES.has(e.originalCode)) ||
    ((e.code === 'ETLS' || e.code === 'ESOCKET') && CERTIFICATE_TEXT.test(text))
  ) {
    const reason = text.replace(/^Error initiating TLS - /, '');
    return failed(
      false,
      'ETLS',
      `The certificate of the SMTP server ${where} is not trusted (${reason}). ` +
        "Add the certificate of the CA that signed it to the SMTP settings (tls.ca), or fix the server's certificate.",
    );
  }
  if (e.originalCode === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(text)) {
    return failed(
      false,
      'ETLS',
      `The SMTP server ${where} does not start TLS on connect: ` +
        'use implicit TLS (secure) only on port 465, and STARTTLS (secure off) on ports 587 and 25.',
    );
  }
  if (e.code === 'ETLS') {
    const detail = e.command === 'STARTTLS' && e.responseCode ? ' (the server does not offer STARTTLS)' : '';
    return failed(
      false,
      'ETLS',
      `TLS with the SMTP server ${where} failed${detail}: ${text}. Nothing was sent unencrypted.`,
    );
  }
  if (e.code === 'EAUTH') {
    const who = server.user ? ` of ${server.user}` : '';
    return failed(false, 'EAUTH', `The SMTP server ${where} refused the login${who}${reply || `: ${text}`}`);
  }
  if (e.code === 'ENOAUTH' || (e.responseCode === 530 && /auth/i.test(e.response ?? ''))) {
    return failed(
      false,
      'ENOAUTH',
      `The SMTP server ${where} requires authentication: set a user and password in the SMTP settings${reply}`,
    );
  }
  if (e.responseCode === 421) {
    return failed(false, replyCodeOf(e), `The SMTP server ${where} is closing the connection${reply}`);
  }
  if (e.code === 'EENVELOPE' && e.command === 'MAIL FROM' && e.responseCode !== 552) {
    // our sender address refused: every message from it would be; 4xx is still only a delay
    if (!isPermanentReply(e.responseCode)) {
      return failed(false, replyCodeOf(e), `The SMTP server ${where} deferred the sender address${reply}`);
    }
    return failed(
      false,
      'ECONFIG',
      `The SMTP server ${where} refuses the sender address (is this relay allowed to send as it?)${reply}`,
    );
  }
  if (e.code === 'EENVELOPE' && e.command === 'API') {
    // nodemailer refused the envelope before talking to the server (an address it cannot send)
    return failed(true, '5.1.3', text);
  }
  if (e.responseCode) {
    const refused =
      e.command === 'RCPT TO'
        ? 'the recipient'
        : e.command === 'DATA'
          ? 'the message'
          : `${e.command ?? 'the command'}`;
    const permanent = isPermanentReply(e.responseCode);
    return failed(
      permanent,
      replyCodeOf(e),
      `The SMTP server ${where} ${permanent ? 'refused' : 'deferred'} ${refused}${reply}`,
    );
  }
  if (e.code === 'ETIMEDOUT') {
    const phase = e.timeoutType ? ` (${e.timeoutType.toLowerCase().replace(/_/g, ' ')})` : '';
    return failed(false, 'ETIMEDOUT', `The SMTP server ${where} did not answer in time${phase}`);
  }
  if (e.code === 'ESOCKET' || e.code === 'EDNS') {
    return failed(false, e.originalCode ?? e.code, `Cannot reach the SMTP server ${where}: ${text}`);
  }
  if (e.code === 'ECONNECTION') {
    return failed(false, 'ECONNECTION', `The SMTP server ${where} closed the connection: ${text}`);
  }
  return failed(false, e.code ?? null, `Sending through ${where} failed: ${text}`);
}
