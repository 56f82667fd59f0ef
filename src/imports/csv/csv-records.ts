import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { CR, LF, QUOTE } from './csv-header.ts';

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
  #line: number;
  #recordLine: number;
  #inQuotes = false;
  #fields = 1;
  #blank = true;
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
    this.#line = options.firstLine;
    this.#recordLine = options.firstLine;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out: Buffer[] = [];
    let recordStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === QUOTE) {
        this.#inQuotes = !this.#inQuotes;
        this.#blank = false;
      } else if (b === LF) {
        this.#line++;
        if (this.#inQuotes) continue;
        this.#endRecord(chunk.subarray(recordStart, i + 1), out);
        recordStart = i + 1;
      } else if (!this.#inQuotes && b === this.#delimiter) {
        this.#fields++;
        this.#blank = false;
      } else if (b !== CR) {
        this.#blank = false;
      }
    }
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
    if (this.#carry.length) this.#endRecord(Buffer.from('\n'), out);
    if (out.length) this.push(Buffer.concat(out));
    callback();
  }

  #endRecord(tail: Buffer, out: Buffer[]): void {
    const parts = this.#carry.length ? [...this.#carry, tail] : [tail];
    this.#carry = [];
    const line = this.#recordLine;
    const fields = this.#fields;
    const blank = this.#blank;
    this.#recordLine = this.#line;
    this.#fields = 1;
    this.#blank = true;
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
    out.push(Buffer.from(`${line}${String.fromCharCode(this.#delimiter)}`), record);
    this.records++;
  }

  #reject(reason: string, line = this.#recordLine): void {
    this.rejected++;
    this.#onRejected({ line, reason });
  }
}
