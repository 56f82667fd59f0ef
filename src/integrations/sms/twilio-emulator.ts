import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { countSegments } from './sms-segments.ts';
import { basicCredentials, listPage, MESSAGE_PATH, readBody, sameSecret } from './twilio-emulator-http.ts';
import {
  type EmulatedMessage,
  inboundParams,
  messageJson,
  newSid,
  statusCallbackParams,
} from './twilio-emulator-messages.ts';
import {
  checkCreateRequest,
  DELIVERY_ERRORS,
  ERRORS,
  errorDocument,
  KEYWORD_REPLIES,
  keywordOf,
  MAGIC_VALID_SENDER,
  type TwilioApiError,
  twilioError,
} from './twilio-emulator-rules.ts';
import { postSignedWebhook, twimlReplies, type WebhookDelivery } from './twilio-emulator-webhooks.ts';
import type { TwilioMessageStatus } from './twilio-webhooks.ts';

export type { EmulatedMessage } from './twilio-emulator-messages.ts';
export type { WebhookDelivery } from './twilio-emulator-webhooks.ts';

/**
 * A Twilio Messages API on 127.0.0.1, for tests and offline demos: the REST endpoints Rapport
 * uses (create, fetch, list) with Twilio's validations, error documents and idempotency token;
 * the message lifecycle with signed status callbacks; signed incoming-message webhooks with
 * Twilio's STOP/START/HELP handling; and fault injection (5xx, 429, latency).
 */

export interface DeliveryFailure {
  /** `failed`: Twilio could not send it; `undelivered`: the carrier could not deliver it. */
  status: 'failed' | 'undelivered';
  /** 30003 unreachable handset, 30005 unknown number, 30006 landline, 30007 filtered … */
  errorCode: number;
}

export interface TwilioEmulatorOptions {
  accountSid?: string;
  authToken?: string;
  /** API keys (SK… SID and secret) that may authenticate for the account. */
  apiKeys?: { sid: string; secret: string }[];
  /** Numbers the account owns and may send from (Twilio's magic +15005550006 always works). */
  senders?: string[];
  /** Messaging Service SID → the number it sends from. */
  messagingServices?: Record<string, string>;
  /** Recipients that are landlines: Twilio refuses them with 21614. */
  landlines?: string[];
  /** Recipients whose messages end failed or undelivered instead of delivered. */
  deliveryFailures?: Record<string, DeliveryFailure>;
  /** Time between lifecycle steps (queued → sent → delivered). */
  stepMs?: number;
  /** 0 (default) picks a free port. */
  port?: number;
}

export interface InboundResult {
  messageSid: string;
  /** The app's HTTP status (null if it could not be reached). */
  status: number | null;
  /** What the app answered, as received. */
  twiml: string;
  /** The texts of the app's `<Message>` replies (not sent to a number that just texted STOP). */
  replies: string[];
  delivery: WebhookDelivery;
}

export interface ApiRequestRecord {
  method: string;
  path: string;
  status: number;
  idempotencyToken: string | null;
}

