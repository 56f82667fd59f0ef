import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCsvHeader, splitCsvRecord } from './csv-header.ts';
import { CsvRecordsToCopy, type RejectedRecord } from './csv-records.ts';
import { rowHash } from './row-hash.ts';

async function run(
  body: string | Buffer,
  fieldCount: number,
  chunkSize = 3,
  options: { trim?: boolean; hashPrefix?: string } = {},
) {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const rejected: RejectedRecord[] = [];
  const transform = new CsvRecordsToCopy({
    delimiter: ',',
    fieldCount,
    firstLine: 2,
    onRejected: (r) => rejected.push(r),
    ...options,
  });
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const out: Buffer[] = [];
  for await (const piece of Readable.from(chunks).pipe(transform)) out.push(piece as Buffer);
  return { copy: Buffer.concat(out).toString('utf8'), rejected, transform };
}

describe('CSV header', () => {
  it('strips the BOM, detects the delimiter and unquotes names', () => {
    const header = parseCsvHeader(Buffer.from('\uFEFF"Id";"Account.Id";Name\r\n1;2;3\r\n'), false)!;
    expect(header.columns).toEqual(['Id', 'Account.Id', 'Name']);
    expect(header.delimiter).toBe(';');
    expect(header.byteLength).toBe(Buffer.byteLength('\uFEFF"Id";"Account.Id";Name\r\n'));
    expect(parseCsvHeader(Buffer.from('a\tb\tc\n'), false)!.delimiter).toBe('\t');
    expect(parseCsvHeader(Buffer.from('a,b'), false)).toBeNull();
    expect(parseCsvHeader(Buffer.from('a,b'), true)!.columns).toEqual(['a', 'b']);
  });

  it('splits quoted fields with commas, quotes and line breaks', () => {
    expect(splitCsvRecord('"a, b","say ""hi""",\n,"x\ny"', ',')).toEqual(['a, b', 'say "hi"', '\n', 'x\ny']);
  });
});

describe('CSV records for COPY', () => {
  it('prefixes each record with its physical line, across quoted line breaks and chunk edges', async () => {
    const body = 'a1,"multi\r\nline, with comma",c1\r\na2,b2,c2\r\n"a3","b ""q""",c3';
    const { copy, rejected } = await run(body, 3);
    expect(rejected).toEqual([]);
    // The last record, without a line break, gets the file's CR LF: COPY refuses mixed line endings.
    expect(copy).toBe('2,a1,"multi\r\nline, with comma",c1\r\n4,a2,b2,c2\r\n5,"a3","b ""q""",c3\r\n');
  });

  it('holds back records with the wrong field count, reporting their lines', async () => {
    const { copy, rejected, transform } = await run('a,b,c\nonly,two\na,b,c,d\nx,y,z\n', 3);
    expect(copy).toBe('2,a,b,c\n5,x,y,z\n');
    expect(rejected).toEqual([
      { line: 3, reason: 'has 2 fields where the header has 3' },
      { line: 4, reason: 'has 4 fields where the header has 3' },
    ]);
    expect(transform.records).toBe(2);
  });

  it('skips blank lines and keeps counting them', async () => {
    const { copy } = await run('a,b\n\n\r\nc,d\n\n', 2);
    expect(copy).toBe('2,a,b\n5,c,d\n');
  });

  it('rejects records that are not UTF-8, and an unterminated quote', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('ok,1\nJos'),
      Buffer.from([0xe9]),
      Buffer.from(',2\n"open,3\n'),
    ]);
    const { copy, rejected } = await run(latin1, 2);
    expect(copy).toBe('2,ok,1\n');
    expect(rejected).toEqual([
      { line: 3, reason: 'is not valid UTF-8 text (export the file as UTF-8)' },
      { line: 4, reason: 'a quoted value starting on line 4 is never closed' },
    ]);
  });

  it('keeps accents and non-Latin scripts intact, whatever the chunking', async () => {
    for (const size of [1, 2, 5, 1000]) {
      const { copy } = await run('Zoë,Łódź\n李,東京\n', 2, size);
      expect(copy).toBe('2,Zoë,Łódź\n3,李,東京\n');
    }
  });

  it('trims spaces around values, rewriting only the records that have them', async () => {
    const body = 'a, b ,c\r\n" x ","y ""q"" ",  \r\nplain,row,here\r\n"in, quotes",ok ,"multi\r\nline "';
    for (const size of [1, 4, 1000]) {
      const { copy, rejected } = await run(body, 3, size, { trim: true });
      expect(rejected).toEqual([]);
      expect(copy).toBe(
        '2,"a","b","c"\r\n3,"x","y ""q""",\r\n4,plain,row,here\r\n5,"in, quotes","ok","multi\r\nline"\r\n',
      );
    }
  });

  it('passes records through as they are when their only spaces beside a delimiter are quoted', async () => {
    const body = '"Cloud Kicks, Inc.","a ,b"\n"Get Cloudy , Ltd", x\n';
    for (const size of [1, 3, 1000]) {
      const { copy } = await run(body, 2, size, { trim: true });
      expect(copy).toBe('2,"Cloud Kicks, Inc.","a ,b"\n3,"Get Cloudy , Ltd","x"\n');
    }
  });

  it('hashes each record as read, with the given prefix, before any trimming', async () => {
    const hash = (text: string) => rowHash(Buffer.from(text));
    const { copy } = await run('a,b\n a ,b\n', 2, 2, { trim: true, hashPrefix: 'fp' });
    expect(copy).toBe(`2,fp${hash('a,b\n')},a,b\n3,fp${hash(' a ,b\n')},"a","b"\n`);
    expect(hash('a,b\n')).toMatch(/^[0-9a-f]{16}$/);
    expect(hash('a,b\n')).not.toBe(hash('a,c\n'));
  });
});
