import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WEB_DIST_DIR } from '../platform/http/web.ts';

const WEB_DIR = fileURLToPath(new URL('../../web', import.meta.url));
const STAMP = path.join(WEB_DIST_DIR, '.source-mtime');

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** True when web/dist is missing or older than a file under web/. */
export function webBuildIsStale(): boolean {
  if (!existsSync(path.join(WEB_DIST_DIR, 'index.html')) || !existsSync(STAMP)) return true;
  return Number(readFileSync(STAMP, 'utf8')) < newestSourceMtime(WEB_DIR);
}

/** Builds the web UI with Vite (the same as `npm run build`). */
export async function buildWeb(): Promise<void> {
  const sourceMtime = newestSourceMtime(WEB_DIR);
  const { build } = await import('vite');
  await build({ configFile: path.join(WEB_DIR, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(STAMP, String(sourceMtime));
}
