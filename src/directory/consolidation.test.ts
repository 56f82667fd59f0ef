import { randomBytes } from 'node:crypto';
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
import { consolidateDuplicates, listMerges, revertMerge } from './consolidation.service.ts';

let db: Database;
const secrets = createSecretBox(randomBytes(32));
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

const contactsOf = (directoryId: number) =>
  db.query<{
    id: number;
    external_ref: string | null;
    first_name: string | null;
    email: string | null;
    phone: string | null;
    email_opt_out: boolean;
    attributes: Record<string, unknown>;
    merged_into_id: number | null;
    deleted: boolean;
  }>(
    'SELECT id, external_ref, first_name, email, phone, email_opt_out, attributes, merged_into_id, deleted_at IS NOT NULL AS deleted FROM contacts WHERE directory_id = $1 ORDER BY id',
    [directoryId],
  );
const rolesOf = (contactId: number) =>
  db.query<{ account: string; role: string }>(
    'SELECT a.external_ref AS account, r.role FROM account_contact_roles r JOIN accounts a ON a.id = r.account_id WHERE r.contact_id = $1 ORDER BY 1, 2',
    [contactId],
  );

/** Each list's member count as kept on the list, checked against its members. */
async function listSizes(directoryId: number): Promise<Record<string, number>> {
  const lists = await db.query<{ name: string; kept: number; actual: number }>(
    `SELECT l.name, l.member_count AS kept,
            (SELECT count(*) FROM mailing_list_members m WHERE m.mailing_list_id = l.id)::int AS actual
     FROM mailing_lists l WHERE l.directory_id = $1`,
    [directoryId],
  );
  for (const list of lists) expect(list.kept, list.name).toBe(list.actual);
  return Object.fromEntries(lists.map((l) => [l.name.replace(/ .*/, ''), l.kept]));
}

