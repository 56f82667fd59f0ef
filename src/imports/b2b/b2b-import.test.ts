import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  csvFile,
  FIXTURE_MAPPING,
  fixture,
  importFiles,
  makeDirectory,
} from '../../../test/harness/import-helpers.ts';
import { createTestDatabase } from '../../../test/harness/test-database.ts';
import type { Database } from '../../platform/db/database.ts';
import { createSecretBox } from '../../platform/secrets/secret-box.ts';
import { parseMapping } from '../mapping.ts';
import { mailingListName } from './run-b2b-import.ts';

let db: Database;
const secrets = createSecretBox(randomBytes(32));
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

const FILES = {
  accounts: fixture('Account.csv'),
  contacts: fixture('Contact.csv'),
  teamMembers: fixture('AccountTeamMember.csv'),
};

async function snapshot(directoryId: number) {
  const q = (text: string) => db.query(text, [directoryId]);
  return {
    accounts: await q(
      'SELECT external_ref, display_name, parent_id, attributes, deleted_at IS NOT NULL AS deleted FROM accounts WHERE directory_id = $1 ORDER BY external_ref',
    ),
    contacts: await q(
      'SELECT external_ref, first_name, last_name, email, phone, attributes, email_opt_out, deleted_at IS NOT NULL AS deleted FROM contacts WHERE directory_id = $1 ORDER BY external_ref',
    ),
    roles: await q(
      'SELECT a.external_ref AS account, c.external_ref AS contact, r.role FROM account_contact_roles r JOIN accounts a ON a.id = r.account_id JOIN contacts c ON c.id = r.contact_id WHERE r.directory_id = $1 ORDER BY 1, 2',
    ),
    team: await q(
      'SELECT a.external_ref AS account, t.user_email, t.role FROM account_team_members t JOIN accounts a ON a.id = t.account_id WHERE t.directory_id = $1 ORDER BY 1, 2, 3',
    ),
  };
}

