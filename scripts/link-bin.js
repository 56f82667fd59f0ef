// npm links the bins of dependencies into node_modules/.bin, not the project's own. Link
// `rapport` there too, so `./node_modules/.bin/rapport` works like any installed command.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const binDir = path.join(root, 'node_modules', '.bin');
mkdirSync(binDir, { recursive: true });
const link = path.join(binDir, 'rapport');
rmSync(link, { force: true });
symlinkSync(path.relative(binDir, path.join(root, 'bin', 'rapport.js')), link);
