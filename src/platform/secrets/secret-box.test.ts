import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, keyIdOf, SecretDecryptError } from './secret-box.ts';

describe('secret box (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const box = createSecretBox(key);

  it('round-trips, with a fresh IV each time', () => {
    const a = box.encrypt('sftp-password-é', 'sftp_sources:1:password');
    const b = box.encrypt('sftp-password-é', 'sftp_sources:1:password');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[0-9a-f]{8}\.[\w-]+\.[\w-]+$/);
    expect(a).not.toContain('sftp-password');
    expect(box.decrypt(a, 'sftp_sources:1:password')).toBe('sftp-password-é');
  });

  it('refuses a value moved to another record (context is authenticated)', () => {
    const sealed = box.encrypt('token', 'connections:1:refresh_token');
    expect(() => box.decrypt(sealed, 'connections:2:refresh_token')).toThrow(SecretDecryptError);
  });

  it('detects tampering', () => {
    const sealed = box.encrypt('token');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64url');
    expect(() => box.decrypt(parts.join('.'))).toThrow(/altered/);
    expect(() => box.decrypt('plain text')).toThrow(/Not a Rapport encrypted value/);
  });

  it('decrypts with a previous key after rotation, and names an unknown key', () => {
    const next = createSecretBox(randomBytes(32), [key]);
    const old = box.encrypt('legacy');
    expect(next.decrypt(old)).toBe('legacy');
    expect(next.encrypt('x').split('.')[1]).toBe(next.keyId);
    const stranger = createSecretBox(randomBytes(32));
    expect(() => stranger.decrypt(old)).toThrow(new RegExp(`key ${keyIdOf(key)}`));
  });

  it('accepts only 32-byte keys', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});
