import { isUtf8 } from 'node:buffer';
import { CR, LF, QUOTE, splitCsvRecord } from './csv-header.ts';

/** One record of a CSV body, by the physical line it starts on, or why it cannot be read. */
export type CsvRow = { line: number; fields: string[] } | { line: number; error: string };

export interface CsvRowsOptions {
  delimiter: string;
  /** Fields every record must have: the header's count. */
  fieldCount: number;
  /** Line number of the first record (the header's lines + 1). */
  firstLine: number;
  /** A record longer than this is refused (an unclosed quote would otherwise swallow the file). */
  maxRecordBytes?: number;
}

/**
 * The records of a CSV body (after its header) as arrays of values, for readers that check each
 * value in JavaScript (the B2B import hands records to COPY instead: csv-records.ts). Same rules:
 * RFC 4180 quoting, quoted line breaks, line numbers that count them, blank lines skipped, and a
 * record with the wrong field count or that is not UTF-8 reported as an error, not a crash. Memory
 * stays bounded by the longest record.
 */
export async function* csvRows(body: AsyncIterable<Buffer>, options: CsvRowsOptions): AsyncGenerator<CsvRow> {
  const maxBytes = options.maxRecordBytes ?? 1024 * 1024;
  let line = options.firstLine;
  let recordLine = line;
  let inQuotes = false;
  let blank = true;
  let carry: Buffer[] = [];
  let carryBytes = 0;

  const finish = (bytes: Buffer): CsvRow | null => {
    const start = recordLine;
    const wasBlank = blank;
    recordLine = line;
    blank = true;
    if (wasBlank) return null;
    if (!isUtf8(bytes)) return { line: start, error: 'is not valid UTF-8 text (export the file as UTF-8)' };
    let text = bytes.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    const fields = splitCsvRecord(text, options.delimiter);
    if (fields.length !== options.fieldCount)
      return {
        line: start,
        error: `has ${fields.length} field${fields.length === 1 ? '' : 's'} where the header has ${options.fieldCount}`,
      };
    return { line: start, fields };
  };

  for await (const chunk of body) {
    let recordStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === QUOTE) {
        inQuotes = !inQuotes;
        blank = false;
      } else if (b === LF) {
        line++;
        if (inQuotes) continue;
        const piece = chunk.subarray(recordStart, i);
        const record = carry.length ? Buffer.concat([...carry, piece]) : piece;
        carry = [];
        carryBytes = 0;
        recordStart = i + 1;
        const row = finish(record);
        if (row) yield row;
      } else if (b !== CR) {
        blank = false;
      }
    }
    if (recordStart < chunk.length) {
      carry.push(chunk.subarray(recordStart));
      carryBytes += chunk.length - recordStart;
      if (carryBytes > maxBytes) {
        yield {
          line: recordLine,
          error: `is longer than ${Math.round(maxBytes / 1024)} KiB (is a quote left open?): the rest of the file is not read`,
        };
        return;
      }
    }
  }
  if (inQuotes) {
    yield {
      line: recordLine,
      error: `has a quoted value starting on line ${recordLine} that is never closed`,
    };
    return;
  }
  if (carry.length) {
    const row = finish(Buffer.concat(carry));
    if (row) yield row;
  }
}
