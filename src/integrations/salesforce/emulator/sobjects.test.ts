import { Connection } from '@jsforce/jsforce-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SalesforceEmulator, startSalesforceEmulator } from './salesforce-emulator.ts';
import { type CloudKicksSeed, seedCloudKicks } from './seed-cloud-kicks.ts';

/** describe, sObject rows and sObject Collections through jsforce's SObject API. */

let emulator: SalesforceEmulator;
let conn: Connection;
let seed: CloudKicksSeed;

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    seed: (store) => {
      seed = seedCloudKicks(store);
    },
    customObjects: [
      {
        name: 'Renewal__c',
        label: 'Renewal',
        fields: [
          {
            name: 'Account__c',
            type: 'reference',
            referenceTo: 'Account',
            childRelationshipName: 'Renewals__r',
          },
          { name: 'Amount__c', type: 'currency', precision: 18, scale: 2 },
          { name: 'Renewal_Date__c', type: 'date' },
        ],
      },
    ],
  });
  conn = new Connection({
    instanceUrl: emulator.instanceUrl,
    accessToken: emulator.issueAccessToken(),
    version: '62.0',
  });
});

afterAll(() => emulator.close());

describe('describe', () => {
  it('describes custom and compound fields, lookups and picklists', async () => {
    const account = await conn.sobject('Account').describe();
    expect(account).toMatchObject({ name: 'Account', keyPrefix: '001', custom: false, queryable: true });
    const field = (name: string) => account.fields.find((f) => f.name === name)!;
    expect(field('Tier__c')).toMatchObject({
      custom: true,
      type: 'picklist',
      restrictedPicklist: true,
      nillable: true,
      updateable: true,
      picklistValues: [
        { active: true, defaultValue: false, label: 'Platinum', validFor: null, value: 'Platinum' },
        expect.objectContaining({ value: 'Gold' }),
        expect.objectContaining({ value: 'Silver' }),
        expect.objectContaining({ value: 'Bronze' }),
      ],
    });
    expect(field('BillingAddress')).toMatchObject({
      type: 'address',
      compoundFieldName: null,
      createable: false,
      filterable: false,
    });
    expect(field('BillingCity')).toMatchObject({
      type: 'string',
      compoundFieldName: 'BillingAddress',
      length: 40,
    });
    expect(field('ParentId')).toMatchObject({
      type: 'reference',
      referenceTo: ['Account'],
      relationshipName: 'Parent',
    });
    expect(field('Customer_Number__c')).toMatchObject({ externalId: true, unique: true, idLookup: true });
    expect(field('Name')).toMatchObject({ nameField: true, nillable: false, createable: true });
    expect(field('IsDeleted')).toMatchObject({ type: 'boolean', updateable: false, createable: false });
    expect(account.childRelationships).toContainEqual(
      expect.objectContaining({ childSObject: 'Contact', field: 'AccountId', relationshipName: 'Contacts' }),
    );
    expect(account.childRelationships).toContainEqual(
      expect.objectContaining({
        childSObject: 'Renewal__c',
        field: 'Account__c',
        relationshipName: 'Renewals__r',
      }),
    );

    const contact = await conn.sobject('Contact').describe();
    const contactField = (name: string) => contact.fields.find((f) => f.name === name)!;
    expect(contactField('MailingAddress').type).toBe('address');
    expect(contactField('FirstName').compoundFieldName).toBe('Name');
    expect(contactField('AccountId')).toMatchObject({
      relationshipName: 'Account',
      referenceTo: ['Account'],
    });
    expect(contactField('HasOptedOutOfFax').type).toBe('boolean');

    const renewal = await conn.sobject('Renewal__c').describe();
    expect(renewal).toMatchObject({ custom: true, keyPrefix: 'a0A' });
    expect(renewal.fields.find((f) => f.name === 'Account__c')).toMatchObject({
      relationshipName: 'Account__r',
    });
  });

  it('lists objects in describeGlobal and refuses unknown ones', async () => {
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'Account',
        'Contact',
        'AccountTeamMember',
        'User',
        'Lead',
        'Campaign',
        'CampaignMember',
        'Case',
        'Renewal__c',
      ]),
    );
    await expect(conn.sobject('Nope__c').describe()).rejects.toMatchObject({ errorCode: 'NOT_FOUND' });
  });
});

