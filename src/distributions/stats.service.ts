import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { contactRows } from '../directory/audiences.ts';
import { type Executor, queryRows } from '../platform/db/database.ts';
import { responseCountsSql } from '../surveys/links.service.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { getDistributionRow, toPublicDistribution } from './distributions.service.ts';

type Stats = ReturnType<typeof statsOf>;

function statsOf(
  c: Record<string, number>,
  byReason: { reason: string; n: number }[],
  responses: { started: number; completed: number } | undefined,
) {
  return {
    selected: c.selected ?? 0,
    optedOut: c.opted_out ?? 0,
    missingEmail: c.missing_email ?? 0,
    missingPhone: c.missing_phone ?? 0,
    duplicates: c.duplicates ?? 0,
    frequencyLimited: c.frequency_limited ?? 0,
    excludedByReason: Object.fromEntries(byReason.map((r) => [r.reason, r.n])),
    pending: c.pending ?? 0,
    inList: c.in_list ?? 0,
    delivered: c.delivered ?? 0,
    bounced: c.bounced ?? 0,
    failed: c.failed ?? 0,
    opened: c.opened ?? 0,
    started: responses?.started ?? 0,
    completed: responses?.completed ?? 0,
    resentAfterInterruption: c.resent_after_interruption ?? 0,
  };
}

/**
 * Distributions' statistics, as the seed defines them: # selected (every record chosen),
 * # opted out (excluded by the rules, by reason), # missing email, # missing phone, # in list
 * (actually sent); then what became of the messages and the responses they brought. Three
 * grouped queries for any number of distributions (a page of the Sent tab).
 */
export async function distributionStatsMany(db: Executor, ids: number[]): Promise<Map<number, Stats>> {
  const out = new Map<number, Stats>();
  if (ids.length === 0) return out;
  const list = sql`(${sql.join(
    ids.map((id) => sql`${id}::bigint`),
    sql`, `,
  )})`;
  const counts = await queryRows<Record<string, number>>(
    db,
    sql`SELECT distribution_id AS id, count(*)::int AS selected,
          count(*) FILTER (WHERE status = 'excluded')::int AS opted_out,
          count(*) FILTER (WHERE status = 'missing_email')::int AS missing_email,
          count(*) FILTER (WHERE status = 'missing_phone')::int AS missing_phone,
          count(*) FILTER (WHERE status = 'duplicate')::int AS duplicates,
          count(*) FILTER (WHERE status = 'frequency_limited')::int AS frequency_limited,
          count(*) FILTER (WHERE status IN ('pending', 'sending'))::int AS pending,
          count(*) FILTER (WHERE sent_at IS NOT NULL)::int AS in_list,
          count(*) FILTER (WHERE status = 'delivered' OR (channel = 'email' AND status = 'sent'))::int AS delivered,
          count(*) FILTER (WHERE status = 'bounced')::int AS bounced,
          count(*) FILTER (WHERE status = 'failed')::int AS failed,
          count(*) FILTER (WHERE opened_at IS NOT NULL)::int AS opened,
          count(*) FILTER (WHERE resent_after_interruption)::int AS resent_after_interruption
        FROM distribution_recipients WHERE distribution_id IN ${list} GROUP BY distribution_id`,
  );
  const reasons = await queryRows<{ id: number; reason: string; n: number }>(
    db,
    sql`SELECT distribution_id AS id, reason, count(*)::int AS n FROM distribution_recipients
        WHERE distribution_id IN ${list} AND status IN ('excluded', 'frequency_limited')
        GROUP BY distribution_id, reason ORDER BY n DESC`,
  );
  const responses = await queryRows<{ id: number; started: number; completed: number }>(
    db,
    responseCountsSql(ids),
  );
  for (const id of ids) {
    out.set(
      id,
      statsOf(
        counts.find((c) => Number(c.id) === id) ?? {},
        reasons.filter((r) => Number(r.id) === id),
        responses.find((r) => Number(r.id) === id),
      ),
    );
  }
  return out;
}

export async function distributionStats(db: Executor, distributionId: number) {
  return (await distributionStatsMany(db, [distributionId])).get(distributionId)!;
}

/** A distribution with its statistics (the seed's "show more"). */
export async function getDistribution(db: Executor, actor: Actor, id: number) {
  authorize(actor, 'data:read');
  const row = await getDistributionRow(db, id);
  return { ...toPublicDistribution(row), stats: await distributionStats(db, id) };
}

export const ZRecipientQuery = z.object({
  status: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.coerce.number().int().positive().optional(),
});

