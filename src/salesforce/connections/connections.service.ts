import { createHash, randomBytes } from 'node:crypto';
import { Connection } from '@jsforce/jsforce-node';
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { listDirectories } from '../../directory/directories.service.ts';
import type { Database, Executor } from '../../platform/db/database.ts';
import { badRequest, conflict, notFound, validationFailed } from '../../platform/errors.ts';
import { recordAudit } from '../../system/audit.service.ts';
import { type Actor, actorLabel, authorize } from '../../users/roles.ts';
import { JWT_BEARER_GRANT, jwtAssertion, privateKeyProblem } from '../client/jwt-assertion.ts';
import { describeFailure } from '../client/sf-errors.ts';
import {
  salesforceConnections,
  salesforceLeadForms,
  salesforceOauthStates,
  salesforceOutboundTriggers,
  salesforceSyncs,
  salesforceWritebacks,
} from '../salesforce.schema.ts';
import {
  API_VERSION,
  type ConnectionDeps,
  type ConnectionRow,
  identityOf,
  oauthClient,
  openConnection,
  seal,
  unseal,
} from './open-connection.ts';

const ZUrl = z
  .url({ protocol: /^https?$/, error: 'expected an https:// URL such as https://login.salesforce.com' })
  .transform((u) => u.replace(/\/+$/, ''));
const ZName = z.string().trim().min(1).max(200);

export const ZConnectionCreate = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('oauth'),
    name: ZName,
    loginUrl: ZUrl.default('https://login.salesforce.com'),
    clientId: z.string().trim().min(1).max(300),
    clientSecret: z.string().trim().min(1).max(300),
  }),
  z.object({
    kind: z.literal('jwt'),
    name: ZName,
    loginUrl: ZUrl.default('https://login.salesforce.com'),
    clientId: z.string().trim().min(1).max(300),
    username: z.string().trim().min(1).max(200),
    privateKey: z.string().trim().min(1).max(20_000),
  }),
  z.object({
    kind: z.literal('client_credentials'),
    name: ZName,
    /** The org's My Domain URL (the client credentials flow does not work on login.salesforce.com). */
    loginUrl: ZUrl,
    clientId: z.string().trim().min(1).max(300),
    clientSecret: z.string().trim().min(1).max(300),
  }),
]);
export type ConnectionCreate = z.input<typeof ZConnectionCreate>;

