import { z } from 'zod';

/**
 * What Twilio POSTs to the app (form-encoded, signed: see twilio-signature.ts) and the TwiML the
 * app answers with. Twilio adds parameters without notice, so unknown ones are ignored here (but
 * still signed: verify the signature over every parameter received, not over these).
 */

export type FormInput = string | URLSearchParams | Record<string, string>;

const toRecord = (input: FormInput): Record<string, string> =>
  typeof input === 'string'
    ? Object.fromEntries(new URLSearchParams(input))
    : input instanceof URLSearchParams
      ? Object.fromEntries(input)
      : input;

const ZMessageSid = z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, {
  error: 'expected a Twilio message SID (SM or MM followed by 32 hex digits)',
});
const ZAccountSid = z.string().regex(/^AC[0-9a-fA-F]{32}$/, {
  error: 'expected a Twilio account SID (AC followed by 32 hex digits)',
});
const ZAddress = z.string().min(1, { error: 'expected a phone number or channel address' });
const ZCount = z.string().regex(/^\d+$/, { error: 'expected a whole number' }).transform(Number).optional();
const blankToNull = (v: string | undefined) => (v ? v : null);

/** Twilio's opt-out keywords handling reports which kind of keyword the message was. */
const OPT_OUT_TYPES = ['STOP', 'START', 'HELP'] as const;

export const ZInboundSms = z
  .object({
    // MessageSid is the current name; SmsSid / SmsMessageSid are kept by Twilio for old apps.
    MessageSid: ZMessageSid.optional(),
    SmsSid: ZMessageSid.optional(),
    SmsMessageSid: ZMessageSid.optional(),
    AccountSid: ZAccountSid,
    MessagingServiceSid: z.string().optional(),
    From: ZAddress,
    To: ZAddress,
    Body: z.string().default(''),
    NumMedia: ZCount,
    NumSegments: ZCount,
    OptOutType: z.string().optional(),
    FromCountry: z.string().optional(),
  })
  .transform((p, ctx) => {
    const messageSid = p.MessageSid ?? p.SmsMessageSid ?? p.SmsSid;
    if (!messageSid) {
      ctx.addIssue({ code: 'custom', path: ['MessageSid'], message: 'MessageSid is missing' });
      return z.NEVER;
    }
    const optOut = p.OptOutType?.toUpperCase();
    return {
      messageSid,
      accountSid: p.AccountSid,
      messagingServiceSid: blankToNull(p.MessagingServiceSid),
      from: p.From,
      to: p.To,
      body: p.Body,
      numMedia: p.NumMedia ?? 0,
      numSegments: p.NumSegments ?? 1,
      /** Set when Twilio recognised STOP/START/HELP keywords (it answers STOP and START itself). */
      optOutType: OPT_OUT_TYPES.find((t) => t === optOut) ?? null,
      fromCountry: blankToNull(p.FromCountry),
    };
  });

export type InboundSms = z.output<typeof ZInboundSms>;

/** An incoming message webhook, from its raw form body or parsed parameters; throws a ZodError. */
export const parseInboundSms = (formBody: FormInput): InboundSms => ZInboundSms.parse(toRecord(formBody));

export const TWILIO_MESSAGE_STATUSES = [
  'accepted',
  'scheduled',
  'canceled',
  'queued',
  'sending',
  'sent',
  'failed',
  'delivered',
  'undelivered',
  'receiving',
  'received',
  'read',
  'partially_delivered',
] as const;

export type TwilioMessageStatus = (typeof TWILIO_MESSAGE_STATUSES)[number];

export const ZStatusCallback = z
  .object({
    MessageSid: ZMessageSid.optional(),
    SmsSid: ZMessageSid.optional(),
    AccountSid: ZAccountSid,
    MessageStatus: z.enum(TWILIO_MESSAGE_STATUSES, {
      error: `expected one of ${TWILIO_MESSAGE_STATUSES.join(', ')}`,
    }),
    ErrorCode: z.string().regex(/^\d*$/, { error: 'expected a numeric Twilio error code' }).optional(),
    From: z.string().optional(),
    To: z.string().optional(),
  })
  .transform((p, ctx) => {
    const messageSid = p.MessageSid ?? p.SmsSid;
    if (!messageSid) {
      ctx.addIssue({ code: 'custom', path: ['MessageSid'], message: 'MessageSid is missing' });
      return z.NEVER;
    }
    return {
      messageSid,
      accountSid: p.AccountSid,
      status: p.MessageStatus,
      /** Twilio's delivery error (30003 unreachable, 30005 unknown number, 30007 filtered …). */
      errorCode: p.ErrorCode ? Number(p.ErrorCode) : null,
      from: blankToNull(p.From),
      to: blankToNull(p.To),
    };
  });

export type StatusCallback = z.output<typeof ZStatusCallback>;

/** A status callback webhook, from its raw form body or parsed parameters; throws a ZodError. */
export const parseStatusCallback = (formBody: FormInput): StatusCallback =>
  ZStatusCallback.parse(toRecord(formBody));

// XML 1.0 forbids most control characters; one in a reply would make Twilio reject the whole
// document (error 12100), so they are dropped rather than escaped.
const isXmlCharacter = (c: string) => {
  const n = c.codePointAt(0) ?? 0;
  return n === 0x9 || n === 0xa || n === 0xd || (n >= 0x20 && n !== 0xfffe && n !== 0xffff);
};

export const escapeXml = (text: string) =>
  [...text]
    .filter(isXmlCharacter)
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/** The TwiML answer to an incoming message: one reply SMS per text; none answers nothing. */
export function twimlMessage(texts: readonly string[]): string {
  const messages = texts.map((text) => `<Message>${escapeXml(text)}</Message>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>${messages ? `<Response>${messages}</Response>` : '<Response/>'}`;
}
