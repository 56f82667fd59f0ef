import type { Question } from 'survey-core';
import { loadModel } from './definition.ts';

/** How a question's answers are counted in results and shown in widgets. */
export type QuestionKind = 'single' | 'multiple' | 'rating' | 'boolean' | 'matrix' | 'text' | 'other';

export interface Option {
  value: string | number | boolean;
  text: string;
}

export interface QuestionShape {
  name: string;
  type: string;
  kind: QuestionKind;
  title: string;
  /** The answer values a respondent could pick, in display order (matrix: its columns). */
  options: Option[];
  /** Matrix rows. */
  rows: Option[];
}

const KIND_OF_TYPE: Record<string, QuestionKind> = {
  radiogroup: 'single',
  dropdown: 'single',
  imagepicker: 'single',
  checkbox: 'multiple',
  tagbox: 'multiple',
  rating: 'rating',
  boolean: 'boolean',
  matrix: 'matrix',
  text: 'text',
  comment: 'text',
};

type ItemLike = { value: unknown; text: string };
const options = (items: ItemLike[] | undefined): Option[] =>
  (items ?? []).map((i) => ({ value: i.value as Option['value'], text: stripHtml(i.text) }));

const stripHtml = (text: string) => String(text ?? '').replace(/<[^>]*>/g, '');

/** The questions of a definition with their answer options, texts in `locale` ('' = default). */
export function questionShapes(definition: unknown, locale = ''): QuestionShape[] {
  const model = loadModel(definition);
  if (locale && locale !== 'en') model.locale = locale;
  return model.getAllQuestions().map((question: Question) => {
    const q = question as unknown as {
      visibleChoices?: ItemLike[];
      visibleRateValues?: ItemLike[];
      rows?: ItemLike[];
      columns?: ItemLike[];
      labelTrue?: string;
      labelFalse?: string;
      valueTrue?: unknown;
      valueFalse?: unknown;
    };
    const type = question.getType();
    const kind = KIND_OF_TYPE[type] ?? 'other';
    let opts: Option[] = [];
    if (kind === 'single' || kind === 'multiple') opts = options(q.visibleChoices);
    else if (kind === 'rating') opts = options(q.visibleRateValues);
    else if (kind === 'matrix') opts = options(q.columns);
    else if (kind === 'boolean')
      opts = [
        { value: (q.valueTrue as Option['value']) ?? true, text: stripHtml(q.labelTrue ?? 'Yes') },
        { value: (q.valueFalse as Option['value']) ?? false, text: stripHtml(q.labelFalse ?? 'No') },
      ];
    return {
      name: question.name,
      type,
      kind,
      title: stripHtml(question.title),
      options: opts,
      rows: kind === 'matrix' ? options(q.rows) : [],
    };
  });
}
