import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/harness/test-database.ts';
import type { Database } from '../db/database.ts';
import { SecretKeyMismatchError, verifySecretKey } from './key-check.ts';
import { createSecretBox } from './secret-box.ts';
import { loadSecretKey } from './secret-key.ts';

describe('secret key', () => {
  it('is generated into the data folder once (mode 0600) and reused', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rapport-key-'));
    const first = loadSecretKey(undefined, dir);
    expect(first.source).toBe('generated');
    expect(statSync(first.file!).mode & 0o777).toBe(0o600);
    const second = loadSecretKey(undefined, dir);
    expect(second.source).toBe('file');
    expect(second.key.equals(first.key)).toBe(true);
    expect(readFileSync(first.file!, 'utf8').trim()).toBe(first.key.toString('base64'));
  });

  it('comes from RAPPORT_SECRET_KEY when set', () => {
    const hex = randomBytes(32).toString('hex');
    const loaded = loadSecretKey(hex, '/nonexistent');
    expect(loaded).toMatchObject({ source: 'env' });
    expect(loaded.key.toString('hex')).toBe(hex);
  });
});

describe('secret key check against the database', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.close());

  it('records the key on first use, then refuses another key, and follows a rotation', async () => {
    const original = randomBytes(32);
    expect(await verifySecretKey(db.orm, createSecretBox(original))).toBe('recorded');
    expect(await verifySecretKey(db.orm, createSecretBox(original))).toBe('verified');
    await expect(verifySecretKey(db.orm, createSecretBox(randomBytes(32)))).rejects.toBeInstanceOf(
      SecretKeyMismatchError,
    );
    const rotated = randomBytes(32);
    expect(await verifySecretKey(db.orm, createSecretBox(rotated, [original]))).toBe('verified');
    // The new key is now the reference: it works without the old one.
    expect(await verifySecretKey(db.orm, createSecretBox(rotated))).toBe('verified');
  });
});
