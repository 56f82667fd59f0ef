/** One message to one recipient, as the sending code hands it to a transport. */
export interface OutgoingEmail {
  from: { name?: string; address: string };
  replyTo?: string;
  /** A single address: one message per recipient, so a bounce or refusal names one contact. */
  to: string;
  subject: string;
  text: string;
  /** Sent as a multipart/alternative beside `text` when given. */
  html?: string;
  /** Extra headers (List-Unsubscribe, List-Unsubscribe-Post, …), passed through as given. */
  headers?: Record<string, string>;
  /**
   * `<key@host>`, chosen by us and stable across retries of the same send, so a message that was
   * delivered although the connection broke before the server's reply is recognisable as a
   * duplicate, and a bounce (which quotes it) leads back to the send.
   */
  messageId: string;
}

export type SendOutcome =
  | {
      status: 'sent';
      /**
       * How the receiving server knows the message: the Message-ID it assigned when it replaces
       * ours (Microsoft 365, Amazon SES), else the queue id of its reply (`queued as 4F2k9`), else
       * our own Message-ID.
       */
      providerMessageId: string;
      /** The server's final reply, e.g. `250 2.0.0 Ok: queued as 4F2k9`. */
      response: string;
    }
  | {
      status: 'failed';
      /**
       * The address or the message is refused for good (an SMTP 5xx reply): retrying the same
       * message to the same address will fail again. False for everything worth retrying later
       * (4xx replies, timeouts, refused or reset connections) and for configuration problems
       * (authentication, TLS trust), which are not the message's fault: see `code`.
       */
      permanent: boolean;
      /**
       * The most specific reason: the enhanced status code of the server's reply (`5.1.1`) or its
       * reply code (`550`) when the server refused the message (`5.1.3`, without asking it, for a
       * `to` that is not a single mailbox); `EAUTH`, `ENOAUTH`, `ETLS` or
       * `ECONFIG` for a configuration problem; the network error (`ECONNREFUSED`, `ETIMEDOUT`,
       * `ECONNECTION` for a connection the server closed) otherwise.
       */
      code: string | null;
      message: string;
    };

/** Codes of failures that every message would meet until someone fixes the SMTP settings. */
export const CONFIGURATION_FAILURE_CODES: ReadonlySet<string> = new Set([
  'EAUTH',
  'ENOAUTH',
  'ETLS',
  'ECONFIG',
]);

/** True when the failure is the settings' fault, not the message's: stop the batch, tell an admin. */
export function isConfigurationFailure(outcome: SendOutcome): boolean {
  return (
    outcome.status === 'failed' && outcome.code !== null && CONFIGURATION_FAILURE_CODES.has(outcome.code)
  );
}
