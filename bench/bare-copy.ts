import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { readHeader } from '../src/imports/csv/read-header.ts';
import { copyCsvInto } from '../src/platform/db/copy.ts';
import type { Database } from '../src/platform/db/database.ts';

/**
 * PGlite's COPY takes the input in blobs flushed every 16 MiB: each chunk must end on a record
 * boundary. The generated files have no line breaks inside quotes, so a line is a record.
 */
async function* wholeLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const joined = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const end = joined.lastIndexOf(0x0a) + 1;
    carry = joined.subarray(end);
    if (end > 0) yield joined.subarray(0, end);
  }
  if (carry.length) yield carry;
}

/**
 * The baseline: the same three files loaded with nothing but COPY into plain tables of text
 * columns (no checks, no indexes, no merge). Returns the seconds it took.
 */
export async function bareCopy(db: Database, dir: string): Promise<number> {
  const started = performance.now();
  for (const file of ['Account.csv', 'Contact.csv', 'AccountTeamMember.csv']) {
    const table = `bare_${file.replace('.csv', '').toLowerCase()}`;
    const { header, body } = await readHeader(
      createReadStream(path.join(dir, file), { highWaterMark: 256 * 1024 }),
    );
    const columns = header!.columns.map((_, i) => `c${i}`);
    await db.query(`DROP TABLE IF EXISTS ${table}`);
    await db.query(`CREATE TABLE ${table} (${columns.map((c) => `${c} text`).join(', ')})`);
    await copyCsvInto(db, Readable.from(wholeLines(body)), { table, columns, delimiter: header!.delimiter });
  }
  const seconds = (performance.now() - started) / 1000;
  for (const file of ['account', 'contact', 'accountteammember']) await db.query(`DROP TABLE bare_${file}`);
  return seconds;
}
