import { randomBytes } from 'node:crypto';

/**
 * The connected app (External Client App) a client authenticates as: consumer key and secret,
 * callback URLs, the certificate of the JWT bearer flow, and the run-as user of the client
 * credentials flow.
 */

export interface ConnectedAppOptions {
  clientId?: string;
  clientSecret?: string;
  /** Callback URLs (exact match, as Salesforce checks them); none: any http(s) URL is accepted. */
  callbackUrls?: string[];
  /** PEM certificate (or public key) whose key signs JWT bearer assertions. */
  jwtCertificate?: string;
  /** Usernames pre-authorized for the JWT bearer flow (default: every active user). */
  jwtUsers?: string[];
  /** The client credentials flow's run-as username (default: the API user); null turns the flow off. */
  clientCredentialsUser?: string | null;
  /** The scopes granted ("api refresh_token" by default). */
  scope?: string;
}

export interface ConnectedApp {
  clientId: string;
  clientSecret: string;
  callbackUrls: string[];
  jwtCertificate: string | null;
  jwtUsers: string[] | null;
  clientCredentialsUser: string | null | undefined;
  scope: string;
}

export function createConnectedApp(options: ConnectedAppOptions = {}): ConnectedApp {
  return {
    // Consumer keys are 85 characters starting 3MVG; secrets are 64 hex digits.
    clientId: options.clientId ?? `3MVG9${randomBytes(60).toString('base64url').slice(0, 80)}`,
    clientSecret: options.clientSecret ?? randomBytes(32).toString('hex').toUpperCase(),
    callbackUrls: options.callbackUrls ?? [],
    jwtCertificate: options.jwtCertificate ?? null,
    jwtUsers: options.jwtUsers ?? null,
    clientCredentialsUser: options.clientCredentialsUser,
    scope: options.scope ?? 'api refresh_token',
  };
}
