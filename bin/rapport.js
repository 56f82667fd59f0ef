#!/usr/bin/env node
// The `rapport` command. Rapport runs TypeScript directly on Node >= 22.18 (type stripping).
// When an older Node starts this file (these machines ship Node 20), re-run it under the Node
// that npm installed from the `node` devDependency, so `./node_modules/.bin/rapport` works from
// any shell.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
const canStripTypes = major > 22 || (major === 22 && minor >= 18);

if (canStripTypes) {
  const { main } = await import('../src/cli/main.ts');
  await main(process.argv);
} else {
  const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(pinned)) {
    process.stderr.write(
      `rapport: Node ${process.versions.node} is too old (need 22.18 or newer) and the pinned Node is not ` +
        'installed. Run `npm install` in the Rapport folder first.\n',
    );
    process.exit(1);
  }
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  // Ctrl+C and a closing terminal signal the whole process group, child included: only a
  // SIGTERM aimed at this process alone needs passing on (one SIGINT each, never two).
  const ignore = () => {};
  process.on('SIGINT', ignore);
  process.on('SIGHUP', ignore);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => {
    if (!signal) process.exit(code ?? 1);
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
}
