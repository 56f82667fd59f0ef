import { describe, expect, it } from 'vitest';
import { checkAnswers } from './answers.ts';
import { checkDefinition, definitionLocales, listQuestions } from './definition.ts';
import { csatScore, netPromoterScore, npsCategory } from './metrics.ts';

/** A relationship NPS survey: French texts, a follow-up shown to detractors, a page for decision makers. */
const SURVEY = {
  pages: [
    {
      name: 'score',
      elements: [
        {
          type: 'rating',
          name: 'nps',
          rateMin: 0,
          rateMax: 10,
          isRequired: true,
          title: {
            default: 'How likely are you to recommend {company}?',
            fr: 'Recommanderiez-vous {company} ?',
          },
        },
        {
          type: 'radiogroup',
          name: 'reason',
          visibleIf: '{nps} <= 6',
          isRequired: true,
          choices: ['price', 'support', 'product'],
          showOtherItem: true,
        },
        { type: 'checkbox', name: 'channels', choices: ['email', 'phone', 'portal'], maxSelectedChoices: 2 },
        { type: 'comment', name: 'comments', maxLength: 200 },
      ],
    },
    {
      name: 'leaders',
      visibleIf: "{role} = 'DECISION_MAKER'",
      elements: [
        {
          type: 'matrix',
          name: 'areas',
          rows: ['value', 'quality'],
          columns: [1, 2, 3, 4, 5],
          isRequired: true,
        },
        { type: 'boolean', name: 'renew' },
      ],
    },
  ],
};

describe('survey definitions', () => {
  it('lists questions in a language and refuses unusable definitions', () => {
    expect(checkDefinition(SURVEY)).toEqual([]);
    expect(listQuestions(SURVEY, 'fr')[0]).toMatchObject({ name: 'nps', type: 'rating', required: true });
    expect(listQuestions(SURVEY, 'fr')[0]!.title).toContain('Recommanderiez-vous');
    expect(definitionLocales(SURVEY)).toContain('fr');
    expect(checkDefinition([])).toEqual([{ path: 'definition', message: 'expected a SurveyJS JSON object' }]);
    expect(checkDefinition({ pages: [] })).toContainEqual({
      path: 'definition',
      message: 'the survey has no question',
    });
    expect(
      checkDefinition({
        elements: [
          { type: 'text', name: 'a' },
          { type: 'comment', name: 'a' },
        ],
      }),
    ).toContainEqual({ path: 'questions.a', message: 'two questions are named "a"' });
  });
});

describe('checking answers on the server', () => {
  it('accepts a complete, consistent response and drops answers that display logic hides', () => {
    const result = checkAnswers(
      SURVEY,
      { nps: 9, reason: 'price', channels: ['email'], areas: { value: 4 } },
      { complete: true, embedded: { role: 'END_USER' } },
    );
    expect(result.problems).toEqual([]);
    // "reason" is for detractors and "areas" for decision makers: neither was shown.
    expect(result.answers).toEqual({ nps: 9, channels: ['email'] });
  });

  it('requires what logic shows: the detractor follow-up and the decision makers page', () => {
    const result = checkAnswers(SURVEY, { nps: 3 }, { complete: true, embedded: { role: 'DECISION_MAKER' } });
    expect(result.problems).toEqual([
      { question: 'reason', message: 'an answer is required' },
      { question: 'areas', message: 'an answer is required' },
    ]);
    const ok = checkAnswers(
      SURVEY,
      {
        nps: 3,
        reason: 'other',
        'reason-Comment': 'Too slow',
        areas: { value: 2, quality: 5 },
        renew: false,
      },
      { complete: true, embedded: { role: 'DECISION_MAKER' } },
    );
    expect(ok.problems).toEqual([]);
    expect(ok.answers).toMatchObject({ reason: 'other', 'reason-Comment': 'Too slow', renew: false });
  });

  it('rejects values that do not fit their question, naming the question and what was expected', () => {
    const result = checkAnswers(
      SURVEY,
      {
        nps: 11,
        reason: 'weather',
        channels: ['email', 'fax'],
        comments: 'x'.repeat(201),
        areas: { value: 9 },
        renew: 'yes',
        color: 'blue',
      },
      { complete: false, embedded: { role: 'DECISION_MAKER' } },
    );
    expect(result.problems).toEqual([
      { question: 'nps', message: 'expected a whole number from 0 to 10, got 11' },
      {
        question: 'reason',
        message: 'expected one of the choices (price, support, product, other), got "weather"',
      },
      {
        question: 'channels',
        message: 'unknown choice "fax" (expected email, phone, portal), got ["email","fax"]',
      },
      { question: 'comments', message: `at most 200 characters, got "${'x'.repeat(56)}…` },
      {
        question: 'areas',
        message: 'row "value": expected one of the columns (1, 2, 3, 4, 5), got {"value":9}',
      },
      { question: 'renew', message: 'expected true or false, got "yes"' },
      { question: 'color', message: '"color" is not a question of this survey' },
    ]);
    expect(result.answers).toEqual({});
    expect(checkAnswers(SURVEY, { nps: 4.5 }, { complete: false }).problems).toHaveLength(1);
    expect(checkAnswers(SURVEY, { nps: '9' }, { complete: false }).problems).toHaveLength(1);
    expect(
      checkAnswers(SURVEY, { channels: ['email', 'phone', 'portal'] }, { complete: false }).problems,
    ).toEqual([{ question: 'channels', message: 'at most 2 choices, got ["email","phone","portal"]' }]);
  });

  it('saves a partial response without requiring anything', () => {
    expect(checkAnswers(SURVEY, { nps: 2 }, { complete: false })).toEqual({
      problems: [],
      answers: { nps: 2 },
    });
  });
});

describe('response metrics', () => {
  it('categorises NPS answers and scores CSAT on any scale', () => {
    expect([0, 6, 7, 8, 9, 10].map(npsCategory)).toEqual([
      'detractor',
      'detractor',
      'passive',
      'passive',
      'promoter',
      'promoter',
    ]);
    expect([11, -1, 5.5, '9', null].map(npsCategory)).toEqual([null, null, null, null, null]);
    expect(netPromoterScore([10, 9, 8, 3])).toBe(25);
    expect(netPromoterScore([])).toBeNull();
    expect(csatScore(4, 1, 5)).toEqual({ score: 75, satisfied: true });
    expect(csatScore(3, 1, 5)).toEqual({ score: 50, satisfied: false });
    expect(csatScore(6, 1, 5)).toBeNull();
  });
});

describe('survey templates', () => {
  it('are valid definitions in the five languages, with their metric questions', async () => {
    const { SURVEY_TEMPLATES } = await import('./templates.ts');
    for (const template of SURVEY_TEMPLATES) {
      expect(checkDefinition(template.definition), template.key).toEqual([]);
      expect(definitionLocales(template.definition).sort(), template.key).toEqual([
        'de',
        'en',
        'es',
        'fr',
        'it',
      ]);
      const names = listQuestions(template.definition).map((q) => q.name);
      for (const metric of Object.values(template.metrics)) expect(names).toContain(metric);
    }
  });
});
