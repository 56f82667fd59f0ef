import { sql } from 'drizzle-orm';
import { optOutPhoneNumber } from '../directory/opt-outs.service.ts';
import { type Database, type Executor, queryRows } from '../platform/db/database.ts';
import { saveSurveyResponse } from '../surveys/respond.service.ts';
import { type ConversationState, handleReply, startConversation } from '../surveys/sms/sms-conversation.ts';
import { controlKeyword } from '../surveys/sms/sms-keywords.ts';
import { botTexts } from '../surveys/sms/sms-messages.ts';
import { getSurveyRow } from '../surveys/surveys.service.ts';
import { surveyDefinition } from '../surveys/versions.ts';
import type { distributions } from './distributions.schema.ts';
import type { OutgoingRecipient } from './outgoing.ts';

type Distribution = typeof distributions.$inferSelect;

/**
 * Two-way SMS: the survey is answered by text, one question per message, stepped on the server
 * by survey-core (src/surveys/sms) so display logic holds. A conversation is a row with its state;
 * one is active per phone number, and each inbound text is processed once (by provider id).
 */

/** The contact fields survey texts pipe ({firstName}, {accountName}) and logic reads ({role}). */
const pipedFields = (row: OutgoingRecipient) => ({
  ...(row.embedded ?? {}),
  ...(row.first_name ? { firstName: row.first_name } : {}),
  ...(row.last_name ? { lastName: row.last_name } : {}),
  ...(row.account_name ? { accountName: row.account_name } : {}),
  ...(row.role ? { role: row.role } : {}),
});

/**
 * Opens the conversation of one recipient and returns the first text: the distribution's opening
 * message, the survey's intro and its first question. A send retried after a crash finds the
 * conversation it began and sends the same text again (same idempotency key, same words).
 */
export async function beginSmsConversation(
  db: Database,
  distribution: Distribution,
  row: OutgoingRecipient,
  opener: string,
): Promise<string> {
  const [existing] = await queryRows<{ state: ConversationState; opening: string | null }>(
    db.orm,
    sql`SELECT c.state, (SELECT m.body FROM sms_messages m WHERE m.conversation_id = c.id AND m.direction = 'out'
          ORDER BY m.id LIMIT 1) AS opening
        FROM sms_conversations c WHERE c.distribution_id = ${distribution.id} AND c.contact_id = ${row.contact_id}`,
  );
  if (existing?.opening) return existing.opening;
  const survey = await getSurveyRow(db.orm, distribution.surveyId);
  const definition = await surveyDefinition(db.orm, survey.id, survey.currentVersion);
  const started = startConversation({ definition, locale: row.locale ?? '', embedded: pipedFields(row) });
  const text = [opener, ...started.messages].filter(Boolean).join('\n\n');
  await db.orm.transaction(async (tx) => {
    // A new survey by text replaces any conversation still open on that number.
    await tx.execute(sql`UPDATE sms_conversations SET status = 'superseded', updated_at = now()
      WHERE phone = ${row.address} AND status = 'active'`);
    const [conversation] = await queryRows<{ id: number }>(
      tx,
      sql`INSERT INTO sms_conversations (distribution_id, survey_id, survey_version, contact_id, link_token, phone, status, state)
          VALUES (${distribution.id}, ${survey.id}, ${survey.currentVersion}, ${row.contact_id}, ${row.link_token},
            ${row.address}, 'active', ${JSON.stringify(started.state)}::jsonb)
          ON CONFLICT (distribution_id, contact_id) DO UPDATE SET status = 'active', state = excluded.state, updated_at = now()
          RETURNING id`,
    );
    await logMessage(tx, conversation!.id, 'out', row.address!, text, null);
  });
  return text;
}

