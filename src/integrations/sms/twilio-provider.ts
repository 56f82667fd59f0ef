import { z } from 'zod';
import type { SmsMessage, SmsProvider, SmsSendOutcome } from './sms-provider.ts';
import { countSegments } from './sms-segments.ts';

export const TWILIO_API_BASE_URL = 'https://api.twilio.com';
const DEFAULT_TIMEOUT_MS = 10_000;

const E164 = /^\+[1-9]\d{1,14}$/;
const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;

export const ZTwilioSettings = z
  .object({
    accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, {
      error: 'expected the Account SID from the Twilio console: AC followed by 32 hex characters',
    }),
    /** Signs Twilio's webhooks; also authenticates API calls unless an API key is given. */
    authToken: z
      .string()
      .regex(/^\S+$/, { error: 'expected the Auth Token from the Twilio console (no spaces)' }),
    apiKeySid: z
      .string()
      .regex(/^SK[0-9a-fA-F]{32}$/, { error: 'expected an API key SID: SK followed by 32 hex characters' })
      .optional(),
    apiKeySecret: z.string().min(1, { error: 'expected the API key secret' }).optional(),
    from: z.string().refine((v) => E164.test(v) || MESSAGING_SERVICE_SID.test(v), {
      error:
        'expected the sender: a phone number in E.164 format (+14155550123) or a Messaging Service SID ' +
        '(MG followed by 32 hex characters)',
    }),
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://api.twilio.com' })
      .optional(),
  })
  .refine((s) => !s.apiKeySid === !s.apiKeySecret, {
    path: ['apiKeySecret'],
    error: 'an API key needs both its SID (apiKeySid) and its secret (apiKeySecret)',
  });

export type TwilioSettings = z.output<typeof ZTwilioSettings>;

/** The parts of Twilio's Message resource the client reads (numbers arrive as strings). */
const ZTwilioMessage = z.object({
  sid: z.string().min(1),
  status: z.string(),
  num_segments: z.union([z.string(), z.number()]).nullish(),
  error_code: z.union([z.string(), z.number()]).nullish(),
  error_message: z.string().nullish(),
});

const ZTwilioError = z.object({
  code: z.union([z.string(), z.number()]).nullish(),
  message: z.string().nullish(),
  more_info: z.string().nullish(),
  status: z.number().nullish(),
});

/**
 * Errors that are not the recipient's fault: wrong credentials, a suspended account, a sender or
 * Messaging Service the account cannot use, a country not enabled. Once an administrator fixes the
 * settings the very same send succeeds, so it must stay retryable rather than be marked failed
 * for good. (Retries are bounded by the job's own retry limit.)
 */
const ACCOUNT_OR_SENDER_CODES = new Set([
  20003, // authentication failed
  20005, // account not active
  20403, // no permission for this resource
  21212, // invalid From number
  21606, // From is not an SMS-capable number of this account
  21408, // no permission to send to that region (Geo permissions)
  21659, // From is not a Twilio number
  21701, // Messaging Service SID not valid
  21703, // Messaging Service has no sender
]);

/** Whether retrying the same request later cannot succeed (Twilio's HTTP status and error code). */
export function isPermanentTwilioError(httpStatus: number, code: number | null): boolean {
  if (httpStatus === 429 || code === 20429) return false;
  if (httpStatus >= 500 || httpStatus === 401 || httpStatus === 403) return false;
  if (code !== null && ACCOUNT_OR_SENDER_CODES.has(code)) return false;
  return httpStatus >= 400;
}

const toNumber = (v: string | number | null | undefined) => {
  const n = typeof v === 'number' ? v : v ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : null;
};

/** One form field per parameter: either From or MessagingServiceSid names the sender. */
function createForm(message: SmsMessage, from: string): URLSearchParams {
  const form = new URLSearchParams();
  form.set('To', message.to);
  form.set(MESSAGING_SERVICE_SID.test(from) ? 'MessagingServiceSid' : 'From', from);
  form.set('Body', message.body);
  if (message.statusCallback) form.set('StatusCallback', message.statusCallback);
  return form;
}

function describeNetworkError(error: unknown, host: string, timeoutMs: number): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return `Twilio (${host}) did not answer within ${timeoutMs} ms; the message may or may not have been sent`;
  }
  return `Cannot reach Twilio (${host}): ${e.cause?.code ?? e.cause?.message ?? e.message}`;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function failureFrom(httpStatus: number, json: unknown): SmsSendOutcome {
  const parsed = ZTwilioError.safeParse(json);
  const code = parsed.success ? toNumber(parsed.data.code) : null;
  const twilioMessage = parsed.success ? parsed.data.message : null;
  return {
    status: 'failed',
    permanent: isPermanentTwilioError(httpStatus, code),
    code: code === null ? null : String(code),
    message: twilioMessage ?? `Twilio answered HTTP ${httpStatus}`,
  };
}

function outcomeFrom(json: unknown, body: string): SmsSendOutcome {
  const parsed = ZTwilioMessage.safeParse(json);
  if (!parsed.success) {
    // Twilio said 2xx, so the message probably exists: retrying with the same idempotency key is safe.
    return {
      status: 'failed',
      permanent: false,
      code: null,
      message: 'Twilio answered with an unreadable body',
    };
  }
  const message = parsed.data;
  if (message.status === 'failed' || message.status === 'undelivered') {
    const code = toNumber(message.error_code);
    return {
      status: 'failed',
      permanent: code !== null && isPermanentTwilioError(400, code),
      code: code === null ? null : String(code),
      message: message.error_message ?? `Twilio reports the message as ${message.status}`,
    };
  }
  // A Messaging Service picks the sender after the answer, so Twilio reports 0 segments then.
  const reported = toNumber(message.num_segments);
  return {
    status: message.status === 'sent' || message.status === 'delivered' ? 'sent' : 'queued',
    providerMessageId: message.sid,
    segments: reported && reported > 0 ? reported : countSegments(body),
  };
}

export interface TwilioProviderOptions {
  /** How long one API call may take before it is abandoned (and reported as temporary). */
  timeoutMs?: number;
}

/** An SmsProvider over Twilio's REST API (2010-04-01), with fetch. */
export function createTwilioProvider(
  settings: TwilioSettings,
  options: TwilioProviderOptions = {},
): SmsProvider {
  const baseUrl = (settings.baseUrl ?? TWILIO_API_BASE_URL).replace(/\/+$/, '');
  const endpoint = `${baseUrl}/2010-04-01/Accounts/${settings.accountSid}/Messages.json`;
  const host = new URL(baseUrl).host;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // With an API key, the key authenticates and the account stays in the path.
  const [user, password] = settings.apiKeySid
    ? [settings.apiKeySid, settings.apiKeySecret ?? '']
    : [settings.accountSid, settings.authToken];
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  return {
    async send(message) {
      const headers: Record<string, string> = {
        authorization,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      };
      if (message.idempotencyKey) headers['i-twilio-idempotency-token'] = message.idempotencyKey;
      let response: Response;
      let json: unknown;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers,
          body: createForm(message, message.from || settings.from),
          signal: AbortSignal.timeout(timeoutMs),
        });
        json = await readJson(response);
      } catch (error) {
        return {
          status: 'failed',
          permanent: false,
          code: null,
          message: describeNetworkError(error, host, timeoutMs),
        };
      }
      if (!response.ok) return failureFrom(response.status, json);
      return outcomeFrom(json, message.body);
    },
  };
}
