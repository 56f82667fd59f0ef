import { eq, sql } from 'drizzle-orm';
import { contactRows } from '../directory/audiences.ts';
import { markEmailBounced } from '../directory/opt-outs.service.ts';
import { type Database, queryRows } from '../platform/db/database.ts';
import { emitEvent } from '../platform/events/events.ts';
import type { Logger } from '../platform/logger.ts';
import type { SecretBox } from '../platform/secrets/secret-box.ts';
import { getSurveyRow } from '../surveys/surveys.service.ts';
import { distributions } from './distributions.schema.ts';
import { type OutgoingRecipient, renderOutgoing } from './outgoing.ts';
import { cachedTransport } from './transport-cache.ts';
import { beginSmsConversation } from './two-way.ts';

export interface SendDeps {
  db: Database;
  secrets: SecretBox;
  logger: Logger;
  /** Where links in messages point: RAPPORT_PUBLIC_URL, else this server's own address. */
  publicUrl: string;
}

/** A temporary failure: the job is retried (with backoff) for the recipients still pending. */
export class RetryLater extends Error {}

/** After this many attempts a recipient whose sends keep failing temporarily is marked failed. */
const MAX_ATTEMPTS = 5;

/**
 * The send rate is a budget in the database (send_rate_budgets, one row per channel), so it holds
 * across every worker and process: a sender claims the next free slots, gap = 1/rate apart, in the
 * statement that claims a recipient, then waits for each. Slots are taken under the row's lock, so
 * two senders never take the same one; an idle budget starts again from now, not from the past.
 * The lock is held until the claim commits (a WAL flush): taken once per message it made the
 * senders queue on it (545 messages/s instead of 1,000), so each takes a few slots at a time,
 * about 50 ms of sending — slots left unused when a batch ends are lost, never exceeded.
 */
const claimSlots = (channel: string, gapMs: number, count: number) => sql`, slot AS (
    INSERT INTO send_rate_budgets AS b (channel, next_at)
      SELECT ${channel}::message_channel, clock_timestamp() + make_interval(secs => ${(gapMs * count) / 1000}::float8)
      FROM claimed
    ON CONFLICT (channel) DO UPDATE
      SET next_at = GREATEST(b.next_at, clock_timestamp()) + make_interval(secs => ${(gapMs * count) / 1000}::float8)
    RETURNING next_at)`;

/** How many slots a sender takes at once: about 50 ms of the rate, at least 1, at most 20. */
const slotsPerClaim = (ratePerSecond: number) => Math.max(1, Math.min(20, Math.floor(ratePerSecond / 20)));

/** A slot further off than this is re-checked after the wait: a pause still stops the batch. */
const RECHECK_AFTER_MS = 100;

type Row = OutgoingRecipient & { id: number; status: string; attempts: number };

interface SentMark {
  id: number;
  providerMessageId: string;
  inDoubt: boolean;
  /** The provider is where the message ends (the outbox): accepted is delivered, no callback comes. */
  delivered: boolean;
}

/** Records a message the provider accepted. A status callback may have come first: its status stays. */
const markSent = (m: SentMark) => sql`UPDATE distribution_recipients SET sent_at = now(),
    status = CASE WHEN status IN ('delivered', 'failed') THEN status
                  ELSE ${m.delivered ? 'delivered' : 'sent'}::recipient_status END,
    delivered_at = CASE WHEN ${m.delivered} AND status NOT IN ('delivered', 'failed') THEN now() ELSE delivered_at END,
    last_error = CASE WHEN status = 'failed' THEN last_error END,
    provider_message_id = ${m.providerMessageId}, resent_after_interruption = ${m.inDoubt}
  WHERE id = ${m.id}`;

/**
 * Sends one batch of a distribution's recipients (ids in [fromId, toId]). Each message is marked
 * `sending` before it leaves and `sent` as soon as the provider accepts it, so a crash at any point
 * leaves every recipient either untouched (sent on the retry), sent (skipped on the retry) or in
 * doubt (`sending`: sent again under the same idempotency key — the outbox and SMS provider keep
 * one message per key; over SMTP the Message-ID repeats, and the recipient is flagged).
 */
