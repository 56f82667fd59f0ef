import { describe, expect, it } from 'vitest';
import { type CsvRow, csvRows } from './csv-rows.ts';

async function read(body: string | Buffer, fieldCount: number, chunkSize = 3, maxRecordBytes?: number) {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  const rows: CsvRow[] = [];
  for await (const row of csvRows(chunks(), { delimiter: ',', fieldCount, firstLine: 2, maxRecordBytes }))
    rows.push(row);
  return rows;
}

describe('CSV rows', () => {
  it('reads quoted values across line breaks and chunk edges, naming the line each record starts on', async () => {
    for (const size of [1, 2, 7, 1000]) {
      expect(await read('a1,"multi\r\nline, ""q""",c1\r\n\r\nZoë,Łódź,李\r\nlast,row,"x"', 3, size)).toEqual([
        { line: 2, fields: ['a1', 'multi\r\nline, "q"', 'c1'] },
        { line: 5, fields: ['Zoë', 'Łódź', '李'] },
        { line: 6, fields: ['last', 'row', 'x'] },
      ]);
    }
  });

  it('reports ragged rows, bad UTF-8, an unclosed quote and an overlong record as row errors', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('a,b\nJos'),
      Buffer.from([0xe9]),
      Buffer.from(',2\nonly\n"open,3\n'),
    ]);
    expect(await read(latin1, 2)).toEqual([
      { line: 2, fields: ['a', 'b'] },
      { line: 3, error: 'is not valid UTF-8 text (export the file as UTF-8)' },
      { line: 4, error: 'has 1 field where the header has 2' },
      { line: 5, error: 'has a quoted value starting on line 5 that is never closed' },
    ]);
    const rows = await read(`a,"${'x'.repeat(5000)}\n`, 2, 1000, 2048);
    expect(rows).toEqual([
      { line: 2, error: 'is longer than 2 KiB (is a quote left open?): the rest of the file is not read' },
    ]);
  });
});
