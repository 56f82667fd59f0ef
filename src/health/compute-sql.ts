import { type SQL, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../platform/db/database.ts';
import { openTicketCounts } from '../tickets/conditions.ts';
import type { HealthModel } from './model.ts';

/**
 * The set-based half of the health computation: raw sums for many accounts in one statement each.
 * `accounts` restricts a statement to some account ids (a new response: its account and
 * ancestors); null means every account of the directory (a full recompute).
 */

/**
 * Where raw sums are written: account_health itself (a refresh of a few accounts), or, in a full
 * recompute, a temporary table of the transaction (no WAL, no index but its key) from which the
 * scored rows are written to account_health once, instead of a write and a rewrite per row.
 */
export type HealthTable = 'account_health' | 'health_raw';

/** The transaction's health_raw, empty (dropped at commit). */
export async function createRawTable(tx: Executor) {
  await tx.execute(sql`CREATE TEMP TABLE IF NOT EXISTS health_raw
    (LIKE account_health INCLUDING DEFAULTS, PRIMARY KEY (account_id, scope)) ON COMMIT DROP`);
  await tx.execute(sql`TRUNCATE health_raw`);
}

/** The raw columns (everything but the key and what score.ts derives). */
export const RAW_COLUMNS = [
  'directory_id',
  'level',
  'responses',
  'responses_prev',
  'nps_n',
  'promoters',
  'passives',
  'detractors',
  'w_total',
  'w_promoters',
  'w_detractors',
  'prev_n',
  'prev_promoters',
  'prev_detractors',
  'csat_sum',
  'csat_n',
  'key_present',
  'key_covered',
  'silent_roles',
  'invitations',
  'open_tickets',
  'last_feedback_at',
  'last_contact_at',
  'arr',
  'renewal_date',
  'key_detractor',
  'computed_at',
] as const;

/** An upsert of raw sums: every raw column but the directory (an account never moves). */
const UPDATE_RAW = sql.raw(
  RAW_COLUMNS.filter((c) => c !== 'directory_id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', '),
);

const idList = (ids: number[]) =>
  sql`(${sql.join(
    ids.map((id) => sql`${id}::bigint`),
    sql`, `,
  )})`;

const attribute = (column: SQL, name: string) =>
  sql`(SELECT v.value #>> '{}' FROM jsonb_each(${column}) v WHERE lower(v.key) = ${name.toLowerCase()} LIMIT 1)`;

/**
 * Whether the closure still describes the hierarchy: it is a function of the live accounts (its
 * depth-0 rows) and the links between live accounts (its depth-1 rows), so when both sets match
 * exactly, rebuilding it would write the same rows (a nightly recompute usually finds this).
 */
async function closureIsCurrent(tx: Executor, directoryId: number): Promise<boolean> {
  const live = sql`SELECT id, parent_id FROM accounts WHERE directory_id = ${directoryId} AND deleted_at IS NULL`;
  const [row] = await queryRows<{ stale: boolean }>(
    tx,
    sql`WITH live AS MATERIALIZED (${live}),
      nodes AS (SELECT descendant_id AS id FROM account_closure WHERE directory_id = ${directoryId} AND depth = 0),
      links AS (SELECT ancestor_id AS parent_id, descendant_id AS id FROM account_closure
        WHERE directory_id = ${directoryId} AND depth = 1),
      live_links AS (SELECT c.parent_id, c.id FROM live c JOIN live p ON p.id = c.parent_id)
    SELECT EXISTS (SELECT id FROM live EXCEPT SELECT id FROM nodes)
      OR EXISTS (SELECT id FROM nodes EXCEPT SELECT id FROM live)
      OR EXISTS (SELECT parent_id, id FROM live_links EXCEPT SELECT parent_id, id FROM links)
      OR EXISTS (SELECT parent_id, id FROM links EXCEPT SELECT parent_id, id FROM live_links) AS stale`,
  );
  return row?.stale === false;
}

/**
 * Rebuilds the hierarchy's closure for a directory (cycles were refused at import), unless it is
 * current. Returns whether it was rebuilt.
 */
export async function rebuildClosure(tx: Executor, directoryId: number): Promise<boolean> {
  if (await closureIsCurrent(tx, directoryId)) return false;
  await tx.execute(sql`DELETE FROM account_closure WHERE directory_id = ${directoryId}`);
  await tx.execute(sql`INSERT INTO account_closure (ancestor_id, descendant_id, depth, directory_id)
    WITH RECURSIVE tree(ancestor_id, descendant_id, depth) AS (
      SELECT id, id, 0 FROM accounts WHERE directory_id = ${directoryId} AND deleted_at IS NULL
      UNION ALL
      SELECT t.ancestor_id, a.id, t.depth + 1 FROM tree t
      JOIN accounts a ON a.parent_id = t.descendant_id AND a.deleted_at IS NULL
      WHERE t.depth < 50)
    SELECT ancestor_id, descendant_id, min(depth), ${directoryId} FROM tree GROUP BY 1, 2`);
  return true;
}

/**
 * Each account's own raw sums: the latest NPS answer of each contact within the window (anonymous
 * answers count one each), weighted by the contact's heaviest client role in that account; the
 * previous window for the trend; CSAT; coverage of the key roles present; invitations sent; the
 * latest key-role detractor; ARR and renewal date from the account's attributes.
 */
export async function writeOwnRaw(
  tx: Executor,
  directoryId: number,
  model: HealthModel,
  accounts: number[] | null,
  target: HealthTable = 'account_health',
) {
  const window = sql`make_interval(days => ${model.windowDays})`;
  const weights = Object.entries(model.roleWeights);
  const roleWeights = weights.length
    ? sql`(VALUES ${sql.join(
        weights.map(([role, w]) => sql`(${role}, ${w}::float8)`),
        sql`, `,
      )}) AS w(role, weight)`
    : sql`(SELECT NULL::text AS role, 1::float8 AS weight WHERE false) w`;
  const inList = (roles: string[]) =>
    sql`(${sql.join(
      roles.map((r) => sql`${r}`),
      sql`, `,
    )})`;
  await tx.execute(sql`
    WITH acc AS (
      SELECT a.id, a.attributes FROM accounts a
      WHERE a.directory_id = ${directoryId} AND a.deleted_at IS NULL ${accounts ? sql`AND a.id IN ${idList(accounts)}` : sql``}),
    -- Per account and contact, the counts of both windows and the latest NPS answer of each
    -- window; an anonymous answer is a "contact" of its own. The latest answer is the max of one
    -- bigint packing [completed_at in µs | category | score] (µs · 64 + category · 16 + score).
    -- Contacts' answers are read in (account, contact) order from responses_account_contact_idx and
    -- grouped as they stream: a window function sorted all responses, a hash aggregate spilled
    -- (each 2-3 times slower at 5M responses).
    answered AS NOT MATERIALIZED (
      SELECT r.account_id, r.contact_id, r.id, r.csat_score, r.completed_at, w.current, w.packed
      FROM responses r JOIN acc ON acc.id = r.account_id
      CROSS JOIN LATERAL (SELECT r.completed_at > now() - ${window} AS current,
        (date_part('epoch', r.completed_at) * 1000000)::bigint * 64
          + CASE r.nps_category WHEN 'promoter' THEN 32 WHEN 'passive' THEN 16 WHEN 'detractor' THEN 0 END
          + coalesce(r.nps_score, 15) AS packed) w
      WHERE r.status = 'complete' AND r.completed_at > now() - 2 * ${window}),
    per_contact AS MATERIALIZED (
      SELECT account_id, contact_id,
        count(*) FILTER (WHERE current)::int AS responses,
        count(*) FILTER (WHERE NOT current)::int AS responses_prev,
        sum(csat_score) FILTER (WHERE current) AS csat_sum,
        count(csat_score) FILTER (WHERE current)::int AS csat_n,
        max(completed_at) AS last_at,
        max(packed) FILTER (WHERE current) AS latest,
        max(packed) FILTER (WHERE NOT current) AS previous
      FROM answered WHERE contact_id IS NOT NULL GROUP BY account_id, contact_id
      UNION ALL
      SELECT account_id, NULL, current::int, (NOT current)::int, CASE WHEN current THEN csat_score END,
        (current AND csat_score IS NOT NULL)::int, completed_at, CASE WHEN current THEN packed END,
        CASE WHEN NOT current THEN packed END
      FROM answered WHERE contact_id IS NULL),
    weight AS (
      SELECT acr.account_id, acr.contact_id, max(w.weight) AS weight
      FROM account_contact_roles acr JOIN acc ON acc.id = acr.account_id
      JOIN ${roleWeights} ON w.role = acr.role::text GROUP BY 1, 2),
    latest AS (
      SELECT account_id, contact_id, (latest / 16) % 4 AS category, nullif(latest % 16, 15)::smallint AS nps_score,
        to_timestamp(0) + (latest / 64) * interval '1 microsecond' AS completed_at
      FROM per_contact WHERE latest IS NOT NULL),
    nps AS (
      SELECT l.account_id, count(*)::int AS n,
        count(*) FILTER (WHERE l.category = 2)::int AS p,
        count(*) FILTER (WHERE l.category = 1)::int AS pa,
        count(*) FILTER (WHERE l.category = 0)::int AS d,
        sum(coalesce(wt.weight, 1)) AS wt, sum(coalesce(wt.weight, 1)) FILTER (WHERE l.category = 2) AS wp,
        sum(coalesce(wt.weight, 1)) FILTER (WHERE l.category = 0) AS wd
      FROM latest l LEFT JOIN weight wt ON wt.account_id = l.account_id AND wt.contact_id = l.contact_id
      GROUP BY 1),
    prev AS (
      SELECT account_id, count(*)::int AS n, count(*) FILTER (WHERE (previous / 16) % 4 = 2)::int AS p,
        count(*) FILTER (WHERE (previous / 16) % 4 = 0)::int AS d
      FROM per_contact WHERE previous IS NOT NULL GROUP BY 1),
    counts AS (
      SELECT account_id, sum(responses)::int AS responses, sum(responses_prev)::int AS responses_prev,
        sum(csat_sum) AS csat_sum, sum(csat_n)::int AS csat_n, max(last_at) AS last_at
      FROM per_contact GROUP BY 1),
    recent AS (
      SELECT account_id, contact_id FROM per_contact
      WHERE contact_id IS NOT NULL AND last_at > now() - make_interval(days => ${model.coverageDays})),
    key_roles AS (
      SELECT acr.account_id, acr.role::text AS role, bool_or(rc.contact_id IS NOT NULL) AS covered
      FROM account_contact_roles acr JOIN acc ON acc.id = acr.account_id
      LEFT JOIN recent rc ON rc.account_id = acr.account_id AND rc.contact_id = acr.contact_id
      WHERE acr.role::text IN ${inList(model.keyRoles)} GROUP BY 1, 2),
    coverage AS (
      SELECT account_id, count(*)::int AS present, count(*) FILTER (WHERE covered)::int AS covered,
        coalesce(array_agg(role ORDER BY role) FILTER (WHERE NOT covered), '{}') AS silent
      FROM key_roles GROUP BY 1),
    sent AS (
      SELECT dr.account_id, count(*) FILTER (WHERE dr.counts_for_frequency AND dr.sent_at > now() - ${window})::int AS invitations,
        max(dr.sent_at) AS last_contact
      FROM distribution_recipients dr JOIN acc ON acc.id = dr.account_id WHERE dr.sent_at IS NOT NULL GROUP BY 1),
    tickets AS (${openTicketCounts(sql`SELECT id FROM acc`)}),
    key_detractor AS (
      SELECT DISTINCT ON (l.account_id) l.account_id, jsonb_build_object(
          'role', acr.role::text, 'score', l.nps_score, 'at', l.completed_at,
          'contact', nullif(concat_ws(' ', c.first_name, c.last_name), '')) AS detail
      FROM latest l
      JOIN account_contact_roles acr ON acr.account_id = l.account_id AND acr.contact_id = l.contact_id
        AND acr.role::text IN ${inList(model.detractorRoles)}
      JOIN contacts c ON c.id = l.contact_id
      WHERE l.category = 0 AND l.completed_at > now() - make_interval(days => ${model.detractorDays})
      ORDER BY l.account_id, l.completed_at DESC)
    INSERT INTO ${sql.identifier(target)} AS h (account_id, scope, directory_id, level, responses, responses_prev, nps_n,
      promoters, passives, detractors, w_total, w_promoters, w_detractors, prev_n, prev_promoters, prev_detractors,
      csat_sum, csat_n, key_present, key_covered, silent_roles, invitations, open_tickets, last_feedback_at,
      last_contact_at, arr, renewal_date, key_detractor, computed_at)
    SELECT acc.id, 'own', ${directoryId},
      coalesce((SELECT max(cl.depth) FROM account_closure cl WHERE cl.descendant_id = acc.id), 0),
      coalesce(counts.responses, 0), coalesce(counts.responses_prev, 0),
      coalesce(nps.n, 0), coalesce(nps.p, 0), coalesce(nps.pa, 0), coalesce(nps.d, 0), coalesce(nps.wt, 0),
      coalesce(nps.wp, 0), coalesce(nps.wd, 0), coalesce(prev.n, 0), coalesce(prev.p, 0), coalesce(prev.d, 0),
      coalesce(counts.csat_sum, 0), coalesce(counts.csat_n, 0), coalesce(coverage.present, 0),
      coalesce(coverage.covered, 0), coalesce(coverage.silent, '{}'), coalesce(sent.invitations, 0),
      coalesce(tickets.open, 0),
      -- Older than both windows: the account's last answer ever (an index range on its responses).
      coalesce(counts.last_at, (SELECT max(r.completed_at) FROM responses r
        WHERE r.account_id = acc.id AND r.status = 'complete')),
      sent.last_contact,
      CASE WHEN ${attribute(sql`acc.attributes`, model.arrAttribute)} ~ '^-?[0-9]+(\\.[0-9]+)?$'
        THEN (${attribute(sql`acc.attributes`, model.arrAttribute)})::float8 END,
      CASE WHEN ${attribute(sql`acc.attributes`, model.renewalAttribute)} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}'
        THEN left(${attribute(sql`acc.attributes`, model.renewalAttribute)}, 10)::date END,
      key_detractor.detail, now()
    FROM acc
    LEFT JOIN counts ON counts.account_id = acc.id
    LEFT JOIN nps ON nps.account_id = acc.id
    LEFT JOIN prev ON prev.account_id = acc.id
    LEFT JOIN coverage ON coverage.account_id = acc.id
    LEFT JOIN sent ON sent.account_id = acc.id
    LEFT JOIN key_detractor ON key_detractor.account_id = acc.id
    LEFT JOIN tickets ON tickets.account_id = acc.id
    ON CONFLICT (account_id, scope) DO UPDATE SET ${UPDATE_RAW}`);
}

/**
 * A subtree's raw sums are the sums of its accounts' own rows (one join over the closure); its
 * health is the ARR-weighted health of its scored accounts (equal weights when none has an ARR),
 * capped by the worst account plus `worstChildCap` when the model says so.
 */
export async function writeSubtreeRaw(
  tx: Executor,
  directoryId: number,
  model: HealthModel,
  ancestors: number[] | null,
  target: HealthTable = 'account_health',
) {
  const cap = model.worstChildCap;
  const blended = sql`CASE WHEN coalesce(sum(o.arr) FILTER (WHERE o.health IS NOT NULL AND o.arr > 0), 0) > 0
    THEN sum(o.arr * o.health) FILTER (WHERE o.health IS NOT NULL AND o.arr > 0)
      / sum(o.arr) FILTER (WHERE o.health IS NOT NULL AND o.arr > 0)
    ELSE avg(o.health) END`;
  await tx.execute(sql`
    INSERT INTO ${sql.identifier(target)} AS h (account_id, scope, directory_id, level, responses, responses_prev, nps_n,
      promoters, passives, detractors, w_total, w_promoters, w_detractors, prev_n, prev_promoters, prev_detractors,
      csat_sum, csat_n, key_present, key_covered, silent_roles, invitations, open_tickets, last_feedback_at,
      last_contact_at, arr, renewal_date, key_detractor, health, computed_at)
    SELECT c.ancestor_id, 'subtree', ${directoryId}, min(o.level) FILTER (WHERE c.depth = 0), sum(o.responses), sum(o.responses_prev), sum(o.nps_n),
      sum(o.promoters), sum(o.passives), sum(o.detractors), sum(o.w_total), sum(o.w_promoters),
      sum(o.w_detractors), sum(o.prev_n), sum(o.prev_promoters), sum(o.prev_detractors), sum(o.csat_sum),
      sum(o.csat_n), sum(o.key_present), sum(o.key_covered),
      -- Silent roles of any account in the subtree (arrays of different lengths cannot be array_agg'ed).
      coalesce((SELECT array_agg(DISTINCT x ORDER BY x) FROM unnest(string_to_array(
        string_agg(nullif(array_to_string(o.silent_roles, ','), ''), ','), ',')) AS x), '{}'),
      sum(o.invitations), sum(o.open_tickets), max(o.last_feedback_at), max(o.last_contact_at),
      sum(o.arr), min(o.renewal_date),
      (array_agg(o.key_detractor ORDER BY (o.key_detractor ->> 'at') DESC) FILTER (WHERE o.key_detractor IS NOT NULL))[1],
      round((${cap === null ? blended : sql`LEAST(${blended}, min(o.health) + ${cap})`})::numeric, 1)::float8,
      now()
    FROM account_closure c JOIN account_health o ON o.account_id = c.descendant_id AND o.scope = 'own'
    WHERE c.directory_id = ${directoryId} ${ancestors ? sql`AND c.ancestor_id IN ${idList(ancestors)}` : sql``}
    GROUP BY c.ancestor_id
    ON CONFLICT (account_id, scope) DO UPDATE SET ${UPDATE_RAW}, health = excluded.health`);
}

/** Today's snapshot of the accounts' health (one row per account, scope and day). */
export async function writeSnapshot(tx: Executor, directoryId: number, accounts: number[] | null) {
  await tx.execute(sql`INSERT INTO account_health_daily (account_id, scope, day, directory_id, health, nps, risk)
    SELECT account_id, scope, current_date, directory_id, health, nps, risk FROM account_health
    WHERE directory_id = ${directoryId} ${accounts ? sql`AND account_id IN ${idList(accounts)}` : sql``}
    ON CONFLICT (account_id, scope, day) DO UPDATE SET health = excluded.health, nps = excluded.nps, risk = excluded.risk`);
}

export { idList };
