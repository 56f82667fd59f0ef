import { Connection } from '@jsforce/jsforce-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOrg } from './generate-org.ts';
import { type SalesforceEmulator, startSalesforceEmulator } from './salesforce-emulator.ts';

/** A 100,000-contact org, read the way a nightly directory import reads Salesforce. */

let emulator: SalesforceEmulator;
let conn: Connection;

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    bulkJobStepMs: 5,
    seed: (store) => {
      generateOrg(store, { accounts: 20_000, contactsPerAccount: 5, teamPerAccount: 2 });
    },
  });
  conn = new Connection({
    instanceUrl: emulator.instanceUrl,
    accessToken: emulator.issueAccessToken(),
    version: '62.0',
  });
}, 120_000);

afterAll(() => emulator.close());

describe('a 100,000-contact org', () => {
  it('pages every contact through REST, 50 batches of 2,000', async () => {
    const result = await conn.query(
      'SELECT Id, IsDeleted, AccountId, Title, FirstName, LastName, Email, Phone FROM Contact',
      {
        autoFetch: true,
        maxFetch: 1_000_000,
      },
    );
    expect(result.totalSize).toBe(100_000);
    expect(result.records).toHaveLength(100_000);
    expect(new Set(result.records.map((r) => r.Id)).size).toBe(100_000);
  }, 120_000);

  it('reads the account team with user emails', async () => {
    const team = await conn.query(
      'SELECT AccountId, User.Email, TeamMemberRole, IsDeleted FROM AccountTeamMember',
      {
        autoFetch: true,
        maxFetch: 1_000_000,
      },
    );
    expect(team.records).toHaveLength(40_000);
    expect(team.records[0]!.User.Email).toMatch(/@cloudkicks\.example\.com$/);
  }, 120_000);
});