export interface TwilioEmulator {
  /** Base URL to use instead of https://api.twilio.com. */
  url: string;
  accountSid: string;
  authToken: string;
  /** Settings for createTwilioProvider, pointed at this emulator. */
  settings(from?: string): { accountSid: string; authToken: string; from: string; baseUrl: string };
  /** Every message (inbound, outbound, replies), oldest first. */
  messages(): EmulatedMessage[];
  /** Messages sent through the REST API, oldest first. */
  sent(): EmulatedMessage[];
  /** Status callbacks posted so far, in order. */
  callbacks(): WebhookDelivery[];
  apiRequests(): ApiRequestRecord[];
  /** The next `count` API requests fail with this HTTP status (Twilio's 20429/20500/20503 documents). */
  failNext(count: number, status: 429 | 500 | 503): void;
  /** Delays every API answer; the request is processed at once, so a client that gives up has still sent. */
  setLatency(ms: number): void;
  failDelivery(recipient: string, failure: DeliveryFailure | null): void;
  optOut(recipient: string, sender: string): void;
  optIn(recipient: string, sender: string): void;
  /** A text from a handset to one of the account's numbers: Twilio's signed webhook to the app. */
  sendInbound(input: { from: string; to: string; body: string; webhookUrl: string }): Promise<InboundResult>;
  /** Resolves when every lifecycle step and callback under way has finished. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export async function startTwilioEmulator(options: TwilioEmulatorOptions = {}): Promise<TwilioEmulator> {
  const accountSid = options.accountSid ?? newSid('AC');
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const apiKeys = new Map((options.apiKeys ?? []).map((k) => [k.sid, k.secret]));
  const senders = new Set(options.senders ?? [MAGIC_VALID_SENDER]);
  const messagingServices = new Map(Object.entries(options.messagingServices ?? {}));
  const landlines = new Set(options.landlines ?? []);
  const deliveryFailures = new Map(Object.entries(options.deliveryFailures ?? {}));
  const stepMs = options.stepMs ?? 5;
  const optOuts = new Set<string>();
  const optOutKey = (recipient: string, sender: string) => `${recipient}→${sender}`;

  const messages: EmulatedMessage[] = [];
  const byToken = new Map<string, EmulatedMessage>();
  const callbacks: WebhookDelivery[] = [];
  const requests: ApiRequestRecord[] = [];
  const faults: (429 | 500 | 503)[] = [];
  let latencyMs = 0;
  const pending = new Set<Promise<unknown>>();
  const stop = new AbortController();

  const track = <T>(promise: Promise<T>) => {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise)).catch(() => {});
    return promise;
  };

  const rules = {
    senders,
    messagingServices,
    landlines,
    isOptedOut: (recipient: string, sender: string) => optOuts.has(optOutKey(recipient, sender)),
  };

  function createMessage(
    fields: Partial<EmulatedMessage> & Pick<EmulatedMessage, 'direction' | 'from' | 'to' | 'body'>,
  ) {
    const now = new Date();
    const message: EmulatedMessage = {
      sid: newSid('SM'),
      accountSid,
      messagingServiceSid: null,
      status: 'queued',
      numSegments: Math.max(1, countSegments(fields.body)),
      errorCode: null,
      errorMessage: null,
      statusCallback: null,
      idempotencyToken: null,
      price: null,
      dateCreated: now,
      dateUpdated: now,
      dateSent: null,
      ...fields,
    };
    messages.push(message);
    return message;
  }

  /** Moves a message on; Twilio calls back for every status after the first. */
  async function transition(
    message: EmulatedMessage,
    status: TwilioMessageStatus,
    errorCode: number | null = null,
  ) {
    message.status = status;
    message.dateUpdated = new Date();
    if (errorCode !== null) {
      message.errorCode = errorCode;
      message.errorMessage = DELIVERY_ERRORS[errorCode] ?? null;
    }
    if (status === 'sent') {
      message.dateSent = message.dateUpdated;
      message.price = `-${(0.0079 * message.numSegments).toFixed(5)}`;
    }
    if (message.statusCallback && status !== 'sending') {
      callbacks.push(
        await postSignedWebhook(
          message.statusCallback,
          statusCallbackParams(message),
          authToken,
          stop.signal,
        ),
      );
    }
  }

  function runLifecycle(message: EmulatedMessage) {
    const step = () => sleep(stepMs, undefined, { signal: stop.signal });
    const failure = deliveryFailures.get(message.to);
    const lifecycle = async () => {
      if (message.status === 'accepted') {
        await step();
        await transition(message, 'queued');
      }
      await step();
      if (failure?.status === 'failed') return transition(message, 'failed', failure.errorCode);
      await transition(message, 'sending');
      await transition(message, 'sent');
      await step();
      if (failure) return transition(message, 'undelivered', failure.errorCode);
      return transition(message, 'delivered');
    };
    track(lifecycle().catch(() => {})); // only a close() interrupts it
  }

  function authenticate(request: IncomingMessage, pathAccount: string): boolean {
    const credentials = basicCredentials(request.headers.authorization);
    if (!credentials || pathAccount !== accountSid) return false;
    const expected = credentials.user === accountSid ? authToken : apiKeys.get(credentials.user);
    return expected !== undefined && sameSecret(credentials.password, expected);
  }

  function create(form: URLSearchParams, token: string | null): [number, unknown] {
    const known = token ? byToken.get(token) : undefined;
    if (known) return [201, messageJson(known)];
    const checked = checkCreateRequest(form, rules);
    if ('code' in checked) return [checked.httpStatus, errorDocument(checked)];
    const message = createMessage({
      direction: 'outbound-api',
      from: checked.from,
      to: checked.to,
      body: checked.body,
      messagingServiceSid: checked.messagingServiceSid,
      status: checked.messagingServiceSid ? 'accepted' : 'queued',
      statusCallback: checked.statusCallback,
      idempotencyToken: token,
    });
    if (token) byToken.set(token, message);
    const answer = messageJson(message);
    runLifecycle(message);
    return [201, answer];
  }