export function toPublicConnection(row: ConnectionRow) {
  return {
    id: row.id,
    name: row.name,
    authKind: row.authKind,
    loginUrl: row.loginUrl,
    clientId: row.clientId,
    jwtUsername: row.jwtUsername,
    instanceUrl: row.instanceUrl,
    apiVersion: row.apiVersion,
    orgId: row.orgId,
    userId: row.userId,
    username: row.username,
    status: row.status,
    lastError: row.lastError,
    lastTestedAt: row.lastTestedAt?.toISOString() ?? null,
    apiUsage: (row.apiUsage as { used: number; max: number; at: string } | null) ?? null,
    hasRefreshToken: row.refreshTokenSealed !== null,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type PublicConnection = ReturnType<typeof toPublicConnection>;

export async function getConnectionRow(db: Executor, id: number): Promise<ConnectionRow> {
  const [row] = await db.select().from(salesforceConnections).where(eq(salesforceConnections.id, id));
  if (!row) throw notFound(`No Salesforce connection ${id}`);
  return row;
}

export async function listConnections(db: Executor, actor: Actor) {
  authorize(actor, 'data:read');
  const rows = await db.select().from(salesforceConnections).orderBy(asc(salesforceConnections.name));
  return rows.map(toPublicConnection);
}

export async function getConnection(db: Executor, actor: Actor, id: number) {
  authorize(actor, 'data:read');
  return toPublicConnection(await getConnectionRow(db, id));
}

/** Who a token is: org, user and username, from the identity URL (not counted as an API call). */
async function whoIs(instanceUrl: string, accessToken: string) {
  const conn = new Connection({ instanceUrl, accessToken, version: API_VERSION });
  const identity = await conn.identity();
  return { orgId: identity.organization_id, userId: identity.user_id, username: identity.username };
}

const failed = (what: string, error: unknown) => {
  const { errorCode, message } = describeFailure(error);
  return badRequest(
    `${what}: ${errorCode && !message.includes(errorCode) ? `${errorCode}: ` : ''}${message}`,
  );
};

/**
 * Connects an org. OAuth (web server flow) saves the app's credentials and waits for the user to
 * authorize (authorizeUrl); JWT bearer and client credentials get their first token now, so a
 * wrong key or secret is refused before anything is saved.
 */
export async function createConnection(deps: ConnectionDeps, actor: Actor, raw: unknown) {
  authorize(actor, 'settings:manage');
  const input = ZConnectionCreate.parse(raw);
  let token: {
    accessToken: string;
    instanceUrl: string;
    orgId: string;
    userId: string;
    username: string;
  } | null = null;
  if (input.kind === 'jwt') {
    const problem = privateKeyProblem(input.privateKey);
    if (problem)
      throw validationFailed('The private key cannot be used', [{ path: 'privateKey', message: problem }]);
  }
  if (input.kind !== 'oauth') {
    const client = oauthClient(input, input.kind === 'client_credentials' ? input.clientSecret : null);
    try {
      const answer = await client.requestToken(
        input.kind === 'jwt'
          ? {
              grant_type: JWT_BEARER_GRANT,
              assertion: jwtAssertion({
                clientId: input.clientId,
                username: input.username,
                loginUrl: input.loginUrl,
                privateKeyPem: input.privateKey,
              }),
            }
          : { grant_type: 'client_credentials' },
      );
      const who = await whoIs(answer.instance_url, answer.access_token);
      token = { accessToken: answer.access_token, instanceUrl: answer.instance_url, ...who };
    } catch (error) {
      throw failed('Salesforce refused the connection', error);
    }
  }
  const { db, secrets } = deps;
  const row = await db.orm.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(salesforceConnections)
      .values({
        name: input.name,
        authKind: input.kind,
        loginUrl: input.loginUrl,
        clientId: input.clientId,
        jwtUsername: input.kind === 'jwt' ? input.username : null,
        apiVersion: API_VERSION,
        status: token ? 'connected' : 'pending',
        createdBy: actorLabel(actor),
      })
      .returning();
    const id = inserted!.id;
    const [saved] = await tx
      .update(salesforceConnections)
      .set({
        clientSecretSealed:
          input.kind === 'jwt' ? null : seal(secrets, id, 'client_secret', input.clientSecret),
        privateKeySealed: input.kind === 'jwt' ? seal(secrets, id, 'private_key', input.privateKey) : null,
        ...(token
          ? {
              accessTokenSealed: seal(secrets, id, 'access_token', token.accessToken),
              instanceUrl: token.instanceUrl,
              orgId: token.orgId,
              userId: token.userId,
              username: token.username,
              lastTestedAt: new Date(),
            }
          : {}),
      })
      .where(eq(salesforceConnections.id, id))
      .returning();
    await recordAudit(tx, actor, {
      action: 'salesforce.connection_created',
      targetType: 'salesforce_connection',
      targetId: id,
      details: { name: input.name, kind: input.kind, orgId: token?.orgId ?? null },
    });
    return saved!;
  });
  return toPublicConnection(row);
}

const STATE_LIFETIME_MS = 15 * 60_000;
const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

/**
 * Step 1 of the web server flow: the Salesforce login page to send the user to, with a single-use
 * state (256 random bits) and a PKCE challenge. Also re-authorizes a connected org.
 */
export async function startAuthorization(
  deps: ConnectionDeps,
  actor: Actor,
  connectionId: number,
  redirectUri: string,
): Promise<string> {
  authorize(actor, 'settings:manage');
  const row = await getConnectionRow(deps.db.orm, connectionId);
  if (row.authKind !== 'oauth') throw badRequest('Only an OAuth connection is authorized in the browser');
  const client = oauthClient(row, null, redirectUri, { pkce: true });
  const state = randomBytes(32).toString('base64url');
  const url = client.getAuthorizationUrl({ state, scope: 'api refresh_token', prompt: 'login consent' });
  const stateHash = hashState(state);
  await deps.db.orm.delete(salesforceOauthStates).where(sql`${salesforceOauthStates.expiresAt} < now()`);
  await deps.db.orm.insert(salesforceOauthStates).values({
    stateHash,
    connectionId,
    codeVerifierSealed: deps.secrets.encrypt(client.codeVerifier!, `salesforce_oauth_states:${stateHash}`),
    redirectUri,
    createdBy: actorLabel(actor),
    expiresAt: new Date(Date.now() + STATE_LIFETIME_MS),
  });
  return url;
}

/**
 * Step 2: Salesforce sent the browser back with a code. The state names the connection (and is
 * used up); the code, the PKCE verifier and the app secret buy the tokens, stored sealed.
 */
