import { setTimeout as sleep } from 'node:timers/promises';
import { KEY_PREFIXES, to15 } from './ids.ts';
import type { Org } from './org.ts';
import {
  type EnvelopeNotification,
  isAcknowledgement,
  outboundEnvelope,
} from './outbound-message-envelope.ts';
import { parseWireValue, type StoredValue } from './values.ts';

/**
 * Sends workflow Outbound Messages from the emulated org to a listener, as Salesforce does when a
 * rule fires (a Case closes …): POST the SOAP envelope, and unless the reply is the valid Ack,
 * send the same notifications again (Salesforce retries with growing intervals for 24 hours; a
 * test sets how many attempts and how far apart).
 */

export interface OutboundMessageInput {
  /** The listener's endpoint URL. */
  url: string;
  objectType: string;
  /** Record Ids (fields read from the org) or field maps with an Id. */
  records: (string | Record<string, unknown>)[];
  /** The fields the outbound message sends (Id always); default: every field with a value. */
  fields?: string[];
  /** Default: the emulated org's Id. */
  orgId?: string;
  /** The outbound message definition's Id (04k…); default: one per object type. */
  actionId?: string;
  /** A session Id to send ("Send Session ID"), true to mint one for the API user, null/absent for none. */
  sessionId?: string | true | null;
  /** The API version of the Enterprise and Partner URLs (default 62.0). */
  apiVersion?: string;
  /** Delivery attempts until acknowledged (default 1) and the wait between them. */
  retry?: { attempts: number; intervalMs: number };
}

export interface OutboundAttempt {
  attempt: number;
  /** The listener's HTTP status (null when it could not be reached). */
  status: number | null;
  body: string;
  acknowledged: boolean;
  error?: string;
}

export interface OutboundResult {
  acknowledged: boolean;
  attempts: OutboundAttempt[];
  envelope: string;
  notificationIds: string[];
}

export function createOutboundMessenger(deps: { org: Org; url: () => string; mintSession: () => string }) {
  const { org } = deps;
  const actionIds = new Map<string, string>();
  const sent: OutboundResult[] = [];

  function notificationsOf(input: OutboundMessageInput): EnvelopeNotification[] {
    const object = org.object(input.objectType);
    return input.records.map((entry) => {
      const values: Record<string, StoredValue> = {};
      if (typeof entry === 'string') {
        const record = org.store.get(object, entry);
        if (!record) throw new Error(`No ${object.name} ${entry} in the emulated org`);
        Object.assign(values, record);
      } else {
        for (const [key, raw] of Object.entries(entry)) {
          const field = org.schema.field(object, key);
          if (!field) throw new Error(`No field ${key} on ${object.name}`);
          const parsed = parseWireValue(field, raw);
          if (!parsed.ok) throw new Error(`${object.name}.${key}: not a ${parsed.expected}`);
          values[field.name] = parsed.value;
        }
      }
      if (typeof values.Id !== 'string') throw new Error('Every outbound message record needs its Id');
      const wanted = input.fields ? new Set(['id', ...input.fields.map((f) => f.toLowerCase())]) : null;
      const fields = object.fields
        .filter(
          (f) =>
            f.type !== 'address' &&
            (wanted ? wanted.has(f.name.toLowerCase()) : values[f.name] !== undefined),
        )
        .map((field) => ({ field, value: values[field.name] ?? null }));
      return { id: org.newId(KEY_PREFIXES.OutboundNotification), object, fields };
    });
  }

  async function deliver(url: string, envelope: string, attempt: number): Promise<OutboundAttempt> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'text/xml; charset=utf-8',
          soapaction: '""',
          'user-agent': 'Salesforce - OutboundMessage',
        },
        body: envelope,
        signal: AbortSignal.timeout(10_000),
      });
      const body = await response.text();
      return {
        attempt,
        status: response.status,
        body,
        acknowledged: isAcknowledgement(response.status, body),
      };
    } catch (error) {
      return { attempt, status: null, body: '', acknowledged: false, error: (error as Error).message };
    }
  }

  async function send(input: OutboundMessageInput): Promise<OutboundResult> {
    const version = input.apiVersion ?? '62.0';
    const orgId = input.orgId ?? org.id;
    let actionId = input.actionId ?? actionIds.get(input.objectType);
    if (!actionId) {
      actionId = org.newId(KEY_PREFIXES.OutboundMessage);
      actionIds.set(input.objectType, actionId);
    }
    const notifications = notificationsOf(input);
    const envelope = outboundEnvelope({
      organizationId: orgId,
      actionId,
      sessionId: input.sessionId === true ? deps.mintSession() : (input.sessionId ?? null),
      enterpriseUrl: `${deps.url()}/services/Soap/c/${version}/${to15(orgId)}`,
      partnerUrl: `${deps.url()}/services/Soap/u/${version}/${to15(orgId)}`,
      notifications,
    });
    const attempts: OutboundAttempt[] = [];
    const maxAttempts = Math.max(1, input.retry?.attempts ?? 1);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) await sleep(input.retry?.intervalMs ?? 0);
      const outcome = await deliver(input.url, envelope, attempt);
      attempts.push(outcome);
      if (outcome.acknowledged) break;
    }
    const result = {
      acknowledged: attempts.at(-1)!.acknowledged,
      attempts,
      envelope,
      notificationIds: notifications.map((n) => n.id),
    };
    sent.push(result);
    return result;
  }

  return { send, sent: () => [...sent] };
}
