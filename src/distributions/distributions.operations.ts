import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { findDirectory } from '../directory/directories.service.ts';
import { CLIENT_ROLES } from '../directory/roles.ts';
import type { Database } from '../platform/db/database.ts';
import { queryOne } from '../platform/db/database.ts';
import { badRequest, notFound } from '../platform/errors.ts';
import type { JobQueue } from '../platform/jobs/job-queue.ts';
import type { Actor } from '../users/roles.ts';
import { createDistribution } from './distributions.service.ts';
import { getDistribution } from './stats.service.ts';

/** What `rapport distribute` sends: names resolved here, the body read by the CLI from files. */
export const ZCliDistribute = z.object({
  directory: z.string().min(1),
  survey: z.string().min(1),
  name: z.string().optional(),
  list: z.string().optional(),
  contacts: z.array(z.number().int().positive()).optional(),
  roles: z.array(z.enum(CLIENT_ROLES)).optional(),
  channel: z.enum(['email', 'sms']),
  subject: z.string().optional(),
  text: z.string(),
  html: z.string().optional(),
  fromName: z.string().optional(),
  from: z.string().optional(),
  replyTo: z.string().optional(),
  smsMode: z.enum(['one_way', 'two_way']).optional(),
  phoneField: z.enum(['mobilePhone', 'phone', 'mobileThenPhone']).optional(),
  at: z.string().optional(),
  timeZone: z.string().optional(),
  draft: z.boolean().optional(),
});

/** Finds a row of the directory by id or by (case-insensitive) name. */
async function idByName(db: Database, table: 'surveys' | 'mailing_lists', directoryId: number, ref: string) {
  const byId = /^\d+$/.test(ref);
  const row = await queryOne<{ id: number }>(
    db.orm,
    sql`SELECT id FROM ${sql.raw(table)} WHERE directory_id = ${directoryId}
        AND ${byId ? sql`id = ${Number(ref)}` : sql`lower(name) = lower(${ref})`} ORDER BY id DESC LIMIT 1`,
  );
  if (!row)
    throw notFound(`No ${table === 'surveys' ? 'survey' : 'mailing list'} "${ref}" in this directory`);
  return Number(row.id);
}

export async function distributeFromCli(
  db: Database,
  jobs: JobQueue,
  actor: Actor,
  input: z.output<typeof ZCliDistribute>,
) {
  const directory = await findDirectory(db.orm, input.directory);
  const surveyId = await idByName(db, 'surveys', directory.id, input.survey);
  const audiences = [input.list, input.contacts, input.roles].filter((x) => x !== undefined);
  if (audiences.length !== 1)
    throw badRequest('Name the recipients with exactly one of --list, --contacts or --roles');
  const recipients = input.list
    ? {
        type: 'mailingList' as const,
        mailingListId: await idByName(db, 'mailing_lists', directory.id, input.list),
      }
    : input.contacts
      ? { type: 'contacts' as const, contactIds: input.contacts }
      : { type: 'accountRoles' as const, roles: input.roles! };
  const message =
    input.channel === 'email'
      ? {
          fromName: input.fromName ?? directory.name,
          ...(input.from ? { fromAddress: input.from } : {}),
          ...(input.replyTo ? { replyTo: input.replyTo } : {}),
          subject: input.subject ?? '',
          text: input.text,
          ...(input.html ? { html: input.html } : {}),
        }
      : {
          mode: input.smsMode ?? 'one_way',
          phoneField: input.phoneField ?? 'mobileThenPhone',
          body: input.text,
        };
  const row = await createDistribution(db, jobs, actor, directory.id, {
    surveyId,
    name:
      input.name ?? `${input.channel === 'email' ? 'Email' : 'SMS'} ${new Date().toISOString().slice(0, 16)}`,
    channel: input.channel,
    recipients,
    message,
    schedule: input.at ? { at: input.at, timeZone: input.timeZone ?? 'UTC' } : null,
    draft: input.draft ?? false,
  });
  return getDistribution(db.orm, actor, row.id);
}
