import type { Question } from 'survey-core';
import { loadModel, sharedModel } from './definition.ts';

/**
 * Server-side checking of a respondent's answers against the survey version they saw: every
 * value must fit its question (a rating in range, a known choice, a matrix row and column…),
 * required questions that display logic shows must be answered on completion, and answers to
 * questions that logic hides are dropped. Nothing is silently coerced.
 */

export interface AnswerProblem {
  question: string;
  message: string;
}

export interface CheckedAnswers {
  problems: AnswerProblem[];
  /** The answers to keep: on completion, only those of visible questions. */
  answers: Record<string, unknown>;
}

const MAX_TEXT = 10_000;

const describe = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
};

const itemValues = (items: { value: unknown }[]) => items.map((i) => i.value);
const sameValue = (a: unknown, b: unknown) => a === b || String(a) === String(b);

/** Choice values a choice question accepts, with its other/none/select-all items when shown. */
function choiceValues(q: Question): unknown[] {
  const anyQ = q as unknown as {
    choices: { value: unknown }[];
    showOtherItem?: boolean;
    showNoneItem?: boolean;
    otherItem?: { value: unknown };
    noneItem?: { value: unknown };
  };
  const values = itemValues(anyQ.choices ?? []);
  if (anyQ.showOtherItem && anyQ.otherItem) values.push(anyQ.otherItem.value);
  if (anyQ.showNoneItem && anyQ.noneItem) values.push(anyQ.noneItem.value);
  return values;
}

/** Why a value does not fit its question, or null when it does. */
function valueProblem(q: Question, value: unknown): string | null {
  const type = q.getType();
  switch (type) {
    case 'rating': {
      const r = q as unknown as {
        rateMin: number;
        rateMax: number;
        rateStep: number;
        rateValues: { value: unknown }[];
      };
      if (r.rateValues?.length) {
        const allowed = itemValues(r.rateValues);
        return allowed.some((v) => sameValue(v, value)) ? null : `expected one of ${allowed.join(', ')}`;
      }
      const step = r.rateStep || 1;
      const fits =
        typeof value === 'number' &&
        value >= r.rateMin &&
        value <= r.rateMax &&
        Number.isInteger(Math.round(((value - r.rateMin) / step) * 1e9) / 1e9);
      return fits ? null : `expected a whole number from ${r.rateMin} to ${r.rateMax}`;
    }
    case 'radiogroup':
    case 'dropdown': {
      const allowed = choiceValues(q);
      return allowed.some((v) => sameValue(v, value))
        ? null
        : `expected one of the choices (${allowed.join(', ')})`;
    }
    case 'checkbox':
    case 'tagbox': {
      if (!Array.isArray(value)) return 'expected a list of choices';
      const allowed = choiceValues(q);
      const unknown = value.filter((v) => !allowed.some((a) => sameValue(a, v)));
      if (unknown.length) return `unknown choice ${describe(unknown[0])} (expected ${allowed.join(', ')})`;
      if (new Set(value.map(String)).size !== value.length) return 'a choice is selected twice';
      const max = (q as unknown as { maxSelectedChoices: number }).maxSelectedChoices;
      if (max > 0 && value.length > max) return `at most ${max} choices`;
      return null;
    }
    case 'boolean': {
      const b = q as unknown as { valueTrue?: unknown; valueFalse?: unknown };
      const allowed = [b.valueTrue ?? true, b.valueFalse ?? false];
      return allowed.some((v) => v === value) ? null : `expected ${allowed.join(' or ')}`;
    }
    case 'text':
    case 'comment': {
      const inputType = (q as unknown as { inputType?: string }).inputType;
      if (inputType === 'number' || inputType === 'range') {
        return typeof value === 'number' && Number.isFinite(value) ? null : 'expected a number';
      }
      if (typeof value !== 'string') return 'expected text';
      const max = (q as unknown as { maxLength: number }).maxLength;
      const limit = max > 0 ? max : MAX_TEXT;
      if (value.length > limit) return `at most ${limit} characters`;
      if (inputType === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value))
        return 'expected an email address';
      return null;
    }
    case 'matrix': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return 'expected an answer per row';
      const m = q as unknown as { rows: { value: unknown }[]; columns: { value: unknown }[] };
      const rows = itemValues(m.rows);
      const columns = itemValues(m.columns);
      for (const [row, column] of Object.entries(value)) {
        if (!rows.some((r) => sameValue(r, row))) return `unknown row ${describe(row)}`;
        if (!columns.some((c) => sameValue(c, column)))
          return `row ${describe(row)}: expected one of the columns (${columns.join(', ')})`;
      }
      return null;
    }
    default:
      // Other SurveyJS types are accepted as JSON, within a size bound.
      return (JSON.stringify(value)?.length ?? 0) > MAX_TEXT
        ? `at most ${MAX_TEXT} characters of data`
        : null;
  }
}

const isEmpty = (value: unknown) =>
  value === undefined ||
  value === null ||
  value === '' ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0);

export function checkAnswers(
  definition: unknown,
  answers: Record<string, unknown>,
  options: { embedded?: Record<string, unknown>; complete: boolean },
): CheckedAnswers {
  const model =
    typeof definition === 'object' && definition !== null ? sharedModel(definition) : loadModel(definition);
  const problems: AnswerProblem[] = [];
  const valid: Record<string, unknown> = {};
  const invalid = new Set<string>();
  for (const [name, value] of Object.entries(answers)) {
    // "<question>-Comment" holds the text of an "other" choice, as SurveyJS stores it.
    const base = name.endsWith('-Comment') ? name.slice(0, -'-Comment'.length) : name;
    const q = model.getQuestionByName(base);
    if (!q) {
      problems.push({ question: name, message: `"${name}" is not a question of this survey` });
      continue;
    }
    if (isEmpty(value)) continue;
    const problem =
      base === name
        ? valueProblem(q, value)
        : typeof value === 'string' && value.length <= MAX_TEXT
          ? null
          : 'expected text';
    if (problem) {
      problems.push({ question: name, message: `${problem}, got ${describe(value)}` });
      invalid.add(name);
    } else valid[name] = value;
  }
  // A partial save keeps every valid answer: display logic only decides what a completion keeps.
  if (!options.complete) return { problems, answers: valid };
  // Display logic runs on the valid answers, the way the respondent's page ran it. Embedded data
  // goes in as values, not variables: {sfAccountId} resolves the same, and one assignment runs the
  // conditions once instead of once per setVariable.
  model.data = { ...options.embedded, ...valid };

  const kept: Record<string, unknown> = {};
  for (const q of model.getAllQuestions()) {
    // Hidden by its own logic, or by its page's or panel's.
    if (!q.isVisible || !q.isParentVisible) continue;
    const value = valid[q.name];
    if (isEmpty(value)) {
      // A refused value is already reported; "required" would only repeat it.
      if (q.isRequired && !invalid.has(q.name))
        problems.push({ question: q.name, message: 'an answer is required' });
      continue;
    }
    kept[q.name] = value;
    if (valid[`${q.name}-Comment`] !== undefined) kept[`${q.name}-Comment`] = valid[`${q.name}-Comment`];
  }
  return { problems, answers: kept };
}