  function route(request: IncomingMessage, url: URL, body: string): [number, unknown] {
    const fault = faults.shift();
    if (fault) {
      const error =
        fault === 429 ? ERRORS.tooManyRequests() : fault === 500 ? ERRORS.internal() : ERRORS.unavailable();
      return [error.httpStatus, errorDocument(error)];
    }
    const match = MESSAGE_PATH.exec(url.pathname);
    if (!match) return [404, errorDocument(ERRORS.notFound(url.pathname))];
    if (!authenticate(request, match[1]!)) return [401, errorDocument(ERRORS.authenticate())];
    const sid = match[2];
    const notAllowed: TwilioApiError = twilioError(405, 20004, 'Method not allowed');
    if (sid === undefined) {
      if (request.method === 'POST') {
        const token = request.headers['i-twilio-idempotency-token'];
        return create(new URLSearchParams(body), typeof token === 'string' && token ? token : null);
      }
      if (request.method === 'GET') return [200, listPage(messages, url)];
      return [405, errorDocument(notAllowed)];
    }
    if (request.method !== 'GET') return [405, errorDocument(notAllowed)];
    const message = messages.find((m) => m.sid === sid);
    return message ? [200, messageJson(message)] : [404, errorDocument(ERRORS.notFound(url.pathname))];
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    let status: number;
    let document: unknown;
    try {
      [status, document] = route(request, url, await readBody(request));
    } catch {
      [status, document] = [500, errorDocument(ERRORS.internal())];
    }
    const token = request.headers['i-twilio-idempotency-token'];
    requests.push({
      method: request.method ?? 'GET',
      path: url.pathname,
      status,
      idempotencyToken: typeof token === 'string' ? token : null,
    });
    if (latencyMs > 0) await sleep(latencyMs, undefined, { signal: stop.signal }).catch(() => {});
    if (response.destroyed) return;
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'twilio-request-id': newSid('RQ'),
    };
    if (status === 401) headers['www-authenticate'] = 'Basic realm="Twilio API"';
    response.writeHead(status, headers).end(JSON.stringify(document));
  }

  const server = createServer((request, response) => {
    void track(handle(request, response).catch(() => response.destroy()));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('The Twilio emulator has no address');
  const url = `http://127.0.0.1:${address.port}`;
  const serviceOf = (number: string) => [...messagingServices].find(([, n]) => n === number)?.[0] ?? null;

  async function sendInbound(input: { from: string; to: string; body: string; webhookUrl: string }) {
    const keyword = keywordOf(input.body);
    const inbound = createMessage({
      direction: 'inbound',
      from: input.from,
      to: input.to,
      body: input.body,
      status: 'received',
      messagingServiceSid: serviceOf(input.to),
    });
    if (keyword === 'STOP') optOuts.add(optOutKey(input.from, input.to));
    if (keyword === 'START') optOuts.delete(optOutKey(input.from, input.to));
    const params = inboundParams(inbound, keyword);
    const delivery = await postSignedWebhook(input.webhookUrl, params, authToken, stop.signal);
    const answered = delivery.status !== null && delivery.status >= 200 && delivery.status < 300;
    const replies = answered ? twimlReplies(delivery.responseBody).filter((text) => text.length > 0) : [];
    const reply = (body: string) =>
      runLifecycle(
        createMessage({
          direction: 'outbound-reply',
          from: input.to,
          to: input.from,
          body,
          messagingServiceSid: inbound.messagingServiceSid,
        }),
      );
    if (keyword) reply(KEYWORD_REPLIES[keyword]);
    if (keyword !== 'STOP') for (const text of replies) reply(text);
    return {
      messageSid: inbound.sid,
      status: delivery.status,
      twiml: delivery.responseBody,
      replies,
      delivery,
    };
  }

  return {
    url,
    accountSid,
    authToken,
    settings: (from) => ({
      accountSid,
      authToken,
      from: from ?? [...senders][0] ?? MAGIC_VALID_SENDER,
      baseUrl: url,
    }),
    messages: () => [...messages],
    sent: () => messages.filter((m) => m.direction === 'outbound-api'),
    callbacks: () => [...callbacks],
    apiRequests: () => [...requests],
    failNext(count, status) {
      for (let i = 0; i < count; i++) faults.push(status);
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    failDelivery(recipient, failure) {
      if (failure) deliveryFailures.set(recipient, failure);
      else deliveryFailures.delete(recipient);
    },
    optOut: (recipient, sender) => void optOuts.add(optOutKey(recipient, sender)),
    optIn: (recipient, sender) => void optOuts.delete(optOutKey(recipient, sender)),
    sendInbound: (input) => track(sendInbound(input)),
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async close() {
      stop.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
