import { describe, expect, it } from 'vitest';
import { buildObjectDefinitions } from './custom-metadata.ts';
import { dateLiteralRange } from './date-literals.ts';
import { createSchema } from './schema.ts';
import { SoqlError, soqlErrorMessage } from './soql-error.ts';
import { tokenize } from './soql-lexer.ts';
import { parseSoql } from './soql-parser.ts';
import { planQuery } from './soql-plan.ts';

/** The SOQL tokenizer, parser and binder, without a server. */

const schema = createSchema(buildObjectDefinitions());
const NOW = Date.parse('2026-03-04T15:30:00Z'); // a Wednesday

function failure(soql: string, plan = false): { errorCode: string; message: string } {
  try {
    const query = parseSoql(soql);
    if (plan) planQuery(schema, query, NOW);
  } catch (error) {
    if (error instanceof SoqlError)
      return { errorCode: error.errorCode, message: soqlErrorMessage(soql, error) };
    throw error;
  }
  throw new Error(`${soql} was accepted`);
}

describe('tokenizer', () => {
  it('reads strings with escapes, dates, date-times, numbers and operators', () => {
    const tokens = tokenize(
      "Name = 'O\\'Brien \\\\ 50\\%' AND d >= 2026-01-01 AND t < 2026-01-01T00:00:00Z AND n <> -1.5",
    );
    expect(tokens.map((t) => [t.kind, t.kind === 'string' ? t.value : t.text])).toEqual([
      ['ident', 'Name'],
      ['op', '='],
      ['string', "O'Brien \\ 50\\%"],
      ['ident', 'AND'],
      ['ident', 'd'],
      ['op', '>='],
      ['date', '2026-01-01'],
      ['ident', 'AND'],
      ['ident', 't'],
      ['op', '<'],
      ['datetime', '2026-01-01T00:00:00Z'],
      ['ident', 'AND'],
      ['ident', 'n'],
      ['op', '<>'],
      ['number', '-1.5'],
      ['eof', '<EOF>'],
    ]);
  });

  it('refuses an unknown escape and an unterminated string', () => {
    expect(failure("SELECT Id FROM Account WHERE Name = 'a\\qb'").errorCode).toBe('MALFORMED_QUERY');
    expect(failure("SELECT Id FROM Account WHERE Name = 'open").errorCode).toBe('MALFORMED_QUERY');
  });
});

describe('parser', () => {
  it('parses fields, parent paths, conditions, order, limit and offset', () => {
    const query = parseSoql(`SELECT Id, Account.Parent.Name FROM Contact
      WHERE (Email LIKE '%@gogetcloudy.com' OR Title IN ('CEO', 'CFO')) AND NOT DoNotCall = true AND Id NOT IN ('003000000000001')
      ORDER BY Account.Name DESC NULLS FIRST, LastName LIMIT 10 OFFSET 5`);
    expect(query.select.map((s) => (s.kind === 'field' ? s.path.parts.join('.') : s.kind))).toEqual([
      'Id',
      'Account.Parent.Name',
    ]);
    expect(query.from.name).toBe('Contact');
    expect(query.where).toMatchObject({
      kind: 'and',
      items: [
        {
          kind: 'or',
          items: [
            { kind: 'compare', operator: 'LIKE' },
            { kind: 'in', negated: false },
          ],
        },
        { kind: 'not', item: { kind: 'compare', operator: '=', value: { kind: 'boolean', value: true } } },
        { kind: 'in', negated: true },
      ],
    });
    expect(query.orderBy).toEqual([
      { path: expect.objectContaining({ parts: ['Account', 'Name'] }), descending: true, nullsLast: false },
      { path: expect.objectContaining({ parts: ['LastName'] }), descending: false, nullsLast: false },
    ]);
    expect([query.limit, query.offset]).toEqual([10, 5]);
  });

  it('parses COUNT(), COUNT(field) with an alias, and date literals', () => {
    expect(parseSoql('SELECT COUNT() FROM Account').select).toEqual([{ kind: 'countAll', start: 7 }]);
    expect(parseSoql('SELECT COUNT(Id) n FROM Account').select[0]).toMatchObject({
      kind: 'countField',
      alias: 'n',
    });
    const where = parseSoql(
      'SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:30 AND LastModifiedDate < TODAY',
    ).where;
    expect(where).toMatchObject({
      items: [
        { value: { kind: 'dateLiteral', name: 'LAST_N_DAYS', n: 30 } },
        { value: { kind: 'dateLiteral', name: 'TODAY', n: null } },
      ],
    });
  });

  it('wants parentheses where AND meets OR, as SOQL does', () => {
    expect(failure("SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'")).toEqual({
      errorCode: 'MALFORMED_QUERY',
      message:
        "\nSELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'\n                                                       ^\nERROR at Row:1:Column:56\nunexpected token: 'OR'",
    });
  });

  it('refuses trailing junk, a missing FROM, COUNT() beside fields, and OFFSET over 2,000', () => {
    expect(failure('SELECT Id FROM Account LIMIT 5 junk').message).toContain("unexpected token: 'junk'");
    expect(failure('SELECT Id, Name Account').message).toContain("unexpected token: 'Account'");
    expect(failure('SELECT COUNT(), Id FROM Account').message).toContain("unexpected token: ','");
    expect(failure('SELECT Id FROM Account OFFSET 2001')).toMatchObject({
      errorCode: 'NUMBER_OUTSIDE_VALID_RANGE',
    });
    expect(failure('SELECT Id, (SELECT Id FROM Contacts) FROM Account').errorCode).toBe('MALFORMED_QUERY');
  });

  it('places the caret on the right row of a multi-line query', () => {
    const soql = 'SELECT Id\nFROM Account\nWHERE Nope__c = 1';
    expect(failure(soql, true)).toEqual({
      errorCode: 'INVALID_FIELD',
      message:
        "\nWHERE Nope__c = 1\n      ^\nERROR at Row:3:Column:7\nNo such column 'Nope__c' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
    });
  });
});

