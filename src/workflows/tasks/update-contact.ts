import { z } from 'zod';
import { setContactAttributes } from '../../directory/contact-attributes.service.ts';
import { AppError } from '../../platform/errors.ts';
import { defineTask, PermanentTaskError } from './task-type.ts';

/**
 * Update contact attributes from a response (the seed's "save response data into the directory"):
 * `{ "LastNPS": "{{ event.response.npsScore }}", "LastComment": "{{ event.response.answers.why }}" }`.
 * Setting values is idempotent: a retry writes nothing new.
 */
export const updateContactTask = defineTask({
  type: 'directory.update_contact',
  category: 'directory',
  label: 'Update contact attributes',
  description:
    'Saves values (typically a response’s answers) into a contact’s attributes, with their history.',
  input: z
    .object({
      contactId: z.number().int().positive(),
      /** Attribute name → value (null removes it); typed by the directory's attribute definitions. */
      attributes: z
        .record(
          z.string().min(1).max(200),
          z.union([z.string().max(1024), z.number(), z.boolean(), z.null()]),
        )
        .refine((a) => Object.keys(a).length > 0, { error: 'give at least one attribute' }),
    })
    .strict(),
  output: z.object({
    contactId: z.number().int(),
    changedCount: z.number().int(),
    changed: z.array(z.object({ field: z.string(), oldValue: z.unknown(), newValue: z.unknown() })),
  }),
  retry: { limit: 3, delaySeconds: 10 },
  async run(input, ctx) {
    try {
      const result = await setContactAttributes(
        ctx.deps.db,
        ctx.actor,
        input.contactId,
        input.attributes,
        `workflow:${ctx.workflow.id}`,
        { directoryId: ctx.workflow.directoryId },
      );
      return { contactId: result.contactId, changedCount: result.changed.length, changed: result.changed };
    } catch (error) {
      if (error instanceof AppError && error.status < 500) {
        const details = Array.isArray(error.details)
          ? `: ${(error.details as { path: string; message: string }[]).map((d) => d.message).join('; ')}`
          : '';
        throw new PermanentTaskError(`${error.message}${details}`);
      }
      throw error;
    }
  },
});
