import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { CR, LF, QUOTE, splitCsvRecord } from './csv-header.ts';
import { rowHash } from './row-hash.ts';

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
   * Adds a second field before the record: this text followed by the hash of the record's bytes
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
 * Turns the records of a CSV body (after its header) into COPY input, each prefixed with
 * its physical line number as an extra first field, so every later error can name the line even
 * when quoted values span lines. It never parses values (COPY does, much faster): it only tracks
 * quotes to find record boundaries and count fields. Records with the wrong number of fields, or
 * that are not UTF-8, are held back and reported instead of failing the whole COPY. Blank lines are
 * skipped. Memory stays bounded by the longest record.
 */
export class CsvRecordScanner {
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
  /** The last record ended with CR LF: COPY wants one line-ending style in a whole stream. */
  #crlf = false;
  /** Bytes of the record in progress that arrived in earlier chunks. */
  #carry: Buffer[] = [];
  records = 0;
  rejected = 0;

  constructor(options: CsvRecordsOptions) {
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

  /** The COPY lines of the records this chunk completes, if any. */
  scan(chunk: Buffer): Buffer | undefined {
    const out = new CopyOutput(chunk.length + (chunk.length >> 1));
    let recordStart = 0;
    const delimiter = this.#delimiter;
    const special = this.#special;
    const trim = this.#trim;
    const before = this.#prev;
    // State in locals for the byte loop (it sees every byte of the file), written back below.
    let inQuotes = this.#inQuotes;
    let fields = this.#fields;
    let edgeSpace = this.#edgeSpace;
    let line = this.#line;
    // Most bytes are part of a value: nothing to do (skipPlain passes over them).
    for (let i = skipPlain(chunk, 0, special); i < chunk.length; i = skipPlain(chunk, i + 1, special)) {
      const b = chunk[i]!;
      if (trim) {
        const prev = i > 0 ? chunk[i - 1]! : before;
        // A space beside a delimiter inside quotes ("Cloud Kicks, Inc.") is part of the value.
        if (b === SPACE) {
          if ((prev === delimiter && !inQuotes) || prev === QUOTE || prev === LF) edgeSpace = true;
        } else if (prev === SPACE && (b !== delimiter || !inQuotes)) edgeSpace = true; // before a delimiter, quote or line end
      }
      if (b === QUOTE) {
        inQuotes = !inQuotes;
      } else if (b === LF) {
        line++;
        if (inQuotes) continue;
        this.#crlf = i > 0 ? chunk[i - 1] === CR : this.#carryEndsWithCr();
        this.#endRecord(chunk.subarray(recordStart, i + 1), out, fields, edgeSpace, line);
        recordStart = i + 1;
        fields = 1;
        edgeSpace = false;
      } else if (b === delimiter && !inQuotes) {
        fields++;
      }
    }
    this.#inQuotes = inQuotes;
    this.#fields = fields;
    this.#edgeSpace = edgeSpace;
    this.#line = line;
    if (chunk.length) this.#prev = chunk[chunk.length - 1]!;
    if (recordStart < chunk.length) this.#carry.push(chunk.subarray(recordStart));
    return out.length ? out.take() : undefined;
  }

  /** The COPY line of the last record, when the body does not end with a line break. */
  finish(): Buffer | undefined {
    if (this.#inQuotes) {
      this.#carry = [];
      this.#reject(`a quoted value starting on line ${this.#recordLine} is never closed`);
      return undefined;
    }
    const out = new CopyOutput(1024);
    const edgeSpace = this.#edgeSpace || (this.#trim && this.#prev === SPACE);
    // A last record without a line break gets the file's own (a lone LF after CRLF lines fails COPY).
    const eol = Buffer.from(this.#crlf ? '\r\n' : '\n');
    if (this.#carry.length) this.#endRecord(eol, out, this.#fields, edgeSpace, this.#line);
    return out.length ? out.take() : undefined;
  }

  /** Ends the record whose last bytes are `tail`; `nextLine` is the line the next record starts on. */
  #endRecord(tail: Buffer, out: CopyOutput, fields: number, edgeSpace: boolean, nextLine: number): void {
    const record = this.#carry.length ? Buffer.concat([...this.#carry, tail]) : tail;
    this.#carry = [];
    const line = this.#recordLine;
    this.#recordLine = nextLine;
    if (isBlank(record)) return;
    if (fields !== this.#fieldCount) {
      this.#reject(
        `has ${fields} field${fields === 1 ? '' : 's'} where the header has ${this.#fieldCount}`,
        line,
      );
      return;
    }
    if (!isUtf8(record)) {
      this.#reject('is not valid UTF-8 text (export the file as UTF-8)', line);
      return;
    }
    const d = this.#delimiterText;
    const prefix = this.#hashPrefix === undefined ? '' : `${this.#hashPrefix}${rowHash(record)}${d}`;
    out.text(`${line}${d}${prefix}`);
    out.bytes(edgeSpace ? trimmed(record, d) : record);
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

/** CsvRecordScanner as a stream transform. */
export class CsvRecordsToCopy extends Transform {
  readonly #scanner: CsvRecordScanner;

  constructor(options: CsvRecordsOptions) {
    super();
    this.#scanner = new CsvRecordScanner(options);
  }

  get records(): number {
    return this.#scanner.records;
  }

  get rejected(): number {
    return this.#scanner.rejected;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out = this.#scanner.scan(chunk);
    if (out) this.push(out);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const out = this.#scanner.finish();
    if (out) this.push(out);
    callback();
  }
}

/**
 * The index of the next byte the scan acts on, from i (the chunk's length if none). A loop this
 * small is compiled tight; inside the scan's large one each plain byte cost several times as much.
 */
function skipPlain(chunk: Uint8Array, i: number, special: Uint8Array): number {
  const end = chunk.length;
  while (i < end && special[chunk[i]!] === 0) i++;
  return i;
}

/** A line of nothing but its line break (a record has at least one field's byte). */
function isBlank(record: Buffer): boolean {
  for (let i = 0; i < record.length; i++) if (record[i] !== CR && record[i] !== LF) return false;
  return true;
}

/**
 * What one chunk sends to COPY, written into one buffer (grown when needed): a million records
 * each pushed as two small buffers, then concatenated, cost more than reading them.
 */
class CopyOutput {
  #buffer: Buffer;
  length = 0;

  constructor(size: number) {
    // Never from Node's shared pool: the scan worker hands the memory over to the main thread.
    this.#buffer = Buffer.allocUnsafeSlow(size);
  }

  /** Text of single-byte characters (digits, the delimiter, hex). */
  text(text: string): void {
    this.#reserve(text.length);
    this.length += this.#buffer.write(text, this.length, 'latin1');
  }

  bytes(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  take(): Buffer {
    return this.#buffer.subarray(0, this.length);
  }

  #reserve(size: number): void {
    if (this.length + size <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.#buffer.length * 2, this.length + size));
    this.#buffer.copy(grown, 0, 0, this.length);
    this.#buffer = grown;
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
