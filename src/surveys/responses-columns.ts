import type { Question } from 'survey-core';
import { listQuestions, sharedModel } from './definition.ts';

/**
 * The columns of a survey's response file, shared by the export (which writes them) and the
 * import (which reads them back): a fixed part, one column per question of the current definition
 * in order, then one per declared embedded field. Values are written so that reading them back by
 * question type gives the same answer: export → import round-trips.
 */

export const FIXED_COLUMNS = [
  'ResponseId',
  'Status',
  'StartedAt',
  'CompletedAt',
  'Language',
  'Channel',
  'ContactExternalRef',
  'ContactEmail',
  'AccountExternalRef',
  'AccountName',
  'NpsScore',
  'NpsCategory',
  'CsatScore',
] as const;
export type FixedColumn = (typeof FIXED_COLUMNS)[number];

/** What reading and writing an answer needs to know about its question. */
export interface QuestionShape {
  name: string;
  type: string;
  /** Choice values (with "other" and "none" when shown), rating values, or matrix columns. */
  values: unknown[];
  /** Matrix rows. */
  rows: string[];
  inputType: string | null;
  valueTrue: unknown;
  valueFalse: unknown;
}

export type Column =
  | { kind: 'fixed'; header: FixedColumn }
  | { kind: 'answer'; header: string; question: QuestionShape }
  | { kind: 'matrixRow'; header: string; question: QuestionShape; row: string }
  /** The text of an "other" choice or a comment area, which SurveyJS keeps as "<name>-Comment". */
  | { kind: 'comment'; header: string; question: QuestionShape }
  | { kind: 'embedded'; header: string; field: string };

/** Elements that hold no answer. */
const NO_ANSWER = new Set(['html', 'image']);
const CHOICE_TYPES = new Set(['radiogroup', 'dropdown', 'checkbox', 'tagbox']);
export const LIST_SEPARATOR = ';';

function shapeOf(q: Question): QuestionShape {
  const anyQ = q as unknown as {
    choices?: { value: unknown }[];
    rateValues?: { value: unknown }[];
    rows?: { value: unknown }[];
    columns?: { value: unknown }[];
    showOtherItem?: boolean;
    showNoneItem?: boolean;
    otherItem?: { value: unknown };
    noneItem?: { value: unknown };
    inputType?: string;
    valueTrue?: unknown;
    valueFalse?: unknown;
  };
  const type = q.getType();
  let values: unknown[] = [];
  if (CHOICE_TYPES.has(type)) {
    values = (anyQ.choices ?? []).map((c) => c.value);
    if (anyQ.showOtherItem && anyQ.otherItem) values.push(anyQ.otherItem.value);
    if (anyQ.showNoneItem && anyQ.noneItem) values.push(anyQ.noneItem.value);
  } else if (type === 'rating') values = (anyQ.rateValues ?? []).map((v) => v.value);
  else if (type === 'matrix') values = (anyQ.columns ?? []).map((c) => c.value);
  return {
    name: q.name,
    type,
    values,
    rows: type === 'matrix' ? (anyQ.rows ?? []).map((r) => String(r.value)) : [],
    inputType: anyQ.inputType ?? null,
    valueTrue: anyQ.valueTrue,
    valueFalse: anyQ.valueFalse,
  };
}

const hasCommentColumn = (q: Question) => {
  const anyQ = q as unknown as { showOtherItem?: boolean; showCommentArea?: boolean };
  return Boolean(anyQ.showOtherItem || anyQ.showCommentArea);
};

export function responseColumns(definition: object, embeddedFields: string[]): Column[] {
  const model = sharedModel(definition);
  const columns: Column[] = FIXED_COLUMNS.map((header) => ({ kind: 'fixed', header }));
  for (const info of listQuestions(definition)) {
    if (NO_ANSWER.has(info.type)) continue;
    const q = model.getQuestionByName(info.name);
    if (!q) continue;
    const question = shapeOf(q);
    if (question.type === 'matrix') {
      for (const row of question.rows)
        columns.push({ kind: 'matrixRow', header: `${question.name}.${row}`, question, row });
    } else columns.push({ kind: 'answer', header: question.name, question });
    if (hasCommentColumn(q)) columns.push({ kind: 'comment', header: `${question.name}-Comment`, question });
  }
  for (const field of embeddedFields) columns.push({ kind: 'embedded', header: field, field });
  return columns;
}

