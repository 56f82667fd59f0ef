import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { directories } from '../directory/directory.schema.ts';
import type { DashboardFilters, Pages, Visibility } from './model.ts';

/**
 * A dashboard of a directory: its pages of widgets and its default filters, as one document
 * (model.ts checks it whole; the editor saves it whole, `version` refuses a stale save). Shared
 * dashboards are read by everyone of the directory, personal ones by their owner only.
 */
export const dashboards = pgTable(
  'dashboards',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    directoryId: bigint('directory_id', { mode: 'number' })
      .notNull()
      .references(() => directories.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    visibility: text('visibility').$type<Visibility>().notNull().default('shared'),
    /** The user who made it (null: made by the system); the only one who sees a personal dashboard. */
    ownerUserId: bigint('owner_user_id', { mode: 'number' }),
    filters: jsonb('filters').$type<DashboardFilters>().notNull(),
    pages: jsonb('pages').$type<Pages>().notNull(),
    /** The template it was made from ('overview'), if any. */
    template: text('template'),
    version: integer('version').notNull().default(1),
    createdBy: text('created_by').notNull(),
    updatedBy: text('updated_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('dashboards_directory_idx').on(t.directoryId, sql`lower(${t.name})`),
    index('dashboards_owner_idx').on(t.ownerUserId).where(sql`${t.visibility} = 'personal'`),
  ],
);
