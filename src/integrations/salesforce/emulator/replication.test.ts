import { Connection } from '@jsforce/jsforce-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SalesforceEmulator, startSalesforceEmulator } from './salesforce-emulator.ts';

/** getUpdated / getDeleted over REST (jsforce's conn.updated and conn.deleted), on a clock the test moves. */

const T0 = Date.parse('2026-03-02T09:00:00Z');
const minutes = (n: number) => new Date(T0 + n * 60_000);

let clock = T0;
let emulator: SalesforceEmulator;
let conn: Connection;

beforeAll(async () => {
  emulator = await startSalesforceEmulator({ now: () => clock });
  conn = new Connection({
    instanceUrl: emulator.instanceUrl,
    accessToken: emulator.issueAccessToken(),
    version: '62.0',
  });
});

afterAll(() => emulator.close());

describe('replication', () => {
  it('lists records written in a window, to the minute', async () => {
    const early = emulator.store.insert('Account', { Name: 'Early' }, { at: minutes(1) });
    const edited = emulator.store.insert('Account', { Name: 'Edited' }, { at: minutes(2) });
    emulator.store.update(
      'Account',
      edited,
      { Industry: 'Retail' },
      { at: new Date(T0 + 10 * 60_000 + 30_000) },
    );
    const late = emulator.store.insert('Account', { Name: 'Late' }, { at: minutes(20) });
    clock = T0 + 60 * 60_000;

    const firstWindow = await conn.updated('Account', minutes(0), minutes(5));
    expect(firstWindow).toEqual({ ids: [early], latestDateCovered: '2026-03-02T09:05:00.000+0000' });
    const secondWindow = await conn.updated('Account', new Date(T0 + 5 * 60_000 + 59_000), minutes(30));
    expect(secondWindow.ids).toEqual([edited, late]);
    expect(secondWindow.latestDateCovered).toBe('2026-03-02T09:30:00.000+0000');
  });

  it('lists deleted records with their deletion time and the earliest date available', async () => {
    const gone = emulator.store.insert('Contact', { LastName: 'Gone' }, { at: minutes(61) });
    emulator.store.delete('Contact', gone, { at: minutes(62) });
    clock = T0 + 90 * 60_000;
    const deleted = await conn.deleted('Contact', minutes(60), minutes(90));
    expect(deleted).toEqual({
      deletedRecords: [{ id: gone, deletedDate: '2026-03-02T10:02:00.000+0000' }],
      earliestDateAvailable: '2026-03-02T09:00:00.000+0000',
      latestDateCovered: '2026-03-02T10:30:00.000+0000',
    });
    expect((await conn.updated('Contact', minutes(60), minutes(90))).ids).toEqual([]);

    // The delete log outlives the recycle bin; purging moves earliestDateAvailable on.
    emulator.store.purge('Contact');
    const afterPurge = await conn.deleted('Contact', minutes(60), minutes(90));
    expect(afterPurge.deletedRecords).toHaveLength(1);
    expect(afterPurge.earliestDateAvailable).toBe('2026-03-02T10:30:00.000+0000');
  });

  it('refuses windows Salesforce refuses', async () => {
    await expect(conn.updated('Account', minutes(30), minutes(10))).rejects.toMatchObject({
      errorCode: 'INVALID_REPLICATION_DATE',
    });
    await expect(
      conn.updated('Account', new Date(clock - 31 * 86_400_000), minutes(10)),
    ).rejects.toMatchObject({
      errorCode: 'INVALID_REPLICATION_DATE',
    });
  });
});
