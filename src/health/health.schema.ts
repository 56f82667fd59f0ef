import { sql } from 'drizzle-orm';
import {
  bigint,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { directories } from '../directory/directory.schema.ts';

/** A directory's health model (model.ts); absent: the defaults. */
export const healthSettings = pgTable('health_settings', {
  directoryId: bigint('directory_id', { mode: 'number' })
    .primaryKey()
    .references(() => directories.id, { onDelete: 'cascade' }),
  model: jsonb('model').notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Every (ancestor, descendant) pair of the account hierarchy, an account being its own ancestor at
 * depth 0: subtree roll-ups are one join instead of a recursive walk per account.
 */
export const accountClosure = pgTable(
  'account_closure',
  {
    ancestorId: bigint('ancestor_id', { mode: 'number' }).notNull(),
    descendantId: bigint('descendant_id', { mode: 'number' }).notNull(),
    depth: smallint('depth').notNull(),
    directoryId: bigint('directory_id', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.ancestorId, t.descendantId] }),
    index('account_closure_descendant_idx').on(t.descendantId),
  ],
);

/**
 * Each account's metrics and health, for the account alone (`own`) and with its descendants
 * (`subtree`). The raw sums are kept so a parent's subtree is the sum of its accounts' own rows,
 * and one new response recomputes one account and its ancestors, not the directory.
 */
export const accountHealth = pgTable(
  'account_health',
  {
    accountId: bigint('account_id', { mode: 'number' }).notNull(),
    scope: text('scope').notNull(),
    directoryId: bigint('directory_id', { mode: 'number' }).notNull(),
    /** Depth in the hierarchy: 0 for a top-level account (the list's "level" filter). */
    level: smallint('level').notNull().default(0),
    // Raw sums (each contact's latest NPS answer in the window; weights from client roles).
    responses: integer('responses').notNull().default(0),
    responsesPrev: integer('responses_prev').notNull().default(0),
    npsN: integer('nps_n').notNull().default(0),
    promoters: integer('promoters').notNull().default(0),
    passives: integer('passives').notNull().default(0),
    detractors: integer('detractors').notNull().default(0),
    wTotal: doublePrecision('w_total').notNull().default(0),
    wPromoters: doublePrecision('w_promoters').notNull().default(0),
    wDetractors: doublePrecision('w_detractors').notNull().default(0),
    prevN: integer('prev_n').notNull().default(0),
    prevPromoters: integer('prev_promoters').notNull().default(0),
    prevDetractors: integer('prev_detractors').notNull().default(0),
    csatSum: doublePrecision('csat_sum').notNull().default(0),
    csatN: integer('csat_n').notNull().default(0),
    keyPresent: integer('key_present').notNull().default(0),
    keyCovered: integer('key_covered').notNull().default(0),
    silentRoles: text('silent_roles').array().notNull().default(sql`'{}'::text[]`),
    invitations: integer('invitations').notNull().default(0),
    openTickets: integer('open_tickets').notNull().default(0),
    lastFeedbackAt: timestamp('last_feedback_at', { withTimezone: true }),
    lastContactAt: timestamp('last_contact_at', { withTimezone: true }),
    arr: doublePrecision('arr'),
    renewalDate: date('renewal_date'),
    /** The latest detractor among the key decision roles: { role, contact, score, at }. */
    keyDetractor: jsonb('key_detractor'),
    // Derived (score.ts): what the command center shows and sorts on.
    nps: doublePrecision('nps'),
    weightedNps: doublePrecision('weighted_nps'),
    npsPrev: doublePrecision('nps_prev'),
    csat: doublePrecision('csat'),
    coverage: doublePrecision('coverage'),
    responseRate: doublePrecision('response_rate'),
    health: doublePrecision('health'),
    band: text('band').notNull().default('insufficient'),
    risk: text('risk').notNull().default('unknown'),
    /** high 0, medium 1, low 2, unknown 3: the list sorts on it. */
    riskRank: smallint('risk_rank').notNull().default(3),
    components: jsonb('components').notNull().default({}),
    reasons: jsonb('reasons').notNull().default([]),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.scope] }),
    index('account_health_rank_idx').on(t.directoryId, t.scope, t.riskRank, t.health, t.accountId),
  ],
);

/** One snapshot per account, scope and day: the trend chart and "health dropped". */
export const accountHealthDaily = pgTable(
  'account_health_daily',
  {
    accountId: bigint('account_id', { mode: 'number' }).notNull(),
    scope: text('scope').notNull(),
    day: date('day').notNull(),
    directoryId: bigint('directory_id', { mode: 'number' }).notNull(),
    health: doublePrecision('health'),
    nps: doublePrecision('nps'),
    risk: text('risk').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.scope, t.day] }),
    index('account_health_daily_day_idx').on(t.directoryId, t.scope, t.day),
  ],
);

/** Where the incremental refresher is in the domain event log (one row). */
export const healthCursor = pgTable('health_cursor', {
  id: integer('id').primaryKey(),
  lastEventId: bigint('last_event_id', { mode: 'number' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
