import { SoqlError } from './soql-error.ts';

/** SOQL's tokens. Keywords are identifiers here; the parser matches them case-insensitively. */

export type TokenKind = 'ident' | 'string' | 'number' | 'date' | 'datetime' | 'op' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The source text of the token. */
  text: string;
  /** Strings: the unescaped value. */
  value: string;
  start: number;
}

const DATETIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})/y;
const DATE = /\d{4}-\d{2}-\d{2}(?![\dT:])/y;
const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?![A-Za-z_])/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const OPERATORS = ['!=', '<>', '<=', '>=', '=', '<', '>'];

/** Escapes allowed in SOQL string literals; \% and \_ stay escaped for LIKE. */
const ESCAPES: Record<string, string> = {
  n: '\n',
  N: '\n',
  r: '\r',
  R: '\r',
  t: '\t',
  T: '\t',
  b: '\b',
  B: '\b',
  f: '\f',
  F: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
  '%': '\\%',
  _: '\\_',
};

function sticky(pattern: RegExp, text: string, at: number): string | null {
  pattern.lastIndex = at;
  const m = pattern.exec(text);
  return m ? m[0] : null;
}

function readString(text: string, start: number): Token {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'") return { kind: 'string', text: text.slice(start, i + 1), value, start };
    if (c === '\\') {
      const next = text[i + 1];
      const escaped = next === undefined ? undefined : ESCAPES[next];
      if (escaped === undefined) {
        throw new SoqlError(
          'MALFORMED_QUERY',
          `Invalid string literal '${text.slice(start, i + 2)}'. Illegal character sequence '\\${next ?? ''}' in string literal.`,
          i,
        );
      }
      value += escaped;
      i += 2;
      continue;
    }
    value += c;
    i++;
  }
  throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${text.slice(start)}'`, start);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      const token = readString(text, i);
      tokens.push(token);
      i += token.text.length;
      continue;
    }
    const datetime = sticky(DATETIME, text, i);
    if (datetime) {
      tokens.push({ kind: 'datetime', text: datetime, value: datetime, start });
      i += datetime.length;
      continue;
    }
    const date = sticky(DATE, text, i);
    if (date) {
      tokens.push({ kind: 'date', text: date, value: date, start });
      i += date.length;
      continue;
    }
    const number = sticky(NUMBER, text, i);
    if (number) {
      tokens.push({ kind: 'number', text: number, value: number, start });
      i += number.length;
      continue;
    }
    const ident = sticky(IDENT, text, i);
    if (ident) {
      tokens.push({ kind: 'ident', text: ident, value: ident, start });
      i += ident.length;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', text: op, value: op, start });
      i += op.length;
      continue;
    }
    if ('(),.:'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, value: c, start });
      i++;
      continue;
    }
    throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${c}'`, i);
  }
  tokens.push({ kind: 'eof', text: '<EOF>', value: '', start: text.length });
  return tokens;
}
