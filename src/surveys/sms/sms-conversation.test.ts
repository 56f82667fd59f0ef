import { describe, expect, it } from 'vitest';
import { checkAnswers } from '../answers.ts';
import { handleReply, startConversation } from './sms-conversation.ts';
import { converse, minutesLater, NPS_SURVEY, T0 } from './sms-fixtures.ts';

const ANN = { embedded: { firstName: 'Ann' } };

const passesCheck = (definition: object, answers: Record<string, unknown>, embedded = {}) =>
  expect(checkAnswers(definition, answers, { embedded, complete: true }).problems).toEqual([]);

describe('an NPS survey by SMS', () => {
  it('opens with the title and opt-out line, then asks the first question with piped text', () => {
    const { state, messages } = startConversation({
      definition: NPS_SURVEY,
      locale: 'en',
      embedded: { firstName: 'Ann' },
      now: T0,
    });
    expect(messages).toEqual([
      'Acme feedback\nReply STOP to opt out, HELP for help.',
      'Ann, how likely are you to recommend Acme?\nReply with a number from 0 (Not likely) to 10 (Very likely).',
    ]);
    expect(state).toMatchObject({
      status: 'active',
      locale: 'en',
      question: 'nps',
      retries: 0,
      answers: {},
      startedAt: T0.toISOString(),
      lastActivityAt: T0.toISOString(),
    });
  });

  it('skips the detractor follow-up for a promoter and completes with answers checkAnswers accepts', () => {
    const chat = converse(NPS_SURVEY, ['9', '2', '1, 3', 'yes'], ANN);
    expect(chat.sent[1]).toEqual([
      'How do you prefer to be contacted?\nReply 1, 2 or 3:\n1) Phone\n2) Email\n3) Meeting',
    ]);
    expect(chat.sent[3]).toEqual(['Will you renew?\nReply YES or NO.']);
    expect(chat.results.map((r) => r.outcome)).toEqual(['continue', 'continue', 'continue', 'completed']);
    expect(chat.last!.messages).toEqual(['Thank you, Ann!']);
    expect(chat.last!.answers).toEqual({
      nps: 9,
      contact: 'email',
      topics: ['price', 'support'],
      renew: true,
    });
    expect(chat.state).toMatchObject({ status: 'completed', question: null });
    passesCheck(NPS_SURVEY, chat.last!.answers, ANN.embedded);
  });

  it('asks a detractor the follow-up, with their score piped into it', () => {
    const chat = converse(NPS_SURVEY, ['3', '  Faster answers, please.  ', 'phone', 'none', 'n'], ANN);
    expect(chat.sent[1]).toEqual(['You gave 3. What should we improve?\nReply SKIP to skip.']);
    expect(chat.last!.outcome).toBe('completed');
    expect(chat.last!.answers).toEqual({
      nps: 3,
      improve: 'Faster answers, please.',
      contact: 'phone',
      topics: ['none'],
      renew: false,
    });
    passesCheck(NPS_SURVEY, chat.last!.answers, ANN.embedded);
  });

  it('runs in French: survey texts in the locale, bot texts in French, choices matched without accents', () => {
    const chat = converse(NPS_SURVEY, ['5', 'passer', 'telephone', 'qualite et prix', 'OUI'], {
      locale: 'fr-CA',
      embedded: { firstName: 'Zoé' },
    });
    expect(chat.state.locale).toBe('fr');
    expect(chat.sent[0]).toEqual([
      "Avis Acme\nRépondez STOP pour ne plus recevoir de messages, AIDE pour de l'aide.",
      'Zoé, recommanderiez-vous Acme ?\nRépondez par un nombre de 0 (Peu probable) à 10 (Très probable).',
    ]);
    expect(chat.sent[1]).toEqual([
      'Vous avez donné 5. Que devrions-nous améliorer ?\nRépondez PASSER pour passer.',
    ]);
    expect(chat.sent[2]![0]).toContain('1) Téléphone\n2) E-mail\n3) Réunion');
    expect(chat.sent[3]![0]).toBe(
      'Quels sujets comptent pour vous ?\nRépondez par un ou plusieurs numéros séparés par des virgules (ex. 1,3) :\n' +
        '1) Prix\n2) Qualité\n3) Assistance\n4) Aucun\nRépondez PASSER pour passer.',
    );
    expect(chat.last!.messages).toEqual(['Merci, Zoé !']);
    expect(chat.last!.answers).toEqual({
      nps: 5,
      contact: 'phone',
      topics: ['quality', 'price'],
      renew: true,
    });
    passesCheck(NPS_SURVEY, chat.last!.answers);
  });

  it("runs in the survey's own language when it has no texts in the contact's", () => {
    expect(startConversation({ definition: NPS_SURVEY, locale: 'de', now: T0 }).state.locale).toBe('en');
    const french = {
      locale: 'fr',
      elements: [{ type: 'boolean', name: 'ok', title: 'Êtes-vous satisfait ?' }],
    };
    const { state, messages } = startConversation({ definition: french, locale: 'en', now: T0 });
    expect(state.locale).toBe('fr');
    expect(messages[1]).toBe('Êtes-vous satisfait ?\nRépondez OUI ou NON.\nRépondez PASSER pour passer.');
  });

  it('accepts a choice by number, letter or text (any case, any accents)', () => {
    const pick = (reply: string, locale = 'en') =>
      converse(NPS_SURVEY, ['8', reply], { locale }).state.answers.contact;
    expect(pick('3')).toBe('meeting');
    expect(pick('b')).toBe('email');
    expect(pick('B)')).toBe('email');
    expect(pick('  MEETING ')).toBe('meeting');
    expect(pick('REUNION', 'fr')).toBe('meeting');
    expect(pick('réunion', 'fr')).toBe('meeting');
    expect(pick('4')).toBeUndefined();
  });

  it('re-asks an invalid reply with a short error, then accepts a valid one', () => {
    const chat = converse(NPS_SURVEY, ['eleven', '11', '10'], ANN);
    expect(chat.results.map((r) => r.outcome)).toEqual(['invalid', 'invalid', 'continue']);
    expect(chat.sent[1]).toEqual([
      "Sorry, I didn't understand. Reply with a number from 0 (Not likely) to 10 (Very likely).",
    ]);
    expect(chat.results[1]!.state.retries).toBe(2);
    expect(chat.state).toMatchObject({ question: 'contact', retries: 0, answers: { nps: 10 } });
  });

  it('moves on after three re-asks of an optional question, and ends politely on a required one', () => {
    const optional = converse(NPS_SURVEY, ['9', '1', 'x', 'y', 'z', 'w']);
    expect(optional.results.slice(2).map((r) => r.outcome)).toEqual([
      'invalid',
      'invalid',
      'invalid',
      'continue',
    ]);
    expect(optional.sent.at(-1)).toEqual(["Let's move on.", 'Will you renew?\nReply YES or NO.']);
    expect(optional.state.passed).toContain('topics');

    const required = converse(NPS_SURVEY, ['a', 'b', 'c', 'd']);
    expect(required.last!.outcome).toBe('invalid');
    expect(required.state.status).toBe('abandoned');
    expect(required.last!.messages).toEqual([
      "We couldn't record an answer to this question, so we'll stop here. Thank you for your time.",
    ]);
    // A finished conversation answers nothing more.
    const after = handleReply({
      definition: NPS_SURVEY,
      state: required.state,
      text: '5',
      now: minutesLater(9),
    });
    expect(after).toMatchObject({ outcome: 'invalid', messages: [] });
  });

  it('refuses SKIP on a required question and accepts it (or "-") on an optional one', () => {
    const chat = converse(NPS_SURVEY, ['skip', '2', '-', '1', 'SKIP']);
    expect(chat.sent[1]).toEqual([
      'This question needs an answer. Reply with a number from 0 (Not likely) to 10 (Very likely).',
    ]);
    expect(chat.results.map((r) => r.outcome)).toEqual([
      'invalid',
      'continue',
      'continue',
      'continue',
      'continue',
    ]);
    expect(chat.state).toMatchObject({ question: 'renew', passed: ['improve', 'topics'] });
  });

  it('opts out on STOP, ARRÊT or STOPP mid-survey, keeping the answers so far', () => {
    for (const [word, locale, reply] of [
      ['STOP', 'en', "You're unsubscribed and won't receive more messages from us."],
      ['Arrêt', 'fr', 'Vous êtes désinscrit et ne recevrez plus de messages de notre part.'],
      ['stopp!', 'de', 'Sie sind abgemeldet und erhalten keine Nachrichten mehr von uns.'],
      ['basta', 'it', "Hai annullato l'iscrizione e non riceverai altri messaggi da noi."],
      ['ALTO', 'es', 'Se ha dado de baja y no recibirá más mensajes nuestros.'],
    ] as const) {
      const definition = { ...NPS_SURVEY, locale: locale === 'en' ? undefined : locale };
      const chat = converse(definition, ['4', word], { locale });
      expect(chat.last).toMatchObject({ outcome: 'opted_out', messages: [reply], answers: { nps: 4 } });
      expect(chat.state.status).toBe('opted_out');
    }
  });

  it('takes "stop" inside a sentence as an answer, not an opt-out', () => {
    const chat = converse(NPS_SURVEY, ['4', 'Stop changing the pricing']);
    expect(chat.last!.outcome).toBe('continue');
    expect(chat.state.answers.improve).toBe('Stop changing the pricing');
  });

  it('answers HELP with the help text and keeps the question open', () => {
    const chat = converse(NPS_SURVEY, ['x', 'HELP', '7'], ANN);
    expect(chat.results[1]).toMatchObject({ outcome: 'help' });
    expect(chat.sent[2]).toEqual([
      'This survey runs by text message: reply to each question. Reply SKIP to skip an optional question, STOP to stop receiving messages.',
      'Ann, how likely are you to recommend Acme?\nReply with a number from 0 (Not likely) to 10 (Very likely).',
    ]);
    expect(chat.results[1]!.state).toMatchObject({ question: 'nps', retries: 1 });
    expect(chat.state.answers).toEqual({ nps: 7 });
    const aiuto = converse(NPS_SURVEY, ['Aiuto'], { locale: 'it' });
    expect(aiuto.last!.outcome).toBe('help');
  });

  it('expires after the idle time with a polite message, then answers nothing', () => {
    const { state } = startConversation({ definition: NPS_SURVEY, locale: 'en', now: T0 });
    const late = handleReply({ definition: NPS_SURVEY, state, text: '9', now: minutesLater(24 * 60 + 1) });
    expect(late).toMatchObject({
      outcome: 'expired',
      messages: ['This survey has closed after a period without replies. Thank you for your time.'],
    });
    expect(late.state.status).toBe('expired');
    expect(handleReply({ definition: NPS_SURVEY, state: late.state, text: '9' })).toMatchObject({
      outcome: 'expired',
      messages: [],
    });
    // Within the default day it carries on; a shorter idle time is the caller's to set.
    expect(
      handleReply({ definition: NPS_SURVEY, state, text: '9', now: minutesLater(23 * 60) }).outcome,
    ).toBe('continue');
    const hour = handleReply({
      definition: NPS_SURVEY,
      state,
      text: '9',
      now: minutesLater(61),
      idleTimeoutMs: 3_600_000,
    });
    expect(hour.outcome).toBe('expired');
  });

  it('keeps the state plain JSON and never changes the one it was given', () => {
    const { state } = startConversation({ definition: NPS_SURVEY, locale: 'en', now: T0 });
    const frozen = JSON.stringify(state);
    handleReply({ definition: NPS_SURVEY, state, text: '9', now: minutesLater(1) });
    expect(JSON.stringify(state)).toBe(frozen);
    expect(JSON.parse(frozen)).toEqual(state);
  });

  it('refuses an incompatible survey up front, with the reason', () => {
    const matrix = {
      elements: [
        { type: 'rating', name: 'nps', rateMax: 10 },
        { type: 'matrix', name: 'areas', rows: ['value'], columns: [1, 2, 3] },
      ],
    };
    expect(() => startConversation({ definition: matrix, locale: 'en' })).toThrow(
      expect.objectContaining({
        status: 400,
        details: [
          {
            question: 'areas',
            type: 'matrix',
            reason: 'a grid with one answer per row cannot be asked in a text message',
          },
        ],
      }),
    );
  });
});

