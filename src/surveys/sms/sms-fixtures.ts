import {
  type ConversationState,
  handleReply,
  type ReplyResult,
  startConversation,
} from './sms-conversation.ts';

/** Surveys and a conversation driver for the SMS tests. */

const t = (en: string, fr: string) => ({ default: en, fr });

/** NPS with a follow-up for detractors only, then a page of choice, multi-choice and yes/no questions. */
export const NPS_SURVEY = {
  title: t('Acme feedback', 'Avis Acme'),
  completedHtml: t('<h3>Thank you, {firstName}!</h3>', '<p>Merci, <b>{firstName}</b> !</p>'),
  pages: [
    {
      name: 'score',
      elements: [
        {
          type: 'rating',
          name: 'nps',
          isRequired: true,
          rateMin: 0,
          rateMax: 10,
          minRateDescription: t('Not likely', 'Peu probable'),
          maxRateDescription: t('Very likely', 'Très probable'),
          title: t(
            '{firstName}, how likely are you to recommend Acme?',
            '{firstName}, recommanderiez-vous Acme ?',
          ),
        },
        {
          type: 'comment',
          name: 'improve',
          visibleIf: '{nps} <= 6',
          title: t(
            'You gave {nps}. What should we improve?',
            'Vous avez donné {nps}. Que devrions-nous améliorer ?',
          ),
        },
      ],
    },
    {
      name: 'details',
      elements: [
        {
          type: 'radiogroup',
          name: 'contact',
          isRequired: true,
          title: t('How do you prefer to be contacted?', 'Comment préférez-vous être contacté ?'),
          choices: [
            { value: 'phone', text: t('Phone', 'Téléphone') },
            { value: 'email', text: t('Email', 'E-mail') },
            { value: 'meeting', text: t('Meeting', 'Réunion') },
          ],
        },
        {
          type: 'checkbox',
          name: 'topics',
          title: t('Which topics matter to you?', 'Quels sujets comptent pour vous ?'),
          choices: [
            { value: 'price', text: t('Price', 'Prix') },
            { value: 'quality', text: t('Quality', 'Qualité') },
            { value: 'support', text: t('Support', 'Assistance') },
          ],
          showNoneItem: true,
        },
        {
          type: 'boolean',
          name: 'renew',
          isRequired: true,
          title: t('Will you renew?', 'Allez-vous renouveler ?'),
        },
      ],
    },
  ],
};

export const T0 = new Date('2026-03-02T09:00:00Z');
export const minutesLater = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

export interface Transcript {
  state: ConversationState;
  /** Every text sent, start included. */
  sent: string[][];
  results: ReplyResult[];
  last: ReplyResult | undefined;
}

/** Starts a conversation and sends it `replies` one minute apart. */
export function converse(
  definition: object,
  replies: string[],
  options: { locale?: string; embedded?: Record<string, unknown> } = {},
): Transcript {
  const start = startConversation({
    definition,
    locale: options.locale ?? 'en',
    embedded: options.embedded ?? {},
    now: T0,
  });
  let state = start.state;
  const sent = [start.messages];
  const results: ReplyResult[] = [];
  replies.forEach((text, i) => {
    const result = handleReply({ definition, state, text, now: minutesLater(i + 1) });
    // What a caller does: store the state as JSON, read it back for the next text.
    state = JSON.parse(JSON.stringify(result.state));
    sent.push(result.messages);
    results.push(result);
  });
  return { state, sent, results, last: results.at(-1) };
}
