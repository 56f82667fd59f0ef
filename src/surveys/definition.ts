import { Model, type Question } from 'survey-core';

/**
 * A survey definition is SurveyJS JSON. This module reads one on the server, headless, with
 * survey-core itself: what the respondent's page renders is what the server checks against.
 */

export interface DefinitionProblem {
  path: string;
  message: string;
}

/** Question types whose answers the server checks value by value (others: JSON-shape only). */
export const CHECKED_TYPES = [
  'rating',
  'radiogroup',
  'dropdown',
  'checkbox',
  'tagbox',
  'boolean',
  'text',
  'comment',
  'matrix',
] as const;

export function loadModel(definition: unknown): Model {
  return new Model(definition as object);
}

// Building a Model costs milliseconds; a stored version's definition never changes, so each
// definition object gets one Model, reused. Safe because the checks using it are synchronous (no
// two requests interleave on one Model) and each sets the whole of its data before reading.
const reusable = new WeakMap<object, Model>();

/** The one Model of this definition object: set its `data` before reading answers-dependent state. */
export function sharedModel(definition: object): Model {
  let model = reusable.get(definition);
  if (!model) {
    model = loadModel(definition);
    reusable.set(definition, model);
  }
  return model;
}

/** Every problem that makes a definition unusable, before it is saved. */
export function checkDefinition(definition: unknown): DefinitionProblem[] {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition))
    return [{ path: 'definition', message: 'expected a SurveyJS JSON object' }];
  const model = loadModel(definition);
  const problems: DefinitionProblem[] = (model.jsonErrors ?? []).map((e) => ({
    path: 'definition',
    message: e.message,
  }));
  const questions = model.getAllQuestions();
  if (questions.length === 0) problems.push({ path: 'definition', message: 'the survey has no question' });
  const seen = new Set<string>();
  for (const q of questions) {
    if (!q.name) problems.push({ path: 'definition', message: 'every question needs a name' });
    else if (seen.has(q.name))
      problems.push({ path: `questions.${q.name}`, message: `two questions are named "${q.name}"` });
    seen.add(q.name);
  }
  return problems;
}

export interface QuestionInfo {
  name: string;
  type: string;
  title: string;
  required: boolean;
}

/** The questions of a definition in order, with their titles in one language. */
export function listQuestions(definition: unknown, locale = ''): QuestionInfo[] {
  const model = loadModel(definition);
  if (locale) model.locale = locale;
  return model.getAllQuestions().map((q: Question) => ({
    name: q.name,
    type: q.getType(),
    title: q.title,
    required: q.isRequired,
  }));
}

/** The languages a definition has texts for ('en' stands for the default texts). */
export function definitionLocales(definition: unknown): string[] {
  const model =
    typeof definition === 'object' && definition !== null ? sharedModel(definition) : loadModel(definition);
  return model.getUsedLocales();
}
