import { eq, sql } from 'drizzle-orm';
import {
  applyBulkStatementSettings,
  type Database,
  type Executor,
  queryRows,
} from '../platform/db/database.ts';
import { usesTickets } from '../tickets/conditions.ts';
import {
  createRawTable,
  type HealthTable,
  idList,
  RAW_COLUMNS,
  rebuildClosure,
  writeOwnRaw,
  writeSnapshot,
  writeSubtreeRaw,
} from './compute-sql.ts';
import { healthSettings } from './health.schema.ts';
import { DEFAULT_MODEL, type HealthModel, ZHealthModel } from './model.ts';
import { type RawMetrics, score } from './score.ts';

export async function healthModelOf(db: Executor, directoryId: number): Promise<HealthModel> {
  const [row] = await db.select().from(healthSettings).where(eq(healthSettings.directoryId, directoryId));
  return row ? ZHealthModel.parse(row.model) : DEFAULT_MODEL;
}

interface RawRow {
  account_id: number;
  responses: number;
  responses_prev: number;
  nps_n: number;
  promoters: number;
  detractors: number;
  w_total: number;
  w_promoters: number;
  w_detractors: number;
  prev_n: number;
  prev_promoters: number;
  prev_detractors: number;
  csat_sum: number;
  csat_n: number;
  key_present: number;
  key_covered: number;
  silent_roles: string[] | string;
  invitations: number;
  open_tickets: number;
  last_feedback_at: string | Date | null;
  renewal_date: string | null;
  key_detractor: RawMetrics['keyDetractor'];
  health: number | null;
}

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
// node-postgres gives text[] as an array; a driver that does not parses '{a,b}' here.
const textArray = (v: string[] | string) =>
  Array.isArray(v)
    ? v
    : v
        .replace(/^\{|\}$/g, '')
        .split(',')
        .filter(Boolean);

const SCORE_BATCH = 5000;

const SCORE_COLUMNS = sql`x(account_id bigint, nps float8, weighted_nps float8, nps_prev float8, csat float8,
  coverage float8, response_rate float8, health float8, band text, risk text, risk_rank smallint, components jsonb,
  reasons jsonb)`;
const rawColumns = sql.raw(RAW_COLUMNS.join(', '));
const rawFromR = sql.raw(RAW_COLUMNS.map((c) => `r.${c}`).join(', '));
const setAll = sql.raw(
  [
    ...RAW_COLUMNS,
    'nps',
    'weighted_nps',
    'nps_prev',
    'csat',
    'coverage',
    'response_rate',
    'health',
    'band',
    'risk',
    'risk_rank',
    'components',
    'reasons',
  ]
    .map((c) => `${c} = excluded.${c}`)
    .join(', '),
);

/**
 * Scores the rows of one scope (JS, pure) and writes the results in batches: into the rows
 * themselves (account_health), or from health_raw into account_health, raw sums and scores at once.
 */
async function scoreRows(
  tx: Executor,
  directoryId: number,
  scope: 'own' | 'subtree',
  model: HealthModel,
  accounts: number[] | null,
  now: Date,
  source: HealthTable = 'account_health',
) {
  const [usage] = await queryRows<{ used: boolean }>(tx, sql`SELECT ${usesTickets(directoryId)} AS used`);
  const ticketsInUse = usage?.used === true;
  const rows = await queryRows<RawRow>(
    tx,
    sql`SELECT account_id, responses, responses_prev, nps_n, promoters, detractors, w_total, w_promoters,
          w_detractors, prev_n, prev_promoters, prev_detractors, csat_sum, csat_n, key_present, key_covered,
          silent_roles, invitations, open_tickets, last_feedback_at, renewal_date::text AS renewal_date,
          key_detractor, health
        FROM ${sql.identifier(source)} WHERE directory_id = ${directoryId} AND scope = ${scope}
          ${accounts ? sql`AND account_id IN ${idList(accounts)}` : sql``}`,
  );
  for (let i = 0; i < rows.length; i += SCORE_BATCH) {
    const batch = rows.slice(i, i + SCORE_BATCH).map((r) => {
      const scored = score(
        {
          responses: num(r.responses),
          responsesPrev: num(r.responses_prev),
          npsN: num(r.nps_n),
          promoters: num(r.promoters),
          detractors: num(r.detractors),
          wTotal: num(r.w_total),
          wPromoters: num(r.w_promoters),
          wDetractors: num(r.w_detractors),
          prevN: num(r.prev_n),
          prevPromoters: num(r.prev_promoters),
          prevDetractors: num(r.prev_detractors),
          csatSum: num(r.csat_sum),
          csatN: num(r.csat_n),
          keyPresent: num(r.key_present),
          keyCovered: num(r.key_covered),
          silentRoles: textArray(r.silent_roles),
          invitations: num(r.invitations),
          openTickets: num(r.open_tickets),
          lastFeedbackAt: r.last_feedback_at ? new Date(r.last_feedback_at) : null,
          renewalDate: r.renewal_date,
          keyDetractor: r.key_detractor,
        },
        model,
        now,
        scope === 'subtree' ? (r.health === null ? null : Number(r.health)) : undefined,
        ticketsInUse,
      );
      return {
        account_id: Number(r.account_id),
        nps: scored.nps,
        weighted_nps: scored.weightedNps,
        nps_prev: scored.npsPrev,
        csat: scored.csat,
        coverage: scored.coverage,
        response_rate: scored.responseRate,
        health: scored.health,
        band: scored.band,
        risk: scored.risk,
        risk_rank: scored.riskRank,
        components: scored.components,
        reasons: scored.reasons,
      };
    });
    const scored = sql`jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) AS ${SCORE_COLUMNS}`;
    if (source === 'health_raw')
      await tx.execute(sql`INSERT INTO account_health (account_id, scope, ${rawColumns}, nps, weighted_nps,
          nps_prev, csat, coverage, response_rate, health, band, risk, risk_rank, components, reasons)
        SELECT r.account_id, r.scope, ${rawFromR}, x.nps, x.weighted_nps, x.nps_prev, x.csat, x.coverage,
          x.response_rate, x.health, x.band, x.risk, x.risk_rank, x.components, x.reasons
        FROM ${scored} JOIN health_raw r ON r.account_id = x.account_id AND r.scope = ${scope}
        ON CONFLICT (account_id, scope) DO UPDATE SET ${setAll}`);
    else
      await tx.execute(sql`UPDATE account_health h SET nps = x.nps, weighted_nps = x.weighted_nps,
          nps_prev = x.nps_prev, csat = x.csat, coverage = x.coverage, response_rate = x.response_rate,
          health = x.health, band = x.band, risk = x.risk, risk_rank = x.risk_rank, components = x.components,
          reasons = x.reasons
        FROM ${scored} WHERE h.account_id = x.account_id AND h.scope = ${scope}`);
  }
  return rows.length;
}

