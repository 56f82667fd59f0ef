import { describe, expect, it } from 'vitest';
import { ConfigError, decodeSecretKey, describeConfig, loadConfig } from './env.ts';

describe('configuration from the environment', () => {
  it('has working defaults: embedded database in ./data, port 3000', () => {
    const config = loadConfig({}, '/srv/rapport');
    expect(config.http).toMatchObject({ port: 3000, host: '127.0.0.1', bodyLimitBytes: 1048576 });
    expect(config.database).toEqual({ url: undefined, dataDir: '/srv/rapport/data' });
    expect(config.workers.enabled).toBe(true);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '  ' }).http.port).toBe(3000);
  });

  it('parses types and booleans as people write them', () => {
    const config = loadConfig({ PORT: '8080', RAPPORT_TRUST_PROXY: 'yes', RAPPORT_WORKERS: '0' });
    expect(config.http.port).toBe(8080);
    expect(config.http.trustProxy).toBe(true);
    expect(config.workers.enabled).toBe(false);
  });

  it('names every bad variable and what was expected, without echoing secrets', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://user:hunter2@db/x',
        RAPPORT_SECRET_KEY: 'too-short',
        RAPPORT_TRUST_PROXY: 'maybe',
        RAPPORT_ADMIN_PASSWORD: 'short',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'PORT="eighty": expected a whole number from 1 to 65535',
        'DATABASE_URL: expected a postgres:// or postgresql:// URL',
        expect.stringMatching(/^RAPPORT_SECRET_KEY: expected 32 random bytes/),
        expect.stringMatching(/^RAPPORT_TRUST_PROXY="maybe": expected one of/),
        'RAPPORT_ADMIN_PASSWORD: expected at least 12 characters',
      ]),
    );
    expect((error as Error).message).not.toContain('hunter2');
    expect((error as Error).message).not.toContain('too-short');
  });

  it('accepts a secret key as hex or base64, and nothing else', () => {
    expect(decodeSecretKey('ab'.repeat(32))?.length).toBe(32);
    expect(decodeSecretKey(Buffer.alloc(32, 7).toString('base64'))?.length).toBe(32);
    expect(decodeSecretKey(Buffer.alloc(31).toString('base64'))).toBeNull();
    expect(decodeSecretKey('not a key')).toBeNull();
  });

  it('describes the configuration with secrets hidden', () => {
    const described = describeConfig(
      loadConfig({
        DATABASE_URL: 'postgres://app:s3cret@db:5432/rapport',
        RAPPORT_SECRET_KEY: 'ab'.repeat(32),
        RAPPORT_ADMIN_PASSWORD: 'a-long-admin-password',
      }),
    );
    const text = JSON.stringify(described);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('abab');
    expect(text).not.toContain('a-long-admin-password');
    expect(described.DATABASE_URL).toBe('postgres://app:***@db:5432/rapport');
  });
});