async function logMessage(
  tx: Executor,
  conversationId: number | null,
  direction: 'in' | 'out',
  phone: string,
  body: string,
  providerMessageId: string | null,
) {
  const rows = await queryRows<{ id: number }>(
    tx,
    sql`INSERT INTO sms_messages (conversation_id, direction, phone, body, provider_message_id)
        VALUES (${conversationId}, ${direction}, ${phone}, ${body}, ${providerMessageId})
        ON CONFLICT (provider_message_id) WHERE provider_message_id IS NOT NULL DO NOTHING RETURNING id`,
  );
  return rows.length > 0;
}

export interface InboundSms {
  from: string;
  body: string;
  /** The provider's id of the inbound text: a webhook delivered twice is processed once. */
  messageId: string;
}

/** What to text back (in order), and what happened. */
export interface InboundResult {
  replies: string[];
  outcome: string;
  responseId?: number;
}

/**
 * Processes one inbound text: the reply to the question of the number's active conversation, or
 * STOP / HELP on their own. STOP opts every contact with this number out of SMS.
 */
export async function receiveSms(db: Database, inbound: InboundSms): Promise<InboundResult> {
  const [conversation] = await queryRows<{
    id: number;
    survey_id: number;
    survey_version: number;
    contact_id: number | null;
    link_token: string | null;
    state: ConversationState;
  }>(
    db.orm,
    sql`SELECT id, survey_id, survey_version, contact_id, link_token, state FROM sms_conversations
        WHERE phone = ${inbound.from} AND status = 'active'`,
  );
  const fresh = await db.orm.transaction((tx) =>
    logMessage(tx, conversation?.id ?? null, 'in', inbound.from, inbound.body, inbound.messageId),
  );
  if (!fresh) return { replies: [], outcome: 'duplicate' };

  if (!conversation) {
    const keyword = controlKeyword(inbound.body);
    const texts = botTexts('en');
    if (keyword === 'opt_out') {
      await optOutPhone(db, inbound.from);
      return { replies: [texts.optedOut], outcome: 'opted_out' };
    }
    return { replies: keyword === 'help' ? [texts.help] : [], outcome: 'no_conversation' };
  }

  try {
    return await continueConversation(db, conversation, inbound);
  } catch (error) {
    // Forget the text, so the provider's retry of this webhook is processed instead of ignored.
    await db.orm.execute(sql`DELETE FROM sms_messages WHERE provider_message_id = ${inbound.messageId}`);
    throw error;
  }
}

async function continueConversation(
  db: Database,
  conversation: {
    id: number;
    survey_id: number;
    survey_version: number;
    link_token: string | null;
    state: ConversationState;
  },
  inbound: InboundSms,
): Promise<InboundResult> {
  const definition = await surveyDefinition(db.orm, conversation.survey_id, conversation.survey_version);
  const result = handleReply({ definition, state: conversation.state, text: inbound.body });
  let responseId: number | undefined;
  if (result.outcome === 'completed' && conversation.link_token) {
    const saved = await saveSurveyResponse(
      db,
      conversation.link_token,
      { answers: result.answers, complete: true, language: result.state.locale || undefined },
      { channel: 'sms', version: conversation.survey_version },
    );
    responseId = saved.responseId;
  }
  await db.orm.transaction(async (tx) => {
    await tx.execute(sql`UPDATE sms_conversations SET state = ${JSON.stringify(result.state)}::jsonb,
      status = ${result.state.status}, response_id = coalesce(${responseId ?? null}::bigint, response_id), updated_at = now()
      WHERE id = ${conversation.id}`);
    for (const text of result.messages)
      await logMessage(tx, conversation.id, 'out', inbound.from, text, null);
  });
  if (result.outcome === 'opted_out') await optOutPhone(db, inbound.from);
  return { replies: result.messages, outcome: result.outcome, ...(responseId ? { responseId } : {}) };
}

/** STOP: every contact reached at this number stops receiving surveys by SMS. */
async function optOutPhone(db: Database, phone: string) {
  await db.orm.transaction((tx) => optOutPhoneNumber(tx, phone, 'sms-stop'));
}