/**
 * One directory at a time: a full recompute and an incremental refresh never interleave. The
 * statements are large analytic ones (applyBulkStatementSettings).
 */
async function lockDirectory(tx: Executor, directoryId: number) {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(74201, ${directoryId}::int)`);
  await applyBulkStatementSettings(tx);
}

/**
 * Recomputes every account of a directory: the hierarchy's closure, each account's own metrics
 * and health, every subtree's roll-up, and today's snapshot — in one transaction.
 */
export async function recomputeDirectory(db: Database, directoryId: number, now = new Date()) {
  const started = performance.now();
  const model = await healthModelOf(db.orm, directoryId);
  // Seconds per phase, so a slow recompute says where its time goes (bench/command-center.ts prints them).
  const phases: Record<string, number> = {};
  const phase = async <T>(name: string, work: () => Promise<T>) => {
    const at = performance.now();
    const value = await work();
    phases[name] = Math.round(performance.now() - at) / 1000;
    return value;
  };
  const accounts = await db.orm.transaction(async (tx) => {
    await lockDirectory(tx, directoryId);
    await phase('closure', () => rebuildClosure(tx, directoryId));
    // Accounts deleted since the last run leave the command center.
    await tx.execute(sql`DELETE FROM account_health h WHERE h.directory_id = ${directoryId}
      AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = h.account_id AND a.deleted_at IS NULL)`);
    // Raw sums go to health_raw; each scored row is then written to account_health once.
    await createRawTable(tx);
    await phase('own metrics', () => writeOwnRaw(tx, directoryId, model, null, 'health_raw'));
    const n = await phase('own scores', () =>
      scoreRows(tx, directoryId, 'own', model, null, now, 'health_raw'),
    );
    await phase('subtree roll-up', () => writeSubtreeRaw(tx, directoryId, model, null, 'health_raw'));
    await phase('subtree scores', () =>
      scoreRows(tx, directoryId, 'subtree', model, null, now, 'health_raw'),
    );
    await phase('snapshot', () => writeSnapshot(tx, directoryId, null));
    return n;
  });
  // The planner's statistics would otherwise lag until autovacuum: the list's plans depend on them.
  await db.orm.execute(sql`ANALYZE account_health`);
  await db.orm.execute(sql`ANALYZE account_closure`);
  return { accounts, seconds: (performance.now() - started) / 1000, phases };
}

/** Recomputes some accounts (new responses) and every ancestor's roll-up. */
export async function refreshAccounts(
  db: Database,
  directoryId: number,
  accountIds: number[],
  now = new Date(),
) {
  if (accountIds.length === 0) return 0;
  const model = await healthModelOf(db.orm, directoryId);
  return db.orm.transaction(async (tx) => {
    await lockDirectory(tx, directoryId);
    const ancestors = (
      await queryRows<{ id: number }>(
        tx,
        sql`SELECT DISTINCT ancestor_id AS id FROM account_closure WHERE descendant_id IN ${idList(accountIds)}`,
      )
    ).map((r) => Number(r.id));
    // An account the closure does not know yet (imported since the last full run) is its own root.
    await tx.execute(sql`INSERT INTO account_closure (ancestor_id, descendant_id, depth, directory_id)
      SELECT id, id, 0, directory_id FROM accounts WHERE id IN ${idList(accountIds)} ON CONFLICT DO NOTHING`);
    const roots = [...new Set([...ancestors, ...accountIds])];
    await writeOwnRaw(tx, directoryId, model, accountIds);
    await scoreRows(tx, directoryId, 'own', model, accountIds, now);
    await writeSubtreeRaw(tx, directoryId, model, roots);
    await scoreRows(tx, directoryId, 'subtree', model, roots, now);
    await writeSnapshot(tx, directoryId, roots);
    return roots.length;
  });
}
