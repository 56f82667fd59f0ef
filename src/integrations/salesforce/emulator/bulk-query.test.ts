import { Connection } from '@jsforce/jsforce-node';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOrg } from './generate-org.ts';
import { type SalesforceEmulator, startSalesforceEmulator } from './salesforce-emulator.ts';

/**
 * Bulk API 2.0 query jobs. jsforce's bulk2.query pipes every results page into one CSV parser
 * that ends with the first page, so production pages the results itself: create the job with
 * jsforce, poll it, then GET /results?locator=… until Sforce-Locator is the string "null".
 */

let emulator: SalesforceEmulator;
let conn: Connection;

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    bulkJobStepMs: 10,
    seed: (store) => {
      generateOrg(store, { accounts: 5000, contactsPerAccount: 5, teamPerAccount: 1 });
    },
  });
  conn = new Connection({
    instanceUrl: emulator.instanceUrl,
    accessToken: emulator.issueAccessToken(),
    version: '62.0',
  });
});

afterAll(() => emulator.close());

interface Page {
  locator: string;
  count: number;
  rows: Record<string, string>[];
}

/** One results page over plain HTTP, as production reads it (jsforce does not expose the headers). */
async function resultsPage(jobId: string, locator: string | null, maxRecords: number): Promise<Page> {
  const query = new URLSearchParams({ maxRecords: String(maxRecords) });
  if (locator) query.set('locator', locator);
  const response = await fetch(
    `${conn.instanceUrl}/services/data/v${conn.version}/jobs/query/${jobId}/results?${query}`,
    {
      headers: { Authorization: `Bearer ${conn.accessToken}`, Accept: 'text/csv' },
    },
  );
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/csv');
  return {
    locator: response.headers.get('sforce-locator')!,
    count: Number(response.headers.get('sforce-numberofrecords')),
    rows: parse(await response.text(), { columns: true }),
  };
}

async function completedJob(soql: string, operation: 'query' | 'queryAll' = 'query') {
  const job = await conn.request<{ id: string; state: string; operation: string; object: string }>({
    method: 'POST',
    url: `/services/data/v${conn.version}/jobs/query`,
    body: JSON.stringify({ operation, query: soql }),
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
  const states = [job.state];
  for (;;) {
    const info = await conn.request<{ state: string; numberRecordsProcessed: number }>(
      `/services/data/v${conn.version}/jobs/query/${job.id}`,
    );
    if (states.at(-1) !== info.state) states.push(info.state);
    if (info.state === 'JobComplete') return { job, states, info };
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('Bulk API 2.0 query', () => {
  it('moves a job UploadComplete → InProgress → JobComplete', async () => {
    const { job, states, info } = await completedJob('SELECT Id, Name, Parent.Id FROM Account');
    expect(job).toMatchObject({ operation: 'query', object: 'Account', state: 'UploadComplete' });
    expect(states).toEqual(['UploadComplete', 'InProgress', 'JobComplete']);
    expect(info).toMatchObject({ numberRecordsProcessed: 5000, jobType: 'V2Query', apiVersion: 62 });
  });

  it('pages 25,000 contacts by Sforce-Locator until the literal null', async () => {
    const { job } = await completedJob(
      'SELECT Id, Email, Account.Id, Account.Customer_Number__c FROM Contact',
    );
    const pages: Page[] = [];
    let locator: string | null = null;
    do {
      const page = await resultsPage(job.id, locator, 10_000);
      pages.push(page);
      locator = page.locator === 'null' ? null : page.locator;
    } while (locator);
    expect(pages.map((p) => p.count)).toEqual([10_000, 10_000, 5000]);
    expect(pages.map((p) => p.locator)).toEqual([
      expect.stringMatching(/^\w+$/),
      expect.stringMatching(/^\w+$/),
      'null',
    ]);
    const rows = pages.flatMap((p) => p.rows);
    expect(new Set(rows.map((r) => r.Id)).size).toBe(25_000);
    expect(Object.keys(rows[0]!)).toEqual(['Id', 'Email', 'Account.Id', 'Account.Customer_Number__c']);
    expect(rows[0]!['Account.Customer_Number__c']).toMatch(/^GEN-\d{6}$/);

    // A locator can be read again as long as the job exists.
    const again = await resultsPage(job.id, pages[0]!.locator, 10_000);
    expect(again.rows[0]).toEqual(pages[1]!.rows[0]);
  });

  it('writes an empty cell for an empty lookup, and queryAll includes deleted rows', async () => {
    const [first] = emulator.store.records('Account');
    emulator.store.delete('Account', first!.Id);
    const { job } = await completedJob(
      `SELECT Id, Parent.Id, IsDeleted FROM Account WHERE Id = '${first!.Id}'`,
      'queryAll',
    );
    const page = await resultsPage(job.id, null, 100);
    expect(page.rows).toEqual([{ Id: first!.Id, 'Parent.Id': '', IsDeleted: 'true' }]);
    emulator.store.undelete('Account', first!.Id);
  });

  it('refuses what Bulk API 2.0 cannot run', async () => {
    const create = (query: string) =>
      conn.request({
        method: 'POST',
        url: `/services/data/v${conn.version}/jobs/query`,
        body: JSON.stringify({ operation: 'query', query }),
        headers: { 'content-type': 'application/json' },
      });
    await expect(create('SELECT COUNT() FROM Account')).rejects.toMatchObject({ errorCode: 'API_ERROR' });
    await expect(create('SELECT BillingAddress FROM Account')).rejects.toMatchObject({
      errorCode: 'API_ERROR',
    });
    await expect(create('SELECT Bogus__c FROM Account')).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
    });
  });

  it("reads a single page through jsforce's own bulk2.query", async () => {
    const records = await (
      await conn.bulk2.query("SELECT Id, Name FROM Account WHERE Name LIKE 'Generated Account 00000%'", {
        pollInterval: 10,
      })
    ).toArray();
    expect(records).toHaveLength(9);
  });
});
