import { describe, expect, it } from 'vitest';
import { combineConditions, idCondition, whereOfQuery } from './list-views.ts';

/** The WHERE clause of a list view's describe query, and how a run joins it to its own filter. */

describe('whereOfQuery', () => {
  it('takes the condition between WHERE and the next top-level clause', () => {
    expect(
      whereOfQuery(
        'SELECT name, site, id FROM Account WHERE CreatedDate = THIS_WEEK ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST',
      ),
    ).toBe('CreatedDate = THIS_WEEK');
    expect(
      whereOfQuery('SELECT name, id FROM Account ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST'),
    ).toBeNull();
    expect(whereOfQuery('SELECT id FROM Lead WHERE IsConverted = false LIMIT 2000')).toBe(
      'IsConverted = false',
    );
  });

  it('ignores keywords inside strings and parentheses, and reads past USING SCOPE', () => {
    expect(
      whereOfQuery(
        "SELECT name, id FROM Account USING SCOPE everything WHERE (Name LIKE '% order by %' OR Type = 'Where') AND Industry != 'It\\'s LIMIT' ORDER BY Name ASC",
      ),
    ).toBe("(Name LIKE '% order by %' OR Type = 'Where') AND Industry != 'It\\'s LIMIT'");
    expect(whereOfQuery("SELECT owner.alias, id FROM Account WHERE Owner.Alias = 'jdoe' ORDER BY Id")).toBe(
      "Owner.Alias = 'jdoe'",
    );
  });
});

describe('combineConditions', () => {
  it('keeps one condition as it is and parenthesises several', () => {
    expect(combineConditions([null, '', undefined])).toBeNull();
    expect(combineConditions(["Type = 'Customer'", null])).toBe("Type = 'Customer'");
    expect(combineConditions(['a = 1 OR b = 2', 'c = 3', idCondition('Id', ['001A', '001B'])])).toBe(
      "(a = 1 OR b = 2) AND (c = 3) AND (Id IN ('001A', '001B'))",
    );
    expect(idCondition('Id', [])).toBeNull();
  });
});
