// survey-core's own strings (the "Other (describe)" and "None" items, validation errors, the
// default thank-you text) in the languages the respondent page loads, so SMS texts match it.
import 'survey-core/i18n/french';
import 'survey-core/i18n/italian';
import 'survey-core/i18n/spanish';
import 'survey-core/i18n/german';
import type { Model, Question } from 'survey-core';
import { loadModel, sharedModel } from '../definition.ts';
import { stripHtml } from './sms-text.ts';

/**
 * The survey side of an SMS conversation: a survey-core Model in the conversation's locale with
 * the answers so far, and the walk that picks the next question the way the web page shows them.
 * A Model is built per message (milliseconds for a CX survey): the state stays plain JSON, and no
 * cached Model can leak one conversation's answers or locale into another.
 */

/** Types asked as questions over SMS. */
export const ASKED_TYPES = [
  'rating',
  'radiogroup',
  'dropdown',
  'checkbox',
  'tagbox',
  'boolean',
  'text',
  'comment',
] as const;
/** Display-only: its text is sent as it comes, HTML stripped. */
export const SENT_TYPES = ['html'] as const;
/** Nothing to ask or send: computed values and pictures. Expressions are computed by survey-core. */
export const IGNORED_TYPES = ['expression', 'image', 'empty'] as const;

const includes = (list: readonly string[], type: string) => list.includes(type);
export const isAsked = (q: Question) => includes(ASKED_TYPES, q.getType());

/**
 * The locale to run in: the one asked for (or its base language, "fr" for "fr-CA") when the
 * survey has texts in it, else the survey's own default language.
 */
export function conversationLocale(definition: object, requested: string): string {
  // Reads nothing that answers change: the definition's one shared Model will do.
  const model = sharedModel(definition);
  const surveyDefault = (model.locale || 'en').toLowerCase();
  // getUsedLocales names the default texts "en" whatever their language: in a survey written in
  // French, "en" is only real if some text has an "en" translation.
  const realEnglish = surveyDefault === 'en' || JSON.stringify(definition).includes('"en":');
  const used = model
    .getUsedLocales()
    .map((l) => l.toLowerCase())
    .filter((l) => l !== 'en' || realEnglish);
  const asked = requested.trim().toLowerCase().replace('_', '-');
  for (const candidate of [asked, asked.split('-')[0] ?? '']) {
    if (candidate && (candidate === surveyDefault || used.includes(candidate))) return candidate;
  }
  return surveyDefault;
}

/** A Model of the definition in `locale`, holding `values` (embedded data and answers). */
export function openSurvey(definition: object, locale: string, values: Record<string, unknown>): Model {
  const model = loadModel(definition);
  model.locale = locale;
  for (const q of model.getAllQuestions()) {
    // A random order would be drawn again for every message, and "2" must mean the choice that
    // was listed second: over SMS choices keep the definition's order.
    const select = q as unknown as { choicesOrder?: string };
    if (select.choicesOrder === 'random') select.choicesOrder = 'none';
  }
  model.data = values;
  return model;
}

/** Shown by its own logic and by its page's and panels'. */
export const isShown = (q: Question) => q.isVisible && q.isParentVisible;

const isEmpty = (value: unknown) =>
  value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

export interface Walk {
  /** The question to ask, or null when nothing is left. */
  question: Question | null;
  /** html elements met on the way, to send before the question (their names, then their texts). */
  shown: { name: string; text: string }[];
}

/**
 * The first shown question, in survey order, that has neither an answer nor been passed. Taking
 * the first rather than the one after the current question means a question that an answer made
 * visible further up is still asked, as the web page would have shown it on the same page.
 */
export function walk(model: Model, answers: Record<string, unknown>, passed: readonly string[]): Walk {
  const shown: Walk['shown'] = [];
  for (const q of model.getAllQuestions()) {
    if (passed.includes(q.name) || !isEmpty(answers[q.name]) || !isShown(q)) continue;
    const type = q.getType();
    if (includes(SENT_TYPES, type)) {
      const text = stripHtml((q as unknown as { locHtml: { renderedHtml: string } }).locHtml.renderedHtml);
      shown.push({ name: q.name, text });
      continue;
    }
    // Read-only questions (readOnly, enableIf) cannot be answered on the web page either.
    if (!isAsked(q) || q.isReadOnly) continue;
    return { question: q, shown };
  }
  return { question: null, shown };
}

/** Title and description, piped text resolved by survey-core, as plain text. */
export function questionText(q: Question): string {
  const title = stripHtml(q.locTitle.renderedHtml);
  const description = stripHtml(q.locDescription.renderedHtml);
  return description ? `${title}\n${description}` : title;
}

export const surveyTitle = (model: Model) => stripHtml(model.locTitle.renderedHtml);

/**
 * The author's thank-you text (completedHtml, or its matching completedHtmlOnCondition), '' when
 * there is none: `completedHtml` alone would return survey-core's default page text.
 */
export function completionText(model: Model): string {
  const own = !model.locCompletedHtml.isEmpty || model.completedHtmlOnCondition.length > 0;
  return own ? stripHtml(model.processedCompletedHtml) : '';
}

/** Whether a "complete" trigger holds: on the web page it turns Next into Complete. */
export function completeTriggerHolds(model: Model): boolean {
  return model.triggers.some(
    (t) => t.getType() === 'completetrigger' && t.expression && model.runExpression(t.expression) === true,
  );
}

/** Values survey-core computed for expression questions, which the web page stores with the answers. */
export function expressionValues(model: Model): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const q of model.getAllQuestions()) {
    if (q.getType() === 'expression' && !isEmpty(q.value)) values[q.name] = q.value;
  }
  return values;
}
