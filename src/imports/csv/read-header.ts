import { type CsvHeader, parseCsvHeader } from './csv-header.ts';

const MAX_HEADER_BYTES = 1024 * 1024;

/** Reads a file's header record and hands back the rest of the bytes, unread. */
export async function readHeader(
  source: AsyncIterable<Buffer>,
): Promise<{ header: CsvHeader | null; body: AsyncGenerator<Buffer> }> {
  const iterator = source[Symbol.asyncIterator]();
  let buffered = Buffer.alloc(0);
  let header: CsvHeader | null = null;
  let done = false;
  while (!header) {
    const next = await iterator.next();
    if (next.done) done = true;
    else buffered = Buffer.concat([buffered, next.value]);
    header = parseCsvHeader(buffered, done);
    if (done) break;
    if (!header && buffered.length > MAX_HEADER_BYTES)
      throw new Error('The first line of the file is longer than 1 MiB: is it a CSV file?');
  }
  const rest = header ? buffered.subarray(header.byteLength) : Buffer.alloc(0);
  async function* body() {
    if (rest.length) yield rest;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  if (header && header.columns.length === 1 && header.columns[0] === '') header = null;
  return { header, body: body() };
}
