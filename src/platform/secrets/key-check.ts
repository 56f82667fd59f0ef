import { eq } from 'drizzle-orm';
import { systemSettings } from '../../system/system.schema.ts';
import type { Executor } from '../db/database.ts';
import type { SecretBox } from './secret-box.ts';

const SETTING = 'secret_key_check';
const CONTEXT = 'system_settings:secret_key_check';
const PROBE = 'rapport';

export class SecretKeyMismatchError extends Error {
  constructor(keyId: string, expected: string) {
    super(
      `The secret key (id ${keyId}) is not the one this database's credentials were encrypted with ` +
        `(id ${expected}). Set RAPPORT_SECRET_KEY to the original key (or keep it in RAPPORT_PREVIOUS_SECRET_KEYS).`,
    );
    this.name = 'SecretKeyMismatchError';
  }
}

/**
 * Refuses to run with a key that cannot read what is stored, before anything is written with it:
 * a wrong key would otherwise surface much later as "cannot decrypt" on one connection or another.
 */
export async function verifySecretKey(db: Executor, box: SecretBox): Promise<'recorded' | 'verified'> {
  const [row] = await db.select().from(systemSettings).where(eq(systemSettings.key, SETTING));
  if (!row) {
    await db
      .insert(systemSettings)
      .values({ key: SETTING, value: { keyId: box.keyId, probe: box.encrypt(PROBE, CONTEXT) } })
      .onConflictDoNothing();
    return 'recorded';
  }
  const stored = row.value as { keyId: string; probe: string };
  let readable = false;
  try {
    readable = box.decrypt(stored.probe, CONTEXT) === PROBE;
  } catch {
    readable = false;
  }
  if (!readable) throw new SecretKeyMismatchError(box.keyId, stored.keyId);
  if (stored.keyId !== box.keyId) {
    // Read with a previous key after a rotation: from now on the current key is the reference.
    await db
      .update(systemSettings)
      .set({ value: { keyId: box.keyId, probe: box.encrypt(PROBE, CONTEXT) }, updatedAt: new Date() })
      .where(eq(systemSettings.key, SETTING));
  }
  return 'verified';
}
