import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { REST_ERRORS } from './api-errors.ts';
import type { ApiContext, ApiRequest } from './api-request.ts';
import { createApiUsage } from './api-usage.ts';
import { createBulkJobs } from './bulk-jobs.ts';
import { type ConnectedAppOptions, createConnectedApp } from './connected-app.ts';
import { handleDataApi, isSupportedVersion, versionList } from './data-routes.ts';
import { createEmulatorStore, type EmulatorStore } from './emulator-store.ts';
import { createFaults, type FaultSpec, type InjectedFault } from './faults.ts';
import { ApiError, headerOf, jsonReply, type Reply, readBody, writeReply } from './http-kit.ts';
import { createOAuth } from './oauth-routes.ts';
import { createOrg, DEFAULT_API_USER, type Org, type OrgOptions } from './org.ts';
import {
  createOutboundMessenger,
  type OutboundMessageInput,
  type OutboundResult,
} from './outbound-messages.ts';
import { createQueryCursors } from './query-cursors.ts';
import { createSessions } from './sessions.ts';
import { createWebToLead, type WebToLeadSubmission } from './web-to-lead.ts';

export type { EmulatorStore } from './emulator-store.ts';
export type { FaultKind, FaultSpec, InjectedFault } from './faults.ts';
export type { OutboundMessageInput, OutboundResult } from './outbound-messages.ts';

/**
 * A Salesforce org on 127.0.0.1 for tests and offline demos, driven by the same
 * @jsforce/jsforce-node calls production makes against real orgs: OAuth 2.0 (web server flow with
 * PKCE, refresh, username-password, client credentials, JWT bearer), REST query / queryAll with
 * cursor paging, describe, sObject rows and upsert, sObject Collections, getUpdated /
 * getDeleted, list views (listing and describe), limits and the Sforce-Limit-Info header, Bulk API
 * 2.0 query and ingest jobs, workflow Outbound Messages and Web-to-Lead — with Salesforce's wire
 * formats and errors, and fault injection (expired sessions, the daily limit, 5xx, latency).
 */

export interface SalesforceEmulatorOptions extends OrgOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  connectedApp?: ConnectedAppOptions;
  /** A session ends after this long without a call (default 2 hours, Salesforce's default). */
  sessionTimeoutMs?: number;
  /** The org's daily API request allocation (default 100,000). */
  dailyApiRequests?: number;
  /** How long each Bulk API job state lasts (default 20 ms). */
  bulkJobStepMs?: number;
  /** Bulk query result rows per page when the client sends no maxRecords (default 10,000). */
  bulkResultPageSize?: number;
  /** Web-to-Lead requests per day before they queue (default 500). */
  webToLeadDailyLimit?: number;
  /** Loads records before the server starts (e.g. seedCloudKicks). */
  seed?: (store: EmulatorStore, org: Org) => void;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  status: number;
  /** A REST / Bulk API call under /services/data/vXX.X (what the daily limit counts). */
  apiCall: boolean;
  at: number;
}

export interface SalesforceEmulator {
  /** Base URL: the login URL (oauth2) and the instance URL at once. */
  url: string;
  loginUrl: string;
  instanceUrl: string;
  orgId: string;
  clientId: string;
  clientSecret: string;
  /** The API user's credentials (username-password flow; JWT sub). */
  username: string;
  password: string;
  securityToken: string;
  apiUserId: string;
  store: EmulatorStore;
  org: Org;
  faults: { inject(spec: FaultSpec): InjectedFault; clear(): void };
  requests(): RequestRecord[];
  apiUsage(): { used: number; max: number; remaining: number };
  setApiUsage(next: { used?: number; max?: number }): void;
  /** A session as if the user had logged in (skips OAuth in tests that are not about it). */
  issueAccessToken(username?: string): string;
  /** Ends every session: the next call answers 401 INVALID_SESSION_ID. */
  expireSessions(): void;
  sendOutboundMessage(input: OutboundMessageInput): Promise<OutboundResult>;
  outboundMessages(): OutboundResult[];
  webToLead: {
    submissions(): WebToLeadSubmission[];
    pendingCount(): number;
    /** The 24-hour limit resets: queued submissions become leads. */
    startNewDay(): void;
  };
  close(): Promise<void>;
}

const DATA_PREFIX = /^\/services\/data\/v(\d+\.\d+)(?:\/(.*))?$/;

function bearerToken(request: IncomingMessage): string | null {
  const header = headerOf(request, 'authorization') ?? '';
  const m = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header);
  return m ? m[1]!.trim() : null;
}

