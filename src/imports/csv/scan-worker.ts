import { parentPort, workerData } from 'node:worker_threads';
import { CsvRecordScanner, type CsvRecordsOptions, type RejectedRecord } from './csv-records.ts';
import type { FromScanWorker, ToScanWorker } from './scan-in-worker.ts';

// The worker side of scanInWorker: each chunk in, its COPY lines and rejected records out.
let rejected: RejectedRecord[] = [];
const scanner = new CsvRecordScanner({
  ...(workerData as Omit<CsvRecordsOptions, 'onRejected'>),
  onRejected: (record) => rejected.push(record),
});
const port = parentPort!;

function reply(type: FromScanWorker['type'], bytes: Buffer | undefined): void {
  const message: FromScanWorker = { type, bytes, records: scanner.records, rejected };
  rejected = [];
  // The lines' memory moves to the main thread rather than being copied.
  port.postMessage(message, bytes ? [bytes.buffer as ArrayBuffer] : []);
}

port.on('message', (message: ToScanWorker) => {
  try {
    if (message.chunk) {
      const { buffer, byteOffset, byteLength } = message.chunk;
      reply('lines', scanner.scan(Buffer.from(buffer, byteOffset, byteLength)));
    } else reply('end', scanner.finish());
  } catch (error) {
    port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
