import { randomBytes } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { TwilioMessageStatus } from './twilio-webhooks.ts';

/** The emulator's Message resources and their wire forms (REST JSON, webhook parameters). */

export const API_VERSION = '2010-04-01';

export type MessageDirection = 'inbound' | 'outbound-api' | 'outbound-reply';

export interface EmulatedMessage {
  sid: string;
  accountSid: string;
  direction: MessageDirection;
  from: string;
  to: string;
  body: string;
  messagingServiceSid: string | null;
  status: TwilioMessageStatus;
  numSegments: number;
  errorCode: number | null;
  errorMessage: string | null;
  statusCallback: string | null;
  idempotencyToken: string | null;
  price: string | null;
  dateCreated: Date;
  dateUpdated: Date;
  dateSent: Date | null;
}

export const newSid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

/** RFC 2822 in GMT, as Twilio writes its dates ("Thu, 24 Aug 2023 05:01:45 +0000"). */
const rfc2822 = (date: Date | null) => (date ? date.toUTCString().replace(/GMT$/, '+0000') : null);

export const messageUri = (m: EmulatedMessage) =>
  `/${API_VERSION}/Accounts/${m.accountSid}/Messages/${m.sid}.json`;

/** The Message resource as Twilio's JSON renders it (counts as strings, absent values as null). */
export function messageJson(m: EmulatedMessage) {
  return {
    account_sid: m.accountSid,
    api_version: API_VERSION,
    body: m.body,
    date_created: rfc2822(m.dateCreated),
    date_sent: rfc2822(m.dateSent),
    date_updated: rfc2822(m.dateUpdated),
    direction: m.direction,
    error_code: m.errorCode,
    error_message: m.errorMessage,
    // A Messaging Service picks the sender after the create call answers.
    from: m.status === 'accepted' ? null : m.from,
    messaging_service_sid: m.messagingServiceSid,
    num_media: '0',
    num_segments: String(m.status === 'accepted' ? 0 : m.numSegments),
    price: m.price,
    price_unit: 'USD',
    sid: m.sid,
    status: m.status,
    subresource_uris: { media: messageUri(m).replace(/\.json$/, '/Media.json') },
    to: m.to,
    uri: messageUri(m),
  };
}

/** YYMMDDhhmm (UTC), the carrier receipt's "done date" Twilio passes on. */
const rawDlrDate = (d: Date) =>
  d.toISOString().replace(/^\d\d(\d\d)-(\d\d)-(\d\d)T(\d\d):(\d\d).*$/, '$1$2$3$4$5');

/** The parameters of a status callback, in the order Twilio sends them. */
export function statusCallbackParams(m: EmulatedMessage): [string, string][] {
  const params: [string, string][] = [];
  if (m.errorCode !== null) params.push(['ErrorCode', String(m.errorCode)]);
  params.push(['SmsSid', m.sid], ['SmsStatus', m.status], ['MessageStatus', m.status], ['To', m.to]);
  if (m.messagingServiceSid) params.push(['MessagingServiceSid', m.messagingServiceSid]);
  params.push(
    ['MessageSid', m.sid],
    ['AccountSid', m.accountSid],
    ['From', m.from],
    ['ApiVersion', API_VERSION],
  );
  if (m.status === 'delivered' || m.status === 'undelivered') {
    params.push(['RawDlrDoneDate', rawDlrDate(m.dateUpdated)]);
  }
  return params;
}

const countryOf = (number: string) => parsePhoneNumberFromString(number)?.country ?? '';

/**
 * The parameters of an incoming message webhook, in Twilio's order. Twilio fills the city, state
 * and ZIP fields from its number data (North America mostly) and leaves them empty otherwise.
 */
export function inboundParams(m: EmulatedMessage, optOutType: string | null): [string, string][] {
  const params: [string, string][] = [
    ['ToCountry', countryOf(m.to)],
    ['ToState', ''],
    ['SmsMessageSid', m.sid],
    ['NumMedia', '0'],
    ['ToCity', ''],
    ['FromZip', ''],
    ['SmsSid', m.sid],
    ['FromState', ''],
    ['SmsStatus', 'received'],
    ['FromCity', ''],
    ['Body', m.body],
    ['FromCountry', countryOf(m.from)],
    ['To', m.to],
  ];
  if (m.messagingServiceSid) params.push(['MessagingServiceSid', m.messagingServiceSid]);
  params.push(['ToZip', ''], ['NumSegments', String(m.numSegments)]);
  if (optOutType) params.push(['OptOutType', optOutType]);
  params.push(
    ['MessageSid', m.sid],
    ['AccountSid', m.accountSid],
    ['From', m.from],
    ['ApiVersion', API_VERSION],
  );
  return params;
}
