import type { SecretBox } from '../platform/secrets/secret-box.ts';
import { signToken } from '../platform/secrets/signed-token.ts';
import type { distributions } from './distributions.schema.ts';
import { type EmailMessage, type RenderContext, renderTemplate, type SmsMessage } from './message.ts';
import type { OutgoingMessage } from './providers.ts';

type Distribution = typeof distributions.$inferSelect;

/** A recipient as the send query reads it: the snapshot row and the contact as the directory has it. */
export interface OutgoingRecipient {
  contact_id: number;
  address: string | null;
  locale: string | null;
  link_token: string | null;
  embedded: Record<string, unknown> | null;
  role: string | null;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  language: string | null;
  external_ref: string | null;
  attributes: Record<string, unknown> | null;
  account_name: string | null;
  account_external_ref: string | null;
  account_attributes: Record<string, unknown> | null;
}

export const UNSUBSCRIBE_PURPOSE = 'unsubscribe';
export const OPEN_PURPOSE = 'open';
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** The key of one message to one recipient: retries of it are the same message. */
export const idempotencyKey = (distributionId: number, contactId: number) =>
  `rapport-d${distributionId}-c${contactId}`;

export function unsubscribeToken(
  secrets: SecretBox,
  directoryId: number,
  contactId: number,
  channel: 'email' | 'sms',
) {
  return signToken(
    secrets,
    UNSUBSCRIBE_PURPOSE,
    { d: directoryId, c: contactId, ch: channel },
    new Date(Date.now() + YEAR_MS),
  );
}

export function renderContext(
  baseUrl: string,
  surveyName: string,
  row: OutgoingRecipient,
  unsubscribeLink: string,
): RenderContext {
  return {
    contact: {
      firstName: row.first_name,
      lastName: row.last_name,
      email: row.email,
      phone: row.phone,
      language: row.language,
      externalRef: row.external_ref,
      attributes: row.attributes ?? {},
    },
    account:
      row.account_name === null && row.account_external_ref === null
        ? null
        : {
            name: row.account_name,
            externalRef: row.account_external_ref,
            attributes: row.account_attributes ?? {},
          },
    role: row.role,
    embedded: row.embedded ?? {},
    survey: { name: surveyName },
    link: row.link_token ? `${baseUrl}/s/${row.link_token}` : '',
    unsubscribe_link: unsubscribeLink,
  };
}

/** One recipient's message, rendered: piped text, personal link, unsubscribe headers, open pixel. */
export function renderOutgoing(
  deps: { secrets: SecretBox; publicUrl: string },
  distribution: Distribution,
  surveyName: string,
  row: OutgoingRecipient,
  options: { sample?: boolean } = {},
): OutgoingMessage {
  const base = deps.publicUrl;
  // A preview or a test send must not carry a working opt-out of the real contact: whoever
  // receives the test would unsubscribe them.
  const token = options.sample
    ? 'sample-unsubscribe-link'
    : unsubscribeToken(deps.secrets, distribution.directoryId, row.contact_id, distribution.channel);
  const context = renderContext(base, surveyName, row, `${base}/u/${token}`);
  const common = {
    channel: distribution.channel,
    idempotencyKey: idempotencyKey(distribution.id, row.contact_id),
    to: row.address ?? '',
    distributionId: distribution.id,
    contactId: row.contact_id,
  };
  if (distribution.channel === 'sms') {
    const sms = distribution.message as SmsMessage;
    return { ...common, text: renderTemplate(sms.body, context) };
  }
  const email = distribution.message as EmailMessage;
  let html = email.html ? renderTemplate(email.html, context, { html: true }) : undefined;
  if (html && email.trackOpens && !options.sample) {
    const open = signToken(
      deps.secrets,
      OPEN_PURPOSE,
      { d: distribution.id, c: row.contact_id },
      new Date(Date.now() + YEAR_MS),
    );
    html += `<img src="${base}/api/v1/public/opens/${open}" width="1" height="1" alt="" style="display:none">`;
  }
  return {
    ...common,
    from: { name: email.fromName, ...(email.fromAddress ? { address: email.fromAddress } : {}) },
    ...(email.replyTo ? { replyTo: email.replyTo } : {}),
    subject: renderTemplate(email.subject, context).replace(/\s+/g, ' ').trim(),
    text: renderTemplate(email.text, context),
    ...(html ? { html } : {}),
    // RFC 8058 one-click unsubscribe: mail clients show an "Unsubscribe" button that POSTs here.
    headers: {
      'List-Unsubscribe': `<${base}/api/v1/public/unsubscribe/${token}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}
