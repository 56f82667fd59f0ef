import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvLine } from './csv-file.ts';
import { splitCsv } from './csv-split.ts';

describe('splitCsv', () => {
  it('reads what the Bulk API writes, as a general parser does', () => {
    const text =
      '\uFEFF"Id","Name","Parent.Id"\n001A,"Shoes, Inc.",\n001B,"He said ""hi""\nthen left",001A\n001C,,""\n';
    expect(splitCsv(text)).toEqual(parse(text, { bom: true }));
    expect(splitCsv(text.replaceAll('001A\n', '001A\r\n'))).toEqual(parse(text, { bom: true }));
    expect(splitCsv('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(splitCsv('a,\n')).toEqual([['a', '']]);
  });

  it('round-trips what csvLine writes', () => {
    const rows = [
      ['Id', 'Name'],
      ['x', 'comma, quote " and\nline'],
      ['', 'plain'],
    ];
    expect(splitCsv(rows.map(csvLine).join(''))).toEqual(rows);
  });
});
