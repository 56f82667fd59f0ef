import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for credentials stored in the database (SFTP passwords, Salesforce tokens …).
 *
 * Format: `v1.<keyId>.<iv>.<ciphertext+tag>` (base64url parts). The key id lets a rotated key
 * still decrypt old values; the optional `context` is bound as additional data, so a ciphertext
 * copied into another row or column fails to decrypt instead of leaking into the wrong place.
 */
export interface SecretBox {
  readonly keyId: string;
  encrypt(plaintext: string, context?: string): string;
  decrypt(ciphertext: string, context?: string): string;
}

export class SecretDecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretDecryptError';
  }
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const keyIdOf = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);

export function createSecretBox(currentKey: Buffer, previousKeys: Buffer[] = []): SecretBox {
  for (const key of [currentKey, ...previousKeys]) {
    if (key.length !== 32) throw new Error('A secret key must be exactly 32 bytes');
  }
  const keys = new Map<string, Buffer>();
  for (const key of [...previousKeys, currentKey]) keys.set(keyIdOf(key), key);
  const keyId = keyIdOf(currentKey);

  return {
    keyId,
    encrypt(plaintext, context = '') {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return [VERSION, keyId, iv.toString('base64url'), body.toString('base64url')].join('.');
    },
    decrypt(ciphertext, context = '') {
      const [version, id, ivText, bodyText, ...rest] = ciphertext.split('.');
      if (version !== VERSION || !id || !ivText || !bodyText || rest.length > 0) {
        throw new SecretDecryptError('Not a Rapport encrypted value');
      }
      const key = keys.get(id);
      if (!key) {
        throw new SecretDecryptError(
          `Encrypted with key ${id}, which is neither RAPPORT_SECRET_KEY nor one of RAPPORT_PREVIOUS_SECRET_KEYS`,
        );
      }
      const iv = Buffer.from(ivText, 'base64url');
      const body = Buffer.from(bodyText, 'base64url');
      if (iv.length !== IV_BYTES || body.length < TAG_BYTES)
        throw new SecretDecryptError('Truncated encrypted value');
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      try {
        return Buffer.concat([
          decipher.update(body.subarray(0, body.length - TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw new SecretDecryptError('The encrypted value was altered, or belongs to another record');
      }
    },
  };
}
