import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CsvRecordsToCopy, type RejectedRecord } from './csv-records.ts';
import { copyLines, type ScanOptions } from './scan-in-worker.ts';

const options: ScanOptions = { delimiter: ',', fieldCount: 3, firstLine: 2, hashPrefix: 'fp', trim: true };

async function* chunks(text: string, size: number) {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(lines: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of lines) parts.push(part as Buffer);
  return Buffer.concat(parts).toString();
}

describe('scanning CSV records on a worker thread', () => {
  // Quoted line breaks, a ragged row, spaces to trim, accents cut across chunks, no final line break.
  const body =
    'a,b,c\r\n"multi\r\nline",x , y\r\nonly,two\r\nZoë,"Cloud Kicks, Inc.",Łódź\r\n\r\nlast,row,here';

  it('gives the lines, rejections and count the in-thread scan gives, whatever the chunking', async () => {
    const expectedRejected: RejectedRecord[] = [];
    const inThread = new CsvRecordsToCopy({ ...options, onRejected: (r) => expectedRejected.push(r) });
    const expected = await collect(Readable.from(chunks(body, 1000)).pipe(inThread));
    expect(expectedRejected).toEqual([{ line: 5, reason: 'has 2 fields where the header has 3' }]);
    for (const size of [1, 7, 1000]) {
      const rejected: RejectedRecord[] = [];
      const { lines, records } = copyLines(chunks(body, size), options, (r) => rejected.push(r), 'worker');
      expect(await collect(lines)).toBe(expected);
      expect(rejected).toEqual(expectedRejected);
      expect(records()).toBe(inThread.records);
    }
  });

  it('fails the stream when the worker cannot scan', async () => {
    const { lines } = copyLines(chunks(body, 5), { ...options, delimiter: ';;' }, () => {}, 'worker');
    await expect(collect(lines)).rejects.toThrow(/delimiter must be one character/);
  });
});
