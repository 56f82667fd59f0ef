import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFromStdin } from 'pg-copy-streams';
import type { Database } from './database.ts';

export interface CopyOptions {
  /** Fully qualified, already quoted table name. */
  table: string;
  /** Quoted column names, in the order the CSV fields come. */
  columns: string[];
  delimiter: string;
  /** Quoted columns where a quoted empty value ("") is NULL too, as an unquoted one is. */
  forceNull?: string[];
}

/** PGlite reads COPY input from one in-memory blob: flush at this size to keep memory bounded. */
const PGLITE_COPY_CHUNK_BYTES = 16 * 1024 * 1024;

/**
 * Bulk-loads CSV records (complete records per chunk, as CsvRecordsToCopy emits them) with COPY:
 * `FROM STDIN` on PostgreSQL, `FROM '/dev/blob'` in chunks on PGlite. Returns the rows loaded.
 */
export async function copyCsvInto(db: Database, source: Readable, options: CopyOptions): Promise<number> {
  const delimiter = options.delimiter === '\t' ? "E'\\t'" : `'${options.delimiter}'`;
  const columns = options.columns.join(', ');
  const forceNull = options.forceNull?.length ? `, FORCE_NULL (${options.forceNull.join(', ')})` : '';
  if (db.kind === 'postgres') {
    const client = await db.pool.connect();
    try {
      const stream = client.query(
        copyFromStdin(
          `COPY ${options.table} (${columns}) FROM STDIN WITH (FORMAT csv, DELIMITER ${delimiter}${forceNull})`,
        ),
      );
      await pipeline(source, stream);
      return Number(stream.rowCount ?? 0);
    } finally {
      client.release();
    }
  }
  const statement = `COPY ${options.table} (${columns}) FROM '/dev/blob' WITH (FORMAT csv, DELIMITER ${delimiter}${forceNull})`;
  let rows = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const blob = new Blob(pending);
    pending = [];
    pendingBytes = 0;
    const result = await db.client.query(statement, [], { blob });
    rows += result.affectedRows ?? 0;
  };
  for await (const chunk of source) {
    pending.push(chunk as Buffer);
    pendingBytes += (chunk as Buffer).length;
    if (pendingBytes >= PGLITE_COPY_CHUNK_BYTES) await flush();
  }
  await flush();
  return rows;
}
