import { createHash } from 'node:crypto';
import { z } from 'zod';
import { cachedTransport } from '../../distributions/transport-cache.ts';
import { defineTask, PermanentTaskError } from './task-type.ts';

const ZRecipient = z.union([z.email(), z.literal(''), z.null()]);

/**
 * An email notification through the configured email provider (the outbox unless an admin set
 * SMTP). Each recipient's message has an idempotency key derived from the task's: the outbox
 * keeps one message per key, SMTP gets it as the Message-ID, so a retried task sends no second
 * copy to the outbox and a recognisable one over SMTP.
 */
export const emailTask = defineTask({
  type: 'notify.email',
  category: 'notification',
  label: 'Send an email notification',
  description: 'Emails people (the account owner, the CX team …) with piped text.',
  input: z
    .object({
      /** Addresses, or piped ones (`{{ event.account.team.ACCOUNT_OWNER }}`); empty ones are skipped. */
      to: z.array(ZRecipient).min(1).max(50),
      subject: z.string().min(1).max(500),
      text: z.string().min(1).max(50_000),
      html: z.string().max(200_000).optional(),
      replyTo: z.email().optional(),
    })
    .strict(),
  output: z.object({ sent: z.number().int(), recipients: z.array(z.string()) }),
  fields: {
    subject: { mode: 'template' },
    text: { mode: 'template' },
    html: { mode: 'template', html: true },
  },
  retry: { limit: 5, delaySeconds: 30 },
  async run(input, ctx) {
    const recipients = [...new Set(input.to.filter((t): t is string => !!t).map((t) => t.toLowerCase()))];
    if (recipients.length === 0) throw new PermanentTaskError('No recipient: every address is empty');
    const transport = await cachedTransport(ctx.deps.db, ctx.deps.secrets, 'email', ctx.publicUrl);
    for (const to of recipients) {
      const suffix = createHash('sha256').update(to).digest('hex').slice(0, 12);
      const outcome = await transport.send({
        channel: 'email',
        idempotencyKey: `${ctx.idempotencyKey}-${suffix}`,
        to,
        subject: input.subject.trim(),
        text: input.text,
        ...(input.html ? { html: input.html } : {}),
        ...(input.replyTo ? { replyTo: input.replyTo } : {}),
        headers: {
          'X-Rapport-Workflow': String(ctx.workflow.id),
          'X-Rapport-Workflow-Run': String(ctx.run.id),
        },
      });
      if (outcome.status === 'failed') {
        const message = `The email to ${to} was not taken: ${outcome.message}`;
        throw outcome.permanent ? new PermanentTaskError(message) : new Error(message);
      }
    }
    return { sent: recipients.length, recipients };
  },
});
