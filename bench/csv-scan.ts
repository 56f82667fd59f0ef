// The CSV scan alone (no database): how fast the import's record scanner turns a Contact.csv of
// 10n rows into COPY input, beside a plain read of the same file in the same run.
// Usage: node bench/csv-scan.ts [n=100000]
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CsvRecordScanner } from '../src/imports/csv/csv-records.ts';
import { readHeader } from '../src/imports/csv/read-header.ts';
import { writeB2bFiles } from './b2b-files.ts';

const n = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(path.join(tmpdir(), 'rapport-scan-'));
await writeB2bFiles(dir, n);
const file = path.join(dir, 'Contact.csv');
const megabytes = statSync(file).size / 1e6;

async function pass(scan: boolean): Promise<number> {
  const started = performance.now();
  const { header, body } = await readHeader(createReadStream(file, { highWaterMark: 256 * 1024 }));
  const scanner = new CsvRecordScanner({
    delimiter: header!.delimiter,
    fieldCount: header!.columns.length,
    firstLine: header!.lines + 1,
    onRejected: () => {},
    hashPrefix: '0123456789abcdef',
    trim: true,
  });
  for await (const chunk of body) if (scan) scanner.scan(chunk);
  if (scan) scanner.finish();
  return (performance.now() - started) / 1000;
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const reads: number[] = [];
const scans: number[] = [];
for (let i = 0; i < 5; i++) {
  reads.push(await pass(false));
  scans.push(await pass(true));
}
const [read, scan] = [median(reads), median(scans)];
console.log(`Contact.csv: ${10 * n} rows, ${megabytes.toFixed(1)} MB (median of 5)`);
console.log(`  plain read: ${read.toFixed(2)} s  ${(megabytes / read).toFixed(0)} MB/s`);
console.log(
  `  scan:       ${scan.toFixed(2)} s  ${(megabytes / scan).toFixed(0)} MB/s  ${Math.round((10 * n) / scan).toLocaleString('en')} rows/s  (${(scan / read).toFixed(1)}x the read)`,
);
rmSync(dir, { recursive: true, force: true });
