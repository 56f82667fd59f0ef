import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';

const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV record as Salesforce writes them (RFC 4180: quoted when a value holds , " or a line break). */
export function csvLine(values: readonly string[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (i > 0) line += ',';
    line += NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  }
  return `${line}\n`;
}

/**
 * A CSV file written as records arrive, honouring the stream's backpressure: memory holds one
 * page of records, never the whole object.
 */
export class CsvFile {
  readonly path: string;
  readonly columns: readonly string[];
  records = 0;
  #stream: WriteStream;
  #buffer = '';

  /** `columns` null: no header line (a COPY input). */
  constructor(path: string, columns: readonly string[] | null) {
    this.path = path;
    this.columns = columns ?? [];
    this.#stream = createWriteStream(path, { encoding: 'utf8' });
    this.#buffer = columns ? csvLine(columns) : '';
  }

  async write(values: readonly string[]) {
    this.#buffer += csvLine(values);
    this.records++;
    if (this.#buffer.length >= 256 * 1024) await this.flush();
  }

  async flush() {
    if (!this.#buffer) return;
    const chunk = this.#buffer;
    this.#buffer = '';
    if (!this.#stream.write(chunk)) await once(this.#stream, 'drain');
  }

  async close() {
    await this.flush();
    await new Promise<void>((resolve, reject) =>
      this.#stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
}
