/**
 * Reads the header record of a CSV file: strips a UTF-8 byte-order mark, detects the delimiter
 * (comma, semicolon or tab: whichever appears most outside quotes), and unquotes the names.
 */
export interface CsvHeader {
  columns: string[];
  delimiter: ',' | ';' | '\t';
  /** Bytes the header occupies, BOM and line break included: the records start there. */
  byteLength: number;
  /** Lines the header spans (1 unless a quoted name contains a line break). */
  lines: number;
}

const BOM = [0xef, 0xbb, 0xbf];
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

export function hasBom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2];
}

/** Returns null when `bytes` does not yet hold a complete first record. */
export function parseCsvHeader(bytes: Uint8Array, atEndOfFile: boolean): CsvHeader | null {
  const start = hasBom(bytes) ? 3 : 0;
  let inQuotes = false;
  let end = -1;
  let lines = 1;
  for (let i = start; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === QUOTE) inQuotes = !inQuotes;
    else if (b === LF) {
      if (!inQuotes) {
        end = i;
        break;
      }
      lines++;
    }
  }
  if (end === -1 && !atEndOfFile) return null;
  const recordEnd = end === -1 ? bytes.length : end;
  let text = Buffer.from(bytes.subarray(start, recordEnd)).toString('utf8');
  if (text.endsWith('\r')) text = text.slice(0, -1);
  const delimiter = detectDelimiter(text);
  return {
    columns: splitCsvRecord(text, delimiter).map((c) => c.trim()),
    delimiter,
    byteLength: end === -1 ? bytes.length : end + 1,
    lines,
  };
}

function detectDelimiter(text: string): CsvHeader['delimiter'] {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let inQuotes = false;
  for (const ch of text) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === ',' || ch === ';' || ch === '\t')) counts[ch]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[',']) return '\t';
  return ',';
}

/** Splits one CSV record (RFC 4180 quoting) into its fields. */
export function splitCsvRecord(text: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else field += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === delimiter) {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

export { CR, LF, QUOTE };
