import { generateKeyPairSync } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness/test-app.ts';
import {
  type SalesforceEmulator,
  seedCloudKicks,
  startSalesforceEmulator,
} from '../../integrations/salesforce/emulator/index.ts';
import { salesforceConnections } from '../salesforce.schema.ts';
import { apiOf, connectByOAuth } from '../testing.ts';

/** Connections: the three OAuth flows, tokens sealed at rest, refresh on 401, test, rename, disconnect. */

let emulator: SalesforceEmulator;
let t: TestApp;
let admin: { authorization: string };
let cx: { authorization: string };
let privateKey: string;
const api = apiOf(() => t);

beforeAll(async () => {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  privateKey = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const pems = await generate([{ name: 'commonName', value: 'rapport-jwt' }], {
    keyPair: { privateKey, publicKey: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
  });
  emulator = await startSalesforceEmulator({
    connectedApp: { jwtCertificate: pems.cert },
    seed: (store) => void seedCloudKicks(store),
  });
  t = await createTestApp();
  admin = await t.bearerFor('admin');
  cx = await t.bearerFor('cx_manager');
}, 60_000);

afterAll(async () => {
  await t?.close();
  await emulator?.close();
});

const row = async (id: number) =>
  (await t.runtime.db.orm.select().from(salesforceConnections).where(eq(salesforceConnections.id, id)))[0]!;

describe('connections', () => {
  it('connects by OAuth and keeps the tokens and the client secret sealed, bound to the row', async () => {
    const connection = await connectByOAuth(t, admin, emulator, 'Web server flow');
    const stored = await row(connection.id);
    for (const value of [stored.accessTokenSealed, stored.refreshTokenSealed, stored.clientSecretSealed]) {
      expect(value).toMatch(/^v1\./);
      expect(value).not.toContain(emulator.clientSecret);
    }
    expect(
      t.runtime.secrets.decrypt(
        stored.clientSecretSealed!,
        `salesforce_connections:${connection.id}:client_secret`,
      ),
    ).toBe(emulator.clientSecret);
    // Copied to another row, a sealed value does not open.
    expect(() =>
      t.runtime.secrets.decrypt(
        stored.accessTokenSealed!,
        `salesforce_connections:${connection.id + 1}:access_token`,
      ),
    ).toThrow(/belongs to another record/);
    const listed = (await api('GET', '/salesforce/connections', cx)).json().items;
    expect(JSON.stringify(listed)).not.toMatch(/v1\.|refresh_token|clientSecret/);
  });

  it('connects with JWT bearer and with client credentials, and refreshes their expired tokens by minting new ones', async () => {
    const jwt = await api('POST', '/salesforce/connections', admin, {
      kind: 'jwt',
      name: 'JWT',
      loginUrl: emulator.loginUrl,
      clientId: emulator.clientId,
      username: emulator.username,
      privateKey,
    });
    expect(jwt.statusCode, jwt.body).toBe(201);
    expect(jwt.json().connection).toMatchObject({
      status: 'connected',
      orgId: emulator.orgId,
      username: emulator.username,
    });
    const cc = await api('POST', '/salesforce/connections', admin, {
      kind: 'client_credentials',
      name: 'Client credentials',
      loginUrl: emulator.loginUrl,
      clientId: emulator.clientId,
      clientSecret: emulator.clientSecret,
    });
    expect(cc.statusCode, cc.body).toBe(201);

    for (const id of [jwt.json().connection.id, cc.json().connection.id]) {
      const before = (await row(id)).accessTokenSealed;
      emulator.expireSessions();
      const tested = await api('POST', `/salesforce/connections/${id}/test`, admin);
      expect(tested.json(), tested.body).toMatchObject({
        ok: true,
        identity: { orgId: emulator.orgId },
        apiUsage: { used: expect.any(Number), max: 100_000 },
      });
      // The refreshed token is saved (the 'refresh' event writes it asynchronously).
      await new Promise((r) => setTimeout(r, 100));
      expect((await row(id)).accessTokenSealed).not.toBe(before);
    }

    const badKey = await api('POST', '/salesforce/connections', admin, {
      kind: 'jwt',
      name: 'Wrong key',
      loginUrl: emulator.loginUrl,
      clientId: emulator.clientId,
      username: emulator.username,
      privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    });
    expect(badKey.statusCode).toBe(400);
    expect(badKey.json().error.message).toBe(
      'Salesforce refused the connection: invalid_grant: invalid assertion',
    );
    const badSecret = await api('POST', '/salesforce/connections', admin, {
      kind: 'client_credentials',
      name: 'Wrong secret',
      loginUrl: emulator.loginUrl,
      clientId: emulator.clientId,
      clientSecret: 'nope',
    });
    expect(badSecret.statusCode).toBe(400);
  });

  it('refuses a state that was used, unknown or forged', async () => {
    const callback = await t.app.inject({
      method: 'GET',
      url: '/api/v1/salesforce/oauth/callback?code=abc&state=forged-state',
    });
    expect(callback.statusCode).toBe(302);
    expect(decodeURIComponent(String(callback.headers.location))).toMatch(
      /error=This authorization is unknown, used or expired/,
    );
  });

  it('renames, says what uses a connection, and disconnects only once that is confirmed', async () => {
    const connection = (
      await api('POST', '/salesforce/connections', admin, {
        kind: 'client_credentials',
        name: 'To remove',
        loginUrl: emulator.loginUrl,
        clientId: emulator.clientId,
        clientSecret: emulator.clientSecret,
      })
    ).json().connection;
    const renamed = await api('PATCH', `/salesforce/connections/${connection.id}`, admin, {
      name: 'Cloud Kicks production',
    });
    expect(renamed.json().name).toBe('Cloud Kicks production');
    expect(
      (await api('PATCH', `/salesforce/connections/${connection.id}`, cx, { name: 'x' })).statusCode,
    ).toBe(403);

    const directory = (await api('POST', '/directories', admin, { name: 'Uses it' })).json();
    const saved = await api('PUT', `/directories/${directory.id}/salesforce/sync`, admin, {
      connectionId: connection.id,
      objects: { Account: {}, Contact: {} },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const uses = (await api('GET', `/salesforce/connections/${connection.id}/usage`, admin)).json().items;
    expect(uses).toEqual([
      {
        kind: 'sync',
        id: saved.json().id,
        name: 'Directory sync',
        directoryId: directory.id,
        directoryName: 'Uses it',
      },
    ]);

    const refused = await api('DELETE', `/salesforce/connections/${connection.id}`, admin);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(
      /1 task\(s\) use this connection and will stop working: Directory sync \(Uses it\)/,
    );
    const deleted = await api('DELETE', `/salesforce/connections/${connection.id}?confirm=true`, admin);
    expect(deleted.json()).toMatchObject({ deleted: true, stopped: [{ kind: 'sync' }] });
    const orphan = (await api('GET', `/directories/${directory.id}/salesforce/sync`, admin)).json();
    expect(orphan.sync.connectionId).toBeNull();
    const run = await api('POST', `/directories/${directory.id}/salesforce/sync/runs`, admin, {});
    expect(run.statusCode).toBe(409);
  });

  it('describes objects with compound fields flagged, and refuses them in a sync', async () => {
    const connection = (await api('GET', '/salesforce/connections', admin)).json().items[0];
    const described = (
      await api('GET', `/salesforce/connections/${connection.id}/describe/Account`, admin)
    ).json();
    const billing = described.fields.find((f: { name: string }) => f.name === 'BillingAddress');
    expect(billing.compound).toMatch(
      /^BillingAddress is a Salesforce compound field: compound fields cannot be imported/,
    );
    expect(described.fields.find((f: { name: string }) => f.name === 'Tier__c')).toMatchObject({
      custom: true,
      compound: null,
    });
    const directory = (await api('POST', '/directories', admin, { name: 'Compound' })).json();
    const refused = await api('PUT', `/directories/${directory.id}/salesforce/sync`, admin, {
      connectionId: connection.id,
      objects: { Account: { fields: ['BillingAddress', 'Nope__c'], where: "Bogus = 'x'" } },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details).toEqual([
      {
        path: 'objects.Account.fields.0',
        message: expect.stringMatching(/compound fields cannot be imported/),
      },
      { path: 'objects.Account.fields.1', message: 'Account has no field Nope__c' },
      { path: 'objects.Account.where', message: expect.any(String) },
    ]);
  });
});
