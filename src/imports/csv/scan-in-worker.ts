import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { type CsvRecordsOptions, CsvRecordsToCopy, type RejectedRecord } from './csv-records.ts';

export type ScanOptions = Omit<CsvRecordsOptions, 'onRejected'>;
/** A chunk of the body, or none: the body has ended. */
export type ToScanWorker = { chunk?: Uint8Array };
export type FromScanWorker = {
  /** lines: the answer to one chunk; end: the answer to the body's end. */
  type: 'lines' | 'end';
  bytes: Uint8Array | undefined;
  /** Records passed so far. */
  records: number;
  rejected: RejectedRecord[];
};
type WorkerFailure = { type: 'error'; message: string };

/**
 * Body bytes the worker may hold unscanned: more than one PGlite COPY blob (16 MiB), so that it
 * scans the next blob's records while the database loads the last.
 */
const MAX_IN_FLIGHT_BYTES = 24 * 1024 * 1024;

/**
 * CsvRecordScanner on a worker thread: yields the COPY lines of the body's records, hands each
 * rejected record to `onRejected` and the count of records passed to `onRecords`. Memory stays
 * bounded: the body is read ahead by MAX_IN_FLIGHT_BYTES at most.
 */
export async function* scanInWorker(
  body: AsyncIterable<Buffer>,
  options: ScanOptions,
  onRejected: (record: RejectedRecord) => void,
  onRecords: (records: number) => void = () => {},
): AsyncGenerator<Buffer> {
  const worker = new Worker(new URL('./scan-worker.ts', import.meta.url), { workerData: options });
  const inbox: (FromScanWorker | WorkerFailure)[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  let finished = false;
  worker.on('message', (message: FromScanWorker | WorkerFailure) => {
    inbox.push(message);
    wake?.();
  });
  worker.on('error', (error) => {
    failure = error;
    wake?.();
  });
  worker.on('exit', (code) => {
    if (!finished) failure ??= new Error(`The CSV scan worker stopped early (exit code ${code})`);
    wake?.();
  });
  const nextMessage = async () => {
    while (inbox.length === 0) {
      if (failure) throw failure;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
    return inbox.shift()!;
  };

  const reader = body[Symbol.asyncIterator]();
  const sizes: number[] = [];
  let inFlight = 0;
  let bodyDone = false;
  try {
    for (;;) {
      while (!bodyDone && inFlight < MAX_IN_FLIGHT_BYTES) {
        const next = await reader.next();
        if (next.done) {
          bodyDone = true;
          worker.postMessage({} satisfies ToScanWorker);
        } else {
          worker.postMessage({ chunk: next.value } satisfies ToScanWorker);
          sizes.push(next.value.length);
          inFlight += next.value.length;
        }
      }
      const message = await nextMessage();
      if (message.type === 'error') throw new Error(`Reading the CSV records failed: ${message.message}`);
      if (message.type === 'lines') inFlight -= sizes.shift()!;
      for (const record of message.rejected) onRejected(record);
      onRecords(message.records);
      const { bytes } = message;
      if (bytes?.length) yield Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (message.type === 'end') return;
    }
  } finally {
    finished = true;
    if (!bodyDone) await reader.return?.();
    await worker.terminate();
  }
}

/**
 * The COPY lines of a CSV body, scanned on a worker thread or on this one. `records()` tells how
 * many records have passed so far.
 */
export function copyLines(
  body: AsyncIterable<Buffer>,
  options: ScanOptions,
  onRejected: (record: RejectedRecord) => void,
  where: 'worker' | 'here',
): { lines: Readable; records(): number } {
  if (where === 'here') {
    const scanner = new CsvRecordsToCopy({ ...options, onRejected });
    return { lines: Readable.from(body).pipe(scanner), records: () => scanner.records };
  }
  let records = 0;
  const lines = Readable.from(
    scanInWorker(body, options, onRejected, (n) => {
      records = n;
    }),
  );
  return { lines, records: () => records };
}