export async function startSalesforceEmulator(
  options: SalesforceEmulatorOptions = {},
): Promise<SalesforceEmulator> {
  const org = createOrg(options);
  const apiUser = options.apiUser ?? DEFAULT_API_USER;
  const store = createEmulatorStore(org);
  options.seed?.(store, org);

  const app = createConnectedApp(options.connectedApp);
  const sessions = createSessions({
    orgId: org.id,
    now: org.now,
    timeoutMs: options.sessionTimeoutMs ?? 2 * 3_600_000,
  });
  const usage = createApiUsage(options.dailyApiRequests ?? 100_000);
  const faults = createFaults();
  const bulk = createBulkJobs({ stepMs: options.bulkJobStepMs ?? 20, now: org.now });
  let baseUrl = '';
  const context: ApiContext = {
    org,
    url: () => baseUrl,
    cursors: createQueryCursors({ newId: org.newId, now: org.now }),
    bulk,
  };
  const requests: RequestRecord[] = [];
  const bulkQuery = { defaultPageSize: options.bulkResultPageSize ?? 10_000 };
  const oauth = createOAuth({ org, app, sessions, url: () => baseUrl });
  const webToLead = createWebToLead({ org, dailyLimit: options.webToLeadDailyLimit ?? 500 });
  const issueAccessToken = (username?: string) => {
    const user = username ? org.userByUsername(username) : org.store.get(org.object('User'), org.apiUserId);
    if (!user) throw new Error(`No user ${username} in the emulated org`);
    return sessions.issue({ userId: user.Id, clientId: app.clientId, scope: app.scope }).token;
  };
  const outbound = createOutboundMessenger({
    org,
    url: () => baseUrl,
    mintSession: () => issueAccessToken(),
  });

  function failureReply(spec: FaultSpec, request: IncomingMessage): Reply {
    switch (spec.kind) {
      case 'expireSession': {
        const token = bearerToken(request);
        if (token) sessions.expire(token);
        return REST_ERRORS.sessionExpired().reply;
      }
      case 'requestLimitExceeded':
        return REST_ERRORS.requestLimitExceeded().reply;
      default:
        return (spec.status === 503 ? REST_ERRORS.serverUnavailable() : REST_ERRORS.unknownException()).reply;
    }
  }

  function dataApi(request: IncomingMessage, url: URL, version: string, rest: string, body: Buffer): Reply {
    if (!isSupportedVersion(version)) throw REST_ERRORS.notFound();
    const token = bearerToken(request);
    const session = token ? sessions.use(token) : null;
    if (!session) throw REST_ERRORS.sessionExpired();
    const withUsage = (reply: Reply): Reply => ({
      ...reply,
      headers: { ...reply.headers, 'sforce-limit-info': usage.header() },
    });
    if (!usage.tryCount()) return withUsage(REST_ERRORS.requestLimitExceeded().reply);
    const apiRequest: ApiRequest = {
      method: request.method ?? 'GET',
      url,
      version,
      segments: rest.split('/').filter(Boolean).map(decodeURIComponent),
      headers: request.headers,
      body,
      userId: session.userId,
    };
    try {
      return withUsage(handleDataApi(context, apiRequest, { usage, bulkQuery }));
    } catch (error) {
      if (error instanceof ApiError) return withUsage(error.reply);
      throw error;
    }
  }

  async function route(request: IncomingMessage, url: URL, body: Buffer): Promise<Reply> {
    const method = request.method ?? 'GET';
    const data = DATA_PREFIX.exec(url.pathname);
    const matched = faults.take(method, url.pathname + url.search, data !== null);
    if (matched.latencyMs > 0) await sleep(matched.latencyMs);
    if (matched.failure) return failureReply(matched.failure, request);
    if (data) return dataApi(request, url, data[1]!, data[2] ?? '', body);
    if (url.pathname === '/services/data' || url.pathname === '/services/data/')
      return jsonReply(200, versionList());
    if (url.pathname === '/servlet/servlet.WebToLead' && method === 'POST')
      return webToLead.handle(body.toString('utf8'));
    const reply = oauth.handle(method, url, body.toString('utf8'), headerOf(request, 'authorization'));
    if (reply) return reply;
    throw REST_ERRORS.notFound();
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', baseUrl || 'http://127.0.0.1');
    let reply: Reply;
    try {
      reply = await route(request, url, await readBody(request));
    } catch (error) {
      reply = error instanceof ApiError ? error.reply : REST_ERRORS.unknownException().reply;
      if (!(error instanceof ApiError)) console.error('Salesforce emulator: unexpected error', error);
    }
    requests.push({
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      status: reply.status,
      apiCall: DATA_PREFIX.test(url.pathname),
      at: org.now(),
    });
    if (!response.destroyed) writeReply(response, reply);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('The Salesforce emulator has no address');
  baseUrl = `http://127.0.0.1:${address.port}`;

  return {
    url: baseUrl,
    loginUrl: baseUrl,
    instanceUrl: baseUrl,
    orgId: org.id,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    username: apiUser.username,
    password: apiUser.password,
    securityToken: org.securityToken(org.apiUserId),
    apiUserId: org.apiUserId,
    store,
    org,
    faults: { inject: (spec) => faults.inject(spec), clear: () => faults.clear() },
    requests: () => [...requests],
    apiUsage: () => usage.snapshot(),
    setApiUsage: (next) => usage.set(next),
    issueAccessToken,
    expireSessions: () => sessions.expireAll(),
    sendOutboundMessage: (input) => outbound.send(input),
    outboundMessages: () => outbound.sent(),
    webToLead: {
      submissions: () => webToLead.submissions(),
      pendingCount: () => webToLead.pendingCount(),
      startNewDay: () => webToLead.startNewDay(),
    },
    async close() {
      bulk.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
