import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvFile, importFiles, makeDirectory, testActor } from '../../test/harness/import-helpers.ts';
import { createTestDatabase } from '../../test/harness/test-database.ts';
import type { Database } from '../platform/db/database.ts';
import { createSecretBox } from '../platform/secrets/secret-box.ts';
import { type ContactQuery, listContacts } from './contacts.service.ts';

let db: Database;
let directoryId: number;
const secrets = createSecretBox(randomBytes(32));

// Ties, empty last names and emails, accents and case: the awkward orders a cursor must survive.
const ROWS = [
  '003A,Ann,Lee,ann@acme.example',
  '003B,Bob,lee,bob@acme.example',
  '003C,Cy,,cy@acme.example',
  '003D,Di,Émile,',
  '003E,Ed,Adams,ed@acme.example',
  '003F,Flo,,',
  '003G,Gus,Lee,gus@acme.example',
  '003H,Hal,zeta,HAL@acme.example',
  '003I,Ivy,Adams,',
];

beforeAll(async () => {
  db = await createTestDatabase();
  const dir = await makeDirectory(db);
  directoryId = dir.id;
  await importFiles(db, secrets, dir.id, {
    contacts: csvFile('Contact.csv', ['Id,FirstName,LastName,Email', ...ROWS]),
  });
});
afterAll(() => db.close());

async function walk(sort: ContactQuery['sort'], limit: number) {
  const seen: { id: number; externalRef: string | null; lastName: string | null; email: string | null }[] =
    [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 20; pages++) {
    const page = await listContacts(db.orm, testActor, directoryId, {
      sort,
      limit,
      ...(cursor ? { cursor } : {}),
    });
    seen.push(...page.items);
    if (!page.nextCursor) return seen;
    cursor = page.nextCursor;
  }
  throw new Error('paging did not end');
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('contact paging with keyset cursors', () => {
  for (const limit of [1, 2, 4]) {
    it(`visits every contact once, in order and NULLs last, ${limit} a page`, async () => {
      for (const [sort, field] of [
        ['lastName', 'lastName'],
        ['email', 'email'],
      ] as const) {
        const seen = await walk(sort, limit);
        expect(seen.map((c) => c.externalRef).sort()).toEqual(ROWS.map((r) => r.split(',')[0]).sort());
        const values = seen.map((c) => c[field]?.toLowerCase() ?? null);
        const present = values.filter((v): v is string => v !== null);
        expect(values.slice(0, present.length)).toEqual([...present].sort(byteOrder));
        expect(values.slice(present.length).every((v) => v === null)).toBe(true);
      }
      // Newest first: ids strictly decreasing, every contact once.
      const ids = (await walk('recent', limit)).map((c) => c.id);
      expect(ids).toHaveLength(ROWS.length);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(new Set(ids).size).toBe(ROWS.length);
    });
  }
});