export async function completeAuthorization(
  deps: ConnectionDeps,
  input: {
    code?: string | undefined;
    state?: string | undefined;
    error?: string | undefined;
    errorDescription?: string | undefined;
  },
): Promise<{ connectionId: number }> {
  if (!input.state) throw badRequest('The Salesforce callback carries no state');
  const stateHash = hashState(input.state);
  const [pending] = await deps.db.orm
    .delete(salesforceOauthStates)
    .where(
      and(eq(salesforceOauthStates.stateHash, stateHash), gt(salesforceOauthStates.expiresAt, new Date())),
    )
    .returning();
  if (!pending)
    throw badRequest(
      'This authorization is unknown, used or expired: start again from Settings → Connections',
    );
  const row = await getConnectionRow(deps.db.orm, pending.connectionId);
  const markError = async (message: string) => {
    await deps.db.orm
      .update(salesforceConnections)
      .set({
        status: row.status === 'pending' ? 'pending' : 'error',
        lastError: message,
        updatedAt: new Date(),
      })
      .where(eq(salesforceConnections.id, row.id));
    return { connectionId: row.id, error: message };
  };
  if (input.error || !input.code) {
    const message = `Salesforce did not authorize: ${input.errorDescription ?? input.error ?? 'no code'}`;
    await markError(message);
    throw badRequest(message);
  }
  const client = oauthClient(
    row,
    unseal(deps.secrets, row, 'client_secret', row.clientSecretSealed),
    pending.redirectUri,
  );
  client.codeVerifier = deps.secrets.decrypt(
    pending.codeVerifierSealed,
    `salesforce_oauth_states:${stateHash}`,
  );
  let who: Awaited<ReturnType<typeof whoIs>>;
  let answer: Awaited<ReturnType<typeof client.requestToken>>;
  try {
    answer = await client.requestToken(input.code);
    who = await whoIs(answer.instance_url, answer.access_token);
    identityOf(answer.id);
  } catch (error) {
    const problem = failed('Salesforce refused the authorization code', error);
    await markError(problem.message);
    throw problem;
  }
  const { secrets } = deps;
  // The org's API usage, to show beside the new connection (best effort: one call).
  const apiUsage = await new Connection({
    instanceUrl: answer.instance_url,
    accessToken: answer.access_token,
    version: API_VERSION,
  })
    .limits()
    .then((limits) => {
      const daily = limits.DailyApiRequests;
      return daily
        ? { used: daily.Max - daily.Remaining, max: daily.Max, at: new Date().toISOString() }
        : null;
    })
    .catch(() => null);
  await deps.db.orm.transaction(async (tx) => {
    await tx
      .update(salesforceConnections)
      .set({
        apiUsage,
        instanceUrl: answer.instance_url,
        accessTokenSealed: seal(secrets, row.id, 'access_token', answer.access_token),
        refreshTokenSealed: answer.refresh_token
          ? seal(secrets, row.id, 'refresh_token', answer.refresh_token)
          : row.refreshTokenSealed,
        orgId: who.orgId,
        userId: who.userId,
        username: who.username,
        status: 'connected',
        lastError: null,
        lastTestedAt: new Date(),
        updatedAt: new Date(),
      })
      .where(eq(salesforceConnections.id, row.id));
    await recordAudit(
      tx,
      { kind: 'system', label: pending.createdBy },
      {
        action: 'salesforce.connection_authorized',
        targetType: 'salesforce_connection',
        targetId: row.id,
        details: { orgId: who.orgId, username: who.username },
      },
    );
  });
  return { connectionId: row.id };
}

/** Identity and limits: proves the tokens work (refreshing them if needed) and reads the API usage. */
export async function testConnection(deps: ConnectionDeps, actor: Actor, id: number) {
  authorize(actor, 'data:read');
  const row = await getConnectionRow(deps.db.orm, id);
  const conn = openConnection(deps, row);
  try {
    const identity = await conn.identity();
    const limits = await conn.limits();
    const daily = limits.DailyApiRequests;
    const apiUsage = daily
      ? { used: daily.Max - daily.Remaining, max: daily.Max, at: new Date().toISOString() }
      : null;
    const [saved] = await deps.db.orm
      .update(salesforceConnections)
      .set({
        status: 'connected',
        lastError: null,
        lastTestedAt: new Date(),
        apiUsage,
        orgId: identity.organization_id,
        userId: identity.user_id,
        username: identity.username,
        updatedAt: new Date(),
      })
      .where(eq(salesforceConnections.id, id))
      .returning();
    return {
      ok: true as const,
      connection: toPublicConnection(saved!),
      identity: {
        username: identity.username,
        displayName: identity.display_name,
        email: identity.email,
        orgId: identity.organization_id,
        userId: identity.user_id,
      },
      apiUsage,
    };
  } catch (error) {
    const { errorCode, message } = describeFailure(error);
    const text = errorCode && !message.includes(errorCode) ? `${errorCode}: ${message}` : message;
    const [saved] = await deps.db.orm
      .update(salesforceConnections)
      .set({
        status: 'error',
        lastError: text.slice(0, 2000),
        lastTestedAt: new Date(),
        updatedAt: new Date(),
      })
      .where(eq(salesforceConnections.id, id))
      .returning();
    return { ok: false as const, connection: toPublicConnection(saved!), error: text };
  }
}

