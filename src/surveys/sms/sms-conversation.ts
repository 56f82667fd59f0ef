import type { Question } from 'survey-core';
import { badRequest } from '../../platform/errors.ts';
import { smsCompatibility } from './sms-compatibility.ts';
import { controlKeyword, isSkipReply } from './sms-keywords.ts';
import { botTexts } from './sms-messages.ts';
import { instructionFor, promptFor } from './sms-prompt.ts';
import { smsQuestion } from './sms-question.ts';
import { parseReply } from './sms-reply.ts';
import {
  type ConversationState,
  DEFAULT_IDLE_TIMEOUT_MS,
  MAX_RETRIES,
  type ReplyOutcome,
} from './sms-state.ts';
import { applyValue, type Moved, moveOn, type Turn } from './sms-steps.ts';
import { conversationLocale, openSurvey, surveyTitle } from './sms-survey.ts';
import { smsFriendly } from './sms-text.ts';

/**
 * A survey run as a two-way SMS conversation: one question per text, replies parsed, invalid
 * replies re-asked. Pure: no database, no clock but `now`, no sending; the caller stores the state
 * (one row per conversation), sends `messages` in order, and acts on `outcome` (records the
 * response on 'completed', the contact's SMS opt-out on 'opted_out').
 *
 * Display logic is survey-core's own, on the same definition the web page runs: each reply builds
 * a Model with the embedded data and answers so far, and the next question is the next one it
 * shows. Completed answers pass checkAnswers (answers.ts) as a web response would have to.
 */

export type { ConversationState, ReplyOutcome } from './sms-state.ts';
export { DEFAULT_IDLE_TIMEOUT_MS, MAX_RETRIES } from './sms-state.ts';

export interface StartConversationInput {
  definition: object;
  /** The contact's language ("fr", "fr-CA"…); the survey's default when it has no texts in it. */
  locale: string;
  embedded?: Record<string, unknown>;
  now?: Date;
}

export interface HandleReplyInput {
  /** The survey version the conversation started on. */
  definition: object;
  state: ConversationState;
  text: string;
  now?: Date;
  /** Silence after which the next reply finds the survey closed. */
  idleTimeoutMs?: number;
}

export interface ReplyResult {
  state: ConversationState;
  /** Texts to send, in order: HTML stripped, typographic punctuation made GSM-friendly. */
  messages: string[];
  outcome: ReplyOutcome;
  /** The answers so far; on 'completed', the response as checkAnswers keeps it. */
  answers: Record<string, unknown>;
}

const outgoing = (messages: string[]) => messages.map(smsFriendly).filter((m) => m.length > 0);

/** Opens a conversation: the survey's title and how to opt out, then the first question. */
export function startConversation(input: StartConversationInput): {
  state: ConversationState;
  messages: string[];
} {
  const compatibility = smsCompatibility(input.definition);
  if (!compatibility.ok) throw badRequest('This survey cannot run by text message', compatibility.problems);
  const locale = conversationLocale(input.definition, input.locale);
  const at = (input.now ?? new Date()).toISOString();
  const state: ConversationState = {
    version: 1,
    status: 'active',
    locale,
    embedded: { ...input.embedded },
    question: null,
    step: 'answer',
    retries: 0,
    answers: {},
    passed: [],
    startedAt: at,
    lastActivityAt: at,
  };
  const model = openSurvey(input.definition, locale, state.embedded);
  const texts = botTexts(locale);
  const title = surveyTitle(model);
  const first = moveOn({ definition: input.definition, state, model, texts }, null);
  return { state, messages: outgoing([title ? `${title}\n${texts.intro}` : texts.intro, ...first.messages]) };
}

// What a finished conversation answers to anything but STOP and HELP: nothing, and its status.
const FINISHED_OUTCOME: Record<Exclude<ConversationState['status'], 'active'>, ReplyOutcome> = {
  completed: 'completed',
  opted_out: 'opted_out',
  expired: 'expired',
  abandoned: 'invalid',
};

