import { isValidPhoneNumber } from 'libphonenumber-js';

/**
 * How Twilio's Messages API judges a create request, for the emulator: its error codes, HTTP
 * statuses and messages (https://www.twilio.com/docs/api/errors/<code>), and the "magic" numbers
 * Twilio's test credentials answer to, so the same fixtures work against either.
 */

export interface TwilioApiError {
  httpStatus: number;
  code: number;
  message: string;
  detail?: string;
}

export const twilioError = (
  httpStatus: number,
  code: number,
  message: string,
  detail?: string,
): TwilioApiError =>
  detail === undefined ? { httpStatus, code, message } : { httpStatus, code, message, detail };

/** Twilio's error document: `{code, message, more_info, status}` (plus `detail` on some). */
export const errorDocument = (error: TwilioApiError) => ({
  code: error.code,
  message: error.message,
  more_info: `https://www.twilio.com/docs/errors/${error.code}`,
  status: error.httpStatus,
  ...(error.detail ? { detail: error.detail } : {}),
});

export const ERRORS = {
  authenticate: () => twilioError(401, 20003, 'Authenticate', 'Your AccountSid or AuthToken was incorrect.'),
  notFound: (path: string) => twilioError(404, 20404, `The requested resource ${path} was not found`),
  tooManyRequests: () => twilioError(429, 20429, 'Too Many Requests'),
  internal: () => twilioError(500, 20500, 'Internal Server Error'),
  unavailable: () => twilioError(503, 20503, 'Service unavailable'),
  toRequired: () => twilioError(400, 21604, "A 'To' phone number is required."),
  fromRequired: () => twilioError(400, 21603, "A 'From' phone number is required."),
  bodyRequired: () => twilioError(400, 21602, 'Message body is required.'),
  bodyTooLong: () =>
    twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.'),
  invalidTo: (to: string) => twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`),
  invalidFrom: (from: string) =>
    twilioError(
      400,
      21212,
      `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`,
    ),
  notAccountSender: (from: string) =>
    twilioError(
      400,
      21606,
      `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
    ),
  invalidService: (sid: string) => twilioError(400, 21701, `The Messaging Service Sid ${sid} is invalid.`),
  invalidStatusCallback: () => twilioError(400, 21609, 'Invalid StatusCallback url'),
  notMobile: () => twilioError(400, 21614, "'To' number is not a valid mobile number"),
  unsubscribed: () => twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'),
  unreachable: (to: string, from: string) =>
    twilioError(
      400,
      21612,
      `The 'To' phone number: ${to}, is not currently reachable using the 'From' phone number: ${from} via SMS.`,
    ),
  noGeoPermission: (to: string) =>
    twilioError(
      400,
      21408,
      `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.`,
    ),
  queueFull: () =>
    twilioError(400, 21611, "This 'From' number has exceeded the maximum number of queued messages"),
} as const;

/** Asynchronous delivery errors Twilio reports in status callbacks and on the Message resource. */
export const DELIVERY_ERRORS: Record<number, string> = {
  30003: 'Unreachable destination handset',
  30005: 'Unknown destination handset',
  30006: 'Landline or unreachable carrier',
  30007: 'Message filtered',
  30008: 'Unknown error',
};

/** Twilio's magic recipients under test credentials, and what they answer. */
const MAGIC_RECIPIENTS: Record<string, (to: string, from: string) => TwilioApiError> = {
  '+15005550001': (to) => ERRORS.invalidTo(to),
  '+15005550002': (to, from) => ERRORS.unreachable(to, from),
  '+15005550003': (to) => ERRORS.noGeoPermission(to),
  '+15005550004': () => ERRORS.unsubscribed(),
  '+15005550009': () => ERRORS.notMobile(),
};

