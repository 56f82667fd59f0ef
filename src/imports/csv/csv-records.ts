import { isUtf8 } from 'node:buffer';
import { hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { CR, LF, QUOTE, splitCsvRecord } from './csv-header.ts';

const SPACE = 0x20;

/** A record the database will not be given, and why: it becomes a row error of the run. */
export interface RejectedRecord {
  line: number;
  reason: string;
}

export interface CsvRecordsOptions {
  delimiter: string;
  /** Fields every record must have: the header's count. */
  fieldCount: number;
  /** Line number of the first record (the header's lines + 1). */
  firstLine: number;
  onRejected(record: RejectedRecord): void;
  /**
   * Adds a second field before the record: this text followed by the md5 of the record's bytes
   * (the source hash of the import's skip-unchanged check, computed here rather than by SQL).
   */
  hashPrefix?: string;
  /**
   * Removes spaces around values (what btrim does), so the database need not trim every value:
   * only records with a space next to a delimiter, quote or line end are rewritten.
   */
  trim?: boolean;
}

/**
 * Streams the records of a CSV body (after its header) to PostgreSQL's COPY, each prefixed with
 * its physical line number as an extra first field, so every later error can name the line even
 * when quoted values span lines. It never parses values (COPY does, much faster): it only tracks
 * quotes to find record boundaries and count fields. Records with the wrong number of fields, or
 * that are not UTF-8, are held back and reported instead of failing the whole COPY. Blank lines are
 * skipped. Memory stays bounded by the longest record.
 */
export class CsvRecordsToCopy extends Transform {
  readonly #delimiter: number;
  readonly #fieldCount: number;
  readonly #onRejected: (record: RejectedRecord) => void;
  readonly #hashPrefix: string | undefined;
  readonly #trim: boolean;
  readonly #delimiterText: string;
  /** 1 for the bytes the scan acts on (quote, line feed, carriage return, delimiter, space). */
  readonly #special = new Uint8Array(256);
  /** The byte before the current one (a line feed before the first record). */
  #prev = LF;
  /** The record in progress has a space at the edge of a value (conservatively: maybe). */
  #edgeSpace = false;
  #line: number;
  #recordLine: number;
  #inQuotes = false;
  #fields = 1;
  #blank = true;
  /** The last record ended with CR LF: COPY wants one line-ending style in a whole stream. */
  #crlf = false;
  /** Bytes of the record in progress that arrived in earlier chunks. */
  #carry: Buffer[] = [];
  records = 0;
  rejected = 0;

  constructor(options: CsvRecordsOptions) {
    super();
    if (options.delimiter.length !== 1) throw new Error('The delimiter must be one character');
    this.#delimiter = options.delimiter.charCodeAt(0);
    this.#fieldCount = options.fieldCount;
    this.#onRejected = options.onRejected;
    this.#hashPrefix = options.hashPrefix;
    this.#trim = options.trim ?? false;
    this.#delimiterText = options.delimiter;
    for (const b of [QUOTE, LF, CR, SPACE, this.#delimiter]) this.#special[b] = 1;
    this.#line = options.firstLine;
    this.#recordLine = options.firstLine;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out: Buffer[] = [];
    let recordStart = 0;
    const delimiter = this.#delimiter;
    const special = this.#special;
    // State in locals for the byte loop (it sees every byte of the file), written back below.
    let inQuotes = this.#inQuotes;
    let fields = this.#fields;
    let blank = this.#blank;
    let edgeSpace = this.#edgeSpace;
    let prev = this.#prev;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (special[b] === 0) {
        // Most bytes: part of a value.
        blank = false;
        prev = b;
        continue;
      }
      if (this.#trim) {
        if (b === SPACE) {
          if (prev === delimiter || prev === QUOTE || prev === LF) edgeSpace = true;
        } else if (prev === SPACE) edgeSpace = true; // a space before a delimiter, quote or line end
      }
      prev = b;
      if (b === QUOTE) {
        inQuotes = !inQuotes;
        blank = false;
      } else if (b === LF) {
        this.#line++;
        if (inQuotes) continue;
        this.#crlf = i > 0 ? chunk[i - 1] === CR : this.#carryEndsWithCr();
        this.#endRecord(chunk.subarray(recordStart, i + 1), out, fields, blank, edgeSpace);
        recordStart = i + 1;
        fields = 1;
        blank = true;
        edgeSpace = false;
      } else if (b === delimiter) {
        if (!inQuotes) fields++;
        blank = false;
      } else if (b !== CR) {
        blank = false;
      }
    }
    this.#inQuotes = inQuotes;
    this.#fields = fields;
    this.#blank = blank;
    this.#edgeSpace = edgeSpace;
    this.#prev = prev;
    if (recordStart < chunk.length) this.#carry.push(chunk.subarray(recordStart));
    if (out.length) this.push(Buffer.concat(out));
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.#inQuotes) {
      this.#carry = [];
      this.#reject(`a quoted value starting on line ${this.#recordLine} is never closed`);
      callback();
      return;
    }
    const out: Buffer[] = [];
    const edgeSpace = this.#edgeSpace || (this.#trim && this.#prev === SPACE);
    // A last record without a line break gets the file's own (a lone LF after CRLF lines fails COPY).
    const eol = Buffer.from(this.#crlf ? '\r\n' : '\n');
    if (this.#carry.length) this.#endRecord(eol, out, this.#fields, this.#blank, edgeSpace);
    if (out.length) this.push(Buffer.concat(out));
    callback();
  }

  #endRecord(tail: Buffer, out: Buffer[], fields: number, blank: boolean, edgeSpace: boolean): void {
    const parts = this.#carry.length ? [...this.#carry, tail] : [tail];
    this.#carry = [];
    const line = this.#recordLine;
    this.#recordLine = this.#line;
    if (blank) return;
    if (fields !== this.#fieldCount) {
      this.#reject(
        `has ${fields} field${fields === 1 ? '' : 's'} where the header has ${this.#fieldCount}`,
        line,
      );
      return;
    }
    const record = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    if (!isUtf8(record)) {
      this.#reject('is not valid UTF-8 text (export the file as UTF-8)', line);
      return;
    }
    const d = this.#delimiterText;
    const prefix = this.#hashPrefix === undefined ? '' : `${this.#hashPrefix}${hash('md5', record)}${d}`;
    out.push(Buffer.from(`${line}${d}${prefix}`, 'latin1'), edgeSpace ? trimmed(record, d) : record);
    this.records++;
  }

  #carryEndsWithCr(): boolean {
    const last = this.#carry.at(-1);
    return last !== undefined && last.length > 0 && last[last.length - 1] === CR;
  }

  #reject(reason: string, line = this.#recordLine): void {
    this.rejected++;
    this.#onRejected({ line, reason });
  }
}

/** The record with spaces removed around every value, each value quoted; its line ending kept. */
function trimmed(record: Buffer, delimiter: string): Buffer {
  const text = record.toString('utf8');
  const eol = /\r?\n$/.exec(text)?.[0] ?? '';
  const fields = splitCsvRecord(text.slice(0, text.length - eol.length), delimiter).map((f) =>
    f.replace(/^ +| +$/g, ''),
  );
  // An empty value stays unquoted: COPY reads it as NULL, as it reads "" with FORCE_NULL.
  const quoted = fields.map((f) => (f === '' ? '' : `"${f.replaceAll('"', '""')}"`));
  return Buffer.from(`${quoted.join(delimiter)}${eol}`);
}
