import { describe, expect, it } from 'vitest';
import { caseSafeSuffix, createIdFactory, isValidId, to18 } from './ids.ts';

describe('record Ids', () => {
  it('computes the case-safe suffix Salesforce appends', () => {
    // A well-known pair from Salesforce's documentation of 15- and 18-character Ids.
    expect(to18('001D000000IRFma')).toBe('001D000000IRFmaIAH');
    expect(caseSafeSuffix('000000000000000')).toBe('AAA');
    expect(isValidId('001D000000IRFmaIAH')).toBe(true);
    expect(isValidId('001D000000IRFmaAAA')).toBe(false);
    expect(isValidId('001D000000IRFma')).toBe(true);
    expect(isValidId('not-an-id')).toBe(false);
  });

  it('makes valid 18-character Ids with the key prefix, in creation order', () => {
    const newId = createIdFactory();
    const ids = Array.from({ length: 70 }, (_, i) => newId(i === 5 ? '003' : '001'));
    expect(ids.every(isValidId)).toBe(true);
    expect(ids[5]!.slice(0, 3)).toBe('003');
    const accounts = ids.filter((id) => id.startsWith('001'));
    expect([...accounts].sort()).toEqual(accounts);
  });
});
