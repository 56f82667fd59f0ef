import { sql } from 'drizzle-orm';
import { keepMailingList, setKeptListMembers } from '../../directory/kept-lists.service.ts';
import { type Executor, queryRows } from '../../platform/db/database.ts';

/**
 * Each campaign a sync keeps in step is a mailing list of its directory, named after the campaign
 * and found again by the campaign's Id: a CampaignList record of the sync (sf_id = the campaign,
 * data.l = the list) says which. After the campaign records committed, the lists are created or
 * renamed and their members set to the contacts and leads the synced CampaignMember records name.
 * A campaign that left the sync (deleted, deactivated, unpicked) keeps its list, emptied — a
 * distribution may still name it — and fills it again if it comes back.
 */

export const CAMPAIGN_LIST = 'CampaignList';

export interface CampaignListsOutcome {
  lists: number;
  added: number;
  removed: number;
}

export async function refreshCampaignLists(
  tx: Executor,
  syncId: number,
  directoryId: number,
): Promise<CampaignListsOutcome> {
  const campaigns = await queryRows<{ sf_id: string; name: string | null; list_id: string | number | null }>(
    tx,
    sql`SELECT c.sf_id, c.data->>'n' AS name, (l.data->>'l')::bigint AS list_id
        FROM salesforce_sync_records c
        LEFT JOIN salesforce_sync_records l
          ON l.sync_id = c.sync_id AND l.object = ${CAMPAIGN_LIST} AND l.sf_id = c.sf_id
        WHERE c.sync_id = ${syncId} AND c.object = 'Campaign'
        ORDER BY c.sf_id`,
  );
  for (const campaign of campaigns) {
    const known = campaign.list_id === null ? null : Number(campaign.list_id);
    const listId = await keepMailingList(tx, directoryId, known, campaign.name || campaign.sf_id);
    if (listId !== known)
      await tx.execute(sql`
        INSERT INTO salesforce_sync_records (sync_id, object, sf_id, data)
        VALUES (${syncId}, ${CAMPAIGN_LIST}, ${campaign.sf_id}, ${JSON.stringify({ l: listId })}::jsonb)
        ON CONFLICT (sync_id, object, sf_id) DO UPDATE SET data = EXCLUDED.data`);
  }
  const lists = await queryRows<{ id: string | number }>(
    tx,
    sql`SELECT (data->>'l')::bigint AS id FROM salesforce_sync_records
        WHERE sync_id = ${syncId} AND object = ${CAMPAIGN_LIST}`,
  );
  // Members of the campaigns still synced; the lists of the others are thereby emptied.
  const wanted = sql`
    SELECT (l.data->>'l')::bigint AS list_id, m.data->>'p' AS external_ref
    FROM salesforce_sync_records m
    JOIN salesforce_sync_records c ON c.sync_id = m.sync_id AND c.object = 'Campaign' AND c.sf_id = m.data->>'c'
    JOIN salesforce_sync_records l ON l.sync_id = m.sync_id AND l.object = ${CAMPAIGN_LIST} AND l.sf_id = c.sf_id
    WHERE m.sync_id = ${syncId} AND m.object = 'CampaignMember'`;
  const changes = await setKeptListMembers(
    tx,
    directoryId,
    lists.map((l) => Number(l.id)),
    wanted,
  );
  return { lists: campaigns.length, ...changes };
}

/** The mailing list of each campaign a sync keeps (campaign Id → list id), for the sync's page. */
export async function campaignLists(db: Executor, syncId: number) {
  const rows = await queryRows<{ sf_id: string; list_id: string | number; name: string | null }>(
    db,
    sql`SELECT l.sf_id, (l.data->>'l')::bigint AS list_id, c.data->>'n' AS name
        FROM salesforce_sync_records l
        LEFT JOIN salesforce_sync_records c ON c.sync_id = l.sync_id AND c.object = 'Campaign' AND c.sf_id = l.sf_id
        WHERE l.sync_id = ${syncId} AND l.object = ${CAMPAIGN_LIST}
        ORDER BY l.sf_id`,
  );
  return rows.map((r) => ({
    campaignId: r.sf_id,
    mailingListId: Number(r.list_id),
    name: r.name,
    synced: r.name !== null,
  }));
}
