import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { readHeader } from '../src/imports/csv/read-header.ts';
import { copyCsvInto } from '../src/platform/db/copy.ts';
import type { Database } from '../src/platform/db/database.ts';

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
    await copyCsvInto(db, Readable.from(body), { table, columns, delimiter: header!.delimiter });
  }
  const seconds = (performance.now() - started) / 1000;
  for (const file of ['account', 'contact', 'accountteammember']) await db.query(`DROP TABLE bare_${file}`);
  return seconds;
}
