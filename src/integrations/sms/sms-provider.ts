export { countSegments, measureSegments, type SegmentCount, type SmsEncoding } from './sms-segments.ts';

export interface SmsMessage {
  /** The recipient, E.164 (`+14155550123`). */
  to: string;
  /** The sender: an E.164 number, or whatever the provider accepts as its sender (see the provider). */
  from: string;
  body: string;
  /** Where the provider reports delivery progress (Twilio: signed form POSTs). */
  statusCallback?: string | undefined;
  /**
   * The same key on a retry of the same logical send lets the provider answer with the first
   * message instead of sending a second one (a lost answer must not double-text a contact).
   */
  idempotencyKey?: string | undefined;
}

/**
 * What one send attempt came to. `permanent` failures will fail again whatever the retry (an
 * invalid or unsubscribed number, a body the provider refuses); the others (rate limits, provider
 * outages, network errors, time-outs, credentials being fixed) are worth retrying later.
 */
export type SmsSendOutcome =
  | { status: 'queued' | 'sent'; providerMessageId: string; segments: number }
  | { status: 'failed'; permanent: boolean; code: string | null; message: string };

export interface SmsProvider {
  send(message: SmsMessage): Promise<SmsSendOutcome>;
}
