import type { Model, Question } from 'survey-core';
import { checkAnswers } from '../answers.ts';
import type { BotTexts } from './sms-messages.ts';
import { promptFor } from './sms-prompt.ts';
import { smsQuestion } from './sms-question.ts';
import type { ConversationState } from './sms-state.ts';
import {
  completeTriggerHolds,
  completionText,
  expressionValues,
  isAsked,
  isShown,
  walk,
} from './sms-survey.ts';
import { stripHtml } from './sms-text.ts';

/**
 * One step of a conversation on a live Model: record a value (with what survey-core's triggers do
 * on it), then move to the next question or finish. The state is the caller's copy, changed in
 * place; the Model holds the embedded data and answers so far.
 */

export interface Turn {
  definition: object;
  state: ConversationState;
  model: Model;
  texts: BotTexts;
}

export interface Moved {
  outcome: 'continue' | 'completed';
  messages: string[];
}

const isEmpty = (value: unknown) =>
  value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

export function ask(turn: Turn, q: Question): string {
  turn.state.question = q.name;
  turn.state.step = 'answer';
  turn.state.retries = 0;
  return promptFor(smsQuestion(q)!, turn.texts);
}

/**
 * A required question still shown and unanswered. Only a trigger can leave one behind (a complete
 * trigger ending early, a skip trigger jumping over it): checkAnswers knows no triggers and would
 * refuse the response, so it is asked rather than the survey completed.
 */
function missingRequired(turn: Turn): Question | undefined {
  return turn.model
    .getAllQuestions()
    .find(
      (q) => isShown(q) && isAsked(q) && !q.isReadOnly && q.isRequired && isEmpty(turn.state.answers[q.name]),
    );
}

function complete(turn: Turn): string {
  const { state, model } = turn;
  // The web page stores expression values with the answers; checkAnswers keeps what is shown.
  const checked = checkAnswers(
    turn.definition,
    { ...state.answers, ...expressionValues(model) },
    { embedded: state.embedded, complete: true },
  );
  state.answers = checked.answers;
  state.status = 'completed';
  state.question = null;
  state.step = 'answer';
  state.retries = 0;
  return completionText(model) || turn.texts.thanks;
}

/**
 * After `from` was answered or skipped (null: at the start): the next shown question, with any
 * html text met on the way, or the end. A "complete" trigger ends the survey when the respondent
 * would leave the page it holds on, the way it replaces Next with Complete on the web page.
 */
export function moveOn(turn: Turn, from: Question | null): Moved {
  const messages: string[] = [];
  const next = walk(turn.model, turn.state.answers, turn.state.passed);
  for (const shown of next.shown) {
    turn.state.passed.push(shown.name);
    if (shown.text) messages.push(shown.text);
  }
  const leavingPage = from !== null && (next.question === null || next.question.page !== from.page);
  if (next.question && !(leavingPage && completeTriggerHolds(turn.model))) {
    messages.push(ask(turn, next.question));
    return { outcome: 'continue', messages };
  }
  const missing = missingRequired(turn);
  if (missing) {
    turn.state.passed = turn.state.passed.filter((name) => name !== missing.name);
    messages.push(ask(turn, missing));
    return { outcome: 'continue', messages };
  }
  messages.push(complete(turn));
  return { outcome: 'completed', messages };
}

export type Applied = { ok: true } | { ok: false; error: string };

/**
 * Sets a parsed value (or the text of an "Other" choice) on the Model as the web page would:
 * survey-core runs its triggers and validators (required, min/max, regex, min selected…), then
 * the server's own check. Only a value that passes both is written to the state.
 */
export function applyValue(turn: Turn, q: Question, value: unknown, otherText?: string): Applied {
  const { model, state } = turn;
  const before = model.data as Record<string, unknown>;
  const skipTo: string[] = [];
  model.onTriggerExecuted.add((_, options) => {
    const trigger = options.trigger as { getType(): string; gotoName?: string };
    if (trigger.getType() === 'skiptrigger' && trigger.gotoName) skipTo.push(trigger.gotoName);
  });
  model.setValue(q.name, value);
  if (otherText !== undefined) model.setComment(q.name, otherText);

  q.validate(true);
  // "Please describe Other" is the next message's job, not an error of the choice itself.
  const error = q.errors.find((e) => otherText !== undefined || e.getErrorType() !== 'otherempty');
  const answer: Record<string, unknown> = { [q.name]: value };
  if (otherText !== undefined) answer[`${q.name}-Comment`] = otherText;
  const refused = error
    ? stripHtml(error.getText())
    : checkAnswers(turn.definition, answer, { embedded: state.embedded, complete: false }).problems.length
      ? turn.texts.notUnderstood
      : null;
  if (refused !== null) {
    // Back to the answers before this reply (and before any trigger it ran) for what follows.
    model.data = before;
    return { ok: false, error: refused };
  }

  Object.assign(state.answers, answer);
  // Values survey-core's setvalue/copyvalue triggers wrote into other questions: the web page
  // would show them filled in, so they count as answered.
  const after = model.data as Record<string, unknown>;
  for (const other of model.getAllQuestions()) {
    if (other === q || other.getType() === 'expression' || isEmpty(after[other.name])) continue;
    if (JSON.stringify(after[other.name]) !== JSON.stringify(before[other.name]))
      state.answers[other.name] = after[other.name];
  }
  const target = skipTo.at(-1);
  if (target) jumpTo(turn, target);
  return { ok: true };
}

/** A skip trigger: every question before its target that has no answer is passed over. */
function jumpTo(turn: Turn, name: string) {
  const { state, model } = turn;
  const target = model.getQuestionByName(name);
  if (!target || !isShown(target) || !isEmpty(state.answers[name])) return;
  for (const q of model.getAllQuestions()) {
    if (q === target) break;
    if (isEmpty(state.answers[q.name]) && !state.passed.includes(q.name)) state.passed.push(q.name);
  }
}
