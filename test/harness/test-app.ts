import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/env.ts';
import { buildHttpApp } from '../../src/platform/http/app.ts';
import type { ApiApp } from '../../src/platform/http/types.ts';
import type { AnyJobDefinition } from '../../src/platform/jobs/define-job.ts';
import { routeCatalog } from '../../src/runtime/catalog.ts';
import { openRuntime, type Runtime } from '../../src/runtime/runtime.ts';
import { createApiToken } from '../../src/users/api-tokens.service.ts';
import { createAuthenticator } from '../../src/users/authenticate.ts';
import { systemActor, type UserRole } from '../../src/users/roles.ts';
import { createUser } from '../../src/users/users.service.ts';
import { silentLogger } from './logger.ts';
import { createTestDatabase } from './test-database.ts';

export interface TestApp {
  runtime: Runtime;
  app: ApiApp;
  dataDir: string;
  /** A new user of this role; returns what a person would type to sign in. */
  addUser(role: UserRole, email?: string): Promise<{ id: number; email: string; password: string }>;
  /** Signs in through the API and returns the Cookie header to send. */
  signIn(email: string, password: string): Promise<string>;
  /** A user of this role with an API token: the Authorization header to send. */
  bearerFor(role: UserRole, email?: string): Promise<{ authorization: string; userId: number }>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  jobs?: AnyJobDefinition[];
  /** Run job maintenance (cron, orphan recovery); workers are started by the test itself. */
  superviseJobs?: boolean;
}

let counter = 0;

/** The whole HTTP app on a fresh database of its own, exercised with `app.inject()`. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rapport-test-'));
  const config = loadConfig({
    RAPPORT_DATA_DIR: dataDir,
    RAPPORT_SECRET_KEY: randomBytes(32).toString('hex'),
    RAPPORT_LOG_LEVEL: 'silent',
    ...options.env,
  });
  const runtime = await openRuntime(config, {
    command: 'test',
    logger: silentLogger,
    superviseJobs: options.superviseJobs ?? false,
    database: await createTestDatabase(),
    pollingIntervalSeconds: 0.5,
    ...(options.jobs ? { jobs: options.jobs } : {}),
  });
  const app = await buildHttpApp({
    deps: runtime,
    authenticate: createAuthenticator(runtime.db.orm, config.auth.sessionIdleHours),
    routes: routeCatalog,
    webDistDir: path.join(dataDir, 'no-web-build'),
  });
  await app.ready();

  const testApp: TestApp = {
    runtime,
    app,
    dataDir,
    async addUser(role, email) {
      const password = `pw-${randomBytes(9).toString('base64url')}`;
      const address = email ?? `${role}-${++counter}-${randomBytes(3).toString('hex')}@example.test`;
      const { user } = await createUser(runtime.db, systemActor('test'), { email: address, role, password });
      return { id: user.id, email: user.email, password };
    },
    async signIn(email, password) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email, password },
      });
      if (response.statusCode !== 200)
        throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
      const cookie = response.cookies.find((c) => c.name === 'rapport_session');
      return `rapport_session=${cookie!.value}`;
    },
    async bearerFor(role, email) {
      const user = await testApp.addUser(role, email);
      const { token } = await createApiToken(runtime.db, systemActor('test'), {
        name: 'test',
        userId: user.id,
      });
      return { authorization: `Bearer ${token}`, userId: user.id };
    },
    async close() {
      await app.close();
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return testApp;
}
