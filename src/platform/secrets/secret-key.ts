import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeSecretKey } from '../../config/env.ts';

export const SECRET_KEY_FILE = 'secret.key';

export interface LoadedSecretKey {
  key: Buffer;
  source: 'env' | 'file' | 'generated';
  file?: string;
}

/**
 * The key comes from RAPPORT_SECRET_KEY, else from `<dataDir>/secret.key`, which the first start
 * creates (mode 0600). Processes sharing one PostgreSQL must share the key: set the env var.
 */
export function loadSecretKey(envKey: string | undefined, dataDir: string): LoadedSecretKey {
  if (envKey) {
    const key = decodeSecretKey(envKey);
    if (!key) throw new Error('RAPPORT_SECRET_KEY is not 32 bytes of hex or base64');
    return { key, source: 'env' };
  }
  const file = path.join(dataDir, SECRET_KEY_FILE);
  try {
    const key = decodeSecretKey(readFileSync(file, 'utf8'));
    if (!key) throw new Error(`${file} does not hold a 32-byte key (hex or base64)`);
    return { key, source: 'file', file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  // 'wx': if another process created it a moment ago, fail rather than overwrite its key.
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return { key, source: 'generated', file };
}