/** The recipients of a distribution and what happened to each (paged by id). */
export async function listRecipients(
  db: Executor,
  actor: Actor,
  id: number,
  query: z.output<typeof ZRecipientQuery>,
) {
  authorize(actor, 'data:read');
  const row = await getDistributionRow(db, id);
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`SELECT r.id, r.contact_id, r.address, r.status::text AS status, r.reason, r.attempts, r.last_error,
          r.sent_at, r.delivered_at, r.opened_at, r.bounced_at, r.failed_at,
          resp.status::text AS response_status,
          nullif(concat_ws(' ', c.first_name, c.last_name), '') AS contact_name
        FROM distribution_recipients r
        LEFT JOIN (${contactRows(
          row.directoryId,
          sql`SELECT contact_id, NULL::bigint AS account_id, NULL::text AS role
          FROM distribution_recipients WHERE distribution_id = ${id}`,
        )}) c ON c.contact_id = r.contact_id
        LEFT JOIN LATERAL (SELECT status FROM responses WHERE distribution_id = r.distribution_id
          AND contact_id = r.contact_id ORDER BY id DESC LIMIT 1) resp ON true
        WHERE r.distribution_id = ${id}
          ${query.status ? sql`AND r.status::text = ${query.status}` : sql``}
          ${query.cursor ? sql`AND r.id > ${query.cursor}` : sql``}
        ORDER BY r.id LIMIT ${query.limit + 1}`,
  );
  const page = rows.slice(0, query.limit);
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return {
    items: page.map((r) => ({
      id: Number(r.id),
      contactId: Number(r.contact_id),
      contactName: (r.contact_name as string | null) ?? null,
      address: r.address as string | null,
      status: r.status as string,
      reason: r.reason as string | null,
      attempts: Number(r.attempts),
      lastError: r.last_error as string | null,
      sentAt: iso(r.sent_at),
      deliveredAt: iso(r.delivered_at),
      openedAt: iso(r.opened_at),
      bouncedAt: iso(r.bounced_at),
      failedAt: iso(r.failed_at),
      response: (r.response_status as string | null) ?? null,
    })),
    nextCursor: rows.length > query.limit ? String(page.at(-1)!.id) : null,
  };
}

export const ZFunnelQuery = z.object({
  surveyId: z.coerce.number().int().positive().optional(),
  channel: z.enum(['email', 'sms']).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

/**
 * The response funnel across distributions: invitations sent → delivered → opened → started →
 * completed, by channel and survey (reminders and thank-yous are not invitations).
 */
export async function responseFunnel(
  db: Executor,
  actor: Actor,
  directoryId: number,
  query: z.output<typeof ZFunnelQuery>,
) {
  authorize(actor, 'data:read');
  const rows = await queryRows<{
    survey_id: number;
    survey: string;
    channel: string;
    invitations: number;
    delivered: number;
    opened: number;
    started: number;
    completed: number;
  }>(
    db,
    sql`SELECT d.survey_id, s.name AS survey, r.channel::text AS channel,
          count(*) FILTER (WHERE r.sent_at IS NOT NULL)::int AS invitations,
          count(*) FILTER (WHERE r.status = 'delivered' OR (r.channel = 'email' AND r.status = 'sent'))::int AS delivered,
          count(*) FILTER (WHERE r.opened_at IS NOT NULL)::int AS opened,
          count(resp.id)::int AS started,
          count(resp.id) FILTER (WHERE resp.status = 'complete')::int AS completed
        FROM distributions d
        JOIN surveys s ON s.id = d.survey_id
        JOIN distribution_recipients r ON r.distribution_id = d.id AND r.sent_at IS NOT NULL
        LEFT JOIN LATERAL (SELECT id, status FROM responses WHERE distribution_id = d.id
          AND contact_id = r.contact_id ORDER BY id DESC LIMIT 1) resp ON true
        WHERE d.directory_id = ${directoryId} AND d.kind = 'invitation'
          ${query.surveyId ? sql`AND d.survey_id = ${query.surveyId}` : sql``}
          ${query.channel ? sql`AND r.channel = ${query.channel}` : sql``}
          ${query.from ? sql`AND r.sent_at >= ${query.from}::timestamptz` : sql``}
          ${query.to ? sql`AND r.sent_at < ${query.to}::timestamptz` : sql``}
        GROUP BY 1, 2, 3 ORDER BY 2, 3`,
  );
  const stages = ['invitations', 'delivered', 'opened', 'started', 'completed'] as const;
  const total = Object.fromEntries(stages.map((k) => [k, rows.reduce((sum, r) => sum + r[k], 0)])) as Record<
    (typeof stages)[number],
    number
  >;
  const rate = (n: number) => (total.invitations ? Math.round((n / total.invitations) * 1000) / 10 : null);
  return {
    total: { ...total, responseRate: rate(total.completed) },
    rows: rows.map((r) => ({
      surveyId: Number(r.survey_id),
      survey: r.survey,
      channel: r.channel,
      invitations: r.invitations,
      delivered: r.delivered,
      opened: r.opened,
      started: r.started,
      completed: r.completed,
      responseRate: r.invitations ? Math.round((r.completed / r.invitations) * 1000) / 10 : null,
    })),
  };
}
