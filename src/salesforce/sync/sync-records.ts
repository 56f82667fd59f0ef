import { createReadStream } from 'node:fs';
import { sql } from 'drizzle-orm';
import { copyCsvInto } from '../../platform/db/copy.ts';
import type { Database, Executor } from '../../platform/db/database.ts';
import { queryRows } from '../../platform/db/database.ts';
import { CsvFile } from './csv-file.ts';
import { OBJECT_NAME_RE, type RecordKey } from './sync-objects.ts';

/**
 * What one run saw, staged beside the records the sync has put in the directory
 * (salesforce_sync_records), so that set-based SQL can say what Salesforce no longer has:
 *   extract  a row extracted (live, or deleted when read with queryAll)
 *   deleted  an Id getDeleted listed for the window
 *   ids      an Id of a live record (a reconcile lists them all)
 *   gone     decided here: to delete from the directory (written as IsDeleted rows)
 * The stage is an UNLOGGED table of the run; the synced records change only in the transaction
 * that follows a successful import.
 */

export const stageTable = (runId: number) => `salesforce_sync_stage_${Math.trunc(runId)}`;

export type StageSource = 'extract' | 'deleted' | 'ids';

/** Stage rows are first written to a file beside the extracted ones, then copied in one go. */
export class StageWriter {
  readonly file: CsvFile;
  constructor(path: string) {
    this.file = new CsvFile(path, null);
  }
  add(object: string, id: string, deleted: boolean, data: RecordKey, source: StageSource) {
    return this.file.write([object, id, deleted ? 't' : 'f', data ? JSON.stringify(data) : '', source]);
  }
}

export async function loadStage(db: Database, runId: number, writer: StageWriter): Promise<number> {
  await writer.file.close();
  const table = stageTable(runId);
  await db.query(`DROP TABLE IF EXISTS ${table}`);
  await db.query(
    `CREATE UNLOGGED TABLE ${table} (object text NOT NULL, sf_id text NOT NULL, deleted boolean NOT NULL, data jsonb, source text NOT NULL)`,
  );
  const rows = await copyCsvInto(db, createReadStream(writer.file.path), {
    table,
    columns: ['object', 'sf_id', 'deleted', 'data', 'source'],
    delimiter: ',',
    forceNull: ['data'],
  });
  await db.query(`CREATE INDEX ON ${table} (object, sf_id)`);
  await db.query(`ANALYZE ${table}`);
  return rows;
}

export async function dropStage(db: Database, runId: number) {
  await db.query(`DROP TABLE IF EXISTS ${stageTable(runId)}`);
}

export interface GoneRow {
  id: string;
  key: RecordKey;
}

/**
 * Decides which directory records to delete for one object, records them as `gone` in the stage,
 * and returns them with the key their deletion row needs:
 *  - complete: the extraction read every live record (a full sync): synced records it did not see;
 *  - reconcile: the stage holds every live Id: synced records not among them (purged, or deleted);
 *  - getDeleted Ids the extraction did not read again (purged from the recycle bin);
 *  - team members whose account, user or role changed: the old membership;
 *  - members of a campaign the run did not read as live (deleted, or no longer chosen): the
 *    campaigns are always read in full, so the stage has every one the sync keeps.
 */