describe('sObject rows', () => {
  it('creates, reads, updates and deletes one record', async () => {
    const created = await conn.sobject('Account').create({ Name: 'Sole Mates', Tier__c: 'Gold' });
    expect(created).toEqual({ id: expect.stringMatching(/^001[A-Za-z0-9]{15}$/), success: true, errors: [] });
    const record = await conn.sobject('Account').retrieve(created.id!);
    expect(record).toMatchObject({
      Name: 'Sole Mates',
      Tier__c: 'Gold',
      IsDeleted: false,
      BillingAddress: null,
    });
    const updated = await conn.sobject('Account').update({ Id: created.id!, Industry: 'Retail' });
    expect(updated).toEqual({ id: created.id, success: true, errors: [] });
    const stored = emulator.store.get('Account', created.id!)!;
    expect(stored.Industry).toBe('Retail');
    expect(stored.SystemModstamp).toBeGreaterThanOrEqual(stored.CreatedDate as number);
    await conn.sobject('Account').destroy(created.id!);
    expect(emulator.store.get('Account', created.id!)!.IsDeleted).toBe(true);
    await expect(conn.sobject('Account').retrieve(created.id!)).rejects.toMatchObject({
      errorCode: 'ENTITY_IS_DELETED',
    });
  });

  it('retrieves several records in one Collections call', async () => {
    const records = await conn.sobject('Contact').retrieve([seed.contacts.alan, seed.contacts.leung]);
    expect(records.map((r) => r.Email)).toEqual(['alan@gogetcloudy.com', 'leung@gogetcloudy.com']);
    expect(records[0]).toMatchObject({
      attributes: { type: 'Contact' },
      Name: 'Alan Johnson',
      MailingAddress: expect.objectContaining({ city: 'San Francisco' }),
    });
    expect(emulator.requests().at(-1)).toMatchObject({
      method: 'POST',
      path: '/services/data/v62.0/composite/sobjects/Contact',
    });
  });

  it('answers field errors as Salesforce does', async () => {
    await expect(
      conn.sobject('Contact').create({ FirstName: 'No', Email: 'x@example.com' }),
    ).rejects.toMatchObject({
      errorCode: 'REQUIRED_FIELD_MISSING',
      message: 'Required fields are missing: [LastName]',
      data: { fields: ['LastName'] },
    });
    await expect(
      conn.sobject('Account').create({ Name: 'Bad tier', Tier__c: 'Diamond' }),
    ).rejects.toMatchObject({
      errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      message: 'Tier: bad value for restricted picklist field: Diamond',
    });
    await expect(conn.sobject('Account').create({ Name: 'x', Nickname__c: 'y' })).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: "No such column 'Nickname__c' on sobject of type Account",
    });
    await expect(
      conn.sobject('Account').create({ Name: 'x', NumberOfEmployees: 'many' }),
    ).rejects.toMatchObject({
      errorCode: 'JSON_PARSER_ERROR',
    });
    await expect(conn.sobject('Account').retrieve('not-an-id')).rejects.toMatchObject({
      errorCode: 'NOT_FOUND',
      message: 'Provided external ID field does not exist or is not accessible: not-an-id',
    });
  });

  it('upserts by external id: 201 created, then 200 updated (API 46.0+)', async () => {
    const created = await conn
      .sobject('Account')
      .upsert({ Customer_Number__c: 'CK-9001', Name: 'Heel Appeal' }, 'Customer_Number__c');
    expect(created).toEqual({ id: expect.any(String), success: true, errors: [], created: true });
    const updated = await conn
      .sobject('Account')
      .upsert({ Customer_Number__c: 'CK-9001', Name: 'Heel Appeal Inc' }, 'Customer_Number__c');
    expect(updated).toEqual({ id: created.id, success: true, errors: [], created: false });
    const statuses = emulator
      .requests()
      .filter((r) => r.path.endsWith('/sobjects/Account/Customer_Number__c/CK-9001'))
      .map((r) => r.status);
    expect(statuses).toEqual([201, 200]);
    await expect(conn.sobject('Account').upsert({ Name: 'x', Phone: '1' }, 'Phone')).rejects.toThrow();
  });
});

