import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { directories, directoryEntity } from '../directory/directory.schema.ts';

/**
 * A segment: a named rule over a directory's contacts or accounts, evaluated when it is read
 * (always current, never a stored member list). `rules` is what people edit (src/segments/rules.ts);
 * `compiled_sql` and `compiled_params` are the same rule as one SELECT of member ids, with every
 * parameter in one text[], for rapport_segment_members() (distributions evaluate it inside their
 * own statement). A deleted segment keeps its row (deleted_at): a distribution scheduled to it
 * still sends to the segment as it was.
 */
export const segments = pgTable(
  'segments',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    directoryId: bigint('directory_id', { mode: 'number' })
      .notNull()
      .references(() => directories.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    entity: directoryEntity('entity').notNull(),
    rules: jsonb('rules').notNull(),
    compiledSql: text('compiled_sql').notNull(),
    compiledParams: text('compiled_params').array().notNull(),
    compiledVersion: integer('compiled_version').notNull(),
    createdBy: text('created_by').notNull(),
    updatedBy: text('updated_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('segments_name_idx')
      .on(t.directoryId, sql`lower(${t.name})`)
      .where(sql`${t.deletedAt} IS NULL`),
    index('segments_directory_idx').on(t.directoryId, t.id),
  ],
);
