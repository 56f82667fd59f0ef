import { parse } from 'csv-parse/sync';

/**
 * Bulk API 2.0 CSV: the column delimiters and line endings a job may declare, reading uploads,
 * and writing results with every cell quoted, as Salesforce writes them.
 */

export const COLUMN_DELIMITERS: Record<string, string> = {
  COMMA: ',',
  TAB: '\t',
  PIPE: '|',
  SEMICOLON: ';',
  CARET: '^',
  BACKQUOTE: '`',
};

export const LINE_ENDINGS: Record<string, string> = { LF: '\n', CRLF: '\r\n' };

export interface CsvFormat {
  columnDelimiter: string;
  lineEnding: string;
}

const quote = (cell: string) => `"${cell.replace(/"/g, '""')}"`;

export function writeCsv(rows: string[][], format: CsvFormat): string {
  const delimiter = COLUMN_DELIMITERS[format.columnDelimiter] ?? ',';
  const eol = LINE_ENDINGS[format.lineEnding] ?? '\n';
  return rows.map((row) => row.map(quote).join(delimiter) + eol).join('');
}

/** An uploaded CSV: its header and rows of cells (short rows padded with empty cells). */
export function readCsv(text: string, format: CsvFormat): { header: string[]; rows: string[][] } {
  const records = parse(text, {
    delimiter: COLUMN_DELIMITERS[format.columnDelimiter] ?? ',',
    relax_column_count: true,
    skip_empty_lines: true,
    bom: true,
  }) as string[][];
  const [header = [], ...rows] = records;
  return { header, rows: rows.map((row) => header.map((_, i) => row[i] ?? '')) };
}
