import { Connection } from '@jsforce/jsforce-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SalesforceEmulator, startSalesforceEmulator } from './salesforce-emulator.ts';
import { type CloudKicksSeed, seedCloudKicks } from './seed-cloud-kicks.ts';

/** Bulk API 2.0 ingest through jsforce's bulk2.loadAndWaitForResults, as production writes back. */

let emulator: SalesforceEmulator;
let conn: Connection;
let seed: CloudKicksSeed;

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    bulkJobStepMs: 5,
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

describe('Bulk API 2.0 ingest', () => {
  it('inserts contacts, reporting each failed row with sf__Error', async () => {
    const results = await conn.bulk2.loadAndWaitForResults({
      object: 'Contact',
      operation: 'insert',
      pollInterval: 10,
      pollTimeout: 10_000,
      input: [
        {
          AccountId: seed.accounts.fabShoes,
          FirstName: 'Bea',
          LastName: 'Ortiz',
          Email: 'bea@fabshoes.example.com',
          DoNotCall: true,
        },
        { AccountId: seed.accounts.fabShoes, FirstName: 'Cal', Email: 'cal@fabshoes.example.com' },
      ],
    });
    expect(results.successfulResults).toEqual([
      expect.objectContaining({
        sf__Id: expect.stringMatching(/^003/),
        sf__Created: 'true',
        LastName: 'Ortiz',
        Email: 'bea@fabshoes.example.com',
      }),
    ]);
    expect(results.failedResults).toEqual([
      expect.objectContaining({
        sf__Id: '',
        sf__Error: 'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --',
        FirstName: 'Cal',
      }),
    ]);
    expect(results.unprocessedRecords).toEqual([]);
    const bea = emulator.store.get('Contact', results.successfulResults[0]!.sf__Id)!;
    expect(bea).toMatchObject({ LastName: 'Ortiz', DoNotCall: true, AccountId: seed.accounts.fabShoes });

    const upload = emulator.requests().find((r) => r.method === 'PUT' && r.path.endsWith('/batches'));
    expect(upload?.status).toBe(201);
  });

  it('upserts by external id, sets lookups through the parent external id, and nulls with #N/A', async () => {
    const csv = [
      'Customer_Number__c,Name,Tier__c,Parent.Customer_Number__c,Industry',
      'CK-1002,Get Cloudy Consulting EMEA,Gold,CK-1000,#N/A',
      'CK-3001,Kick It Forward,Bronze,CK-1001,Retail',
      'CK-3002,Orphan Shoes,Bronze,CK-0000,Retail',
    ].join('\n');
    const results = await conn.bulk2.loadAndWaitForResults({
      object: 'Account',
      operation: 'upsert',
      externalIdFieldName: 'Customer_Number__c',
      pollInterval: 10,
      input: csv,
    });
    const rows = results.successfulResults as unknown as Record<string, string>[];
    expect(rows.map((r) => [r.Customer_Number__c, r.sf__Created])).toEqual([
      ['CK-1002', 'false'],
      ['CK-3001', 'true'],
    ]);
    expect(results.failedResults).toEqual([
      expect.objectContaining({
        sf__Error:
          'INVALID_FIELD:Foreign key external ID: CK-0000 not found for field Customer_Number__c in entity Account:--',
      }),
    ]);
    const emea = emulator.store.get('Account', seed.accounts.getCloudyEmea)!;
    expect(emea).toMatchObject({ Tier__c: 'Gold', ParentId: seed.accounts.holdings, Industry: null });
  });

  it('updates and deletes by Id', async () => {
    const updated = await conn.bulk2.loadAndWaitForResults({
      object: 'Lead',
      operation: 'update',
      pollInterval: 10,
      input: [...emulator.store.records('Lead')].map((lead) => ({ Id: lead.Id, Rating: 'Warm' })),
    });
    expect(updated.successfulResults).toHaveLength(3);
    expect(emulator.store.records('Lead').every((l) => l.Rating === 'Warm')).toBe(true);

    const [first] = emulator.store.records('Lead');
    const deleted = await conn.bulk2.loadAndWaitForResults({
      object: 'Lead',
      operation: 'delete',
      pollInterval: 10,
      input: [{ Id: first!.Id }, { Id: '00Q5g0000000000EAA' }],
    });
    expect(deleted.successfulResults).toEqual([
      expect.objectContaining({ sf__Id: first!.Id, sf__Created: 'false' }),
    ]);
    expect(deleted.failedResults).toEqual([
      expect.objectContaining({
        sf__Id: '00Q5g0000000000EAA',
        sf__Error: 'ENTITY_IS_DELETED:entity is deleted:--',
      }),
    ]);
  });

  it('fails the whole job when the header names no such field', async () => {
    await expect(
      conn.bulk2.loadAndWaitForResults({
        object: 'Account',
        operation: 'insert',
        pollInterval: 10,
        input: 'Name,Nickname__c\nX,Y\n',
      }),
    ).rejects.toThrow(
      'Ingest job failed to complete due to: InvalidBatch : Field name not found : Nickname__c',
    );
  });
});
