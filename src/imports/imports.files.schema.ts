import { bigint, customType, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { importRuns } from './imports.schema.ts';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});

/**
 * Uploaded import files, in 1 MiB chunks, so that whichever worker runs the import can read them
 * (API and workers may be different machines sharing only the database).
 */
export const importFileChunks = pgTable(
  'import_file_chunks',
  {
    runId: bigint('run_id', { mode: 'number' })
      .notNull()
      .references(() => importRuns.id, { onDelete: 'cascade' }),
    object: text('object').notNull(),
    chunk: integer('chunk').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.object, t.chunk] })],
);