describe('B2B import of Salesforce-shaped files', () => {
  it('imports real-world files (BOM, CRLF, quotes, line breaks, accents, non-Latin) and reports every problem', async () => {
    const dir = await makeDirectory(db);
    const { run, issues } = await importFiles(db, secrets, dir.id, FILES, { mailingList: 'Import {{date}}' });
    expect(run.status).toBe('succeeded');
    expect(run.summary).toEqual({
      accounts: { created: 7, updated: 0, unchanged: 1, deleted: 0, rejected: 2 },
      contacts: { created: 7, updated: 0, unchanged: 1, deleted: 0, rejected: 4 },
      teamMembers: { created: 5, updated: 0, unchanged: 0, deleted: 0, rejected: 2 },
    });
    const state = await snapshot(dir.id);
    const byRef = Object.fromEntries(state.contacts.map((c) => [c.external_ref, c]));
    expect(byRef['003A']).toMatchObject({
      first_name: 'Alan',
      email: 'alan@gogetcloudy.com',
      phone: '+17204441229',
    });
    expect(byRef['003B']).toMatchObject({ email: 'leung@gogetcloudy.com', email_opt_out: true });
    expect(byRef['003C']).toMatchObject({
      first_name: 'Zoë',
      last_name: 'Łukasiewicz',
      phone: '+33142685300',
    });
    expect(byRef['003C']!.attributes).toEqual({
      Department__c: 'Board',
      Notes__c: 'Line one\r\nline two, with comma',
    });
    expect(byRef['003D']).toMatchObject({ first_name: '雷', last_name: '李', phone: '+81312345678' });
    expect(byRef['003G']).toBeUndefined(); // bad email: rejected
    const accounts = Object.fromEntries(state.accounts.map((a) => [a.external_ref, a]));
    expect(accounts['001B']!.display_name).toBe('Get Cloudy Consulting, Inc.');
    expect(accounts['001A']!.attributes).toEqual({ ARR: 12500000.5, Tier__c: 'A' });
    expect(accounts['001E']!.parent_id).toBeNull(); // cycle refused
    expect(accounts['001C']!.parent_id).not.toBeNull();
    expect(state.roles).toEqual([
      { account: '001A', contact: '003C', role: 'EXECUTIVE_SPONSOR' },
      { account: '001B', contact: '003A', role: 'DECISION_MAKER' },
      { account: '001B', contact: '003B', role: 'INFLUENCER' },
      { account: '001C', contact: '003J', role: 'PROGRAM_MANAGER' },
      { account: '001I', contact: '003D', role: 'DECISION_MAKER' },
    ]);
    expect(state.team.filter((t) => t.role === 'ACCOUNT_OWNER')).toEqual([
      { account: '001A', user_email: 'owner.one@cloudkicks.example', role: 'ACCOUNT_OWNER' },
      { account: '001B', user_email: 'owner.one@cloudkicks.example', role: 'ACCOUNT_OWNER' },
    ]);

    const reasons = issues.map(
      (i) => `${i.severity} ${i.object}:${i.line ?? '-'} ${i.field ?? '-'}: ${i.reason}`,
    );
    expect(reasons).toEqual(
      expect.arrayContaining([
        'error accounts:5 AnnualRevenue: ARR: expected a decimal number',
        'error accounts:10 Id: duplicate Id in this file (first on line 3): row ignored',
        'error contacts:9 Email: expected an email address',
        'error contacts:10 HasOptedOutOfEmail: expected true/false, 1/0 or yes/no',
        'error contacts:11 Id: duplicate Id in this file (first on line 2): row ignored',
        'error contacts:14 -: the record has 7 fields where the header has 15',
        'error teamMembers:6 AccountId: account not found in the file or the directory',
        'warning accounts:6 ParentId: this parent link would make a cycle in the hierarchy: left without a parent',
        'warning accounts:8 ParentId: parent account not found in the file or the directory (or deleted): left without a parent',
        'warning contacts:7 AccountId: account not found in the file or the directory: contact imported without an account role',
        'warning contacts:8 Title: no client role is mapped for this Title (1 contact): imported without a role; add it to the clientRoles value table',
        'warning teamMembers:3 TeamMemberRole: ACCOUNT_OWNER of this account is already owner.one@cloudkicks.example (line 2): an account has one owner, so this row was ignored',
      ]),
    );
    const list = await db.query<{ name: string; members: number }>(
      'SELECT l.name, (SELECT count(*) FROM mailing_list_members m WHERE m.mailing_list_id = l.id)::int AS members FROM mailing_lists l WHERE l.id = $1',
      [run.mailing_list_id],
    );
    expect(list[0]!.name).toBe(mailingListName('Import {{date}}', run.id));
    expect(list[0]!.members).toBe(7);
  });

  it('is idempotent: the same files again change nothing', async () => {
    const dir = await makeDirectory(db);
    const first = await importFiles(db, secrets, dir.id, FILES);
    const before = await snapshot(dir.id);
    const history = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM attribute_history WHERE directory_id = $1',
      [dir.id],
    );
    const { run, issues } = await importFiles(db, secrets, dir.id, FILES);
    expect(run.summary).toEqual({
      accounts: { created: 0, updated: 0, unchanged: 8, deleted: 0, rejected: 2 },
      contacts: { created: 0, updated: 0, unchanged: 8, deleted: 0, rejected: 4 },
      teamMembers: { created: 0, updated: 0, unchanged: 5, deleted: 0, rejected: 2 },
    });
    // The same file, the same report: warnings of rows set aside as unchanged are reported again.
    expect(issues).toEqual(first.issues);
    // Only the row whose account is missing (its outcome hangs on the directory) is read again;
    // the unmapped Title (003F) is decided by the row and the mapping alone: set aside.
    const unskippable = await db.query<{ external_ref: string }>(
      'SELECT external_ref FROM contacts WHERE directory_id = $1 AND source_hash IS NULL AND deleted_at IS NULL ORDER BY 1',
      [dir.id],
    );
    expect(unskippable.map((c) => c.external_ref)).toEqual(['003E']);
    // The staging of both runs (raw, matched, pending lines, the set-aside view) is gone.
    const staging = await db.query(
      "SELECT relname FROM pg_class WHERE relname ~ '^import_(raw|stage|phone|matched|skipped|pending)_'",
    );
    expect(staging).toEqual([]);
    expect(await snapshot(dir.id)).toEqual(before);
    const historyAfter = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM attribute_history WHERE directory_id = $1',
      [dir.id],
    );
    expect(historyAfter[0]!.n).toBe(history[0]!.n);
  });

  it('updates what changed, keeps the history of every field, deletes IsDeleted rows and hands over ownership', async () => {
    const dir = await makeDirectory(db);
    await importFiles(db, secrets, dir.id, FILES);
    const accounts = csvFile('Account.csv', [
      'Id,IsDeleted,Name,Parent.Id,AnnualRevenue,Tier__c',
      '001A,false,Cloud Kicks Holdings,,13000000,A',
      '001C,true,Get Cloudy – Reno,001B,120000,C',
    ]);
    const contacts = csvFile('Contact.csv', [
      'Id,IsDeleted,AccountId,Title,FirstName,LastName,Email,Department__c',
      '003A,false,001B,Analyst,Alan,Johnson,alan.johnson@gogetcloudy.com,Sales',
      '003B,true,001B,Marketing Manager,Leung,Chan,leung@gogetcloudy.com,Marketing',
    ]);
    const team = csvFile('AccountTeamMember.csv', [
      'AccountId,User.Email,TeamMemberRole,IsDeleted',
      '001B,new.owner@cloudkicks.example,Account Manager,false',
      '001B,csm@cloudkicks.example,Customer Success Manager,true',
    ]);
    const { run } = await importFiles(db, secrets, dir.id, { accounts, contacts, teamMembers: team });
    expect(run.summary).toEqual({
      accounts: { created: 0, updated: 1, unchanged: 0, deleted: 1, rejected: 0 },
      contacts: { created: 0, updated: 1, unchanged: 0, deleted: 1, rejected: 0 },
      teamMembers: { created: 0, updated: 1, unchanged: 0, deleted: 1, rejected: 0 },
    });
    const history = await db.query<{
      entity: string;
      field: string;
      old_value: unknown;
      new_value: unknown;
      run_id: number;
    }>(
      'SELECT entity, field, old_value, new_value, run_id FROM attribute_history WHERE directory_id = $1 ORDER BY entity, field',
      [dir.id],
    );
    const changes = history
      .map(({ run_id: _run, ...h }) => h)
      .sort((a, b) => `${a.entity}${a.field}`.localeCompare(`${b.entity}${b.field}`));
    expect(changes).toEqual([
      { entity: 'account', field: 'ARR', old_value: 12500000.5, new_value: 13000000 },
      {
        entity: 'contact',
        field: 'email',
        old_value: 'alan@gogetcloudy.com',
        new_value: 'alan.johnson@gogetcloudy.com',
      },
      { entity: 'contact', field: 'title', old_value: 'Sales Manager', new_value: 'Analyst' },
    ]);
    expect(history.every((h) => h.run_id === run.id)).toBe(true);
    const state = await snapshot(dir.id);
    expect(state.roles.find((r) => r.contact === '003A')).toEqual({
      account: '001B',
      contact: '003A',
      role: 'END_USER',
    });
    expect(state.contacts.find((c) => c.external_ref === '003B')!.deleted).toBe(true);
    expect(state.accounts.find((a) => a.external_ref === '001C')!.deleted).toBe(true);
    expect(state.team.filter((t) => t.account === '001B')).toEqual([
      { account: '001B', user_email: 'new.owner@cloudkicks.example', role: 'ACCOUNT_OWNER' },
    ]);
  });

  it('is atomic: a run that fails while merging leaves the directory exactly as it was', async () => {
    const dir = await makeDirectory(db);
    await importFiles(db, secrets, dir.id, FILES);
    const before = await snapshot(dir.id);
    await db.query(`CREATE OR REPLACE FUNCTION test_fail_team() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.user_email = 'boom@cloudkicks.example' THEN RAISE EXCEPTION 'disk full (simulated)'; END IF; RETURN NEW; END $$`);
    await db.query(
      'CREATE TRIGGER test_fail_team BEFORE INSERT ON account_team_members FOR EACH ROW EXECUTE FUNCTION test_fail_team()',
    );
    try {
      const accounts = csvFile('Account.csv', ['Id,Name', '001A,Renamed Holdings', '001X,Brand New Account']);
      const contacts = csvFile('Contact.csv', [
        'Id,AccountId,Title,FirstName,LastName,Email',
        '003Z,001X,CEO,New,Person,new.person@example.com',
      ]);
      const team = csvFile('AccountTeamMember.csv', [
        'AccountId,User.Email,TeamMemberRole',
        '001X,boom@cloudkicks.example,Account Manager',
      ]);
      const { run } = await importFiles(
        db,
        secrets,
        dir.id,
        { accounts, contacts, teamMembers: team },
        { mailingList: 'Never' },
      );
      expect(run.status).toBe('failed');
      expect(run.failure).toContain('disk full (simulated)');
      expect(await snapshot(dir.id)).toEqual(before);
      const lists = await db.query('SELECT 1 FROM mailing_lists WHERE name LIKE $1', ['Never%']);
      expect(lists).toEqual([]);
      const leftovers = await db.query(
        "SELECT relname FROM pg_class WHERE relname ~ '^import_(raw|stage|phone|matched|skipped|pending)_'",
      );
      expect(leftovers).toEqual([]);
    } finally {
      await db.query('DROP TRIGGER test_fail_team ON account_team_members');
    }
  });

  it('refuses files that cannot be read as mapped, before touching the directory', async () => {
    const dir = await makeDirectory(db);
    const noId = csvFile('Account.csv', ['AccountName,IsDeleted', 'Nameless,false']);
    const compound = csvFile('Contact.csv', [
      'Id,Email,MailingAddress',
      '003A,a@example.com,"{""city"":""Reno""}"',
    ]);
    const { run, issues } = await importFiles(db, secrets, dir.id, { accounts: noId, contacts: compound });
    expect(run.status).toBe('failed');
    expect(issues.map((i) => i.reason)).toEqual(
      expect.arrayContaining([
        'no column for externalRef: expected "Id"',
        'no column for displayName: expected "Name"',
        expect.stringMatching(
          /^MailingAddress is a Salesforce compound field: compound fields cannot be imported/,
        ),
      ]),
    );
    expect(await db.query('SELECT 1 FROM accounts WHERE directory_id = $1', [dir.id])).toEqual([]);
    const empty = csvFile('Contact.csv', []);
    const { issues: emptyIssues } = await importFiles(db, secrets, dir.id, { contacts: empty });
    expect(emptyIssues[0]!.reason).toBe('the file is empty: expected a header line');
  });

  it('refuses an attribute whose type differs from the one the directory declared', async () => {
    const dir = await makeDirectory(db);
    await importFiles(db, secrets, dir.id, { accounts: fixture('Account.csv') });
    const asInteger = {
      ...FIXTURE_MAPPING,
      accounts: {
        ...FIXTURE_MAPPING.accounts,
        attributes: [{ source: 'AnnualRevenue', name: 'arr', type: 'integer' as const }],
      },
    };
    const { run, issues } = await importFiles(
      db,
      secrets,
      dir.id,
      { accounts: fixture('Account.csv') },
      { mapping: asInteger },
    );
    expect(run.status).toBe('failed');
    expect(issues[0]!.reason).toBe(
      'the account attribute "ARR" is declared as decimal in this directory, the mapping says integer',
    );
  });

  it('checks typed attributes: integers, enums, booleans and dates, with semicolon-separated files', async () => {
    const dir = await makeDirectory(db);
    const mapping = {
      ...FIXTURE_MAPPING,
      accounts: {
        ...FIXTURE_MAPPING.accounts,
        attributes: [
          { source: 'Employees', name: 'employees', type: 'integer' as const },
          { source: 'Tier', name: 'tier', type: 'enum' as const, values: ['Gold', 'Silver'] },
          { source: 'Strategic', name: 'strategic', type: 'boolean' as const },
          { source: 'RenewalDate', name: 'renewalDate', type: 'datetime' as const },
        ],
      },
    };
    const accounts = csvFile('Account.csv', [
      'Id;Name;Employees;Tier;Strategic;RenewalDate',
      '001A;Good;120;gold;yes;2027-03-31',
      '001B;Bad int;12.5;Gold;no;2027-03-31T10:00:00.000+0000',
      '001C;Bad enum;3;Bronze;1;',
      '001D;Bad date;3;Silver;0;2027-02-30',
      '001E;Bad bool;3;Silver;perhaps;',
    ]);
    const { run, issues } = await importFiles(db, secrets, dir.id, { accounts }, { mapping });
    expect(run.failure).toBeNull();
    expect(run.summary.accounts).toMatchObject({ created: 1, rejected: 4 });
    expect(issues.filter((i) => i.severity === 'error').map((i) => [i.line, i.field, i.reason])).toEqual([
      [3, 'Employees', 'employees: expected a whole number'],
      [4, 'Tier', 'tier: expected one of Gold, Silver'],
      [
        5,
        'RenewalDate',
        'renewalDate: expected a date or date-time such as 2024-03-31 or 2024-03-31T14:05:00Z',
      ],
      [6, 'Strategic', 'strategic: expected true/false, 1/0 or yes/no'],
    ]);
    const rows = await db.query<{ external_ref: string; attributes: unknown }>(
      'SELECT external_ref, attributes FROM accounts WHERE directory_id = $1 ORDER BY external_ref',
      [dir.id],
    );
    expect(rows).toEqual([
      {
        external_ref: '001A',
        attributes: { employees: 120, tier: 'Gold', strategic: true, renewalDate: '2027-03-31T00:00:00Z' },
      },
    ]);
  });

  it('reads national phone numbers with libphonenumber, trims values, and keeps a row whose number is unreadable', async () => {
    const dir = await makeDirectory(db);
    const mapping = { ...FIXTURE_MAPPING, defaultCountry: 'FR' };
    const contacts = csvFile('Contact.csv', [
      'Id,FirstName,LastName,Email,Phone,MobilePhone',
      '003A,Ana, Ortiz ,ana@example.fr,01 42 68 53 00,06 12 34 56 78',
      '003B,Bo,"Li ",bo@example.fr,01 42 68 53 00,+33 6 12 34 56 79',
      '003C,Cy,Ng,cy@example.fr,n/a,',
    ]);
    const { run, issues } = await importFiles(db, secrets, dir.id, { contacts }, { mapping });
    expect(run.summary.contacts).toMatchObject({ created: 3, rejected: 0 });
    const rows = await db.query(
      'SELECT external_ref, last_name, phone, mobile_phone FROM contacts WHERE directory_id = $1 ORDER BY external_ref',
      [dir.id],
    );
    expect(rows).toEqual([
      { external_ref: '003A', last_name: 'Ortiz', phone: '+33142685300', mobile_phone: '+33612345678' },
      { external_ref: '003B', last_name: 'Li', phone: '+33142685300', mobile_phone: '+33612345679' },
      { external_ref: '003C', last_name: 'Ng', phone: null, mobile_phone: null },
    ]);
    expect(issues.map((i) => `${i.severity} ${i.line} ${i.field} ${i.value}: ${i.reason}`)).toEqual([
      'warning 4 Phone n/a: not a phone number (international like +14155550100, or national for FR): imported without it',
    ]);
    // The row with a warning is set aside next time like any unchanged row, and its warning is
    // reported again, at the line where the row now stands.
    const [kept] = await db.query<{ source_warnings: string[] | null }>(
      `SELECT source_warnings FROM contacts WHERE directory_id = $1 AND external_ref = '003C' AND source_hash IS NOT NULL`,
      [dir.id],
    );
    expect(kept?.source_warnings).toHaveLength(1);
    const again = await importFiles(db, secrets, dir.id, { contacts }, { mapping });
    expect(again.run.summary.contacts).toEqual({
      created: 0,
      updated: 0,
      unchanged: 3,
      deleted: 0,
      rejected: 0,
    });
    expect(again.issues).toEqual(issues);
    const reordered = csvFile('Contact.csv', [
      'Id,FirstName,LastName,Email,Phone,MobilePhone',
      '003C,Cy,Ng,cy@example.fr,n/a,',
      '003A,Ana, Ortiz ,ana@example.fr,01 42 68 53 00,06 12 34 56 78',
    ]);
    const moved = await importFiles(db, secrets, dir.id, { contacts: reordered }, { mapping });
    expect(moved.run.summary.contacts).toMatchObject({ unchanged: 2, updated: 0 });
    expect(moved.issues.map((i) => `${i.line} ${i.field} ${i.value}`)).toEqual(['2 Phone n/a']);
  });

  it('sets aside unchanged rows with an unmapped Title, counts them in the Title warning, and reads them again when the mapping changes', async () => {
    const dir = await makeDirectory(db);
    const accounts = csvFile('Account.csv', ['Id,Name', '001A,Cloud Kicks']);
    const contacts = csvFile('Contact.csv', [
      'Id,AccountId,Title,LastName',
      '003A,001A,Janitor,Ng',
      '003B,001A,janitor,Li',
      '003C,001A,CEO,Ortiz',
      '003D,001A,Janitor,Chan',
    ]);
    const titleWarnings = (issues: { field: string | null; line: number | null; reason: string }[]) =>
      issues.filter((i) => i.field === 'Title').map((i) => `${i.line}: ${i.reason}`);
    const first = await importFiles(db, secrets, dir.id, { accounts, contacts });
    const expected = [
      '2: no client role is mapped for this Title (3 contacts): imported without a role; add it to the clientRoles value table',
    ];
    expect(titleWarnings(first.issues)).toEqual(expected);
    // One row changed: merged now, while the two unchanged Janitors are set aside — the warning
    // still counts all three.
    const changed = csvFile('Contact.csv', [
      'Id,AccountId,Title,LastName',
      '003A,001A,Janitor,Ng',
      '003B,001A,janitor,Lee',
      '003C,001A,CEO,Ortiz',
      '003D,001A,Janitor,Chan',
    ]);
    const second = await importFiles(db, secrets, dir.id, { accounts, contacts: changed });
    expect(second.run.summary.contacts).toMatchObject({ updated: 1, unchanged: 3 });
    expect(titleWarnings(second.issues)).toEqual(expected);
    // A mapping that maps the Title reads every row again: the Janitors get their role.
    const { clientRoles } = parseMapping(FIXTURE_MAPPING);
    const mapping = {
      ...FIXTURE_MAPPING,
      clientRoles: { ...clientRoles, values: { ...clientRoles.values, Janitor: 'END_USER' as const } },
    };
    const third = await importFiles(db, secrets, dir.id, { accounts, contacts: changed }, { mapping });
    expect(titleWarnings(third.issues)).toEqual([]);
    const roles = await db.query<{ external_ref: string; role: string }>(
      `SELECT c.external_ref, r.role FROM account_contact_roles r JOIN contacts c ON c.id = r.contact_id
       WHERE r.directory_id = $1 ORDER BY 1`,
      [dir.id],
    );
    expect(roles.map((r) => `${r.external_ref} ${r.role}`)).toEqual([
      '003A END_USER',
      '003B END_USER',
      '003C EXECUTIVE_SPONSOR',
      '003D END_USER',
    ]);
  });

  it('sets aside unchanged team rows, keeps the first-owner rule across them, and refuses rows of an account deleted now', async () => {
    const dir = await makeDirectory(db);
    const accounts = csvFile('Account.csv', [
      'Id,IsDeleted,Name',
      '001A,false,Cloud Kicks',
      '001B,false,Get Cloudy',
    ]);
    const team = csvFile('AccountTeamMember.csv', [
      'AccountId,User.Email,TeamMemberRole',
      '001A,csm@cloudkicks.example,Customer Success Manager',
      '001A,first.owner@cloudkicks.example,Account Manager',
      '001A,second.owner@cloudkicks.example,Account Manager',
      '001B,csm@cloudkicks.example,Customer Success Manager',
      '001B,juggler@cloudkicks.example,Juggler',
    ]);
    const first = await importFiles(db, secrets, dir.id, { accounts, teamMembers: team });
    const teamOf = () =>
      db.query<{ account: string; user_email: string; role: string; kept: boolean }>(
        `SELECT a.external_ref AS account, t.user_email, t.role, t.source_hash IS NOT NULL AS kept
         FROM account_team_members t JOIN accounts a ON a.id = t.account_id WHERE t.directory_id = $1 ORDER BY 1, 2`,
        [dir.id],
      );
    const before = await teamOf();
    // A role that took the default (Juggler) is a warning to report each time: not kept.
    expect(before.map((m) => `${m.account} ${m.user_email} ${m.role} ${m.kept}`)).toEqual([
      '001A csm@cloudkicks.example CUSTOMER_SUCCESS_MANAGER true',
      '001A first.owner@cloudkicks.example ACCOUNT_OWNER true',
      '001B csm@cloudkicks.example CUSTOMER_SUCCESS_MANAGER true',
      '001B juggler@cloudkicks.example OTHER_ACCOUNT_TEAM_MEMBER false',
    ]);
    const again = await importFiles(db, secrets, dir.id, { accounts, teamMembers: team });
    expect(again.run.summary.teamMembers).toEqual({
      created: 0,
      updated: 0,
      unchanged: 4,
      deleted: 0,
      rejected: 1,
    });
    expect(again.issues).toEqual(first.issues);
    expect(await teamOf()).toEqual(before);

    // A membership removed in the directory comes back with the row that names it; the rows of an
    // account this run deletes are refused, not set aside.
    await db.query(
      `DELETE FROM account_team_members WHERE directory_id = $1 AND user_email = 'csm@cloudkicks.example'
      AND account_id = (SELECT id FROM accounts WHERE directory_id = $1 AND external_ref = '001A')`,
      [dir.id],
    );
    const closing = csvFile('Account.csv', [
      'Id,IsDeleted,Name',
      '001A,false,Cloud Kicks',
      '001B,true,Get Cloudy',
    ]);
    const third = await importFiles(db, secrets, dir.id, { accounts: closing, teamMembers: team });
    expect(third.run.summary.teamMembers).toMatchObject({ created: 1, unchanged: 1, rejected: 3 });
    expect(
      third.issues
        .filter((i) => i.object === 'teamMembers' && i.severity === 'error')
        .map((i) => `${i.line} ${i.field}`),
    ).toEqual(['5 AccountId', '6 AccountId']);

    // A new owner row before the unchanged one wins: the unchanged row is ignored and reported
    // like any later owner row. A membership the file lists both live (unchanged) and deleted stays.
    const handover = csvFile('AccountTeamMember.csv', [
      'AccountId,User.Email,TeamMemberRole,IsDeleted',
      '001A,new.owner@cloudkicks.example,Account Manager,false',
      '001A,csm@cloudkicks.example,Customer Success Manager,false',
      '001A,first.owner@cloudkicks.example,Account Manager,false',
      '001A,csm@cloudkicks.example,Customer Success Manager,true',
    ]);
    const fourth = await importFiles(db, secrets, dir.id, { teamMembers: handover });
    expect(fourth.run.summary.teamMembers).toMatchObject({ updated: 1, rejected: 1 });
    expect(fourth.issues.map((i) => `${i.line} ${i.value}: ${i.reason}`)).toEqual([
      '4 first.owner@cloudkicks.example: ACCOUNT_OWNER of this account is already new.owner@cloudkicks.example (line 2): an account has one owner, so this row was ignored',
    ]);
    expect(
      (await teamOf()).filter((m) => m.account === '001A').map((m) => `${m.user_email} ${m.role}`),
    ).toEqual([
      'csm@cloudkicks.example CUSTOMER_SUCCESS_MANAGER',
      'new.owner@cloudkicks.example ACCOUNT_OWNER',
    ]);
  });

  it('keeps the hierarchy through a re-import that moves no parent, and follows one that does', async () => {
    const dir = await makeDirectory(db);
    const accounts = (rows: string[]) => csvFile('Account.csv', ['Id,Name,ParentId', ...rows]);
    const parents = () =>
      db.query<{ ref: string; parent: string | null }>(
        `SELECT a.external_ref AS ref, p.external_ref AS parent FROM accounts a LEFT JOIN accounts p ON p.id = a.parent_id
         WHERE a.directory_id = $1 ORDER BY 1`,
        [dir.id],
      );
    await importFiles(db, secrets, dir.id, {
      accounts: accounts(['001A,Holdings,', '001B,Region,001A', '001C,Site,001B']),
    });
    const renamed = await importFiles(db, secrets, dir.id, {
      accounts: accounts(['001A,Holdings,', '001B,Region West,001A', '001C,Site,001B']),
    });
    expect(renamed.run.summary.accounts).toMatchObject({ updated: 1, unchanged: 2 });
    expect(await parents()).toEqual([
      { ref: '001A', parent: null },
      { ref: '001B', parent: '001A' },
      { ref: '001C', parent: '001B' },
    ]);
    const moved = await importFiles(db, secrets, dir.id, {
      accounts: accounts(['001A,Holdings,001C', '001B,Region West,001A', '001C,Site,001A']),
    });
    expect(moved.run.summary.accounts).toMatchObject({ updated: 2 });
    expect(await parents()).toEqual([
      { ref: '001A', parent: null },
      { ref: '001B', parent: '001A' },
      { ref: '001C', parent: null },
    ]);
    expect(moved.issues.map((i) => `${i.line} ${i.reason}`)).toEqual([
      '2 this parent link would make a cycle in the hierarchy: left without a parent',
      '4 this parent link would make a cycle in the hierarchy: left without a parent',
    ]);
  });

  it('reads a CRLF file whose last line has no line break', async () => {
    const dir = await makeDirectory(db);
    const file = csvFile('Account.csv', []);
    writeFileSync(file, 'Id,Name\r\n001A,First\r\n001B,Last');
    const { run } = await importFiles(db, secrets, dir.id, { accounts: file });
    expect(run.summary.accounts).toMatchObject({ created: 2, rejected: 0 });
  });
});
