import { type Attachment, simpleParser } from 'mailparser';

export type DsnAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';

export interface DsnRecipient {
  /** The address we sent to: Original-Recipient when given (before the receiving side's aliases), else Final-Recipient. */
  recipient: string;
  action: DsnAction;
  /** RFC 3463 enhanced status code, e.g. `5.1.1`. */
  status: string;
  /** The remote server's words, e.g. `550 5.1.1 <x@y>: Recipient address rejected: User unknown`. */
  diagnostic: string | null;
  /**
   * The reporting MTA gave up with a 5.x.x status: the address (or this message) is refused for
   * good. A `failed` with a 4.x.x status (retries ran out on a temporary problem) is not.
   */
  permanent: boolean;
}

export interface DeliveryStatusNotification {
  /** Message-ID of the message that bounced, as written (`<key@host>`), when the report quotes it. */
  originalMessageId: string | null;
  recipients: DsnRecipient[];
}

const ACTIONS = new Set<string>(['failed', 'delayed', 'delivered', 'relayed', 'expanded']);
/** RFC 3464 and its UTF-8 sibling RFC 6533. */
const STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
/** The bounced message, whole or its header only. */
const ORIGINAL_TYPES = new Set([
  'message/rfc822',
  'message/global',
  'text/rfc822-headers',
  'message/global-headers',
]);

/**
 * Reads a bounce (RFC 3464 Delivery Status Notification: a multipart/report of report-type
 * delivery-status) from its raw RFC 822 text. Null for anything else: an out-of-office reply, a
 * read receipt, a spam complaint (other report types), or a free-text bounce from an MTA that
 * does not send DSNs. mailparser does the MIME work (boundaries, transfer encodings, nesting) and
 * hands over the status part and the quoted original as attachments; their fields are read here.
 */
export async function parseDsn(raw: Buffer | string): Promise<DeliveryStatusNotification | null> {
  const mail = await simpleParser(raw, {
    keepDeliveryStatus: true,
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
  });
  const contentType = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> };
  if (contentType?.value?.toLowerCase() !== 'multipart/report') return null;
  const reportType = contentType.params?.['report-type']?.toLowerCase();
  if (reportType && reportType !== 'delivery-status' && reportType !== 'global-delivery-status') return null;
  const status = mail.attachments.find((a) => STATUS_TYPES.has(a.contentType.toLowerCase()));
  if (!status) return null;

  const blocks = fieldBlocks(status.content.toString('utf8'));
  const perMessage = blocks.filter((b) => !b.has('final-recipient') && !b.has('original-recipient'));
  const recipients = blocks.flatMap((block) => {
    const recipient = recipientOf(block);
    return recipient ? [recipient] : [];
  });
  const inReplyTo = mail.inReplyTo && messageIdIn(mail.inReplyTo);
  return {
    originalMessageId:
      originalMessageIdOf(mail.attachments) ??
      perMessage.map((b) => messageIdIn(b.get('x-original-message-id'))).find(Boolean) ??
      // Gmail and Exchange also answer the bounced message: In-Reply-To names it
      inReplyTo ??
      null,
    recipients,
  };
}

/** `<a@b>` out of a header value (which may carry comments or several ids: the first one). */
function messageIdIn(value: string | undefined): string | null {
  if (!value) return null;
  return /<[^<>\s]+>/.exec(value)?.[0] ?? null;
}

function originalMessageIdOf(attachments: Attachment[]) {
  const original = attachments.find((a) => ORIGINAL_TYPES.has(a.contentType.toLowerCase()));
  if (!original) return null;
  const text = original.content.toString('utf8').replace(/\r\n?/g, '\n');
  const header = text.split(/\n[ \t]*\n/, 1)[0] ?? '';
  return messageIdIn(fieldBlocks(header)[0]?.get('message-id'));
}

/**
 * The delivery-status body: blocks of `Name: value` fields separated by blank lines, values
 * folded over lines that start with white space. Names are lowercased; a repeated name keeps its
 * first value.
 */
function fieldBlocks(text: string): Map<string, string>[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((block) => {
      const fields = new Map<string, string>();
      const unfolded = block.replace(/\n[ \t]+/g, ' ');
      for (const line of unfolded.split('\n')) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
      }
      return fields;
    })
    .filter((fields) => fields.size > 0);
}

function recipientOf(block: Map<string, string>): DsnRecipient | null {
  const recipient = addressIn(block.get('original-recipient')) ?? addressIn(block.get('final-recipient'));
  if (!recipient) return null;
  const diagnostic = diagnosticIn(block.get('diagnostic-code'));
  const statusField = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(block.get('status') ?? '')?.[1];
  const diagnosticStatus = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(diagnostic ?? '')?.[1];
  const actionField = (block.get('action') ?? '').toLowerCase().split(/[\s(;]/, 1)[0] ?? '';
  const statusGuess = statusField ?? diagnosticStatus;
  const action = ACTIONS.has(actionField)
    ? (actionField as DsnAction)
    : // a missing or unknown Action: the status class says what happened
      ({ '5': 'failed', '4': 'delayed', '2': 'delivered' } as const)[statusGuess?.[0] as '5' | '4' | '2'];
  if (!action) return null;
  const status = statusGuess ?? (action === 'failed' ? '5.0.0' : action === 'delayed' ? '4.0.0' : '2.0.0');
  return { recipient, action, status, diagnostic, permanent: action === 'failed' && status.startsWith('5.') };
}

/**
 * `rfc822; jane@example.com` → `jane@example.com`. The address type may be missing, `RFC822`
 * in capitals, or `utf-8` (RFC 6533) with non-ASCII characters written `\x{E9}`; some MTAs keep
 * the angle brackets.
 */
function addressIn(value: string | undefined): string | null {
  if (!value) return null;
  const semicolon = value.indexOf(';');
  const type = semicolon >= 0 ? value.slice(0, semicolon).trim().toLowerCase() : 'rfc822';
  let address = (semicolon >= 0 ? value.slice(semicolon + 1) : value)
    .trim()
    .replace(/^<(.*)>$/, '$1')
    .trim();
  if (type === 'utf-8') {
    address = address.replace(/\\x\{([0-9a-fA-F]{1,6})\}/g, (_, hex: string) =>
      String.fromCodePoint(Number.parseInt(hex, 16)),
    );
  }
  return address.includes('@') ? address : null;
}

/**
 * `smtp; 550-5.1.1 The account … 550-5.1.1 double-check … 550 5.1.1 https://…` (a multi-line
 * reply flattened by folding) → `550 5.1.1 The account … double-check … https://…`.
 */
function diagnosticIn(value: string | undefined): string | null {
  if (!value) return null;
  let text = value
    .replace(/^[\w.-]+\s*;\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();
  const reply = /^(\d{3})[ -]((?:[245]\.\d{1,3}\.\d{1,3})?)\s*/.exec(text);
  if (reply) {
    const [head, code, enhanced] = reply;
    const continuation = new RegExp(
      ` ${code}[ -]${enhanced ? `${enhanced.replace(/\./g, '\\.')} ` : ''}\\s*`,
      'g',
    );
    text =
      `${code} ${enhanced ? `${enhanced} ` : ''}${text.slice(head.length).replace(continuation, ' ')}`.trim();
  }
  return text || null;
}
