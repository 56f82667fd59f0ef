import { z } from 'zod';
import { slackEscape } from '../piping.ts';
import { deliver } from './http.ts';
import { defineTask } from './task-type.ts';

const ZField = z.object({ label: z.string().min(1).max(100), value: z.string().max(1000) }).strict();

/** Slack's incoming-webhook message: `text` (the notification's fallback) and Block Kit `blocks`. */
export function slackPayload(input: {
  text: string;
  title?: string | undefined;
  fields?: { label: string; value: string }[] | undefined;
  linkUrl?: string | undefined;
  linkText?: string | undefined;
}) {
  const blocks: Record<string, unknown>[] = [];
  if (input.title)
    blocks.push({
      type: 'header',
      text: { type: 'plain_text', text: input.title.slice(0, 150), emoji: true },
    });
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: input.text.slice(0, 3000) } });
  if (input.fields?.length)
    blocks.push({
      type: 'section',
      fields: input.fields
        .slice(0, 10)
        .map((f) => ({ type: 'mrkdwn', text: `*${f.label}*\n${f.value || '—'}`.slice(0, 2000) })),
    });
  if (input.linkUrl)
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: (input.linkText || 'Open').slice(0, 75) },
          url: input.linkUrl,
        },
      ],
    });
  const fallback = input.title ? `${input.title}: ${input.text}` : input.text;
  return { text: fallback.slice(0, 3000), blocks };
}

/**
 * A Slack message through an incoming webhook (the URL is a secret: sealed at rest, never shown
 * again). Piped values are escaped for Slack's markup, so a respondent's "<!channel>" stays text.
 */
export const slackTask = defineTask({
  type: 'notify.slack',
  category: 'notification',
  label: 'Post a Slack message',
  description: 'Posts to a Slack channel through an incoming webhook (text and Block Kit blocks).',
  input: z
    .object({
      webhookUrl: z.url({ protocol: /^https?$/ }),
      title: z.string().max(150).optional(),
      /** Slack mrkdwn (*bold*, <https://…|links>); piped values are escaped. */
      text: z.string().min(1).max(3000),
      fields: z.array(ZField).max(10).optional(),
      linkUrl: z.url({ protocol: /^https?$/ }).optional(),
      linkText: z.string().max(75).optional(),
    })
    .strict(),
  output: z.object({ status: z.number().int(), resentAfterInterruption: z.boolean() }),
  secrets: ['webhookUrl'],
  fields: {
    title: { mode: 'template' },
    text: { mode: 'template', escape: slackEscape },
    fields: { escape: slackEscape },
  },
  retry: { limit: 5, delaySeconds: 30 },
  async run(input, ctx) {
    const result = await deliver(ctx, { url: input.webhookUrl, body: JSON.stringify(slackPayload(input)) });
    return { status: result.status, resentAfterInterruption: result.resentAfterInterruption };
  },
});
