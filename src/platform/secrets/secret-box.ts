import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

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
  /** HMAC-SHA256 of `message` under a key derived for `purpose`: `<keyId>.<mac>`. */
  sign(message: string, purpose: string): string;
  /** Checks a `sign` result, also under previous keys (timing-safe). */
  verify(message: string, signature: string, purpose: string): boolean;
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
  // One MAC key per purpose, derived from the secret key: a signature made for embeds cannot
  // pass as one made for anything else, and the encryption key itself never signs.
  const macKeys = new Map<string, Buffer>();
  const macKey = (id: string, purpose: string): Buffer | null => {
    const key = keys.get(id);
    if (!key) return null;
    const cacheKey = `${id}:${purpose}`;
    let derived = macKeys.get(cacheKey);
    if (!derived) {
      derived = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `rapport-sign:${purpose}`, 32));
      macKeys.set(cacheKey, derived);
    }
    return derived;
  };
  const mac = (key: Buffer, message: string) => createHmac('sha256', key).update(message, 'utf8').digest();

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
    sign(message, purpose) {
      return `${keyId}.${mac(macKey(keyId, purpose)!, message).toString('base64url')}`;
    },
    verify(message, signature, purpose) {
      const [id, macText, ...rest] = signature.split('.');
      if (!id || !macText || rest.length) return false;
      const key = macKey(id, purpose);
      if (!key) return false;
      const given = Buffer.from(macText, 'base64url');
      // Decoding is lenient (the last character's spare bits, stray characters): only the one
      // canonical spelling of the MAC is accepted, so a signed URL cannot be varied and still pass.
      if (given.toString('base64url') !== macText) return false;
      const expected = mac(key, message);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
