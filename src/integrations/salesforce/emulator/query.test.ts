import { Connection, SfDate } from '@jsforce/jsforce-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOrg } from './generate-org.ts';
import { type SalesforceEmulator, startSalesforceEmulator } from './salesforce-emulator.ts';
import { type CloudKicksSeed, seedCloudKicks } from './seed-cloud-kicks.ts';

/** REST SOQL through jsforce, as production reads an org: paging, relationships, queryAll, errors. */

let emulator: SalesforceEmulator;
let conn: Connection;
let seed: CloudKicksSeed;

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    seed: (store) => {
      seed = seedCloudKicks(store);
      generateOrg(store, { accounts: 1000, contactsPerAccount: 5, teamPerAccount: 2 });
    },
  });
  conn = new Connection({
    instanceUrl: emulator.instanceUrl,
    accessToken: emulator.issueAccessToken(),
    version: '62.0',
  });
});

afterAll(() => emulator.close());

const queryCalls = () => emulator.requests().filter((r) => /\/query(All)?(\/|$)/.test(r.path));

describe('query paging', () => {
  it('pages 5,005 contacts with nested parents through autoFetch, 2,000 a batch', async () => {
    const before = queryCalls().length;
    const result = await conn.query(
      'SELECT Id, Name, Title, Account.Id, Account.Name, Account.Parent.Id FROM Contact ORDER BY Id',
      { autoFetch: true, maxFetch: 100_000 },
    );
    expect(result.totalSize).toBe(5005);
    expect(result.records).toHaveLength(5005);
    expect(result.done).toBe(true);
    expect(queryCalls().length - before).toBe(3);

    const alan = result.records.find((r) => r.Id === seed.contacts.alan)!;
    expect(alan).toEqual({
      attributes: { type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${seed.contacts.alan}` },
      Id: seed.contacts.alan,
      Name: 'Alan Johnson',
      Title: 'Sales Manager',
      Account: {
        attributes: {
          type: 'Account',
          url: `/services/data/v62.0/sobjects/Account/${seed.accounts.getCloudy}`,
        },
        Id: seed.accounts.getCloudy,
        Name: 'Get Cloudy Consulting',
        Parent: {
          attributes: {
            type: 'Account',
            url: `/services/data/v62.0/sobjects/Account/${seed.accounts.holdings}`,
          },
          Id: seed.accounts.holdings,
        },
      },
    });
    const topLevel = result.records.find((r) => r.Account?.Id === seed.accounts.holdings);
    expect(topLevel).toBeUndefined();
    const fab = result.records.find((r) => r.Id === seed.contacts.jamal)!;
    expect(fab.Account.Parent).toBeNull();
  });

  it('hands out nextRecordsUrl locators that queryMore follows', async () => {
    const wire = await conn.request<{ done: boolean; nextRecordsUrl: string }>(
      `/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`,
    );
    expect(wire.done).toBe(false);
    expect(wire.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/query\/01g[A-Za-z0-9]{15}-2000$/);

    const first = await conn.query('SELECT Id FROM Contact');
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(2000);
    // jsforce rebuilds nextRecordsUrl from the locator, as an absolute URL on its own version.
    expect(first.nextRecordsUrl).toBe(
      `${emulator.instanceUrl}/services/data/v62.0/query/${first.nextRecordsUrl!.split('/').pop()}`,
    );
    const second = await conn.queryMore(first.nextRecordsUrl!);
    expect(second.records).toHaveLength(2000);
    expect(second.nextRecordsUrl).toMatch(/-4000$/);
    const third = await conn.queryMore(second.nextRecordsUrl!);
    expect(third.done).toBe(true);
    expect(third.records).toHaveLength(1005);
    expect(third.nextRecordsUrl).toBeUndefined();
    const ids = new Set([...first.records, ...second.records, ...third.records].map((r) => r.Id));
    expect(ids.size).toBe(5005);
  });

  it('honours Sforce-Query-Options: batchSize', async () => {
    const first = await conn.query('SELECT Id FROM Contact', {
      headers: { 'Sforce-Query-Options': 'batchSize=500' },
    });
    expect(first.records).toHaveLength(500);
    expect(first.nextRecordsUrl).toMatch(/-500$/);
  });

  it("stops silently at jsforce's maxFetch, leaving done false", async () => {
    const result = await conn.query('SELECT Id FROM Contact', { autoFetch: true, maxFetch: 3000 });
    expect(result.records).toHaveLength(3000);
    expect(result.totalSize).toBe(5005);
    expect(result.done).toBe(false);
  });

  it('answers an expired or unknown locator with INVALID_QUERY_LOCATOR', async () => {
    await expect(conn.queryMore('/services/data/v62.0/query/01g5g0000000000AAA-2000')).rejects.toMatchObject({
      errorCode: 'INVALID_QUERY_LOCATOR',
    });
  });
});

describe('query results', () => {
  it('shows deleted rows to queryAll (scanAll) only', async () => {
    const leadId = emulator.store.insert('Lead', { LastName: 'Gone', Company: 'Vanishing Ltd' });
    emulator.store.delete('Lead', leadId);
    const soql = `SELECT Id, IsDeleted FROM Lead WHERE Id = '${leadId}'`;
    expect((await conn.query(soql)).records).toEqual([]);
    const all = await conn.query(soql, { scanAll: true });
    expect(all.records).toEqual([
      {
        attributes: { type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${leadId}` },
        Id: leadId,
        IsDeleted: true,
      },
    ]);
    expect(emulator.requests().some((r) => r.path === '/services/data/v62.0/queryAll')).toBe(true);
  });

  it('counts with COUNT() and COUNT(field)', async () => {
    const count = await conn.query("SELECT COUNT() FROM Contact WHERE Account.Name LIKE 'Get Cloudy%'");
    expect(count).toEqual({ totalSize: 3, done: true, records: [] });
    const aggregate = await conn.query('SELECT COUNT(Email) total FROM Lead');
    expect(aggregate.records).toEqual([{ attributes: { type: 'AggregateResult' }, total: 2 }]);
  });

  it('returns compound addresses, dates and team members with their users', async () => {
    const account = await conn.query(
      `SELECT Name, BillingAddress, CreatedDate FROM Account WHERE Id = '${seed.accounts.getCloudy}'`,
    );
    expect(account.records[0]).toMatchObject({
      Name: 'Get Cloudy Consulting',
      BillingAddress: {
        city: 'San Francisco',
        country: 'United States',
        geocodeAccuracy: null,
        latitude: null,
        longitude: null,
        postalCode: '94105',
        state: 'CA',
        street: '1 Market Street',
      },
    });
    expect(account.records[0]!.CreatedDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$/);

    const team = await conn.query(
      `SELECT User.Email, TeamMemberRole, IsDeleted, AccountId FROM AccountTeamMember WHERE AccountId = '${seed.accounts.getCloudy}' ORDER BY TeamMemberRole`,
    );
    expect(team.records.map((r) => [r.User.Email, r.TeamMemberRole])).toEqual([
      ['eliza.brennan@cloudkicks.example.com', 'Account Manager'],
      ['marcus.chen@cloudkicks.example.com', 'Customer Success Manager'],
      ['priya.raman@cloudkicks.example.com', 'Pre-Sales Consultant'],
    ]);
  });

  it('filters with dates, literals, IN, NOT, NULL and ORDER BY … NULLS LAST', async () => {
    const soql = `SELECT Name, Tier__c FROM Account
      WHERE (Tier__c IN ('Gold', 'Silver') OR Tier__c = NULL) AND CreatedDate = LAST_N_DAYS:1
        AND NOT Name LIKE 'Generated%' AND CreatedDate > 2020-01-01T00:00:00Z
      ORDER BY Tier__c DESC NULLS LAST, Name`;
    const result = await conn.query(soql);
    expect(result.records.map((r) => [r.Name, r.Tier__c])).toEqual([
      ['Get Cloudy Consulting EMEA', 'Silver'],
      ['Urban Stride Outfitters', 'Silver'],
      ['Get Cloudy Consulting', 'Gold'],
    ]);
  });

  it("runs the SOQL jsforce's query builder writes (dates as SfDate literals, not JS Dates)", async () => {
    const contacts = await conn
      .sobject('Contact')
      .find(
        {
          'Account.Name': { $like: 'Get Cloudy%' },
          Title: { $in: ['Sales Manager', 'Marketing Manager'] },
          CreatedDate: { $gte: SfDate.toDateTimeLiteral(new Date('2020-01-01T00:00:00Z')) },
          LastModifiedDate: { $gte: SfDate.LAST_N_DAYS(7) },
          Email: { $ne: null },
        },
        ['Id', 'Name', 'Account.Name'],
      )
      .sort({ LastName: -1 })
      .limit(10)
      .offset(0);
    expect(contacts.map((c) => c.Name)).toEqual(['Alan Johnson', 'Leung Chan']);
  });

  it("answers bad SOQL with Salesforce's 400 errors", async () => {
    await expect(conn.query('SELECT Id, Nickname__c FROM Account')).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
      message:
        "\nSELECT Id, Nickname__c FROM Account\n           ^\nERROR at Row:1:Column:12\nNo such column 'Nickname__c' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
    });
    await expect(conn.query('SELECT Id FROM Acount')).rejects.toMatchObject({ errorCode: 'INVALID_TYPE' });
    await expect(conn.query('SELECT Id FROM Account WHERE')).rejects.toMatchObject({
      errorCode: 'MALFORMED_QUERY',
      message: expect.stringContaining("unexpected token: '<EOF>'"),
    });
    await expect(conn.query("SELECT Id FROM Account WHERE IsDeleted = 'false'")).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: expect.stringContaining(
        "value of filter criterion for field 'IsDeleted' must be of type boolean and should not be enclosed in quotes",
      ),
    });
    await expect(conn.query("SELECT Id FROM Contact WHERE AccountId = 'nope'")).rejects.toMatchObject({
      errorCode: 'INVALID_QUERY_FILTER_OPERATOR',
    });
  });
});
