import { bigint, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The domain event outbox: "response.completed", "import.completed" … Written in the transaction
 * of the change it reports, so an event exists exactly when its change does; automations
 * (workflows) and integrations read it in id order from their own cursor.
 */
export const domainEvents = pgTable(
  'domain_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    type: text('type').notNull(),
    /** What the event is about, as "<kind>:<id>" (e.g. "response:42"), for lookups and idempotency. */
    subject: text('subject').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('domain_events_type_idx').on(t.type, t.id), index('domain_events_subject_idx').on(t.subject)],
);
