import { z } from 'zod';
import { deliver } from './http.ts';
import { defineTask } from './task-type.ts';

const ZFact = z.object({ label: z.string().min(1).max(100), value: z.string().max(1000) }).strict();

interface TeamsMessage {
  title: string;
  text: string;
  facts?: { label: string; value: string }[] | undefined;
  linkUrl?: string | undefined;
  linkText?: string | undefined;
  themeColor?: string | undefined;
}

/**
 * A Workflows ("When a Teams webhook request is received") post: a message with one Adaptive
 * Card attachment.
 */
export function adaptiveCardPayload(m: TeamsMessage) {
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: m.title, weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text: m.text, wrap: true },
  ];
  if (m.facts?.length)
    body.push({ type: 'FactSet', facts: m.facts.map((f) => ({ title: f.label, value: f.value || '—' })) });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          ...(m.linkUrl
            ? { actions: [{ type: 'Action.OpenUrl', title: m.linkText || 'Open', url: m.linkUrl }] }
            : {}),
        },
      },
    ],
  };
}

/** The legacy Office 365 connector card (incoming webhooks created before Workflows). */
export function messageCardPayload(m: TeamsMessage) {
  return {
    '@type': 'MessageCard',
    '@context': 'https://schema.org/extensions',
    summary: m.title.slice(0, 200),
    themeColor: m.themeColor ?? '0076D7',
    title: m.title,
    text: m.text,
    ...(m.facts?.length
      ? { sections: [{ facts: m.facts.map((f) => ({ name: f.label, value: f.value || '—' })) }] }
      : {}),
    ...(m.linkUrl
      ? {
          potentialAction: [
            { '@type': 'OpenUri', name: m.linkText || 'Open', targets: [{ os: 'default', uri: m.linkUrl }] },
          ],
        }
      : {}),
  };
}

/** A Microsoft Teams channel message through a webhook (the URL is a secret: sealed at rest). */
export const teamsTask = defineTask({
  type: 'notify.teams',
  category: 'notification',
  label: 'Post a Microsoft Teams message',
  description:
    'Posts to a Teams channel: an Adaptive Card through a Workflows webhook, or a MessageCard through a legacy connector.',
  input: z
    .object({
      webhookUrl: z.url({ protocol: /^https?$/ }),
      format: z.enum(['adaptive_card', 'message_card']).default('adaptive_card'),
      title: z.string().min(1).max(200),
      text: z.string().min(1).max(5000),
      facts: z.array(ZFact).max(20).optional(),
      linkUrl: z.url({ protocol: /^https?$/ }).optional(),
      linkText: z.string().max(75).optional(),
      themeColor: z
        .string()
        .regex(/^[0-9A-Fa-f]{6}$/)
        .optional(),
    })
    .strict(),
  output: z.object({ status: z.number().int(), resentAfterInterruption: z.boolean() }),
  secrets: ['webhookUrl'],
  fields: { title: { mode: 'template' }, text: { mode: 'template' } },
  retry: { limit: 5, delaySeconds: 30 },
  async run(input, ctx) {
    const payload = input.format === 'message_card' ? messageCardPayload(input) : adaptiveCardPayload(input);
    const result = await deliver(ctx, { url: input.webhookUrl, body: JSON.stringify(payload) });
    return { status: result.status, resentAfterInterruption: result.resentAfterInterruption };
  },
});
