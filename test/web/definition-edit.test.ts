import { describe, expect, it } from 'vitest';
import { checkDefinition, listQuestions } from '../../src/surveys/definition.ts';
import {
  addPage,
  addQuestion,
  type Definition,
  moveQuestion,
  newQuestion,
  QUESTION_KINDS,
  setAtPath,
  translatableTexts,
  translationCoverage,
  withLocText,
  withPages,
} from '../../web/src/surveys/definition-edit.ts';

const base: Definition = { pages: [{ name: 'page1', elements: [] }] };

describe("the builder's definition edits", () => {
  it('adds one question of each kind, each one a valid SurveyJS question with a unique name', () => {
    let definition = base;
    for (const kind of [...QUESTION_KINDS, 'nps' as const])
      definition = addQuestion(definition, 0, newQuestion(definition, kind));
    expect(checkDefinition(definition)).toEqual([]);
    expect(listQuestions(definition).map((q) => [q.name, q.type])).toEqual([
      ['nps', 'rating'],
      ['csat', 'rating'],
      ['choice', 'radiogroup'],
      ['choices', 'checkbox'],
      ['matrix', 'matrix'],
      ['comment', 'comment'],
      ['nps_2', 'rating'],
    ]);
    // Edits never change the value they were given.
    expect(base.pages![0]!.elements).toEqual([]);
  });

  it('puts top-level questions on a page', () => {
    expect(withPages({ title: 'T', elements: [{ type: 'comment', name: 'a' }] })).toEqual({
      title: 'T',
      pages: [{ name: 'page1', elements: [{ type: 'comment', name: 'a' }] }],
    });
  });

  it('moves questions within a page and across pages', () => {
    let definition = addPage(base);
    definition = addQuestion(definition, 0, { type: 'comment', name: 'a' });
    definition = addQuestion(definition, 0, { type: 'comment', name: 'b' });
    definition = moveQuestion(definition, 0, 1, -1);
    expect(definition.pages![0]!.elements!.map((e) => e.name)).toEqual(['b', 'a']);
    definition = moveQuestion(definition, 0, 1, 1);
    expect(definition.pages!.map((p) => p.elements!.map((e) => e.name))).toEqual([['b'], ['a']]);
    definition = moveQuestion(definition, 1, 0, 1);
    expect(definition.pages!.map((p) => p.elements!.map((e) => e.name))).toEqual([['b'], ['a']]);
  });

  it('keeps a text plain until it has a translation, and lists every text to translate', () => {
    expect(withLocText('Hello', 'fr', 'Bonjour')).toEqual({ default: 'Hello', fr: 'Bonjour' });
    expect(withLocText({ default: 'Hello', fr: 'Bonjour' }, 'fr', '')).toBe('Hello');
    let definition = addQuestion(base, 0, newQuestion(base, 'single'));
    const texts = translatableTexts(definition);
    expect(texts.map((t) => t.label)).toEqual(['choice · title', 'choice · option_1', 'choice · option_2']);
    definition = setAtPath(definition, texts[0]!.path, withLocText(texts[0]!.value, 'fr', 'Votre question'));
    expect(definition.pages![0]!.elements![0]!.title).toEqual({
      default: 'Your question',
      fr: 'Votre question',
    });
    expect(translationCoverage(definition)).toMatchObject({ default: 1, fr: 1 / 3, de: 0 });
  });
});