describe('sObject Collections', () => {
  it('creates up to 200 records and reports a failing one without rolling back the others', async () => {
    const results = await conn.sobject('Contact').create([
      {
        AccountId: seed.accounts.fabShoes,
        FirstName: 'Ana',
        LastName: 'Lima',
        Email: 'ana@fabshoes.example.com',
      },
      { AccountId: seed.accounts.fabShoes, FirstName: 'No', Email: 'no-last-name@fabshoes.example.com' },
      { AccountId: seed.accounts.fabShoes, LastName: 'Quinn', Email: 'not an email' },
    ]);
    expect(results).toEqual([
      { id: expect.stringMatching(/^003/), success: true, errors: [] },
      {
        success: false,
        errors: [
          {
            statusCode: 'REQUIRED_FIELD_MISSING',
            message: 'Required fields are missing: [LastName]',
            fields: ['LastName'],
          },
        ],
      },
      {
        success: false,
        errors: [
          {
            statusCode: 'INVALID_EMAIL_ADDRESS',
            message: 'Email: invalid email address: not an email',
            fields: ['Email'],
          },
        ],
      },
    ]);
    expect(
      emulator
        .requests()
        .some((r) => r.method === 'POST' && r.path === '/services/data/v62.0/composite/sobjects'),
    ).toBe(true);
  });

  it('rolls everything back with allOrNone', async () => {
    const before = emulator.store.count('Contact');
    const results = await conn.sobject('Contact').create(
      [
        { AccountId: seed.accounts.fabShoes, LastName: 'Valid' },
        { AccountId: seed.accounts.fabShoes, FirstName: 'Invalid' },
      ],
      { allOrNone: true },
    );
    expect(results).toEqual([
      {
        success: false,
        errors: [
          {
            statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
            message:
              'Record rolled back because not all records were valid and the request was using AllOrNone header',
            fields: [],
          },
        ],
      },
      { success: false, errors: [expect.objectContaining({ statusCode: 'REQUIRED_FIELD_MISSING' })] },
    ]);
    expect(emulator.store.count('Contact')).toBe(before);
  });

  it('updates, upserts and deletes collections', async () => {
    const [a, b] = (await conn.sobject('Lead').create([
      { LastName: 'One', Company: 'First Co' },
      { LastName: 'Two', Company: 'Second Co' },
    ])) as { id: string }[];
    const updates = await conn.sobject('Lead').update([
      { Id: a!.id, Status: 'Working - Contacted' },
      { Id: '00Q5g0000000000EAA', Status: 'Working - Contacted' },
    ]);
    expect(updates).toEqual([
      { id: a!.id, success: true, errors: [] },
      {
        id: '00Q5g0000000000EAA',
        success: false,
        errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }],
      },
    ]);

    const upserts = await conn.sobject('Account').upsert(
      [
        { Customer_Number__c: 'CK-1001', Name: 'Get Cloudy Consulting', Tier__c: 'Platinum' },
        { Customer_Number__c: 'CK-7777', Name: 'New Balance Partners' },
      ],
      'Customer_Number__c',
    );
    expect(upserts).toEqual([
      { id: seed.accounts.getCloudy, success: true, errors: [], created: false },
      { id: expect.stringMatching(/^001/), success: true, errors: [], created: true },
    ]);
    expect(emulator.store.get('Account', seed.accounts.getCloudy)!.Tier__c).toBe('Platinum');

    const deleted = await conn.sobject('Lead').destroy([a!.id, b!.id, a!.id.slice(0, 15)]);
    expect(deleted).toEqual([
      { id: a!.id, success: true, errors: [] },
      { id: b!.id, success: true, errors: [] },
      {
        id: a!.id,
        success: false,
        errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }],
      },
    ]);
  });

  it('cascades an account delete to its contacts and team, and undeletes them together', async () => {
    await conn.sobject('Account').destroy(seed.accounts.urbanStride);
    expect(emulator.store.get('Contact', seed.contacts.nina)!.IsDeleted).toBe(true);
    const team = emulator.store
      .records('AccountTeamMember', { includeDeleted: true })
      .filter((m) => m.AccountId === seed.accounts.urbanStride);
    expect(team.every((m) => m.IsDeleted)).toBe(true);
    emulator.store.undelete('Account', seed.accounts.urbanStride);
    expect(emulator.store.get('Contact', seed.contacts.nina)!.IsDeleted).toBe(false);
  });
});