describe('other survey features by SMS', () => {
  it('sends an html element as plain text and the thank-you default when the survey has none', () => {
    const definition = {
      elements: [
        {
          type: 'html',
          name: 'intro',
          html: '<p>Hello <b>{firstName}</b>,</p><p>two quick questions&hellip;</p>',
        },
        {
          type: 'boolean',
          name: 'ok',
          labelTrue: 'Agree',
          labelFalse: 'Disagree',
          valueTrue: 'Y',
          valueFalse: 'N',
        },
        { type: 'expression', name: 'double', expression: "iif({ok} = 'Y', 2, 0)" },
        { type: 'text', name: 'age', inputType: 'number', min: 18, max: 120, isRequired: true },
      ],
    };
    const chat = converse(definition, ['disagree', '17', '42,0'], { embedded: { firstName: 'Ann' } });
    expect(chat.sent[0]!.slice(1)).toEqual([
      'Hello Ann,\ntwo quick questions...',
      'ok\nReply YES (Agree) or NO (Disagree).\nReply SKIP to skip.',
    ]);
    expect(chat.sent[1]).toEqual(['age\nReply with a number from 18 to 120.']);
    // survey-core's own validator message (min), then the instruction.
    expect(chat.sent[2]).toEqual([
      'The value should not be less than 18. Reply with a number from 18 to 120.',
    ]);
    expect(chat.last!.messages).toEqual(['Thank you for your answers!']);
    expect(chat.last!.answers).toEqual({ ok: 'N', double: 0, age: 42 });
    passesCheck(definition, chat.last!.answers);
  });

  it('asks for the text of "Other" and stores it as SurveyJS does', () => {
    const definition = {
      elements: [
        {
          type: 'radiogroup',
          name: 'source',
          choices: ['Web', 'Event'],
          showOtherItem: true,
          isRequired: true,
        },
      ],
    };
    const chat = converse(definition, ['3', 'skip', 'A partner told me']);
    expect(chat.sent[1]).toEqual(['Please specify your answer:']);
    expect(chat.sent[2]).toEqual(["Sorry, I didn't understand. Please specify your answer:"]);
    expect(chat.last!.answers).toEqual({ source: 'other', 'source-Comment': 'A partner told me' });
    passesCheck(definition, chat.last!.answers);
  });

  it('keeps what a setvalue trigger writes, as the web page would show it filled in', () => {
    const definition = {
      triggers: [{ type: 'setvalue', expression: "{plan} = 'pro'", setToName: 'seats', setValue: 10 }],
      elements: [
        { type: 'dropdown', name: 'plan', choices: ['free', 'pro'] },
        { type: 'text', name: 'seats', inputType: 'number' },
        { type: 'comment', name: 'note' },
      ],
    };
    const chat = converse(definition, ['pro', 'ok']);
    expect(chat.sent[1]![0]).toMatch(/^note/);
    expect(chat.last!.answers).toEqual({ plan: 'pro', seats: 10, note: 'ok' });
    passesCheck(definition, chat.last!.answers);
  });

  it('follows skip and complete triggers as the web page does, without leaving a required question behind', () => {
    const definition = {
      triggers: [
        { type: 'skip', expression: "{plan} = 'free'", gotoName: 'feedback' },
        { type: 'complete', expression: '{score} <= 2' },
      ],
      pages: [
        {
          elements: [
            { type: 'dropdown', name: 'plan', choices: ['free', 'pro'], isRequired: true },
            { type: 'rating', name: 'billing', rateValues: [1, 2, 3] },
            { type: 'comment', name: 'feedback' },
          ],
        },
        { elements: [{ type: 'rating', name: 'score', rateCount: 5, isRequired: true }] },
        { elements: [{ type: 'comment', name: 'later' }] },
      ],
    };
    const free = converse(definition, ['free', 'fine', '1']);
    expect(free.sent[1]![0]).toMatch(/^feedback/);
    expect(free.last).toMatchObject({
      outcome: 'completed',
      answers: { plan: 'free', feedback: 'fine', score: 1 },
    });
    passesCheck(definition, free.last!.answers);
    const pro = converse(definition, ['pro', '2', '-', '4', 'more']);
    expect(pro.last).toMatchObject({
      outcome: 'completed',
      answers: { plan: 'pro', billing: 2, score: 4, later: 'more' },
    });
  });
});