// Spreadsheets run a cell starting with = + - @ (or a tab/CR before one) as a formula: a
// respondent's text must not become one on a CX manager's machine. Such text gets a leading
// apostrophe, which spreadsheets hide and the import removes again (so a round trip is exact:
// text that already starts with apostrophes before one of those characters gets one more).
const FORMULA_START = /^'*[=+\-@\t\r]/;
const GUARDED = /^'+[=+\-@\t\r]/;

export const guardText = (text: string) => (FORMULA_START.test(text) ? `'${text}` : text);
export const unguardText = (text: string) => (GUARDED.test(text) ? text.slice(1) : text);

/** Any value as the text of a cell: text guarded, numbers and booleans as written, the rest as JSON. */
export function valueText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return guardText(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The text of one answer column for a response's answers and embedded data. */
export function answerCell(
  column: Exclude<Column, { kind: 'fixed' }>,
  response: {
    answers: Record<string, unknown>;
    embedded: Record<string, unknown>;
  },
): string {
  switch (column.kind) {
    case 'embedded':
      return valueText(response.embedded[column.field]);
    case 'comment':
      return valueText(response.answers[`${column.question.name}-Comment`]);
    case 'matrixRow': {
      const value = response.answers[column.question.name];
      return value && typeof value === 'object' && !Array.isArray(value)
        ? valueText((value as Record<string, unknown>)[column.row])
        : '';
    }
    case 'answer': {
      const value = response.answers[column.question.name];
      const type = column.question.type;
      if ((type === 'checkbox' || type === 'tagbox') && Array.isArray(value))
        return guardText(value.map(String).join(LIST_SEPARATOR));
      // Other types' answers are written as JSON when they are not text: read back the same way.
      return valueText(value);
    }
  }
}

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** The declared value whose text is `text` (so a choice of 1 comes back as 1, not "1"); else the text. */
const matchValue = (values: unknown[], text: string): unknown => {
  const found = values.find((v) => String(v) === text);
  return found === undefined ? text : found;
};

/**
 * Reads one cell back as the answer of its question. Lenient on purpose: text that does not fit
 * (a word in a rating column, an unknown choice) is passed on as it is, so checkAnswers() reports
 * it with the question's own rules, and nothing is coerced silently. Empty means unanswered.
 */
export function parseAnswer(question: QuestionShape, raw: string): unknown {
  const text = unguardText(raw);
  if (text.trim() === '') return undefined;
  switch (question.type) {
    case 'rating': {
      if (question.values.length) return matchValue(question.values, text.trim());
      return NUMBER.test(text.trim()) ? Number(text.trim()) : text;
    }
    case 'radiogroup':
    case 'dropdown':
      return matchValue(question.values, text.trim());
    case 'checkbox':
    case 'tagbox':
      return text
        .split(LIST_SEPARATOR)
        .map((part) => part.trim())
        .filter(Boolean)
        .map((part) => matchValue(question.values, part));
    case 'boolean': {
      const word = text.trim().toLowerCase();
      const valueTrue = question.valueTrue ?? true;
      const valueFalse = question.valueFalse ?? false;
      if (String(valueTrue).toLowerCase() === word) return valueTrue;
      if (String(valueFalse).toLowerCase() === word) return valueFalse;
      if (['true', '1', 'yes'].includes(word)) return valueTrue;
      if (['false', '0', 'no'].includes(word)) return valueFalse;
      return text;
    }
    case 'text':
    case 'comment':
      if (question.inputType === 'number' || question.inputType === 'range')
        return NUMBER.test(text.trim()) ? Number(text.trim()) : text;
      return text;
    case 'matrix':
      return matchValue(question.values, text.trim());
    default:
      // Written as JSON when not text (ranking lists, multiple-text objects, numbers).
      try {
        const parsed: unknown = JSON.parse(text);
        return typeof parsed === 'string' ? text : parsed;
      } catch {
        return text;
      }
  }
}
