import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../platform/db/database.ts';
import type { ExtractPart, ExtractPlan } from './extract.ts';
import { idCondition } from './list-views.ts';

/**
 * Which CampaignMember records a run reads. The campaigns are read in full every run (they are
 * few), so the run knows every campaign it keeps; their members are read by campaign Id, a few
 * hundred Ids per query:
 *  - a full run, or no cursor yet: every member of every kept campaign;
 *  - a delta: the members changed since the cursor (deleted ones included) of the campaigns the
 *    sync already kept, and every member of a campaign new to the sync — its members did not
 *    change, so a delta alone would never see them.
 */

/** Ids per `CampaignId IN (…)`: about 5,000 characters of SOQL, far below Salesforce's limits. */
export const CAMPAIGN_IDS_PER_QUERY = 200;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The `CampaignId IN (…)` conditions that cover the given campaigns. */
export const campaignConditions = (campaignIds: readonly string[]) =>
  chunks([...campaignIds].sort(), CAMPAIGN_IDS_PER_QUERY).map((ids) => idCondition('CampaignId', ids)!);

export function memberParts(
  base: ExtractPlan,
  live: ReadonlySet<string>,
  known: ReadonlySet<string>,
): ExtractPart[] {
  const part = (where: string, delta: boolean): ExtractPart => ({
    plan: { ...base, where, since: delta ? base.since : null, includeDeleted: delta && base.includeDeleted },
    stamps: delta || base.since === null,
  });
  if (base.since === null) return campaignConditions([...live]).map((w) => part(w, false));
  const kept = [...live].filter((id) => known.has(id));
  const added = [...live].filter((id) => !known.has(id));
  return [
    ...campaignConditions(kept).map((w) => part(w, true)),
    ...campaignConditions(added).map((w) => part(w, false)),
  ];
}

/** The campaigns the sync kept after its last committed run. */
export async function keptCampaigns(db: Executor, syncId: number): Promise<Set<string>> {
  const rows = await queryRows<{ sf_id: string }>(
    db,
    sql`SELECT sf_id FROM salesforce_sync_records WHERE sync_id = ${syncId} AND object = 'Campaign'`,
  );
  return new Set(rows.map((r) => r.sf_id));
}
