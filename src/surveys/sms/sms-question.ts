import type { Question } from 'survey-core';
import { questionText } from './sms-survey.ts';
import { stripHtml } from './sms-text.ts';

/**
 * A survey-core question seen as an SMS question: what to list and which values a reply may map
 * to, read from the live Model (so visible choices, piped text and locale are survey-core's).
 */

export interface SmsOption {
  value: unknown;
  text: string;
  /** choice: a choice of the definition; other/none: SurveyJS's special items; all: "Select all". */
  role: 'choice' | 'other' | 'none' | 'all';
}

interface Common {
  name: string;
  /** Title (and description) in the conversation's locale, piped text resolved. */
  text: string;
  required: boolean;
}

export type SmsQuestion = Common &
  (
    | { kind: 'scale'; min: number; max: number; minLabel: string; maxLabel: string; options: SmsOption[] }
    | { kind: 'values'; options: SmsOption[] }
    | { kind: 'choice'; options: SmsOption[] }
    | { kind: 'choices'; options: SmsOption[]; max: number }
    | { kind: 'yesNo'; valueTrue: unknown; valueFalse: unknown; labelTrue: string; labelFalse: string }
    | {
        kind: 'text';
        input: 'text' | 'number' | 'email' | 'date';
        maxLength: number;
        min: number | null;
        max: number | null;
      }
  );

// answers.ts's bound on a text without its own maxLength.
const MAX_TEXT = 10_000;

interface Rendered {
  renderedHtml: string;
  isEmpty: boolean;
}
interface Item {
  value: unknown;
  locText: Rendered;
  isEnabled: boolean;
}
const itemText = (item: Item) => stripHtml(item.locText.renderedHtml);

function ratingQuestion(q: Question, common: Common): SmsQuestion {
  const r = q as unknown as {
    visibleRateValues: Item[];
    locMinRateDescription: Rendered;
    locMaxRateDescription: Rendered;
  };
  const items = r.visibleRateValues;
  const numeric = items.every((i) => typeof i.value === 'number');
  const labelled = items.some((i) => itemText(i) !== String(i.value));
  const options = items.map((i): SmsOption => ({ value: i.value, text: itemText(i), role: 'choice' }));
  if (!numeric) return { ...common, kind: 'choice', options };
  const values = items.map((i) => i.value as number);
  const consecutive = values.every((v, k) => k === 0 || v === (values[k - 1] ?? v) + 1);
  if (!consecutive || labelled || values.length < 2) return { ...common, kind: 'values', options };
  return {
    ...common,
    kind: 'scale',
    min: values[0]!,
    max: values.at(-1)!,
    minLabel: stripHtml(r.locMinRateDescription.renderedHtml),
    maxLabel: stripHtml(r.locMaxRateDescription.renderedHtml),
    options,
  };
}

function selectOptions(q: Question): SmsOption[] {
  const s = q as unknown as {
    visibleChoices: Item[];
    otherItem: Item;
    noneItem: Item;
    selectAllItem?: Item;
    refuseItem?: Item;
    dontKnowItem?: Item;
  };
  const options: SmsOption[] = [];
  for (const item of s.visibleChoices) {
    // Disabled by choicesEnableIf: the web page shows it greyed out; over SMS it is not offered.
    if (!item.isEnabled) continue;
    // "Refuse to answer" / "Don't know": answers.ts does not accept their values, so a response
    // holding one would be refused on the server; they are not offered.
    if (item === s.refuseItem || item === s.dontKnowItem) continue;
    const role =
      item === s.otherItem
        ? 'other'
        : item === s.noneItem
          ? 'none'
          : item === s.selectAllItem
            ? 'all'
            : 'choice';
    options.push({ value: item.value, text: itemText(item), role });
  }
  return options;
}

function textQuestion(q: Question, common: Common): SmsQuestion {
  const t = q as unknown as { inputType?: string; maxLength: number; min?: unknown; max?: unknown };
  const inputType = q.getType() === 'text' ? (t.inputType ?? 'text') : 'text';
  const input =
    inputType === 'number' || inputType === 'range'
      ? 'number'
      : inputType === 'email' || inputType === 'date'
        ? inputType
        : 'text';
  const bound = (v: unknown) =>
    v === undefined || v === null || v === '' || Number.isNaN(Number(v)) ? null : Number(v);
  return {
    ...common,
    kind: 'text',
    input,
    maxLength: t.maxLength > 0 ? t.maxLength : MAX_TEXT,
    min: input === 'number' ? bound(t.min) : null,
    max: input === 'number' ? bound(t.max) : null,
  };
}

/** The SMS view of an asked question (see ASKED_TYPES); null for any other type. */
export function smsQuestion(q: Question): SmsQuestion | null {
  const common: Common = { name: q.name, text: questionText(q), required: q.isRequired };
  switch (q.getType()) {
    case 'rating':
      return ratingQuestion(q, common);
    case 'radiogroup':
    case 'dropdown':
      return { ...common, kind: 'choice', options: selectOptions(q) };
    case 'checkbox':
    case 'tagbox': {
      const max = (q as unknown as { maxSelectedChoices: number }).maxSelectedChoices;
      return { ...common, kind: 'choices', options: selectOptions(q), max: max > 0 ? max : 0 };
    }
    case 'boolean': {
      const b = q as unknown as {
        getValueTrue(): unknown;
        getValueFalse(): unknown;
        locLabelTrue: Rendered;
        locLabelFalse: Rendered;
      };
      // Only labels the author wrote: survey-core's default ones are "Yes"/"No", already accepted.
      const label = (l: Rendered) => (l.isEmpty ? '' : stripHtml(l.renderedHtml));
      return {
        ...common,
        kind: 'yesNo',
        valueTrue: b.getValueTrue(),
        valueFalse: b.getValueFalse(),
        labelTrue: label(b.locLabelTrue),
        labelFalse: label(b.locLabelFalse),
      };
    }
    case 'text':
    case 'comment':
      return textQuestion(q, common);
    default:
      return null;
  }
}