describe('consolidating duplicate contacts', () => {
  it('merges contacts sharing an email into the CRM-linked one without losing anything, and can undo it', async () => {
    const dir = await makeDirectory(db);
    await importFiles(db, secrets, dir.id, {
      accounts: csvFile('Account.csv', ['Id,Name', '001A,Acme', '001B,Beta']),
      contacts: csvFile('Contact.csv', [
        'Id,AccountId,Title,FirstName,LastName,Email,Department__c',
        '003A,001A,CEO,Ann,Lee,ann@acme.example,Board',
      ]),
    });
    // The same person again from another source: no reference, other fields, an opt-out, a list.
    await importFiles(
      db,
      secrets,
      dir.id,
      {
        contacts: csvFile('Contact.csv', [
          'FirstName,LastName,Email,Phone,HasOptedOutOfEmail,Region__c',
          ',Lee,ANN@acme.example,+14155550100,true,West',
        ]),
      },
      { mailingList: 'Webinar' },
    );
    // Email dedup at import matched her: the second file updated the first contact.
    let all = await contactsOf(dir.id);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ phone: '+14155550100', email_opt_out: true });

    // Duplicates made outside the import's matching (two CRM records for one person).
    await importFiles(db, secrets, dir.id, {
      contacts: csvFile('Contact.csv', [
        'Id,AccountId,Title,FirstName,LastName,Email,Tier__c',
        '003B,001B,Analyst,Annie,Lee,ann@acme.example,Gold',
      ]),
    });
    all = await contactsOf(dir.id);
    expect(all).toHaveLength(2);
    const [ann, annie] = all as [(typeof all)[0], (typeof all)[0]];

    // Both records in a CRM campaign's list; Ann's alone in the webinar's.
    await keepCampaignList(db, dir.id, 'Campaign', ['003A', '003B']);
    expect(await listSizes(dir.id)).toEqual({ Campaign: 2, Webinar: 1 });

    const preview = await consolidateDuplicates(db, testActor, dir.id, { dryRun: true });
    expect(preview).toEqual({
      dryRun: true,
      merged: 1,
      groups: [{ matchedOn: 'email', key: 'ann@acme.example', survivorId: ann.id, mergedIds: [annie.id] }],
    });
    expect(await contactsOf(dir.id)).toEqual(all);

    const done = await consolidateDuplicates(db, testActor, dir.id);
    expect(done.merged).toBe(1);
    const [survivor, merged] = (await contactsOf(dir.id)) as [(typeof all)[0], (typeof all)[0]];
    expect(survivor).toMatchObject({ first_name: 'Ann', email_opt_out: true, deleted: false });
    expect(survivor.attributes).toEqual({ Department__c: 'Board', Region__c: 'West', Tier__c: 'Gold' });
    expect(merged).toMatchObject({ merged_into_id: survivor.id, deleted: true });
    // The survivor was in the campaign already: one member fewer.
    expect(await listSizes(dir.id)).toEqual({ Campaign: 1, Webinar: 1 });
    expect(await rolesOf(survivor.id)).toEqual([
      { account: '001A', role: 'EXECUTIVE_SPONSOR' },
      { account: '001B', role: 'END_USER' },
    ]);
    const history = await db.query<{ field: string; new_value: unknown; source: string }>(
      "SELECT field, new_value, source FROM attribute_history WHERE entity_id = $1 AND source = 'merge' ORDER BY field",
      [survivor.id],
    );
    expect(history).toEqual([{ field: 'Tier__c', new_value: 'Gold', source: 'merge' }]);

    // A later import of the merged CRM record lands on the survivor.
    const { run } = await importFiles(db, secrets, dir.id, {
      contacts: csvFile('Contact.csv', [
        'Id,AccountId,Title,FirstName,LastName,Email,Tier__c',
        '003B,001B,Analyst,Annie,Lee,ann@acme.example,Platinum',
      ]),
    });
    expect(run.failure).toBeNull();
    expect(run.summary.contacts).toMatchObject({ created: 0, updated: 1 });
    expect((await contactsOf(dir.id))[0]!.attributes.Tier__c).toBe('Platinum');
    // It adds to the survivor: the roles of the survivor's own record stay.
    expect(await rolesOf(survivor.id)).toEqual([
      { account: '001A', role: 'EXECUTIVE_SPONSOR' },
      { account: '001B', role: 'END_USER' },
    ]);

    const log = await listMerges(db.orm, testActor, dir.id, undefined, 10);
    expect(log.items).toHaveLength(1);
    const undone = await revertMerge(db, testActor, log.items[0]!.id);
    expect(undone).toMatchObject({ survivorId: survivor.id, restoredId: merged.id });
    const after = await contactsOf(dir.id);
    expect(after[1]).toMatchObject({ first_name: 'Annie', merged_into_id: null, deleted: false });
    expect(await rolesOf(survivor.id)).toEqual([{ account: '001A', role: 'EXECUTIVE_SPONSOR' }]);
    expect(await rolesOf(merged.id)).toEqual([{ account: '001B', role: 'END_USER' }]);
    expect(await listSizes(dir.id)).toEqual({ Campaign: 2, Webinar: 1 });
    await expect(revertMerge(db, testActor, log.items[0]!.id)).rejects.toThrow(/already reverted/);
  });

  it("puts the survivor in a run's mailing list once when unchanged rows reach it through a merged record", async () => {
    const dir = await makeDirectory(db);
    const accounts = csvFile('Account.csv', ['Id,Name', '001A,Acme']);
    const contacts = csvFile('Contact.csv', [
      'Id,AccountId,Title,FirstName,LastName,Email',
      '003A,001A,CEO,Ann,Lee,ann@acme.example',
      '003B,001A,CEO,Annie,Lee,ann@acme.example',
      '003C,001A,CFO,Bo,Li,bo@acme.example',
    ]);
    const members = (listId: number | null) =>
      db
        .query<{ ref: string }>(
          'SELECT c.external_ref AS ref FROM mailing_list_members m JOIN contacts c ON c.id = m.contact_id WHERE m.mailing_list_id = $1 ORDER BY 1',
          [listId],
        )
        .then((rows) => rows.map((r) => r.ref));
    // Two CRM records for Ann (each reference its own contact), merged afterwards.
    await importFiles(db, secrets, dir.id, { accounts, contacts });
    expect(await contactsOf(dir.id)).toHaveLength(3);
    await consolidateDuplicates(db, testActor, dir.id);
    // Every row unchanged: 003B's lands on the survivor (003A), which the list takes once.
    const again = await importFiles(db, secrets, dir.id, { contacts }, { mailingList: 'Daily' });
    expect(again.run.summary.contacts).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect(await members(again.run.mailing_list_id)).toEqual(['003A', '003C']);
    // The merged record's row alone still brings the survivor.
    const onlyB = csvFile('Contact.csv', [
      'Id,AccountId,Title,FirstName,LastName,Email',
      '003B,001A,CEO,Annie,Lee,ann@acme.example',
    ]);
    const alone = await importFiles(db, secrets, dir.id, { contacts: onlyB }, { mailingList: 'Daily' });
    expect(alone.run.summary.contacts).toMatchObject({ unchanged: 1 });
    expect(await members(alone.run.mailing_list_id)).toEqual(['003A']);
  });

  it('merges by phone when the directory says so', async () => {
    const dir = await makeDirectory(db);
    await db.query("UPDATE directories SET dedup_keys = '{external_ref,phone}' WHERE id = $1", [dir.id]);
    await importFiles(db, secrets, dir.id, {
      contacts: csvFile('Contact.csv', [
        'Id,FirstName,Phone',
        '003A,Kim,+4915112345678',
        '003B,Kimberly,+49 151 12345678',
        '003C,Other,+4915199999999',
      ]),
    });
    const result = await consolidateDuplicates(db, testActor, dir.id);
    expect(result.groups).toEqual([expect.objectContaining({ matchedOn: 'phone', key: '+4915112345678' })]);
    expect((await contactsOf(dir.id)).filter((c) => !c.deleted)).toHaveLength(2);
  });
});
