import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, keyIdOf, SecretDecryptError } from './secret-box.ts';
import { signToken, verifyToken } from './signed-token.ts';

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

describe('signatures', () => {
  const key = randomBytes(32);
  const box = createSecretBox(key);

  it('verifies its own signatures, per purpose, and after a key rotation', () => {
    const signature = box.sign('hello', 'embed');
    expect(box.verify('hello', signature, 'embed')).toBe(true);
    expect(box.verify('hello!', signature, 'embed')).toBe(false);
    expect(box.verify('hello', signature, 'other')).toBe(false);
    const rotated = createSecretBox(randomBytes(32), [key]);
    expect(rotated.verify('hello', signature, 'embed')).toBe(true);
    expect(createSecretBox(randomBytes(32)).verify('hello', signature, 'embed')).toBe(false);
    expect(box.verify('hello', 'garbage', 'embed')).toBe(false);
  });

  it('accepts only the exact signature: no other last character passes, though some decode alike', () => {
    const signature = box.sign('hello', 'embed');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const passing = [...alphabet].filter((c) =>
      box.verify('hello', `${signature.slice(0, -1)}${c}`, 'embed'),
    );
    expect(passing).toEqual([signature.at(-1)]);
    expect(box.verify('hello', `${signature}=`, 'embed')).toBe(false);
  });

  it('signs expiring tokens whose payload cannot be altered', () => {
    const token = signToken(box, 'embed', { record: '003A' }, new Date(Date.now() + 60_000));
    const checked = verifyToken<{ record: string }>(box, 'embed', token);
    expect(checked).toMatchObject({ ok: true, payload: { record: '003A' } });
    const [, ...signature] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ record: '003B', exp: 9e9 })).toString('base64url')}.${signature.join('.')}`;
    expect(verifyToken(box, 'embed', forged)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyToken(box, 'embed', token, new Date(Date.now() + 120_000))).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyToken(box, 'embed', 'nodot')).toEqual({ ok: false, reason: 'malformed' });
  });
});
