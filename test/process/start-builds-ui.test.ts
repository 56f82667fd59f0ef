// Engine-independent (own data folder): run in the PGlite pass, skipped in the PostgreSQL one.
//
// `npm start` builds the web UI when web/dist is missing (src/cli/main.ts, src/runtime/web-build.ts).
// Every other test starts with --no-build-ui, and the build output is always <package>/web/dist:
// so this test runs `npm start` in a fresh copy of the package (sources copied, node_modules
// linked, no web/dist), like a clean clone after `npm install`, and never touches the shared build.

import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, REPO_ROOT, tempDir, waitForHealth } from '../harness/processes.ts';
import { testEngine } from '../harness/test-env.ts';

/** Environment for a child: the test's own RAPPORT_ and DATABASE_ settings never leak in. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('RAPPORT_') && k !== 'DATABASE_URL' && k !== 'PORT',
    ),
  );
  return { ...base, RAPPORT_LOG_FORMAT: 'json', RAPPORT_DEMO: '0', ...env };
}

/** A copy of the package as a clean clone has it: sources, no web/dist, node_modules linked. */
function cleanCopyOfPackage(): string {
  const root = path.join(tempDir('rapport-clone-'), 'rapport');
  mkdirSync(path.join(root, 'web'), { recursive: true });
  for (const entry of ['package.json', 'bin', 'src', 'migrations'])
    cpSync(path.join(REPO_ROOT, entry), path.join(root, entry), { recursive: true });
  for (const entry of ['index.html', 'vite.config.ts', 'tsconfig.json', 'src'])
    cpSync(path.join(REPO_ROOT, 'web', entry), path.join(root, 'web', entry), { recursive: true });
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return root;
}

const children: ChildProcess[] = [];
const copies: string[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.on('exit', resolve));
    process.kill(-child.pid!, 'SIGKILL'); // npm, its shell and the rapport process under them
    await exited;
  }
  for (const root of copies.splice(0)) rmSync(path.dirname(root), { recursive: true, force: true });
});

function collect(child: ChildProcess): () => string {
  let text = '';
  child.stdout!.on('data', (c: Buffer) => {
    text += c;
  });
  child.stderr!.on('data', (c: Buffer) => {
    text += c;
  });
  return () => text;
}

describe.skipIf(testEngine() === 'postgres')('npm start and the rapport bin', () => {
  it('`npx rapport` runs the package bin from the repository', async () => {
    const child = spawn('npx', ['--no', '--', 'rapport', '--version'], {
      cwd: REPO_ROOT,
      env: cleanEnv({}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collect(child);
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code, output()).toBe(0);
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(output().trim()).toBe(version);
  });

  it('`npm start` builds the missing web UI, then serves it with the API', { timeout: 240_000 }, async () => {
    const root = cleanCopyOfPackage();
    copies.push(root);
    const dist = path.join(root, 'web', 'dist');
    expect(existsSync(dist)).toBe(false);
    const port = await freePort();
    const child = spawn('npm', ['start'], {
      cwd: root,
      env: cleanEnv({ RAPPORT_DATA_DIR: path.join(root, 'data'), PORT: String(port) }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so the test can stop npm and everything under it
    });
    children.push(child);
    const output = collect(child);
    const base = `http://127.0.0.1:${port}`;
    await waitForHealth(base, 200_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${output()}`);
    });

    expect(output()).toContain('building the web UI');
    const built = readFileSync(path.join(dist, 'index.html'), 'utf8');
    expect(built).toMatch(/<script type="module"[^>]* src="\/assets\/[^"]+\.js"/);
    expect(existsSync(path.join(dist, '.source-mtime'))).toBe(true);

    const health = await fetch(`${base}/api/v1/health`);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'pglite' });
    // The page at / and any client-side route is the index.html just built, and its assets load.
    for (const page of ['/', '/accounts']) {
      const r = await fetch(`${base}${page}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain('text/html');
      expect(await r.text()).toBe(built);
    }
    const script = built.match(/src="(\/assets\/[^"]+\.js)"/)![1]!;
    const asset = await fetch(`${base}${script}`);
    expect(asset.status).toBe(200);
    expect((await asset.text()).length).toBeGreaterThan(10_000);
  });
});
