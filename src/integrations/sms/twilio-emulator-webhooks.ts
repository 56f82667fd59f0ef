import { randomUUID } from 'node:crypto';
import { twilioSignature } from './twilio-signature.ts';

/** How the emulator calls the app, as Twilio does: a signed form POST, 15 s to answer. */

const WEBHOOK_TIMEOUT_MS = 15_000;

export interface WebhookDelivery {
  url: string;
  /** The parameters in the order they were sent. */
  params: Record<string, string>;
  signature: string;
  /** The app's HTTP status, or null when it could not be reached. */
  status: number | null;
  contentType: string | null;
  responseBody: string;
  error: string | null;
}

export async function postSignedWebhook(
  url: string,
  params: [string, string][],
  authToken: string,
  /** Aborts the call when the emulator closes. */
  signal?: AbortSignal,
): Promise<WebhookDelivery> {
  const form = new URLSearchParams(params);
  const signature = twilioSignature(authToken, url, form);
  const delivery: WebhookDelivery = {
    url,
    params: Object.fromEntries(params),
    signature,
    status: null,
    contentType: null,
    responseBody: '',
    error: null,
  };
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature,
        // Twilio sends one per event, the same on its retries, so the app can drop duplicates.
        'i-twilio-idempotency-token': randomUUID(),
        'user-agent': 'TwilioProxy/1.1',
        accept: '*/*',
      },
      body: form.toString(),
      signal: AbortSignal.any([AbortSignal.timeout(WEBHOOK_TIMEOUT_MS), ...(signal ? [signal] : [])]),
    });
    delivery.status = response.status;
    delivery.contentType = response.headers.get('content-type');
    delivery.responseBody = await response.text();
  } catch (error) {
    delivery.error = (error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
  }
  return delivery;
}

const unescapeXml = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_, n: string) => String.fromCodePoint(Number.parseInt(n, 16)))
    .replace(/&amp;/g, '&');

/**
 * The reply texts of a TwiML document: each `<Message>`'s text, or its `<Body>` when nested.
 * Enough of TwiML for the replies the app sends; anything else in the document is ignored.
 */
export function twimlReplies(twiml: string): string[] {
  const replies: string[] = [];
  for (const match of twiml.matchAll(/<Message(?:\s[^>]*?)?(?:\/>|>([\s\S]*?)<\/Message>)/g)) {
    const inner = match[1] ?? '';
    const body = /<Body(?:\s[^>]*)?>([\s\S]*?)<\/Body>/.exec(inner)?.[1] ?? inner.replace(/<[^>]+>/g, '');
    replies.push(unescapeXml(body));
  }
  return replies;
}
