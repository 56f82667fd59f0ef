import { eq, sql } from 'drizzle-orm';
import type { Database, Executor } from '../platform/db/database.ts';
import { recordAudit } from '../system/audit.service.ts';
import { type Actor, authorize } from '../users/roles.ts';
import { distributionSettings } from './distributions.schema.ts';
import { DEFAULT_RULES, type SendingRules, ZSendingRules } from './rules.ts';

/** A directory's exclusion and frequency rules (the defaults until someone saves their own). */
export async function getSendingRules(db: Executor, directoryId: number): Promise<SendingRules> {
  const [row] = await db
    .select()
    .from(distributionSettings)
    .where(eq(distributionSettings.directoryId, directoryId));
  if (!row) return DEFAULT_RULES;
  return ZSendingRules.parse({ exclusions: row.exclusions, frequencyRules: row.frequencyRules });
}

export async function readSendingRules(db: Executor, actor: Actor, directoryId: number) {
  authorize(actor, 'data:read');
  return getSendingRules(db, directoryId);
}

export async function saveSendingRules(db: Database, actor: Actor, directoryId: number, input: unknown) {
  authorize(actor, 'data:write');
  const rules = ZSendingRules.parse(input);
  const by = actor.kind === 'user' ? actor.email : actor.label;
  await db.orm.transaction(async (tx) => {
    await tx
      .insert(distributionSettings)
      .values({
        directoryId,
        exclusions: rules.exclusions,
        frequencyRules: rules.frequencyRules,
        updatedBy: by,
      })
      .onConflictDoUpdate({
        target: distributionSettings.directoryId,
        set: {
          exclusions: rules.exclusions,
          frequencyRules: rules.frequencyRules,
          updatedBy: by,
          updatedAt: sql`now()`,
        },
      });
    await recordAudit(tx, actor, {
      action: 'sending_rules.updated',
      targetType: 'directory',
      targetId: directoryId,
      details: { exclusions: rules.exclusions, frequencyRules: rules.frequencyRules.length },
    });
  });
  return rules;
}
