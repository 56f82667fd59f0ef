import { expect } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness/test-app.ts';
import {
  type CloudKicksSeed,
  type SalesforceEmulator,
  seedCloudKicks,
  startSalesforceEmulator,
} from '../integrations/salesforce/emulator/index.ts';

/** Helpers of the Salesforce tests: the API as a browser and a script use it. */

export type Auth = { authorization: string };

export function apiOf(t: () => TestApp) {
  return (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, auth: Auth, payload?: unknown) =>
    t().app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: auth.authorization },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
}

/**
 * The seed's Cloud Kicks org in the emulator, an app running its workers, an admin, an empty
 * directory and a client-credentials connection to the org: where each sync test starts.
 */
export async function cloudKicksOrg(directoryName: string) {
  let seed: CloudKicksSeed | undefined;
  const emulator = await startSalesforceEmulator({
    seed: (store) => {
      seed = seedCloudKicks(store);
    },
  });
  const t = await createTestApp();
  await t.runtime.jobs.startWorkers(t.runtime);
  const admin = await t.bearerFor('admin');
  const api = apiOf(() => t);
  const directory = await api('POST', '/directories', admin, { name: directoryName });
  expect(directory.statusCode, directory.body).toBe(201);
  const connection = await api('POST', '/salesforce/connections', admin, {
    kind: 'client_credentials',
    name: 'Org',
    loginUrl: emulator.loginUrl,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
  });
  expect(connection.statusCode, connection.body).toBe(201);
  return {
    emulator,
    seed: seed!,
    t,
    admin,
    directoryId: directory.json().id as number,
    connectionId: connection.json().connection.id as number,
    close: async () => {
      await t.close();
      await emulator.close();
    },
  };
}

/**
 * Connects the emulated org by the OAuth 2.0 web server flow, as an administrator's browser does:
 * create the connection, follow the authorize redirect to the org's login page (the emulator
 * consents at once), and come back to the callback with the code and the state.
 */
export async function connectByOAuth(
  t: TestApp,
  admin: Auth,
  emulator: SalesforceEmulator,
  name = 'Cloud Kicks',
) {
  const api = apiOf(() => t);
  const created = await api('POST', '/salesforce/connections', admin, {
    kind: 'oauth',
    name,
    loginUrl: emulator.loginUrl,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
  });
  expect(created.statusCode, created.body).toBe(201);
  const { connection, authorizeUrl } = created.json();
  expect(connection.status).toBe('pending');
  const start = await t.app.inject({ method: 'GET', url: authorizeUrl, headers: admin });
  expect(start.statusCode, start.body).toBe(302);
  const login = new URL(String(start.headers.location));
  expect(`${login.origin}${login.pathname}`).toBe(`${emulator.loginUrl}/services/oauth2/authorize`);
  expect(login.searchParams.get('state')).toMatch(/^[\w-]{40,}$/);
  expect(login.searchParams.get('code_challenge')).toBeTruthy();
  const consent = await fetch(login, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const callback = new URL(String(consent.headers.get('location')));
  expect(callback.pathname).toBe('/api/v1/salesforce/oauth/callback');
  // The browser comes back without the API token: the state is what authorizes the callback.
  const back = await t.app.inject({ method: 'GET', url: `${callback.pathname}${callback.search}` });
  expect(back.statusCode).toBe(302);
  expect(back.headers.location).toBe(`/settings/connections?connected=${connection.id}`);
  const saved = await api('GET', `/salesforce/connections/${connection.id}`, admin);
  expect(saved.json()).toMatchObject({ status: 'connected', orgId: emulator.orgId, hasRefreshToken: true });
  return saved.json() as { id: number; orgId: string };
}

export async function waitForSyncRun(t: TestApp, auth: Auth, runId: number, timeoutMs = 120_000) {
  const api = apiOf(() => t);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await api('GET', `/salesforce/sync-runs/${runId}`, auth);
    const run = response.json();
    if (run.status === 'succeeded' || run.status === 'failed') return run;
    if (Date.now() > deadline) throw new Error(`sync run ${runId} did not finish: ${response.body}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Completed responses of a survey, one per contact of the directory (lowest ids first), inserted
 * set-based: NPS 0–10 cycling, a comment, and the embedded CRM ids a survey link would carry.
 */
export async function insertResponses(t: TestApp, surveyId: number, directoryId: number, count: number) {
  await t.runtime.db.query(
    `INSERT INTO responses (survey_id, version, resume_token, contact_id, account_id, status, answers, embedded,
                            nps_score, nps_category, completed_at)
     SELECT $1, 1, md5(random()::text || c.id), c.id, NULL, 'complete',
            jsonb_build_object('nps', (c.n - 1) % 11, 'comment', 'Comment ' || c.n),
            jsonb_build_object('sfContactId', c.external_ref),
            (c.n - 1) % 11,
            CASE WHEN (c.n - 1) % 11 >= 9 THEN 'promoter' WHEN (c.n - 1) % 11 >= 7 THEN 'passive' ELSE 'detractor' END,
            now()
     FROM (SELECT id, external_ref, row_number() OVER (ORDER BY id) AS n FROM contacts
           WHERE directory_id = $2 AND deleted_at IS NULL ORDER BY id LIMIT $3) c`,
    [surveyId, directoryId, count],
  );
}

/** A directory synced from the emulated org (client credentials), ready for surveys. */
export async function syncedDirectory(t: TestApp, admin: Auth, emulator: SalesforceEmulator, name: string) {
  const api = apiOf(() => t);
  const directoryId = (await api('POST', '/directories', admin, { name })).json().id as number;
  const connection = await api('POST', '/salesforce/connections', admin, {
    kind: 'client_credentials',
    name: `${name} org`,
    loginUrl: emulator.loginUrl,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
  });
  expect(connection.statusCode, connection.body).toBe(201);
  const connectionId = connection.json().connection.id as number;
  const saved = await api('PUT', `/directories/${directoryId}/salesforce/sync`, admin, {
    connectionId,
    objects: { Account: {}, Contact: { fields: ['Email'] }, AccountTeamMember: {} },
  });
  expect(saved.statusCode, saved.body).toBe(200);
  const { createSyncRun, executeSyncRun } = await import('./sync/run-sync.ts');
  const deps = { db: t.runtime.db, secrets: t.runtime.secrets, logger: t.runtime.logger, dataDir: t.dataDir };
  const run = await executeSyncRun(
    deps,
    (await createSyncRun(t.runtime.db, saved.json().id, { trigger: 'manual', createdBy: 'test' })).id,
  );
  expect(run.status).toBe('succeeded');
  return { directoryId, connectionId };
}

export async function createSurvey(t: TestApp, admin: Auth, directoryId: number) {
  const api = apiOf(() => t);
  const survey = await api('POST', `/directories/${directoryId}/surveys`, admin, {
    name: 'Relationship NPS',
    definition: {
      elements: [
        { type: 'rating', name: 'nps', rateMin: 0, rateMax: 10, isRequired: true },
        { type: 'comment', name: 'comment' },
      ],
    },
    metrics: { npsQuestion: 'nps' },
  });
  expect(survey.statusCode, survey.body).toBe(201);
  const id = survey.json().id as number;
  expect((await api('POST', `/surveys/${id}/activate`, admin)).statusCode).toBeLessThan(300);
  return id;
}