export async function sendBatch(deps: SendDeps, distributionId: number, fromId: number, toId: number) {
  const { db } = deps;
  const [distribution] = await db.orm
    .select()
    .from(distributions)
    .where(eq(distributions.id, distributionId));
  if (distribution?.status !== 'sending') return { sent: 0, skipped: distribution?.status ?? 'gone' };

  const members = sql`SELECT contact_id, account_id, role FROM distribution_recipients
    WHERE distribution_id = ${distributionId} AND id BETWEEN ${fromId} AND ${toId} AND status IN ('pending', 'sending')`;
  const rows = await queryRows<Row>(
    db.orm,
    sql`SELECT r.id, r.status::text AS status, r.attempts, r.contact_id, r.address, r.locale, r.link_token,
          r.embedded, c.first_name, c.last_name, c.email, c.phone, c.language, c.external_ref, c.attributes,
          c.account_name, c.account_external_ref, c.account_attributes, r.role
        FROM distribution_recipients r
        LEFT JOIN (${contactRows(distribution.directoryId, members)}) c ON c.contact_id = r.contact_id
        WHERE r.distribution_id = ${distributionId} AND r.id BETWEEN ${fromId} AND ${toId}
          AND r.status IN ('pending', 'sending')
        ORDER BY r.id`,
  );
  if (rows.length === 0) return { sent: 0, completed: await completeIfDone(db, distributionId) };

  const transport = await cachedTransport(db, deps.secrets, distribution.channel, deps.publicUrl);
  // A rate changed in Settings takes effect at the next batch (a new transport carries it).
  const gapMs = 1000 / transport.ratePerSecond;
  const perClaim = slotsPerClaim(transport.ratePerSecond);
  // An email counts as delivered once sent (stats.service.ts), an SMS when its status callback says
  // so; the outbox sends none, and a message stored there has arrived.
  const smsToOutbox = distribution.channel === 'sms' && transport.kind === 'outbox';
  const surveyName = (await getSurveyRow(db.orm, distribution.surveyId)).name;

  let sent = 0;
  let temporary = 0;
  let stopped: string | null = null;
  /** The distribution stopped sending (paused, cancelled) while this batch ran. */
  let halted: string | null = null;
  const queue = [...rows];
  const worker = async () => {
    // The "sent" mark of a worker's last message rides with its next claim: one statement per
    // message, sent the moment the provider's answer is in (the in-doubt window does not grow).
    let unmarked: SentMark | null = null;
    /** This sender's slots of the rate budget: the first's time (performance.now), used, left. */
    let slots = { first: 0, taken: 0, left: 0 };
    for (let row = queue.shift(); row && !stopped && !halted; row = queue.shift()) {
      const inDoubt = row.status === 'sending';
      // Claims the recipient: only while the distribution is still sending (a pause stops the
      // batch between two messages), and only if no other send job (a resume queues new ones
      // while this one may still run) has claimed it since it was read. With it, the message's
      // slot in the channel's rate budget, and how long until that slot comes (a crash during the
      // wait leaves it in doubt: the retry sends it under its idempotency key, flagged, though it never left).
      // With no slot left from its last claim, the sender takes the next few: the wait until the
      // first (the database's clock), the others follow it gap apart on this one's.
      const needSlots = slots.left === 0;
      const claimed = await queryRows<{ id: number; wait_ms: number | null }>(
        db.orm,
        sql`WITH ${unmarked ? sql`marked AS (${markSent(unmarked)}),` : sql``}
          claimed AS (UPDATE distribution_recipients SET status = 'sending', attempts = attempts + 1
            WHERE id = ${row.id} AND attempts = ${row.attempts} AND status IN ('pending', 'sending')
              AND EXISTS (SELECT 1 FROM distributions WHERE id = ${distributionId} AND status = 'sending')
            RETURNING id)
          ${needSlots ? claimSlots(distribution.channel, gapMs, perClaim) : sql``}
          SELECT claimed.id, ${
            needSlots
              ? sql`GREATEST(0, EXTRACT(EPOCH FROM slot.next_at - clock_timestamp()) * 1000 - ${gapMs * perClaim}::float8)::float8`
              : sql`NULL::float8`
          } AS wait_ms
          FROM claimed ${needSlots ? sql`CROSS JOIN slot` : sql``}`,
      );
      unmarked = null;
      const stillSending = async () => {
        const [now] = await db.orm
          .select({ status: distributions.status })
          .from(distributions)
          .where(eq(distributions.id, distributionId));
        if (now?.status !== 'sending') halted = now?.status ?? 'gone';
        return !halted;
      };
      if (claimed.length === 0) {
        await stillSending();
        continue;
      }
      if (needSlots)
        slots = { first: performance.now() + Number(claimed[0]!.wait_ms), taken: 0, left: perClaim };
      const waitMs = Math.max(0, slots.first + slots.taken * gapMs - performance.now());
      slots.taken++;
      slots.left--;
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      if (waitMs > RECHECK_AFTER_MS && !(await stillSending())) {
        // Paused while this message waited for its slot: it goes back, unsent, as it was.
        await db.orm.execute(sql`UPDATE distribution_recipients SET status = ${row.status}::recipient_status,
            attempts = ${row.attempts} WHERE id = ${row.id} AND attempts = ${row.attempts + 1}`);
        continue;
      }
      const message = renderOutgoing(deps, distribution, surveyName, row);
      if (
        distribution.channel === 'sms' &&
        distribution.message &&
        (distribution.message as { mode?: string }).mode === 'two_way'
      )
        message.text = await beginSmsConversation(db, distribution, row, message.text);
      const outcome = await transport.send(message);
      if (outcome.status === 'sent') {
        sent++;
        unmarked = {
          id: row.id,
          providerMessageId: outcome.providerMessageId,
          inDoubt,
          delivered: smsToOutbox,
        };
        if (queue.length === 0) {
          await db.orm.execute(markSent(unmarked));
          unmarked = null;
        }
      } else if (outcome.permanent) {
        const bounced = distribution.channel === 'email' && /^5\.1\.|^55[0-3]/.test(outcome.code ?? '');
        await db.orm.transaction(async (tx) => {
          await tx.execute(sql`UPDATE distribution_recipients SET
            status = ${bounced ? 'bounced' : 'failed'}::recipient_status, last_error = ${outcome.message},
            bounced_at = CASE WHEN ${bounced} THEN now() END, failed_at = CASE WHEN ${bounced} THEN NULL ELSE now() END
            WHERE id = ${row.id}`);
          if (bounced) await markEmailBounced(tx, row.contact_id, outcome.message);
        });
      } else if (['EAUTH', 'ENOAUTH', 'ETLS', 'ECONFIG'].includes(outcome.code ?? '')) {
        // Every message would fail the same way until someone fixes the settings: pause and say why.
        stopped = outcome.message;
        await db.orm.execute(
          sql`UPDATE distribution_recipients SET status = 'pending', last_error = ${outcome.message} WHERE id = ${row.id}`,
        );
      } else {
        temporary++;
        const exhausted = row.attempts + 1 >= MAX_ATTEMPTS;
        await db.orm.execute(sql`UPDATE distribution_recipients SET
          status = ${exhausted ? 'failed' : 'pending'}::recipient_status, last_error = ${outcome.message},
          failed_at = CASE WHEN ${exhausted} THEN now() END WHERE id = ${row.id}`);
      }
    }
    // The worker stopped early (pause, another worker's failure): its last message is still marked.
    if (unmarked) await db.orm.execute(markSent(unmarked));
  };
  await Promise.all(Array.from({ length: Math.min(transport.concurrency, rows.length) }, worker));

  if (stopped) {
    await db.orm
      .update(distributions)
      .set({ status: 'paused', error: `Paused: ${stopped}`, updatedAt: new Date() })
      .where(eq(distributions.id, distributionId));
    deps.logger.error(
      { distributionId, reason: stopped },
      'distribution paused: the provider refuses our settings',
    );
    return { sent, paused: stopped };
  }
  if (halted) return { sent, skipped: halted };
  if (temporary > 0) throw new RetryLater(`${temporary} message(s) could not be sent yet: retrying`);
  return { sent, completed: await completeIfDone(db, distributionId) };
}

/** Marks the distribution completed once no recipient is left to send (and says so to automations). */
export async function completeIfDone(db: Database, distributionId: number): Promise<boolean> {
  return db.orm.transaction(async (tx) => {
    const [done] = await queryRows<{ id: number; survey_id: number }>(
      tx,
      sql`UPDATE distributions SET status = 'completed', completed_at = now(), updated_at = now()
          WHERE id = ${distributionId} AND status = 'sending' AND NOT EXISTS (
            SELECT 1 FROM distribution_recipients WHERE distribution_id = ${distributionId}
              AND status IN ('pending', 'sending'))
          RETURNING id, survey_id`,
    );
    if (done)
      await emitEvent(tx, 'distribution.completed', `distribution:${distributionId}`, {
        distributionId,
        surveyId: Number(done.survey_id),
      });
    return !!done;
  });
}
