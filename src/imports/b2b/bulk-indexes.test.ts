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

const indexes = (table = 'contacts') =>
  db.query<{ indexdef: string }>(
    `SELECT indexdef FROM pg_indexes WHERE tablename = '${table}' ORDER BY indexname`,
  );
const primaryKey = () =>
  db.query<{ name: string; definition: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
     WHERE conrelid = 'account_contact_roles'::regclass AND contype = 'p'`,
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

  it('takes a primary key away and puts it back as the same constraint', async () => {
    const before = await indexes('account_contact_roles');
    const key = await primaryKey();
    expect(key).toEqual([
      {
        name: 'account_contact_roles_account_id_contact_id_role_pk',
        definition: 'PRIMARY KEY (account_id, contact_id, role)',
      },
    ]);
    let inside: unknown[] = [];
    await db.orm.transaction((tx) =>
      withIndexesRebuilt(
        tx,
        'account_contact_roles',
        10,
        async () => {
          inside = await tx
            .execute(
              sql`SELECT conname FROM pg_constraint WHERE conrelid = 'account_contact_roles'::regclass AND contype = 'p'`,
            )
            .then((r) => (r as unknown as { rows: unknown[] }).rows);
        },
        1,
      ),
    );
    expect(inside).toEqual([]);
    expect(await primaryKey()).toEqual(key);
    expect(await indexes('account_contact_roles')).toEqual(before);
  });
});
