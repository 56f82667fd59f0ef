import type {
  ComparisonOperator,
  Condition,
  FieldPath,
  Literal,
  OrderItem,
  SelectItem,
  SoqlQuery,
} from './soql-ast.ts';
import { SoqlError } from './soql-error.ts';
import { type Token, tokenize } from './soql-lexer.ts';

/**
 * A recursive-descent parser for the SOQL the emulator runs: SELECT fields, parent paths, COUNT()
 * and COUNT(field); FROM one object; WHERE with comparisons, LIKE, IN / NOT IN, AND / OR / NOT
 * and parentheses; ORDER BY with ASC/DESC and NULLS FIRST/LAST; LIMIT; OFFSET. Anything else
 * (subqueries, GROUP BY, aliases, WITH, FOR UPDATE …) is refused with MALFORMED_QUERY rather than
 * half-run.
 */

const DATE_LITERALS = new Set([
  'YESTERDAY',
  'TODAY',
  'TOMORROW',
  'LAST_WEEK',
  'THIS_WEEK',
  'NEXT_WEEK',
  'LAST_MONTH',
  'THIS_MONTH',
  'NEXT_MONTH',
  'LAST_90_DAYS',
  'NEXT_90_DAYS',
  'THIS_QUARTER',
  'LAST_QUARTER',
  'NEXT_QUARTER',
  'THIS_YEAR',
  'LAST_YEAR',
  'NEXT_YEAR',
]);

const PARAMETRIC_DATE_LITERALS = new Set([
  'LAST_N_DAYS',
  'NEXT_N_DAYS',
  'N_DAYS_AGO',
  'LAST_N_WEEKS',
  'NEXT_N_WEEKS',
  'N_WEEKS_AGO',
  'LAST_N_MONTHS',
  'NEXT_N_MONTHS',
  'N_MONTHS_AGO',
  'LAST_N_QUARTERS',
  'NEXT_N_QUARTERS',
  'N_QUARTERS_AGO',
  'LAST_N_YEARS',
  'NEXT_N_YEARS',
  'N_YEARS_AGO',
]);

/** Words that end a field list or a condition, so they cannot be taken for names. */
const RESERVED = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'IN',
  'LIKE',
  'NULL',
  'TRUE',
  'FALSE',
  'ORDER',
  'BY',
  'ASC',
  'DESC',
  'NULLS',
  'LIMIT',
  'OFFSET',
  'GROUP',
  'HAVING',
  'WITH',
  'INCLUDES',
  'EXCLUDES',
  'FOR',
  'USING',
  'TYPEOF',
]);

/** SOQL's limit on OFFSET. */
const MAX_OFFSET = 2000;
const MAX_INT = 2_147_483_647;

