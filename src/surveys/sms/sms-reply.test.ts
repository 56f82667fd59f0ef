import { describe, expect, it } from 'vitest';
import { controlKeyword, isSkipReply, yesNoWord } from './sms-keywords.ts';
import { botTexts } from './sms-messages.ts';
import type { SmsOption, SmsQuestion } from './sms-question.ts';
import { parseReply } from './sms-reply.ts';
import { matchKey, smsLength, stripHtml } from './sms-text.ts';

const en = botTexts('en');
const option = (value: unknown, text: string, role: SmsOption['role'] = 'choice'): SmsOption => ({
  value,
  text,
  role,
});
const common = { name: 'q', text: 'Q', required: false };
const CHOICES = [
  option('yes_soon', 'Très probable'),
  option('maybe', 'Peut-être'),
  option('no', 'Peu probable'),
];

const value = (q: SmsQuestion, reply: string) => {
  const parsed = parseReply(q, reply, en);
  return parsed.ok ? parsed.value : `error: ${parsed.error}`;
};

describe('SMS keywords', () => {
  it('knows STOP and HELP in every language, only as the whole reply', () => {
    for (const word of [
      'STOP',
      'stop.',
      'StopAll',
      'UNSUBSCRIBE',
      'cancel',
      'End',
      'QUIT',
      'ARRÊT',
      'arret',
      'Alto',
      'BASTA',
      'Stopp!',
    ])
      expect(controlKeyword(word), word).toBe('opt_out');
    for (const word of ['HELP', 'info', 'Aide', 'AIUTO', 'ayuda', 'Hilfe?'])
      expect(controlKeyword(word), word).toBe('help');
    for (const reply of ['please stop', 'stop it', 'help me', '3', 'no'])
      expect(controlKeyword(reply), reply).toBeNull();
  });

  it('reads yes and no in the five languages, and skip words', () => {
    for (const word of ['YES', 'y', 'Oui', 'SI', 'sì', 'Sí', 'JA']) expect(yesNoWord(word), word).toBe(true);
    for (const word of ['NO', 'n', 'non', 'NEIN', 'No.']) expect(yesNoWord(word), word).toBe(false);
    expect(yesNoWord('maybe')).toBeNull();
    for (const word of ['SKIP', 'passer', 'Salta', 'SALTAR', 'weiter', 'Überspringen', '-', ' – '])
      expect(isSkipReply(word), word).toBe(true);
    expect(isSkipReply('skip the intro next time')).toBe(false);
  });
});

describe('parsing replies', () => {
  it('picks a single choice by number, letter or text without accents or case', () => {
    const q: SmsQuestion = { ...common, kind: 'choice', options: CHOICES };
    expect(value(q, '1')).toBe('yes_soon');
    expect(value(q, ' 2) ')).toBe('maybe');
    expect(value(q, 'c')).toBe('no');
    expect(value(q, 'TRES PROBABLE')).toBe('yes_soon');
    expect(value(q, 'peut etre')).toBe('maybe');
    expect(value(q, 'peut')).toBe("error: Sorry, I didn't understand.");
    expect(value(q, 'peut-être!')).toBe('maybe');
    expect(value(q, '0')).toMatch(/^error/);
    expect(value(q, 'd')).toMatch(/^error/);
  });

  it('picks several choices, with "none" alone, "select all" expanded and the maximum enforced', () => {
    const options = [
      ...CHOICES,
      option('other', 'Other (describe)', 'other'),
      option('none', 'None', 'none'),
    ];
    const q: SmsQuestion = { ...common, kind: 'choices', options, max: 0 };
    expect(value(q, '1,3')).toEqual(['yes_soon', 'no']);
    expect(value(q, '1 3')).toEqual(['yes_soon', 'no']);
    expect(value(q, '3; 1; 3')).toEqual(['no', 'yes_soon']);
    expect(value(q, 'a and c')).toEqual(['yes_soon', 'no']);
    expect(value(q, 'Très probable, peu probable')).toEqual(['yes_soon', 'no']);
    expect(value(q, '2 et 4')).toEqual(['maybe', 'other']);
    expect(value(q, '5')).toEqual(['none']);
    expect(value(q, '1, 5')).toBe('error: "None" cannot be combined with other choices.');
    expect(value({ ...q, max: 2 }, '1,2,3')).toBe('error: Please choose at most 2.');
    expect(value(q, '1, 9')).toMatch(/^error/);
    const all: SmsQuestion = { ...q, options: [option('', 'Select All', 'all'), ...options] };
    expect(value(all, '1')).toEqual(['yes_soon', 'maybe', 'no']);
    expect(value(all, '1, 5')).toEqual(['yes_soon', 'maybe', 'no', 'other']);
  });

  it('reads scales, number lists, booleans and text', () => {
    const nps: SmsQuestion = {
      ...common,
      kind: 'scale',
      min: 0,
      max: 10,
      minLabel: '',
      maxLabel: '',
      options: Array.from({ length: 11 }, (_, i) => option(i, String(i))),
    };
    expect(value(nps, '0')).toBe(0);
    expect(value(nps, ' 9/10 ')).toBe(9);
    expect(value(nps, '11')).toMatch(/^error/);
    expect(value(nps, '7.5')).toMatch(/^error/);
    const worded: SmsQuestion = {
      ...common,
      kind: 'values',
      options: [option(1, 'Poor'), option(5, 'Great')],
    };
    expect(value(worded, '5')).toBe(5);
    expect(value(worded, 'poor')).toBe(1);
    const yesNo: SmsQuestion = {
      ...common,
      kind: 'yesNo',
      valueTrue: 'agreed',
      valueFalse: 'refused',
      labelTrue: 'D’accord',
      labelFalse: '',
    };
    expect(value(yesNo, "d'accord")).toBe('agreed');
    expect(value(yesNo, 'nein')).toBe('refused');
    const text = { ...common, kind: 'text', maxLength: 10, min: null, max: null } as const;
    expect(value({ ...text, input: 'text' }, '  hello  ')).toBe('hello');
    expect(value({ ...text, input: 'text' }, 'far too long a reply')).toBe(
      'error: Please keep your answer under 10 characters.',
    );
    expect(value({ ...text, input: 'number' }, '1 234,5')).toBe(1234.5);
    expect(value({ ...text, input: 'number' }, 'ten')).toMatch(/^error/);
    expect(value({ ...text, input: 'email' }, ' ann@example.com ')).toBe('ann@example.com');
    expect(value({ ...text, input: 'email' }, 'ann@')).toMatch(/^error/);
    expect(value({ ...text, input: 'date' }, '2026-02-28')).toBe('2026-02-28');
    expect(value({ ...text, input: 'date' }, '2026-02-30')).toMatch(/^error/);
  });
});

describe('SMS text', () => {
  it('strips HTML and typographic punctuation, and compares replies loosely', () => {
    expect(
      stripHtml(
        '<h3>Merci&nbsp;!</h3><p>L’équipe «&nbsp;Acme&nbsp;» &amp; co…</p><ul><li>a</li><li>b</li></ul>',
      ),
    ).toBe('Merci !\nL\'équipe "Acme" & co...\n\n- a\n- b');
    expect(matchKey('  Très   PROBABLE !! ')).toBe('tres probable');
  });

  it('counts characters and segments as the network does', () => {
    expect(smsLength('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsLength('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(smsLength('Prix: 5€ [promo]')).toEqual({ encoding: 'GSM-7', units: 19, segments: 1 });
    expect(smsLength('Êtes-vous')).toEqual({ encoding: 'UCS-2', units: 9, segments: 1 });
    expect(smsLength('ê'.repeat(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
  });
});
