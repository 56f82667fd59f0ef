/**
 * A SOQL error as Salesforce words it: the query line, a caret under the offending column, the
 * "ERROR at Row:r:Column:c" line, then the reason. Its errorCode is MALFORMED_QUERY for syntax,
 * INVALID_TYPE for an unknown object, INVALID_FIELD for an unknown column or relationship, and
 * INVALID_QUERY_FILTER_OPERATOR for a filter Salesforce refuses.
 */
export class SoqlError extends Error {
  readonly errorCode: string;
  readonly position: number;
  readonly reason: string;

  constructor(errorCode: string, reason: string, position: number) {
    super(reason);
    this.name = 'SoqlError';
    this.errorCode = errorCode;
    this.reason = reason;
    this.position = position;
  }
}

/** How long a query line Salesforce shows before it shows a window around the error. */
const MAX_SHOWN = 120;

/** The message text of the JSON error body, for the query `soql`. */
export function soqlErrorMessage(soql: string, error: SoqlError): string {
  const before = soql.slice(0, Math.max(0, Math.min(error.position, soql.length)));
  const row = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = soql.indexOf('\n', lineStart);
  let line = soql.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  let caret = error.position - lineStart;
  const column = caret + 1;
  if (line.length > MAX_SHOWN) {
    const from = Math.max(0, caret - 40);
    line = line.slice(from, from + MAX_SHOWN);
    caret -= from;
  }
  return `\n${line}\n${' '.repeat(caret)}^\nERROR at Row:${row}:Column:${column}\n${error.reason}`;
}

export const WSDL_HINT = 'Please reference your WSDL or the describe call for the appropriate names.';
