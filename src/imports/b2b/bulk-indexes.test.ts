import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/harness/test-database.ts';
import type { Database } from '../../platform/db/database.ts';
import { withIndexesRebuilt } from './bulk-indexes.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

const indexes = () =>
  db.query<{ indexdef: string }>(
    "SELECT indexdef FROM pg_indexes WHERE tablename = 'contacts' ORDER BY indexname",
  );

describe('contacts indexes around a bulk insert', () => {
  it('comes back exactly as defined, whether the insert commits or fails', async () => {
    const before = await indexes();
    expect(before.some((i) => i.indexdef.includes('lower(email)'))).toBe(true);
    let inside: { indexdef: string }[] = [];
    await db.orm.transaction((tx) =>
      withIndexesRebuilt(
        tx,
        'contacts',
        10,
        async () => {
          inside = await tx
            .execute(sql`SELECT indexdef FROM pg_indexes WHERE tablename = 'contacts'`)
            .then((r) => (r as unknown as { rows: { indexdef: string }[] }).rows);
        },
        1,
      ),
    );
    expect(inside.some((i) => i.indexdef.includes('lower(email)'))).toBe(false);
    expect(await indexes()).toEqual(before);

    await expect(
      db.orm.transaction((tx) =>
        withIndexesRebuilt(
          tx,
          'contacts',
          10,
          async () => {
            throw new Error('merge failed');
          },
          1,
        ),
      ),
    ).rejects.toThrow('merge failed');
    expect(await indexes()).toEqual(before);
  });
});
