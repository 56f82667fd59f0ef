import { describe, expect, it } from 'vitest';
import { smsCompatibility } from './sms-compatibility.ts';

describe('SMS compatibility', () => {
  it('accepts the question types SMS can ask, html and expressions included', () => {
    const definition = {
      elements: [
        { type: 'html', name: 'intro', html: '<p>Hi</p>' },
        { type: 'rating', name: 'nps', rateMax: 10 },
        { type: 'radiogroup', name: 'a', choices: ['x'] },
        { type: 'dropdown', name: 'b', choices: ['x'] },
        { type: 'checkbox', name: 'c', choices: ['x'] },
        { type: 'tagbox', name: 'd', choices: ['x'] },
        { type: 'boolean', name: 'e' },
        { type: 'text', name: 'f', inputType: 'email' },
        { type: 'text', name: 'g', inputType: 'date' },
        { type: 'comment', name: 'h' },
        { type: 'expression', name: 'i', expression: '{nps} * 10' },
        { type: 'image', name: 'logo', imageLink: 'https://example.com/logo.png' },
        { type: 'panel', name: 'p', elements: [{ type: 'text', name: 'inside' }] },
      ],
    };
    expect(smsCompatibility(definition)).toEqual({ ok: true, problems: [] });
  });

  it('refuses, question by question, what a text message cannot carry', () => {
    const definition = {
      elements: [
        { type: 'text', name: 'ok' },
        { type: 'matrix', name: 'grid', rows: ['a'], columns: [1] },
        { type: 'matrixdropdown', name: 'table', rows: ['a'], columns: [{ name: 'c' }] },
        { type: 'matrixdynamic', name: 'rows', columns: [{ name: 'c' }] },
        { type: 'multipletext', name: 'address', items: [{ name: 'street' }] },
        { type: 'file', name: 'upload' },
        { type: 'signaturepad', name: 'sign' },
        { type: 'ranking', name: 'order', choices: ['a', 'b'] },
        {
          type: 'imagepicker',
          name: 'pic',
          choices: [{ value: 'a', imageLink: 'https://example.com/a.png' }],
        },
        { type: 'paneldynamic', name: 'people', templateElements: [{ type: 'text', name: 'who' }] },
        { type: 'text', name: 'colour', inputType: 'color' },
        { type: 'dropdown', name: 'country', choicesByUrl: { url: 'https://example.com/countries' } },
      ],
    };
    const result = smsCompatibility(definition);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => [p.question, p.type])).toEqual([
      ['grid', 'matrix'],
      ['table', 'matrixdropdown'],
      ['rows', 'matrixdynamic'],
      ['address', 'multipletext'],
      ['upload', 'file'],
      ['sign', 'signaturepad'],
      ['order', 'ranking'],
      ['pic', 'imagepicker'],
      ['people', 'paneldynamic'],
      ['colour', 'text'],
      ['country', 'dropdown'],
    ]);
    expect(result.problems[4]!.reason).toBe('a file cannot be uploaded by text message');
    expect(result.problems.at(-1)!.reason).toBe(
      'its choices are loaded from a web service, which SMS cannot do',
    );
  });

  it('refuses a survey with nothing to ask', () => {
    expect(smsCompatibility({ elements: [{ type: 'html', name: 'hello', html: 'Hi' }] })).toEqual({
      ok: false,
      problems: [{ question: '', type: 'survey', reason: 'the survey has no question to ask' }],
    });
  });
});