export async function renameConnection(db: Database, actor: Actor, id: number, name: string) {
  authorize(actor, 'settings:manage');
  const parsed = ZName.parse(name);
  return db.orm.transaction(async (tx) => {
    const [row] = await tx
      .update(salesforceConnections)
      .set({ name: parsed, updatedAt: new Date() })
      .where(eq(salesforceConnections.id, id))
      .returning();
    if (!row) throw notFound(`No Salesforce connection ${id}`);
    await recordAudit(tx, actor, {
      action: 'salesforce.connection_renamed',
      targetType: 'salesforce_connection',
      targetId: id,
      details: { name: parsed },
    });
    return toPublicConnection(row);
  });
}

export interface ConnectionUse {
  kind: 'sync' | 'outbound_trigger' | 'writeback' | 'lead_form';
  id: number;
  name: string;
  directoryId: number;
  directoryName: string;
}

/** What stops working if the connection goes: syncs, Outbound Message triggers, write-backs, lead forms. */
export async function connectionUsage(db: Executor, actor: Actor, id: number): Promise<ConnectionUse[]> {
  authorize(actor, 'data:read');
  await getConnectionRow(db, id);
  const directories = new Map((await listDirectories(db, actor)).map((d) => [d.id, d.name]));
  const uses: Omit<ConnectionUse, 'directoryName'>[] = [];
  for (const s of await db.select().from(salesforceSyncs).where(eq(salesforceSyncs.connectionId, id)))
    uses.push({ kind: 'sync', id: s.id, name: 'Directory sync', directoryId: s.directoryId });
  for (const t of await db
    .select()
    .from(salesforceOutboundTriggers)
    .where(eq(salesforceOutboundTriggers.connectionId, id)))
    uses.push({ kind: 'outbound_trigger', id: t.id, name: t.name, directoryId: t.directoryId });
  for (const w of await db
    .select()
    .from(salesforceWritebacks)
    .where(eq(salesforceWritebacks.connectionId, id)))
    uses.push({ kind: 'writeback', id: w.id, name: w.name, directoryId: w.directoryId });
  for (const f of await db.select().from(salesforceLeadForms).where(eq(salesforceLeadForms.connectionId, id)))
    uses.push({ kind: 'lead_form', id: f.id, name: f.name, directoryId: f.directoryId });
  return uses.map((u) => ({ ...u, directoryName: directories.get(u.directoryId) ?? String(u.directoryId) }));
}

/**
 * Disconnects: revokes the refresh token at Salesforce (best effort) and deletes the connection.
 * What used it stops working (the seed's warning): refused unless `confirm` acknowledges the list.
 */
export async function deleteConnection(deps: ConnectionDeps, actor: Actor, id: number, confirm: boolean) {
  authorize(actor, 'settings:manage');
  const row = await getConnectionRow(deps.db.orm, id);
  const uses = await connectionUsage(deps.db.orm, actor, id);
  if (uses.length > 0 && !confirm) {
    throw conflict(
      `${uses.length} task(s) use this connection and will stop working: ${uses
        .map((u) => `${u.name} (${u.directoryName})`)
        .join(', ')}. Confirm to disconnect anyway.`,
      { uses },
    );
  }
  const refreshToken = row.refreshTokenSealed
    ? unseal(deps.secrets, row, 'refresh_token', row.refreshTokenSealed)
    : null;
  if (refreshToken) {
    const clientSecret = unseal(deps.secrets, row, 'client_secret', row.clientSecretSealed);
    await oauthClient(row, clientSecret)
      .revokeToken(refreshToken)
      .catch(() => {});
  }
  await deps.db.orm.transaction(async (tx) => {
    await tx.delete(salesforceConnections).where(eq(salesforceConnections.id, id));
    await recordAudit(tx, actor, {
      action: 'salesforce.connection_deleted',
      targetType: 'salesforce_connection',
      targetId: id,
      details: { name: row.name, orgId: row.orgId, stopped: uses },
    });
  });
  return { deleted: true, stopped: uses };
}