describe('binding to the schema', () => {
  it('resolves case-insensitive names to canonical paths', () => {
    const plan = planQuery(
      schema,
      parseSoql('select id, account.parent.NAME, user.email from accountteammember'),
      NOW,
    );
    expect(plan.root.name).toBe('AccountTeamMember');
    expect(plan.columns.map((c) => c.canonical)).toEqual(['Id', 'Account.Parent.Name', 'User.Email']);
  });

  it('words unknown relationships, objects and duplicates as Salesforce does', () => {
    expect(failure('SELECT Owner__r.Name FROM Account', true)).toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: expect.stringContaining("Didn't understand relationship 'Owner__r' in field path."),
    });
    expect(failure('SELECT Id FROM Missing__c', true)).toMatchObject({
      errorCode: 'INVALID_TYPE',
      message: expect.stringContaining("sObject type 'Missing__c' is not supported."),
    });
    expect(failure('SELECT Id, id FROM Account', true)).toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: expect.stringContaining('duplicate field selected: id'),
    });
  });

  it('type-checks filter values', () => {
    expect(failure("SELECT Id FROM Account WHERE CreatedDate > '2026-01-01'", true).message).toContain(
      "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes",
    );
    expect(failure('SELECT Id FROM Account WHERE Name = 5', true).message).toContain(
      "value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes",
    );
    expect(failure('SELECT Id FROM Account WHERE CreatedDate > 2026-01-01', true).errorCode).toBe(
      'INVALID_FIELD',
    );
    expect(failure("SELECT Id FROM Account WHERE Id LIKE '001%'", true)).toMatchObject({
      errorCode: 'INVALID_QUERY_FILTER_OPERATOR',
      message: expect.stringContaining('invalid operator on id field'),
    });
    expect(failure("SELECT Id FROM Account WHERE Description = 'x'", true).message).toContain(
      "field 'Description' can not be filtered in query call",
    );
    expect(failure("SELECT Id FROM Account WHERE Id = '001abc'", true).message).toContain(
      'invalid ID field: 001abc',
    );
  });
});

describe('date literals', () => {
  const range = (name: string, n: number | null = null) => {
    const { start, end } = dateLiteralRange(name, n, NOW);
    return [new Date(start).toISOString().slice(0, 10), new Date(end).toISOString().slice(0, 10)];
  };

  it('covers the days Salesforce documents (UTC, weeks from Sunday)', () => {
    expect(range('TODAY')).toEqual(['2026-03-04', '2026-03-05']);
    expect(range('YESTERDAY')).toEqual(['2026-03-03', '2026-03-04']);
    expect(range('LAST_N_DAYS', 1)).toEqual(['2026-03-03', '2026-03-05']);
    expect(range('NEXT_N_DAYS', 2)).toEqual(['2026-03-05', '2026-03-07']);
    expect(range('LAST_90_DAYS')).toEqual(['2025-12-04', '2026-03-05']);
    expect(range('THIS_WEEK')).toEqual(['2026-03-01', '2026-03-08']);
    expect(range('LAST_MONTH')).toEqual(['2026-02-01', '2026-03-01']);
    expect(range('THIS_QUARTER')).toEqual(['2026-01-01', '2026-04-01']);
    expect(range('LAST_N_MONTHS', 2)).toEqual(['2026-01-01', '2026-03-01']);
    expect(range('N_DAYS_AGO', 3)).toEqual(['2026-03-01', '2026-03-02']);
    expect(range('NEXT_YEAR')).toEqual(['2027-01-01', '2028-01-01']);
  });
});
