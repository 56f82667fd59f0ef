import { Connection, type ConnectionConfig, OAuth2 } from '@jsforce/jsforce-node';

type SessionRefreshFunc = NonNullable<ConnectionConfig['refreshFn']>;

import { eq } from 'drizzle-orm';
import type { Database } from '../../platform/db/database.ts';
import { badRequest } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { SecretBox } from '../../platform/secrets/secret-box.ts';
import { JWT_BEARER_GRANT, jwtAssertion } from '../client/jwt-assertion.ts';
import { salesforceConnections } from '../salesforce.schema.ts';

export type ConnectionRow = typeof salesforceConnections.$inferSelect;
export const AUTH_KINDS = ['oauth', 'jwt', 'client_credentials'] as const;
export type AuthKind = (typeof AUTH_KINDS)[number];

/** The API version Rapport speaks (jsforce's own default, 50.0, is years old). */
export const API_VERSION = '62.0';

/** jsforce keeps 10,000 records by default and silently drops the rest: always say how many. */
export const MAX_FETCH = 100_000_000;

const context = (id: number, column: string) => `salesforce_connections:${id}:${column}`;

export const seal = (secrets: SecretBox, id: number, column: string, value: string) =>
  secrets.encrypt(value, context(id, column));

export function unseal(secrets: SecretBox, row: ConnectionRow, column: string, value: string | null) {
  return value === null ? null : secrets.decrypt(value, context(row.id, column));
}

export interface ConnectionDeps {
  db: Database;
  secrets: SecretBox;
  logger?: Logger;
}

/** A new access token for a flow without refresh tokens: JWT bearer and client credentials mint one. */
function mintingRefreshFn(row: ConnectionRow, secrets: SecretBox): SessionRefreshFunc {
  return (conn, callback) => {
    const params: { grant_type: string; [name: string]: string } =
      row.authKind === 'jwt'
        ? {
            grant_type: JWT_BEARER_GRANT,
            assertion: jwtAssertion({
              clientId: row.clientId,
              username: row.jwtUsername!,
              loginUrl: row.loginUrl,
              privateKeyPem: unseal(secrets, row, 'private_key', row.privateKeySealed)!,
            }),
          }
        : { grant_type: 'client_credentials' };
    conn.oauth2.requestToken(params).then(
      (token) => callback(null, token.access_token, token),
      (error: Error) => callback(error),
    );
  };
}

export function oauthClient(
  row: Pick<ConnectionRow, 'loginUrl' | 'clientId'>,
  clientSecret: string | null,
  redirectUri?: string,
  options: { pkce?: boolean } = {},
) {
  return new OAuth2({
    loginUrl: row.loginUrl,
    clientId: row.clientId,
    ...(clientSecret ? { clientSecret } : {}),
    ...(redirectUri ? { redirectUri } : {}),
    ...(options.pkce ? { useVerifier: true } : {}),
  });
}

/**
 * A jsforce Connection for a stored connection: tokens decrypted, a refresh function for its flow
 * (refresh token, or a new JWT / client-credentials token), and every refreshed access token saved
 * back, sealed, so the next process starts with it.
 */
export function openConnection(deps: ConnectionDeps, row: ConnectionRow): Connection {
  if (row.status === 'pending' || !row.instanceUrl || !row.accessTokenSealed) {
    throw badRequest(`The Salesforce connection "${row.name}" is not connected yet: authorize it first`);
  }
  const { secrets } = deps;
  const clientSecret = unseal(secrets, row, 'client_secret', row.clientSecretSealed);
  const oauth2 = oauthClient(row, clientSecret);
  const refreshToken = unseal(secrets, row, 'refresh_token', row.refreshTokenSealed);
  const conn = new Connection({
    oauth2,
    instanceUrl: row.instanceUrl,
    accessToken: unseal(secrets, row, 'access_token', row.accessTokenSealed)!,
    ...(refreshToken ? { refreshToken } : {}),
    ...(row.authKind === 'oauth' ? {} : { refreshFn: mintingRefreshFn(row, secrets) }),
    version: row.apiVersion || API_VERSION,
  });
  conn.on('refresh', (accessToken: string) => {
    deps.db.orm
      .update(salesforceConnections)
      .set({
        accessTokenSealed: seal(secrets, row.id, 'access_token', accessToken),
        instanceUrl: conn.instanceUrl,
        status: 'connected',
        lastError: null,
        updatedAt: new Date(),
      })
      .where(eq(salesforceConnections.id, row.id))
      .catch((error: unknown) =>
        deps.logger?.error(
          { err: error, connectionId: row.id },
          'could not save a refreshed Salesforce token',
        ),
      );
  });
  return conn;
}

/** Parses the identity URL of a token answer: …/id/<orgId>/<userId>. */
export function identityOf(idUrl: string): { orgId: string; userId: string } {
  const [orgId, userId] = idUrl.split('/').slice(-2);
  if (!orgId || !userId) throw new Error(`Unexpected identity URL ${idUrl}`);
  return { orgId, userId };
}