export function parseSoql(text: string): SoqlQuery {
  const tokens = tokenize(text);
  let at = 0;

  const peek = (ahead = 0) => tokens[Math.min(at + ahead, tokens.length - 1)]!;
  const next = () => tokens[at++]!;
  const isWord = (token: Token, word: string) => token.kind === 'ident' && token.text.toUpperCase() === word;
  const unexpected = (token: Token): never => {
    throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${token.text}'`, token.start);
  };
  const expectWord = (word: string) => {
    const token = next();
    if (!isWord(token, word)) unexpected(token);
    return token;
  };
  const expectPunct = (punct: string) => {
    const token = next();
    if (token.kind !== 'punct' || token.text !== punct) unexpected(token);
    return token;
  };
  const acceptWord = (word: string) => {
    if (!isWord(peek(), word)) return false;
    at++;
    return true;
  };
  const isPunct = (token: Token, punct: string) => token.kind === 'punct' && token.text === punct;

  function name(): Token {
    const token = next();
    if (token.kind !== 'ident' || RESERVED.has(token.text.toUpperCase())) unexpected(token);
    return token;
  }

  function fieldPath(): FieldPath {
    const first = name();
    const parts = [first.text];
    while (isPunct(peek(), '.')) {
      at++;
      parts.push(name().text);
    }
    return { parts, start: first.start };
  }

  function selectItem(): SelectItem {
    const token = peek();
    if (isWord(token, 'COUNT') && isPunct(peek(1), '(')) {
      at += 2;
      if (isPunct(peek(), ')')) {
        at++;
        return { kind: 'countAll', start: token.start };
      }
      const path = fieldPath();
      expectPunct(')');
      const aliasToken = peek();
      const alias =
        aliasToken.kind === 'ident' && !RESERVED.has(aliasToken.text.toUpperCase()) ? next().text : null;
      return { kind: 'countField', path, alias, start: token.start };
    }
    if (isPunct(token, '(')) {
      throw new SoqlError(
        'MALFORMED_QUERY',
        'Relationship subqueries are not supported by the emulator',
        token.start,
      );
    }
    if (token.kind === 'ident' && isPunct(peek(1), '(')) {
      throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${token.text}'`, token.start);
    }
    return { kind: 'field', path: fieldPath() };
  }

  function integer(clause: string): number {
    const token = next();
    if (token.kind !== 'number' || !/^\d+$/.test(token.text)) unexpected(token);
    const value = Number(token.text);
    if (value > MAX_INT) {
      throw new SoqlError('MALFORMED_QUERY', `For input string: "${token.text}"`, token.start);
    }
    if (clause === 'OFFSET' && value > MAX_OFFSET) {
      throw new SoqlError(
        'NUMBER_OUTSIDE_VALID_RANGE',
        `Maximum SOQL offset allowed is ${MAX_OFFSET}`,
        token.start,
      );
    }
    return value;
  }

  function literal(): Literal {
    const token = next();
    switch (token.kind) {
      case 'string':
        return { kind: 'string', value: token.value, start: token.start };
      case 'number':
        return { kind: 'number', value: Number(token.text), text: token.text, start: token.start };
      case 'date':
        return { kind: 'date', value: token.text, start: token.start };
      case 'datetime':
        return { kind: 'datetime', value: token.text, start: token.start };
      case 'ident': {
        const word = token.text.toUpperCase();
        if (word === 'NULL') return { kind: 'null', start: token.start };
        if (word === 'TRUE' || word === 'FALSE')
          return { kind: 'boolean', value: word === 'TRUE', start: token.start };
        if (DATE_LITERALS.has(word)) return { kind: 'dateLiteral', name: word, n: null, start: token.start };
        if (PARAMETRIC_DATE_LITERALS.has(word)) {
          expectPunct(':');
          const n = next();
          if (n.kind !== 'number' || !/^\d+$/.test(n.text)) unexpected(n);
          return { kind: 'dateLiteral', name: word, n: Number(n.text), start: token.start };
        }
        return unexpected(token);
      }
      default:
        return unexpected(token);
    }
  }

  function simpleCondition(): Condition {
    if (isPunct(peek(), '(')) {
      at++;
      const inner = condition();
      expectPunct(')');
      return inner;
    }
    if (acceptWord('NOT')) return { kind: 'not', item: simpleCondition() };
    const path = fieldPath();
    const operatorToken = peek();
    if (operatorToken.kind === 'op') {
      at++;
      const operator = (operatorToken.text === '<>' ? '!=' : operatorToken.text) as ComparisonOperator;
      return { kind: 'compare', path, operator, value: literal(), operatorStart: operatorToken.start };
    }
    if (isWord(operatorToken, 'LIKE')) {
      at++;
      return {
        kind: 'compare',
        path,
        operator: 'LIKE',
        value: literal(),
        operatorStart: operatorToken.start,
      };
    }
    const negated = isWord(operatorToken, 'NOT') && isWord(peek(1), 'IN');
    if (negated || isWord(operatorToken, 'IN')) {
      at += negated ? 2 : 1;
      expectPunct('(');
      if (isWord(peek(), 'SELECT')) {
        throw new SoqlError(
          'MALFORMED_QUERY',
          'Semi-join subqueries are not supported by the emulator',
          peek().start,
        );
      }
      const values = [literal()];
      while (isPunct(peek(), ',')) {
        at++;
        values.push(literal());
      }
      expectPunct(')');
      return { kind: 'in', path, negated, values, operatorStart: operatorToken.start };
    }
    return unexpected(operatorToken);
  }

  /** SOQL wants parentheses when AND and OR meet: `a AND b OR c` is a syntax error. */
  function condition(): Condition {
    const first = simpleCondition();
    const joiner = peek();
    if (!isWord(joiner, 'AND') && !isWord(joiner, 'OR')) return first;
    const kind = joiner.text.toUpperCase() === 'AND' ? 'and' : 'or';
    const items = [first];
    while (isWord(peek(), kind.toUpperCase())) {
      at++;
      items.push(simpleCondition());
    }
    if (isWord(peek(), 'AND') || isWord(peek(), 'OR')) unexpected(peek());
    return { kind, items };
  }

  function orderItem(): OrderItem {
    const path = fieldPath();
    let descending = false;
    if (acceptWord('DESC')) descending = true;
    else acceptWord('ASC');
    let nullsLast = descending;
    if (acceptWord('NULLS')) {
      if (acceptWord('LAST')) nullsLast = true;
      else {
        expectWord('FIRST');
        nullsLast = false;
      }
    }
    return { path, descending, nullsLast };
  }

  expectWord('SELECT');
  const select = [selectItem()];
  // COUNT() is a form of its own: nothing may be listed beside it.
  while (isPunct(peek(), ',') && select[0]!.kind !== 'countAll') {
    at++;
    const item = selectItem();
    if (item.kind === 'countAll')
      throw new SoqlError('MALFORMED_QUERY', "unexpected token: 'COUNT'", item.start);
    select.push(item);
  }
  expectWord('FROM');
  const fromToken = name();
  const query: SoqlQuery = {
    select,
    from: { name: fromToken.text, start: fromToken.start },
    where: null,
    orderBy: [],
    limit: null,
    offset: null,
  };
  if (acceptWord('WHERE')) query.where = condition();
  if (acceptWord('ORDER')) {
    expectWord('BY');
    query.orderBy.push(orderItem());
    while (isPunct(peek(), ',')) {
      at++;
      query.orderBy.push(orderItem());
    }
  }
  if (acceptWord('LIMIT')) query.limit = integer('LIMIT');
  if (acceptWord('OFFSET')) query.offset = integer('OFFSET');
  if (peek().kind !== 'eof') unexpected(peek());

  return query;
}