/** Twilio's magic senders: +15005550006 is the one that works. */
const MAGIC_SENDERS: Record<string, (from: string) => TwilioApiError> = {
  '+15005550001': (from) => ERRORS.invalidFrom(from),
  '+15005550007': (from) => ERRORS.notAccountSender(from),
  '+15005550008': () => ERRORS.queueFull(),
};

export const MAGIC_VALID_SENDER = '+15005550006';

const E164 = /^\+[1-9]\d{1,14}$/;
const MAX_BODY_CHARACTERS = 1600;

export const isValidE164 = (number: string) => E164.test(number) && isValidPhoneNumber(number);

export interface CreateRequest {
  to: string;
  /** The resolved sender: the From number, or the Messaging Service's number. */
  from: string;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
}

export interface AccountRules {
  senders: ReadonlySet<string>;
  messagingServices: ReadonlyMap<string, string>;
  landlines: ReadonlySet<string>;
  isOptedOut(recipient: string, sender: string): boolean;
}

const isHttpUrl = (value: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

/** Checks a Messages.json create form as Twilio does; the first problem found is the answer. */
export function checkCreateRequest(
  form: URLSearchParams,
  rules: AccountRules,
): CreateRequest | TwilioApiError {
  const to = form.get('To')?.trim() ?? '';
  const fromParam = form.get('From')?.trim() ?? '';
  const serviceSid = form.get('MessagingServiceSid')?.trim() ?? '';
  const body = form.get('Body') ?? '';
  const statusCallback = form.get('StatusCallback')?.trim() || null;

  if (!to) return ERRORS.toRequired();
  if (!fromParam && !serviceSid) return ERRORS.fromRequired();
  if (!body && !form.get('MediaUrl')) return ERRORS.bodyRequired();
  // Twilio counts characters as its (Java) strings do: UTF-16 code units.
  if (body.length > MAX_BODY_CHARACTERS) return ERRORS.bodyTooLong();
  if (statusCallback && !isHttpUrl(statusCallback)) return ERRORS.invalidStatusCallback();

  let from = fromParam;
  if (!fromParam) {
    const serviceSender = rules.messagingServices.get(serviceSid);
    if (!serviceSender) return ERRORS.invalidService(serviceSid);
    from = serviceSender;
  } else {
    const magicSender = MAGIC_SENDERS[fromParam];
    if (magicSender) return magicSender(fromParam);
    if (!rules.senders.has(fromParam) && fromParam !== MAGIC_VALID_SENDER) {
      return E164.test(fromParam) ? ERRORS.notAccountSender(fromParam) : ERRORS.invalidFrom(fromParam);
    }
  }

  const magicRecipient = MAGIC_RECIPIENTS[to];
  if (magicRecipient) return magicRecipient(to, from);
  if (!isValidE164(to)) return ERRORS.invalidTo(to);
  if (rules.landlines.has(to)) return ERRORS.notMobile();
  if (rules.isOptedOut(to, from)) return ERRORS.unsubscribed();

  return { to, from, messagingServiceSid: serviceSid || null, body, statusCallback };
}

/** Twilio's default opt-out keywords: the whole message, whatever its case. */
export const STOP_KEYWORDS = new Set([
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'OPTOUT',
  'REVOKE',
]);
export const START_KEYWORDS = new Set(['START', 'YES', 'UNSTOP']);
export const HELP_KEYWORDS = new Set(['HELP', 'INFO']);

/** What Twilio answers on its own to an opt-out keyword (the app's reply is not sent then). */
export const KEYWORD_REPLIES = {
  STOP: 'You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe.',
  START:
    'You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.',
  HELP: 'Reply STOP to unsubscribe. Msg&Data Rates May Apply.',
} as const;

export function keywordOf(body: string): keyof typeof KEYWORD_REPLIES | null {
  const word = body.trim().toUpperCase();
  if (STOP_KEYWORDS.has(word)) return 'STOP';
  if (START_KEYWORDS.has(word)) return 'START';
  if (HELP_KEYWORDS.has(word)) return 'HELP';
  return null;
}
