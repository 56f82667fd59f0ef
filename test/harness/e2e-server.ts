import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { WEB_DIST_DIR } from '../../src/platform/http/web.ts';
import { launchBrowser } from './browser.ts';
import { freePort, REPO_ROOT, type RunningProcess, runRapport, startRapport, tempDir } from './processes.ts';

/** Where browser journeys leave their screenshots. */
export const SCREENSHOTS = path.join(REPO_ROOT, '.test-tmp', 'screenshots');
const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'b2b');

export interface E2eServer {
  server: RunningProcess;
  browser: Browser;
  /** http://127.0.0.1:<port> */
  base: string;
  /** The server's environment, for more `rapport` commands beside it. */
  env: Record<string, string>;
  /** An admin API token's Authorization header. */
  headers: Record<string, string>;
}

/**
 * What every browser journey starts from: a `rapport start` on its own data folder with the given
 * admin, optionally the b2b fixture files imported into directory "Main" through the CLI (as users
 * do), an API token, and a browser.
 */
export async function startE2eServer(options: {
  admin: { email: string; password: string };
  /** Import Account.csv and Contact.csv, plus AccountTeamMember.csv and a mailing list if asked. */
  fixtures?: { team?: boolean; mailingList?: string };
}): Promise<E2eServer> {
  if (!existsSync(path.join(WEB_DIST_DIR, 'index.html')))
    throw new Error('Build the web UI first: npm run build');
  mkdirSync(SCREENSHOTS, { recursive: true });
  const env = {
    RAPPORT_DATA_DIR: tempDir(),
    RAPPORT_ADMIN_EMAIL: options.admin.email,
    RAPPORT_ADMIN_PASSWORD: options.admin.password,
  };
  const port = await freePort();
  const server = startRapport(['start', '--no-build-ui'], { ...env, PORT: String(port) });
  await server.waitForOutput(/is running at/);
  const { fixtures } = options;
  if (fixtures) {
    const imported = await runRapport(
      [
        'import',
        'b2b',
        '--directory',
        'Main',
        '--accounts',
        path.join(FIXTURES, 'Account.csv'),
        '--contacts',
        path.join(FIXTURES, 'Contact.csv'),
        ...(fixtures.team ? ['--team', path.join(FIXTURES, 'AccountTeamMember.csv')] : []),
        ...(fixtures.mailingList ? ['--mailing-list', fixtures.mailingList] : []),
      ],
      env,
    );
    if (imported.code !== 0) throw new Error(`the fixtures import failed:\n${imported.output}`);
  }
  const created = await runRapport(['token', 'create', '--name', 'e2e', '--json'], env);
  const headers = { authorization: `Bearer ${JSON.parse(created.stdout).token}` };
  const browser = await launchBrowser();
  return { server, browser, base: `http://127.0.0.1:${port}`, env, headers };
}
