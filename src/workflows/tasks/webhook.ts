import { z } from 'zod';
import { deliver } from './http.ts';
import { defineTask } from './task-type.ts';

/**
 * A generic HTTP webhook: a JSON body (piped values keep their types; the default body is the
 * whole run so far: workflow, run, event, tasks) signed with HMAC-SHA256 over
 * `<timestamp>.<body>` when a secret is set (`X-Rapport-Signature: t=…,v1=…`; see
 * verifyWebhookSignature), with `X-Rapport-Delivery` the same on every attempt.
 */
export const webhookTask = defineTask({
  type: 'http.webhook',
  category: 'notification',
  label: 'Call a webhook',
  description: 'Sends a signed JSON request to any HTTP endpoint.',
  input: z
    .object({
      url: z.url({ protocol: /^https?$/ }),
      method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
      headers: z
        .record(
          z.string().regex(/^[A-Za-z0-9-]{1,100}$/, { error: 'a header name is letters, digits and -' }),
          z.string().max(2000),
        )
        .default({}),
      /** The JSON to send; absent: `{ workflow, run, event, tasks }`. */
      body: z.unknown().optional(),
      /** The shared secret the receiver verifies the signature with (sealed at rest). */
      secret: z.string().min(16, { error: 'use a secret of at least 16 characters' }).max(500).optional(),
      timeoutSeconds: z.number().int().min(1).max(60).default(15),
    })
    .strict(),
  output: z.object({
    status: z.number().int(),
    /** The start of the answer (2,000 characters at most); JSON when it parses. */
    response: z.unknown(),
    deliveryId: z.string(),
    resentAfterInterruption: z.boolean(),
  }),
  secrets: ['secret'],
  retry: { limit: 5, delaySeconds: 30 },
  async run(input, ctx) {
    const body =
      input.body === undefined
        ? { workflow: ctx.pipe.workflow, run: ctx.pipe.run, event: ctx.pipe.event, tasks: ctx.pipe.tasks }
        : input.body;
    const result = await deliver(ctx, {
      url: input.url,
      method: input.method,
      body: JSON.stringify(body),
      headers: input.headers,
      timeoutSeconds: input.timeoutSeconds,
      ...(input.secret ? { secret: input.secret } : {}),
    });
    let response: unknown = result.body;
    try {
      response = result.body ? JSON.parse(result.body) : null;
    } catch {
      // not JSON: kept as text
    }
    return {
      status: result.status,
      response,
      deliveryId: ctx.idempotencyKey,
      resentAfterInterruption: result.resentAfterInterruption,
    };
  },
});