export async function decideGone(
  db: Database,
  runId: number,
  syncId: number,
  object: string,
  options: { complete: boolean; reconcile: boolean },
): Promise<GoneRow[]> {
  const stage = stageTable(runId);
  const S = Math.trunc(syncId);
  if (!OBJECT_NAME_RE.test(object)) throw new Error(`Not an object API name: ${object}`);
  const O = `'${object}'`;
  const extracted = (alias: string) =>
    `EXISTS (SELECT 1 FROM ${stage} e WHERE e.object = ${O} AND e.sf_id = ${alias}.sf_id AND e.source = 'extract')`;
  const parts: string[] = [];
  if (options.complete)
    parts.push(`SELECT r.sf_id, r.data FROM salesforce_sync_records r
      WHERE r.sync_id = ${S} AND r.object = ${O} AND NOT ${extracted('r')}`);
  if (options.reconcile)
    parts.push(`SELECT r.sf_id, r.data FROM salesforce_sync_records r
      WHERE r.sync_id = ${S} AND r.object = ${O}
        AND NOT EXISTS (SELECT 1 FROM ${stage} i WHERE i.object = ${O} AND i.sf_id = r.sf_id AND i.source = 'ids')
        AND NOT ${extracted('r')}`);
  // A record the extraction read is what the extraction says (live, or an IsDeleted row of its own).
  parts.push(`SELECT d.sf_id, r.data FROM ${stage} d
      LEFT JOIN salesforce_sync_records r ON r.sync_id = ${S} AND r.object = ${O} AND r.sf_id = d.sf_id
      WHERE d.object = ${O} AND d.source = 'deleted' AND NOT ${extracted('d')}`);
  if (object === 'AccountTeamMember')
    parts.push(`SELECT e.sf_id, r.data FROM ${stage} e
      JOIN salesforce_sync_records r ON r.sync_id = ${S} AND r.object = ${O} AND r.sf_id = e.sf_id
      WHERE e.object = ${O} AND e.source = 'extract' AND r.data IS DISTINCT FROM e.data`);
  if (object === 'CampaignMember')
    parts.push(`SELECT r.sf_id, r.data FROM salesforce_sync_records r
      WHERE r.sync_id = ${S} AND r.object = ${O}
        AND NOT EXISTS (SELECT 1 FROM ${stage} c WHERE c.object = 'Campaign' AND c.source = 'extract'
                          AND NOT c.deleted AND c.sf_id = r.data->>'c')`);
  await db.query(
    `INSERT INTO ${stage} (object, sf_id, deleted, data, source)
     SELECT DISTINCT ON (g.sf_id) ${O}, g.sf_id, true, g.data, 'gone' FROM (${parts.join(' UNION ALL ')}) g`,
  );
  const rows = await db.query<{ sf_id: string; data: RecordKey }>(
    `SELECT sf_id, data FROM ${stage} WHERE object = ${O} AND source = 'gone'`,
  );
  return rows.map((r) => ({ id: r.sf_id, key: r.data }));
}

/**
 * After the import of these objects committed: their synced records become what this run saw — live extracted rows
 * added or updated (with their key), deleted and gone ones removed. One transaction with the
 * cursor, so a run either moves both or neither.
 */
export async function applyStage(tx: Executor, runId: number, syncId: number, objects: readonly string[]) {
  const stage = sql.raw(stageTable(runId));
  const S = Math.trunc(syncId);
  const O = sql.raw(`ARRAY[${objects.map((o) => `'${o.replace(/'/g, "''")}'`).join(', ')}]::text[]`);
  await tx.execute(sql`
    DELETE FROM salesforce_sync_records r USING ${stage} s
    WHERE r.sync_id = ${S} AND r.object = s.object AND r.sf_id = s.sf_id AND s.object = ANY(${O})
      AND ((s.source = 'extract' AND s.deleted) OR s.source = 'gone')`);
  // A team member whose key changed was 'gone' (its old membership) and is re-added here with the new one.
  await tx.execute(sql`
    INSERT INTO salesforce_sync_records (sync_id, object, sf_id, data)
    SELECT ${S}, s.object, s.sf_id, s.data FROM ${stage} s
    WHERE s.source = 'extract' AND NOT s.deleted AND s.object = ANY(${O})
    ON CONFLICT (sync_id, object, sf_id) DO UPDATE SET data = EXCLUDED.data
    WHERE salesforce_sync_records.data IS DISTINCT FROM EXCLUDED.data`);
}

/** How many records a sync has put in its directory, per object. */
export async function syncedCounts(db: Executor, syncId: number): Promise<Record<string, number>> {
  const rows = await queryRows<{ object: string; n: number }>(
    db,
    sql`SELECT object, count(*)::int AS n FROM salesforce_sync_records WHERE sync_id = ${syncId} GROUP BY object`,
  );
  return Object.fromEntries(rows.map((r) => [r.object, Number(r.n)]));
}
