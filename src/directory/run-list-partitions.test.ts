import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  csvFile,
  importFiles,
  keepCampaignList,
  makeDirectory,
  testActor,
} from '../../test/harness/import-helpers.ts';
import { createTestDatabase } from '../../test/harness/test-database.ts';
import type { Database } from '../platform/db/database.ts';
import { createSecretBox } from '../platform/secrets/secret-box.ts';
import { getContact, listContacts } from './contacts.service.ts';
import { setKeptListMembers } from './kept-lists.service.ts';

let db: Database;
const secrets = createSecretBox(randomBytes(32));
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

const accounts = csvFile('Account.csv', ['Id,Name', '001A,Acme']);
const contactLines = (refs: string[]) => [
  'Id,AccountId,Title,FirstName,LastName,Email',
  ...refs.map((ref) => `${ref},001A,CEO,First ${ref},Last ${ref},${ref.toLowerCase()}@acme.example`),
];
const contactsFile = (refs: string[]) => csvFile('Contact.csv', contactLines(refs));

/** Where each member of the list is stored, and which contacts they are. */
const storedMembers = (listId: number) =>
  db.query<{ partition: string; ref: string }>(
    `SELECT m.tableoid::regclass::text AS partition, c.external_ref AS ref
     FROM mailing_list_members m JOIN contacts c ON c.id = m.contact_id
     WHERE m.mailing_list_id = $1 ORDER BY 2`,
    [listId],
  );

describe("an import run's mailing list", () => {
  it('is a partition of its own, read like any list beside lists in the shared partition', async () => {
    const dir = await makeDirectory(db);
    const first = await importFiles(
      db,
      secrets,
      dir.id,
      { accounts, contacts: contactsFile(['003A', '003B', '003C']) },
      { mailingList: 'Daily {{date}}' },
    );
    // The second file drops 003C and adds 003D: its list is its file's contacts, changed or not.
    // A row without an Id but with 003A's email lands on 003A's contact, which its unchanged row
    // (set aside) also reaches: the list takes it once.
    const second = await importFiles(
      db,
      secrets,
      dir.id,
      {
        contacts: csvFile('Contact.csv', [
          ...contactLines(['003A', '003B', '003D']),
          ',001A,CEO,Ann,Again,003a@acme.example',
        ]),
      },
      { mailingList: 'Daily {{date}}' },
    );
    expect(second.run.summary.contacts).toMatchObject({ created: 1, updated: 1, unchanged: 2 });
    const firstList = Number(first.run.mailing_list_id);
    const secondList = Number(second.run.mailing_list_id);
    expect(await storedMembers(firstList)).toEqual(
      ['003A', '003B', '003C'].map((ref) => ({ partition: `mailing_list_members_${firstList}`, ref })),
    );
    expect(await storedMembers(secondList)).toEqual(
      ['003A', '003B', '003D'].map((ref) => ({ partition: `mailing_list_members_${secondList}`, ref })),
    );

    // A list kept in step with a CRM campaign goes to the shared partition.
    const campaign = await keepCampaignList(db, dir.id, 'Campaign', ['003A', '003D']);
    expect(await storedMembers(campaign)).toEqual(
      ['003A', '003D'].map((ref) => ({ partition: 'mailing_list_members_shared', ref })),
    );
    // Each list keeps its member count (the lists page reads it rather than counting).
    const counts = () =>
      db
        .query<{ n: number }>(
          'SELECT member_count AS n FROM mailing_lists WHERE directory_id = $1 ORDER BY id',
          [dir.id],
        )
        .then((rows) => rows.map((r) => Number(r.n)));
    expect(await counts()).toEqual([3, 3, 2]);

    // A contact's lists span the partitions; the contacts table filters by any list.
    const [ann] = await db.query<{ id: number }>(
      `SELECT id FROM contacts WHERE directory_id = $1 AND external_ref = '003A'`,
      [dir.id],
    );
    const profile = await getContact(db.orm, testActor, Number(ann!.id));
    expect(profile.lists.map((l) => Number(l.id)).sort((a, b) => a - b)).toEqual(
      [firstList, secondList, campaign].sort((a, b) => a - b),
    );
    for (const [listId, refs] of [
      [firstList, ['003A', '003B', '003C']],
      [secondList, ['003A', '003B', '003D']],
      [campaign, ['003A', '003D']],
    ] as const) {
      const page = await listContacts(db.orm, testActor, dir.id, { sort: 'recent', limit: 50, listId });
      expect(page.items.map((c) => c.externalRef).sort()).toEqual(refs);
    }

    // The campaign now names 003B alone: two members leave, one comes.
    await db.orm.transaction((tx) =>
      setKeptListMembers(
        tx,
        dir.id,
        [campaign],
        sql`SELECT ${campaign}::bigint AS list_id, '003B' AS external_ref`,
      ),
    );
    expect(await counts()).toEqual([3, 3, 1]);
  });

  it('leaves no table behind when the run fails', async () => {
    const dir = await makeDirectory(db);
    const partitions = () =>
      db.query<{ name: string }>(
        `SELECT tablename AS name FROM pg_tables WHERE tablename ~ '^mailing_list_members_[0-9]+$' ORDER BY 1`,
      );
    const before = await partitions();
    // The team merge fails after the contacts merge has filled the list's table.
    await db.query(
      `CREATE OR REPLACE FUNCTION test_fail_list() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full (simulated)'; END $$`,
    );
    await db.query(
      'CREATE TRIGGER test_fail_list BEFORE INSERT ON account_team_members FOR EACH ROW EXECUTE FUNCTION test_fail_list()',
    );
    try {
      const team = csvFile('AccountTeamMember.csv', [
        'AccountId,User.Email,TeamMemberRole',
        '001A,am@acme.example,Account Manager',
      ]);
      const { run } = await importFiles(
        db,
        secrets,
        dir.id,
        { accounts, contacts: contactsFile(['003A']), teamMembers: team },
        { mailingList: 'Never' },
      );
      expect(run.status).toBe('failed');
      expect(await partitions()).toEqual(before);
      expect(await db.query('SELECT 1 FROM mailing_lists WHERE directory_id = $1', [dir.id])).toEqual([]);
    } finally {
      await db.query('DROP TRIGGER test_fail_list ON account_team_members');
    }
  });
});
