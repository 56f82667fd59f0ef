import { z } from 'zod';
import { TEAM_ROLES } from '../../directory/roles.ts';
import { AppError } from '../../platform/errors.ts';
import { TICKET_PRIORITIES } from '../../tickets/model.ts';
import { publicUrlOf } from '../../tickets/notifications.ts';
import { createTicketFor } from '../../tickets/tickets.service.ts';
import { defineTask, PermanentTaskError } from './task-type.ts';

/**
 * Create a ticket, typically on a detractor's response, owned by a member of the response's
 * account team (`assignTo: { teamRole: 'ACCOUNT_OWNER' }`). The task's idempotency key goes to the
 * tickets service: a retried task finds its ticket instead of opening a second one.
 */
export const createTicketTask = defineTask({
  type: 'tickets.create',
  category: 'tickets',
  label: 'Create a ticket',
  description: 'Opens a follow-up ticket assigned to an account team role (owner, CSM …) of the account.',
  input: z
    .object({
      /** Default with a response: "Detractor: Alan Johnson (NPS 3)". */
      title: z.string().trim().min(1).max(300).optional(),
      description: z.string().max(20_000).default(''),
      priority: z.enum(TICKET_PRIORITIES).default('normal'),
      assignTo: z
        .object({ teamRole: z.enum(TEAM_ROLES), fallbackEmail: z.email().optional() })
        .strict()
        .optional(),
      ownerEmail: z.email().nullable().optional(),
      /** Default: the response's account and contact. */
      responseId: z.number().int().positive().nullable().optional(),
      accountId: z.number().int().positive().nullable().optional(),
      contactId: z.number().int().positive().nullable().optional(),
      /** Default: the directory's service level for the priority. */
      dueInDays: z.number().int().min(0).max(365).optional(),
      tags: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
    })
    .strict()
    .refine((i) => !(i.assignTo && i.ownerEmail), { error: 'give assignTo or ownerEmail, not both' }),
  output: z.object({
    ticketId: z.number().int(),
    key: z.string(),
    number: z.number().int(),
    title: z.string(),
    ownerEmail: z.string().nullable(),
    accountId: z.number().int().nullable(),
    priority: z.string(),
    dueAt: z.string(),
    created: z.boolean(),
    url: z.string(),
  }),
  fields: { title: { mode: 'template' }, description: { mode: 'template' } },
  retry: { limit: 3, delaySeconds: 10 },
  async run(input, ctx) {
    try {
      const { ticket, created } = await createTicketFor(
        { db: ctx.deps.db, jobs: ctx.deps.jobs },
        ctx.actor,
        ctx.workflow.directoryId,
        {
          ...(input.title ? { title: input.title } : {}),
          description: input.description,
          priority: input.priority,
          ...(input.assignTo ? { assignTo: input.assignTo } : {}),
          ...(input.ownerEmail !== undefined ? { ownerEmail: input.ownerEmail } : {}),
          ...(input.responseId ? { responseId: input.responseId } : {}),
          ...(input.accountId ? { accountId: input.accountId } : {}),
          ...(input.contactId ? { contactId: input.contactId } : {}),
          ...(input.dueInDays !== undefined
            ? { dueAt: new Date(Date.now() + input.dueInDays * 86_400_000).toISOString() }
            : {}),
          tags: input.tags,
          source: 'workflow',
          idempotencyKey: ctx.idempotencyKey,
        },
      );
      return {
        ticketId: ticket.id,
        key: ticket.key,
        number: ticket.number,
        title: ticket.title,
        ownerEmail: ticket.ownerEmail,
        accountId: ticket.accountId,
        priority: ticket.priority,
        dueAt: ticket.dueAt,
        created,
        url: `${publicUrlOf(ctx.deps.config)}/tickets/${ticket.id}`,
      };
    } catch (error) {
      if (error instanceof AppError && error.status < 500) {
        const details = Array.isArray(error.details)
          ? `: ${(error.details as { path: string; message: string }[]).map((d) => `${d.path} ${d.message}`).join('; ')}`
          : '';
        throw new PermanentTaskError(`${error.message}${details}`);
      }
      throw error;
    }
  },
});
