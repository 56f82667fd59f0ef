import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { CLIENT_ROLES, TEAM_ROLES } from '../directory/roles.ts';
import { accountVisible } from '../directory/scope.ts';
import { type Database, type Executor, queryRows } from '../platform/db/database.ts';
import { notFound } from '../platform/errors.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { healthModelOf } from './compute.ts';
import { idList } from './compute-sql.ts';
import { healthSettings } from './health.schema.ts';
import { BANDS, RISKS, ZHealthModel } from './model.ts';

const csv = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((v) => v.split(',').filter(Boolean))
    .pipe(z.array(z.enum(values)));

export const ZHealthListQuery = z.object({
  /** own: the account alone; subtree: with its descendants. */
  scope: z.enum(['own', 'subtree']).default('own'),
  risk: csv(RISKS).optional(),
  band: csv(BANDS).optional(),
  /** Accounts whose team has this member (email), optionally in this team role. */
  teamMember: z.string().max(320).optional(),
  teamRole: z.enum(TEAM_ROLES).optional(),
  /** Hierarchy level: 0 = top-level accounts. */
  level: z.coerce.number().int().min(0).max(20).optional(),
  /** attribute=Name:value, e.g. Region:EMEA (case-insensitive name, exact value). */
  attribute: z
    .string()
    .max(500)
    .regex(/^[^:]+:.*$/, { error: 'expected Name:value' })
    .optional(),
  /**
   * Inactive accounts (the seed's 30/60/90 days): neither a response nor a survey sent in at least
   * this many days (never heard from and never surveyed counts as inactive).
   */
  inactiveDays: z.coerce.number().int().min(1).max(3650).optional(),
  q: z.string().max(200).optional(),
  sort: z.enum(['risk', 'health', 'nps', 'arr', 'renewal', 'name', 'lastFeedback']).default('risk'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

const SORTS: Record<z.output<typeof ZHealthListQuery>['sort'], SQL> = {
  risk: sql`h.risk_rank, h.health NULLS LAST, a.id`,
  health: sql`h.health NULLS LAST, a.id`,
  nps: sql`h.nps NULLS LAST, a.id`,
  arr: sql`h.arr DESC NULLS LAST, a.id`,
  renewal: sql`h.renewal_date NULLS LAST, a.id`,
  name: sql`lower(a.display_name), a.id`,
  lastFeedback: sql`h.last_feedback_at NULLS FIRST, a.id`,
};

const ROW_COLUMNS = sql`a.id, a.display_name, a.external_ref, a.parent_id, h.scope, h.health, h.band, h.risk,
  h.reasons, h.components, h.nps, h.weighted_nps, h.nps_prev, h.csat, h.coverage, h.response_rate, h.responses,
  h.nps_n, h.promoters, h.passives, h.detractors, h.silent_roles, h.last_feedback_at, h.last_contact_at, h.arr,
  h.renewal_date::text AS renewal_date, h.open_tickets, h.computed_at,
  (SELECT tm.user_email FROM account_team_members tm WHERE tm.account_id = a.id AND tm.role = 'ACCOUNT_OWNER' LIMIT 1) AS owner`;

type HealthRow = Record<string, unknown> & { id: number };

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const textArray = (v: unknown) =>
  Array.isArray(v)
    ? (v as string[])
    : String(v ?? '')
        .replace(/^\{|\}$/g, '')
        .split(',')
        .filter(Boolean);

export function toAccountHealth(r: HealthRow) {
  return {
    accountId: Number(r.id),
    name: r.display_name as string,
    externalRef: (r.external_ref as string | null) ?? null,
    parentId: numOrNull(r.parent_id),
    scope: r.scope as 'own' | 'subtree',
    health: numOrNull(r.health),
    band: r.band as string,
    risk: r.risk as string,
    reasons: (r.reasons ?? []) as Record<string, unknown>[],
    components: (r.components ?? {}) as Record<string, number>,
    nps: numOrNull(r.nps),
    weightedNps: numOrNull(r.weighted_nps),
    npsPrev: numOrNull(r.nps_prev),
    csat: numOrNull(r.csat),
    coverage: numOrNull(r.coverage),
    responseRate: numOrNull(r.response_rate),
    responses: Number(r.responses ?? 0),
    npsAnswers: Number(r.nps_n ?? 0),
    promoters: Number(r.promoters ?? 0),
    passives: Number(r.passives ?? 0),
    detractors: Number(r.detractors ?? 0),
    silentRoles: textArray(r.silent_roles),
    lastFeedbackAt: iso(r.last_feedback_at),
    lastContactAt: iso(r.last_contact_at),
    daysSinceLastContact: r.last_contact_at
      ? Math.floor((Date.now() - new Date(r.last_contact_at as string).getTime()) / 86_400_000)
      : null,
    arr: numOrNull(r.arr),
    renewalDate: (r.renewal_date as string | null) ?? null,
    openTickets: Number(r.open_tickets ?? 0),
    owner: (r.owner as string | null) ?? null,
    computedAt: iso(r.computed_at),
  };
}

/** The list's conditions on `h` (account_health) and `a` (accounts), for the page and the summary. */
function listFilters(
  actor: Actor,
  directoryId: number,
  query: Omit<z.output<typeof ZHealthListQuery>, 'sort' | 'limit' | 'offset'>,
): SQL[] {
  const where: SQL[] = [sql`h.directory_id = ${directoryId}`, sql`h.scope = ${query.scope}`];
  where.push(accountVisible(actor, sql`a.id`));
  if (query.risk?.length)
    where.push(
      sql`h.risk IN (${sql.join(
        query.risk.map((r) => sql`${r}`),
        sql`, `,
      )})`,
    );
  if (query.band?.length)
    where.push(
      sql`h.band IN (${sql.join(
        query.band.map((b) => sql`${b}`),
        sql`, `,
      )})`,
    );
  if (query.teamMember || query.teamRole)
    where.push(sql`EXISTS (SELECT 1 FROM account_team_members tm WHERE tm.account_id = a.id
      ${query.teamMember ? sql`AND tm.user_email = ${query.teamMember.toLowerCase()}` : sql``}
      ${query.teamRole ? sql`AND tm.role = ${query.teamRole}` : sql``})`);
  if (query.level !== undefined) where.push(sql`h.level = ${query.level}`);
  if (query.attribute) {
    const [name, ...rest] = query.attribute.split(':');
    where.push(sql`EXISTS (SELECT 1 FROM jsonb_each(a.attributes) v WHERE lower(v.key) = ${name!.toLowerCase()}
      AND v.value #>> '{}' = ${rest.join(':')})`);
  }
  if (query.inactiveDays !== undefined)
    // greatest() skips nulls: the later of the last response and the last survey sent, if any.
    where.push(sql`coalesce(greatest(h.last_feedback_at, h.last_contact_at), '-infinity'::timestamptz)
      <= now() - make_interval(days => ${query.inactiveDays}::int)`);
  if (query.q)
    where.push(sql`lower(a.display_name) LIKE ${`%${query.q.toLowerCase().replace(/[%_\\]/g, '\\$&')}%`}`);
  return where;
}

/** The command center's list: accounts ranked by churn risk (then lowest health), filtered. */
export async function listAccountHealth(
  db: Executor,
  actor: Actor,
  directoryId: number,
  query: z.output<typeof ZHealthListQuery>,
) {
  authorize(actor, 'data:read');
  const where = listFilters(actor, directoryId, query);
  const rows = await queryRows<HealthRow>(
    db,
    sql`SELECT ${ROW_COLUMNS} FROM account_health h JOIN accounts a ON a.id = h.account_id
        WHERE ${sql.join(where, sql` AND `)}
        ORDER BY ${SORTS[query.sort]} LIMIT ${query.limit + 1} OFFSET ${query.offset}`,
  );
  const page = rows.slice(0, query.limit);
  return {
    items: page.map(toAccountHealth),
    nextOffset: rows.length > query.limit ? query.offset + query.limit : null,
  };
}

/**
 * The command center's headline figures over the same filters as the list: accounts by risk and
 * band, average health, insufficient signal, renewals soon.
 */
export async function healthSummary(
  db: Executor,
  actor: Actor,
  directoryId: number,
  query: z.output<typeof ZHealthListQuery>,
) {
  authorize(actor, 'data:read');
  const model = await healthModelOf(db, directoryId);
  const where = listFilters(actor, directoryId, query);
  const [row] = await queryRows<Record<string, number | null>>(
    db,
    sql`SELECT count(*)::int AS accounts,
          count(*) FILTER (WHERE h.risk = 'high')::int AS high, count(*) FILTER (WHERE h.risk = 'medium')::int AS medium,
          count(*) FILTER (WHERE h.risk = 'low')::int AS low, count(*) FILTER (WHERE h.risk = 'unknown')::int AS unknown,
          count(*) FILTER (WHERE h.band = 'red')::int AS red, count(*) FILTER (WHERE h.band = 'yellow')::int AS yellow,
          count(*) FILTER (WHERE h.band = 'green')::int AS green,
          count(*) FILTER (WHERE h.band = 'insufficient')::int AS insufficient,
          round(avg(h.health)::numeric, 1)::float8 AS average_health,
          count(*) FILTER (WHERE h.renewal_date BETWEEN current_date AND current_date + ${model.renewalSoonDays}::int)::int AS renewals_soon,
          sum(h.arr) FILTER (WHERE h.risk = 'high')::float8 AS arr_at_high_risk
        FROM account_health h JOIN accounts a ON a.id = h.account_id WHERE ${sql.join(where, sql` AND `)}`,
  );
  const n = (k: string) => Number(row?.[k] ?? 0);
  return {
    accounts: n('accounts'),
    byRisk: { high: n('high'), medium: n('medium'), low: n('low'), unknown: n('unknown') },
    byBand: { red: n('red'), yellow: n('yellow'), green: n('green'), insufficient: n('insufficient') },
    averageHealth:
      row?.average_health === null || row?.average_health === undefined ? null : Number(row.average_health),
    renewalsSoon: n('renewals_soon'),
    renewalSoonDays: model.renewalSoonDays,
    arrAtHighRisk:
      row?.arr_at_high_risk === null || row?.arr_at_high_risk === undefined
        ? null
        : Number(row.arr_at_high_risk),
  };
}

/** The hierarchy below an account, `depth` levels, each node with its subtree health (for the tree). */
export async function healthTree(db: Executor, actor: Actor, accountId: number, depth: number) {
  authorize(actor, 'data:read');
  const [root] = await queryRows<{ id: number }>(
    db,
    sql`SELECT a.id FROM accounts a WHERE a.id = ${accountId} AND ${accountVisible(actor, sql`a.id`)}`,
  );
  if (!root) throw notFound(`No account ${accountId}`);
  const rows = await queryRows<HealthRow & { depth: number }>(
    db,
    sql`SELECT ${ROW_COLUMNS}, c.depth FROM account_closure c
        JOIN accounts a ON a.id = c.descendant_id AND a.deleted_at IS NULL
        LEFT JOIN account_health h ON h.account_id = a.id AND h.scope = 'subtree'
        WHERE c.ancestor_id = ${accountId} AND c.depth <= ${depth} AND ${accountVisible(actor, sql`a.id`)}
        ORDER BY c.depth, h.risk_rank NULLS LAST, lower(a.display_name) LIMIT 2000`,
  );
  if (rows.length === 0) throw notFound(`No account ${accountId}`);
  // An account imported since the last recompute has no health row yet: shown without a score.
  return {
    items: rows.map((r) => ({
      ...toAccountHealth({
        ...r,
        scope: 'subtree',
        band: r.band ?? 'insufficient',
        risk: r.risk ?? 'unknown',
      }),
      depth: Number(r.depth),
    })),
  };
}

/** Where to intervene: health that dropped, detractor decision makers, silent key roles, renewals at risk. */
export async function interventions(db: Executor, actor: Actor, directoryId: number, limit = 10) {
  authorize(actor, 'data:read');
  const visible = accountVisible(actor, sql`a.id`);
  const base = sql`FROM account_health h JOIN accounts a ON a.id = h.account_id
    WHERE h.directory_id = ${directoryId} AND h.scope = 'own' AND ${visible}`;
  const [dropped, detractors, silent, renewals] = await Promise.all([
    queryRows<HealthRow & { before: number }>(
      db,
      sql`SELECT ${ROW_COLUMNS}, d.health AS before, count(*) OVER () AS total
          FROM account_health h JOIN accounts a ON a.id = h.account_id
          JOIN LATERAL (SELECT health FROM account_health_daily d WHERE d.account_id = h.account_id AND d.scope = 'own'
            AND d.day <= current_date - 30 AND d.health IS NOT NULL ORDER BY d.day DESC LIMIT 1) d ON true
          WHERE h.directory_id = ${directoryId} AND h.scope = 'own' AND ${visible} AND h.health IS NOT NULL
            AND d.health - h.health >= 10
          ORDER BY d.health - h.health DESC LIMIT ${limit}`,
    ),
    queryRows<HealthRow>(
      db,
      sql`SELECT ${ROW_COLUMNS}, count(*) OVER () AS total ${base} AND h.reasons @> '[{"code":"detractor_key_role"}]'
          ORDER BY (h.key_detractor ->> 'at') DESC LIMIT ${limit}`,
    ),
    queryRows<HealthRow>(
      db,
      sql`SELECT ${ROW_COLUMNS}, count(*) OVER () AS total ${base} AND cardinality(h.silent_roles) > 0
          ORDER BY h.arr DESC NULLS LAST, cardinality(h.silent_roles) DESC LIMIT ${limit}`,
    ),
    queryRows<HealthRow>(
      db,
      sql`SELECT ${ROW_COLUMNS}, count(*) OVER () AS total ${base} AND h.reasons @> '[{"code":"renewal_soon"}]'
          ORDER BY h.renewal_date LIMIT ${limit}`,
    ),
  ]);
  const total = (rows: Record<string, unknown>[]) => Number(rows[0]?.total ?? 0);
  return {
    totals: {
      healthDropped: total(dropped),
      detractorDecisionMakers: total(detractors),
      silentKeyRoles: total(silent),
      renewalsAtRisk: total(renewals),
    },
    healthDropped: dropped.map((r) => ({ ...toAccountHealth(r), healthBefore: numOrNull(r.before) })),
    detractorDecisionMakers: detractors.map(toAccountHealth),
    silentKeyRoles: silent.map(toAccountHealth),
    renewalsAtRisk: renewals.map(toAccountHealth),
  };
}

/** One account's health page: both scopes, the trend, its children, and contacts by role with their latest score. */
export async function accountHealthDetail(db: Executor, actor: Actor, accountId: number) {
  authorize(actor, 'data:read');
  const rows = await queryRows<HealthRow>(
    db,
    sql`SELECT ${ROW_COLUMNS} FROM account_health h JOIN accounts a ON a.id = h.account_id
        WHERE a.id = ${accountId} AND ${accountVisible(actor, sql`a.id`)}`,
  );
  if (rows.length === 0) {
    // Not scored yet (imported since the last run) or not this actor's to see: the latter is a 404.
    const [visible] = await queryRows<{ id: number }>(
      db,
      sql`SELECT a.id FROM accounts a WHERE a.id = ${accountId} AND ${accountVisible(actor, sql`a.id`)}`,
    );
    if (!visible) throw notFound(`No account ${accountId}`);
  }
  const byScope = Object.fromEntries(rows.map((r) => [r.scope as string, toAccountHealth(r)]));
  const [trend, children, contacts] = await Promise.all([
    queryRows<{ day: string; scope: string; health: number | null; nps: number | null; risk: string }>(
      db,
      sql`SELECT day::text AS day, scope, health, nps, risk FROM account_health_daily
          WHERE account_id = ${accountId} AND day > current_date - 365 ORDER BY day`,
    ),
    queryRows<HealthRow>(
      db,
      sql`SELECT ${ROW_COLUMNS} FROM accounts a JOIN account_health h ON h.account_id = a.id AND h.scope = 'subtree'
          WHERE a.parent_id = ${accountId} AND a.deleted_at IS NULL ORDER BY h.risk_rank, h.health NULLS LAST LIMIT 200`,
    ),
    queryRows<{
      contact_id: number;
      name: string | null;
      email: string | null;
      role: string;
      nps_score: number | null;
      nps_category: string | null;
      at: string | null;
    }>(
      db,
      sql`SELECT c.id AS contact_id, nullif(concat_ws(' ', c.first_name, c.last_name), '') AS name, c.email,
            acr.role::text AS role, last.nps_score, last.nps_category, last.completed_at AS at
          FROM account_contact_roles acr JOIN contacts c ON c.id = acr.contact_id AND c.deleted_at IS NULL
          LEFT JOIN LATERAL (SELECT r.nps_score, r.nps_category, r.completed_at FROM responses r
            WHERE r.contact_id = c.id AND r.account_id = acr.account_id AND r.status = 'complete'
              AND r.nps_score IS NOT NULL
            ORDER BY r.completed_at DESC LIMIT 1) last ON true
          WHERE acr.account_id = ${accountId}
          ORDER BY array_position(${`{${CLIENT_ROLES.join(',')}}`}::text[], acr.role::text), name LIMIT 500`,
    ),
  ]);
  return {
    accountId,
    own: byScope.own ?? null,
    subtree: byScope.subtree ?? null,
    trend: trend.map((t) => ({
      day: t.day,
      scope: t.scope,
      health: numOrNull(t.health),
      nps: numOrNull(t.nps),
      risk: t.risk,
    })),
    children: children.map(toAccountHealth),
    contactsByRole: contacts.map((c) => ({
      contactId: Number(c.contact_id),
      name: c.name,
      email: c.email,
      role: c.role,
      npsScore: numOrNull(c.nps_score),
      npsCategory: c.nps_category,
      at: iso(c.at),
    })),
  };
}

export async function readHealthModel(db: Executor, actor: Actor, directoryId: number) {
  authorize(actor, 'data:read');
  return healthModelOf(db, directoryId);
}

export async function saveHealthModel(db: Database, actor: Actor, directoryId: number, input: unknown) {
  authorize(actor, 'data:write');
  const model = ZHealthModel.parse(input);
  const by = actor.kind === 'user' ? actor.email : actor.label;
  await db.orm.transaction(async (tx) => {
    await tx
      .insert(healthSettings)
      .values({ directoryId, model, updatedBy: by })
      .onConflictDoUpdate({
        target: healthSettings.directoryId,
        set: { model, updatedBy: by, updatedAt: sql`now()` },
      });
    await recordAudit(tx, actor, {
      action: 'health_model.updated',
      targetType: 'directory',
      targetId: directoryId,
    });
  });
  return model;
}

/** Account ids an actor may see among these (for exports and embeds). */
export async function visibleAccounts(db: Executor, actor: Actor, ids: number[]) {
  if (ids.length === 0) return [];
  const rows = await queryRows<{ id: number }>(
    db,
    sql`SELECT a.id FROM accounts a WHERE a.id IN ${idList(ids)} AND ${accountVisible(actor, sql`a.id`)}`,
  );
  return rows.map((r) => Number(r.id));
}