export function handleReply(input: HandleReplyInput): ReplyResult {
  const state: ConversationState = structuredClone(input.state);
  const now = input.now ?? new Date();
  const texts = botTexts(state.locale);
  const result = (outcome: ReplyOutcome, messages: string[]): ReplyResult => ({
    state,
    messages: outgoing(messages),
    outcome,
    answers: state.answers,
  });

  const keyword = controlKeyword(input.text);
  // STOP works in any state: it is about the contact, not this survey.
  if (keyword === 'opt_out') {
    if (state.status === 'active') state.status = 'opted_out';
    state.lastActivityAt = now.toISOString();
    return result('opted_out', [texts.optedOut]);
  }
  if (state.status !== 'active')
    return keyword === 'help' ? result('help', [texts.help]) : result(FINISHED_OUTCOME[state.status], []);
  const idle = now.getTime() - Date.parse(state.lastActivityAt);
  if (idle > (input.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS)) {
    state.status = 'expired';
    return result('expired', [texts.expired]);
  }
  state.lastActivityAt = now.toISOString();

  const model = openSurvey(input.definition, state.locale, { ...state.embedded, ...state.answers });
  const turn: Turn = { definition: input.definition, state, model, texts };
  const q = state.question ? model.getQuestionByName(state.question) : null;
  const view = q ? smsQuestion(q) : null;
  if (!q || !view) {
    // Not a question of this definition (the caller passed another version): carry on from the top.
    const moved = moveOn(turn, null);
    return result(moved.outcome, moved.messages);
  }
  if (keyword === 'help')
    return result('help', [texts.help, state.step === 'other' ? texts.other : promptFor(view, texts)]);

  // The reply, or why it is refused (then re-asked, or given up on after MAX_RETRIES).
  const refusal = state.step === 'other' ? otherText(turn, q, input.text) : answer(turn, q, input.text);
  if (refusal === null) {
    const moved = moveOn(turn, q);
    return result(moved.outcome, moved.messages);
  }
  if (typeof refusal !== 'string') return result(refusal.outcome, refusal.messages);

  state.retries += 1;
  if (state.retries <= MAX_RETRIES) {
    const instruction = state.step === 'other' ? texts.other : instructionFor(view, texts);
    // survey-core's validation texts do not all end their sentence.
    const error = /[.!?:]$/.test(refusal) ? refusal : `${refusal}.`;
    return result('invalid', [`${error} ${instruction}`]);
  }
  if (view.required) {
    // Guessing an answer to a required question would put words in the respondent's mouth.
    state.status = 'abandoned';
    return result('invalid', [texts.abandoned]);
  }
  // An optional question is left unanswered, as the web page allows; an "Other" without its
  // text is not an answer either.
  if (state.step === 'other') {
    delete state.answers[q.name];
    model.clearValue(q.name);
  }
  state.passed.push(q.name);
  const moved = moveOn(turn, q);
  return result(moved.outcome, [texts.movingOn, ...moved.messages]);
}

/**
 * A reply to the question itself: null when recorded, the error to re-ask with, or (when the
 * reply picked "Other") the request for its text.
 */
function answer(turn: Turn, q: Question, reply: string): string | null | Moved {
  const view = smsQuestion(q)!;
  if (isSkipReply(reply)) {
    if (view.required) return turn.texts.required;
    turn.state.passed.push(q.name);
    return null;
  }
  const parsed = parseReply(view, reply, turn.texts);
  if (!parsed.ok) return parsed.error;
  const applied = applyValue(turn, q, parsed.value);
  if (!applied.ok) return applied.error;
  const other =
    view.kind === 'choice' || view.kind === 'choices' ? view.options.find((o) => o.role === 'other') : null;
  const picked = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
  if (other && picked.includes(other.value)) {
    turn.state.step = 'other';
    turn.state.retries = 0;
    return { outcome: 'continue', messages: [turn.texts.other] };
  }
  return null;
}

/** The text of an "Other" choice; SurveyJS requires one, so SKIP is not an option here. */
function otherText(turn: Turn, q: Question, reply: string): string | null {
  const text = reply.trim();
  if (!text || isSkipReply(text)) return turn.texts.notUnderstood;
  const applied = applyValue(turn, q, turn.state.answers[q.name], text);
  if (!applied.ok) return applied.error;
  turn.state.step = 'answer';
  return null;
}
