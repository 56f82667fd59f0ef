import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Database, type Executor, isUniqueViolation } from '../platform/db/database.ts';
import { conflict, notFound, validationFailed } from '../platform/errors.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { CHANNELS, DISTRIBUTION_KINDS, messageTemplates } from './distributions.schema.ts';
import { templateProblem } from './message.ts';

/** The message library: saved subjects and bodies to start a distribution from. */

export const ZTemplateInput = z.object({
  name: z.string().trim().min(1).max(200),
  channel: z.enum(CHANNELS),
  kind: z.enum(DISTRIBUTION_KINDS).default('invitation'),
  subject: z.string().max(500).optional(),
  html: z.string().max(200_000).optional(),
  text: z.string().min(1).max(50_000),
});

type Row = typeof messageTemplates.$inferSelect;

export const toPublicTemplate = (row: Row) => ({
  id: row.id,
  name: row.name,
  channel: row.channel,
  kind: row.kind,
  subject: row.subject,
  html: row.html,
  text: row.text,
  createdBy: row.createdBy,
  updatedBy: row.updatedBy,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

function check(input: z.output<typeof ZTemplateInput>) {
  const problems = (['subject', 'html', 'text'] as const)
    .map((field) => ({ path: field, message: templateProblem(input[field]) }))
    .filter((p): p is { path: 'subject' | 'html' | 'text'; message: string } => p.message !== null);
  if (input.channel === 'email' && !input.subject?.trim())
    problems.push({ path: 'subject', message: 'an email template has a subject' });
  if (problems.length) throw validationFailed('The template cannot be saved as it is', problems);
}

export async function listTemplates(db: Executor, actor: Actor, directoryId: number, channel?: string) {
  authorize(actor, 'data:read');
  const rows = await db
    .select()
    .from(messageTemplates)
    .where(
      and(
        eq(messageTemplates.directoryId, directoryId),
        channel ? eq(messageTemplates.channel, channel as 'email' | 'sms') : undefined,
      ),
    )
    .orderBy(asc(sql`lower(${messageTemplates.name})`));
  return { items: rows.map(toPublicTemplate) };
}

export async function saveTemplate(
  db: Database,
  actor: Actor,
  directoryId: number,
  id: number | null,
  raw: unknown,
) {
  authorize(actor, 'data:write');
  const input = ZTemplateInput.parse(raw);
  check(input);
  const by = actor.kind === 'user' ? actor.email : actor.label;
  const values = {
    name: input.name,
    channel: input.channel,
    kind: input.kind,
    subject: input.subject ?? null,
    html: input.html ?? null,
    text: input.text,
    updatedBy: by,
  };
  try {
    return await db.orm.transaction(async (tx) => {
      const [row] = id
        ? await tx
            .update(messageTemplates)
            .set({ ...values, updatedAt: new Date() })
            .where(and(eq(messageTemplates.id, id), eq(messageTemplates.directoryId, directoryId)))
            .returning()
        : await tx
            .insert(messageTemplates)
            .values({ ...values, directoryId, createdBy: by })
            .returning();
      if (!row) throw notFound(`No message template ${id}`);
      await recordAudit(tx, actor, {
        action: id ? 'message_template.updated' : 'message_template.created',
        targetType: 'message_template',
        targetId: row.id,
        details: { name: row.name },
      });
      return toPublicTemplate(row);
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict(`A ${input.channel} template is already named "${input.name}"`);
    throw error;
  }
}

export async function deleteTemplate(db: Database, actor: Actor, id: number) {
  authorize(actor, 'data:write');
  await db.orm.transaction(async (tx) => {
    const [row] = await tx.delete(messageTemplates).where(eq(messageTemplates.id, id)).returning();
    if (!row) throw notFound(`No message template ${id}`);
    await recordAudit(tx, actor, {
      action: 'message_template.deleted',
      targetType: 'message_template',
      targetId: id,
      details: { name: row.name },
    });
  });
}

export async function templateDirectory(db: Executor, id: number): Promise<number> {
  const [row] = await db.select().from(messageTemplates).where(eq(messageTemplates.id, id));
  if (!row) throw notFound(`No message template ${id}`);
  return row.directoryId;
}
