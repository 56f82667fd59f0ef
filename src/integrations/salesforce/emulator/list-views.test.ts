import { Connection } from '@jsforce/jsforce-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SalesforceEmulator, startSalesforceEmulator } from './salesforce-emulator.ts';
import { type CloudKicksSeed, seedCloudKicks } from './seed-cloud-kicks.ts';

/** List views through jsforce (sobject().listviews(), listview().describe()), as the sync resolves them. */

let emulator: SalesforceEmulator;
let conn: Connection;
let seed: CloudKicksSeed;

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    seed: (store) => {
      seed = seedCloudKicks(store);
    },
  });
  conn = new Connection({
    instanceUrl: emulator.instanceUrl,
    accessToken: emulator.issueAccessToken(),
    version: '62.0',
  });
});

afterAll(() => emulator.close());

interface Listing {
  done: boolean;
  listviews: { id: string; developerName: string; label: string; soqlCompatible: boolean; url: string }[];
  nextRecordsUrl: string | null;
  size: number;
  sobjectType: string;
}

describe('list views', () => {
  it("lists an object's views with Salesforce's keys and URLs", async () => {
    const listing = (await conn.sobject('Account').listviews()) as Listing;
    expect(listing).toMatchObject({ done: true, nextRecordsUrl: null, sobjectType: 'Account' });
    expect(listing.size).toBe(listing.listviews.length);
    expect(listing.listviews.map((v) => v.developerName)).toEqual([
      'AllAccounts',
      'MyAccounts',
      'NewThisWeek',
      'Strategic_Customers',
    ]);
    const strategic = listing.listviews.find((v) => v.developerName === 'Strategic_Customers')!;
    expect(strategic).toEqual({
      describeUrl: `/services/data/v62.0/sobjects/Account/listviews/${seed.listViews.strategicAccounts}/describe`,
      developerName: 'Strategic_Customers',
      id: seed.listViews.strategicAccounts,
      label: 'Strategic customers',
      resultsUrl: `/services/data/v62.0/sobjects/Account/listviews/${seed.listViews.strategicAccounts}/results`,
      soqlCompatible: true,
      url: `/services/data/v62.0/sobjects/Account/listviews/${seed.listViews.strategicAccounts}`,
    });
    expect(strategic.id).toMatch(/^00B\w{15}$/);
    const one = await conn.request(strategic.url);
    expect(one).toEqual(strategic);
  });

  it('describes a view: columns, 15-character Id, the SOQL query, scope and the filter tree', async () => {
    const describe = (await conn
      .sobject('Account')
      .listview(seed.listViews.strategicAccounts)
      .describe()) as Record<string, unknown>;
    expect(describe).toMatchObject({
      id: seed.listViews.strategicAccounts.slice(0, 15),
      query:
        "SELECT name, tolabel(tier__c), customer_number__c, owner.alias, id, createddate, lastmodifieddate, systemmodstamp FROM Account WHERE Tier__c IN ('Platinum', 'Gold') ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST",
      scope: null,
      sobjectType: 'Account',
      whereCondition: { field: 'Tier__c', operator: 'equals', values: ["'Platinum'", "'Gold'"] },
      orderBy: [
        { fieldNameOrPath: 'Name', nullsPosition: 'first', sortDirection: 'ascending' },
        { fieldNameOrPath: 'Id', nullsPosition: 'first', sortDirection: 'ascending' },
      ],
    });
    const columns = describe.columns as Record<string, unknown>[];
    expect(columns[0]).toEqual({
      ascendingLabel: 'Z-A',
      descendingLabel: 'A-Z',
      fieldNameOrPath: 'Name',
      hidden: false,
      label: 'Account Name',
      selectListItem: 'Name',
      sortDirection: 'ascending',
      sortIndex: 0,
      sortable: true,
      type: 'string',
    });
    expect(columns.filter((c) => c.hidden).map((c) => c.fieldNameOrPath)).toEqual([
      'Id',
      'CreatedDate',
      'LastModifiedDate',
      'SystemModstamp',
    ]);

    const mine = (await conn.sobject('Account').listviews()) as Listing;
    const myAccounts = mine.listviews.find((v) => v.developerName === 'MyAccounts')!;
    const scoped = (await conn.sobject('Account').listview(myAccounts.id).describe()) as Record<
      string,
      unknown
    >;
    expect(scoped).toMatchObject({ scope: 'mine', whereCondition: { conditions: [], conjunction: 'and' } });
    expect(scoped.query).toMatch(/ FROM Account USING SCOPE mine ORDER BY Name ASC NULLS FIRST/);
  });

  it('follows an edited filter, and answers NOT_FOUND for an unknown view', async () => {
    emulator.store.setListViewFilter(
      'Contact',
      seed.listViews.managers,
      "Title LIKE '%Manager%' AND (NOT Email LIKE '%fabshoes%')",
    );
    const describe = (await conn.sobject('Contact').listview(seed.listViews.managers).describe()) as {
      query: string;
      whereCondition: unknown;
    };
    expect(describe.query).toContain(
      " WHERE Title LIKE '%Manager%' AND (NOT Email LIKE '%fabshoes%') ORDER BY",
    );
    expect(describe.whereCondition).toEqual({
      conjunction: 'and',
      conditions: [
        { field: 'Title', operator: 'like', values: ["'%Manager%'"] },
        { conjunction: 'not', conditions: [{ field: 'Email', operator: 'like', values: ["'%fabshoes%'"] }] },
      ],
    });
    await expect(conn.sobject('Contact').listview('00B5g000009ZZZZ').describe()).rejects.toMatchObject({
      errorCode: 'NOT_FOUND',
    });
    expect(() =>
      emulator.store.addListView({
        sobjectType: 'Contact',
        developerName: 'Bad',
        label: 'Bad',
        where: 'Nope = 1',
      }),
    ).toThrow(/No such column 'Nope'/);
  });
});
