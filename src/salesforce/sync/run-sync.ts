import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { and, desc, eq, ne } from 'drizzle-orm';
import { executeImportRun } from '../../imports/b2b/run-b2b-import.ts';
import { importDeps } from '../../imports/imports.jobs.ts';
import { createImportRun, getImportRun, type ImportRunView } from '../../imports/imports.service.ts';
import { type ImportObject, type MappingInput, parseMapping } from '../../imports/mapping.ts';
import type { FileSource } from '../../imports/sources.ts';
import type { Database } from '../../platform/db/database.ts';
import { emitEvent } from '../../platform/events/events.ts';
import type { Logger } from '../../platform/logger.ts';
import type { SecretBox } from '../../platform/secrets/secret-box.ts';
import { systemActor } from '../../users/roles.ts';
import { type RetryPolicy, SalesforceClient } from '../client/sf-client.ts';
import { describeFailure, isRequestLimitExceeded, SalesforceStop } from '../client/sf-errors.ts';
import { openConnection } from '../connections/open-connection.ts';
import { salesforceConnections, salesforceSyncRuns, salesforceSyncs } from '../salesforce.schema.ts';
import { refreshCampaignLists } from './campaign-lists.ts';
import { campaignConditions, keptCampaigns, memberParts } from './campaign-members.ts';
import { CsvFile } from './csv-file.ts';
import { describer, resolveField } from './describe.ts';
import {
  countRecords,
  type ExtractPart,
  type ExtractPlan,
  type ExtractStats,
  extractObject,
  extractParts,
} from './extract.ts';
import { ListViewProblem, resolveObjectFilter } from './list-views.ts';
import {
  getSyncRow,
  mappingFor,
  nameColumnOf,
  type SyncObjects,
  type SyncRow,
  type SyncRunRow,
  toPublicSyncRun,
  ZSyncOptions,
} from './sync-config.service.ts';
import {
  builtInNameColumn,
  CAMPAIGN_GROUP,
  deletionRow,
  extractionOrder,
  fieldList,
  IMPORT_FILE_OF,
  IMPORT_GROUPS,
  isBuiltInObject,
  recordKey,
} from './sync-objects.ts';
import { applyStage, decideGone, dropStage, loadStage, StageWriter } from './sync-records.ts';

export interface SyncDeps {
  db: Database;
  secrets: SecretBox;
  logger: Logger;
  /** Where runs write their extracted files (under the data folder). */
  dataDir: string;
}

export interface SyncRunOptions {
  /** Re-extract everything, even with a cursor. */
  full?: boolean;
  /** List every live Id to find purged records, even if not due. */
  reconcile?: boolean;
  signal?: AbortSignal;
  /** Tests shorten the backoff. */
  retry?: RetryPolicy;
  pollMs?: number;
  /** Leave the extracted files in <dataDir>/salesforce-sync/<runId> (the benchmark imports them again). */
  keepFiles?: boolean;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const floorMinute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;
/** Salesforce answers getDeleted for the last 15 days only. */
const GET_DELETED_DAYS = 15;

/** Records a queued run of a sync (the job or the CLI executes it). */
export async function createSyncRun(
  db: Database,
  syncId: number,
  input: { trigger: 'schedule' | 'manual' | 'cli'; full?: boolean; createdBy: string },
): Promise<SyncRunRow> {
  const sync = await getSyncRow(db.orm, syncId);
  const [run] = await db.orm
    .insert(salesforceSyncRuns)
    .values({
      syncId,
      directoryId: sync.directoryId,
      mode: input.full || !sync.cursor ? 'full' : 'delta',
      trigger: input.trigger,
      createdBy: input.createdBy,
      cursorBefore: sync.cursor,
    })
    .returning();
  return run!;
}

interface ObjectWork {
  /** A built-in object (Account …) or an other one named in the config (Client_Contact__c …). */
  object: string;
  /** The directory file it feeds (null: campaigns, which feed mailing lists). */
  loadAs: ImportObject | null;
  /** An other object's own mapping (null: the sync's). */
  mapping: MappingInput | null;
  /** The column a deletion row carries the account name in (accounts need one). */
  nameColumn: string | null;
  plan: ExtractPlan;
  /** The conditions that together select the object's records (a reconcile lists their Ids). */
  scopes: (string | null)[];
  /** The run's filter (WHERE, list view, chosen Ids): when it differs from the last run's, the object is read in full. */
  filter: string | null;
  listView: string | null;
  file: CsvFile;
  full: boolean;
  reconcile: boolean;
  stats: ExtractStats | null;
  getDeleted: number;
  gone: number;
  ms: number;
}

class RunFailure extends Error {}

/**
 * One sync run, start to end: extract each object to a Salesforce-shaped CSV file (REST for small
 * objects, Bulk API 2.0 for large ones), decide the deletions (IsDeleted rows from queryAll,
 * getDeleted for purges, and — on a full sync or a reconcile — synced records Salesforce no
 * longer has), load the files through the directory import (same mapping, rules and report),
 * and only then, in one transaction, move the cursor and the synced records. A failure anywhere
 * before that (API budget, REQUEST_LIMIT_EXCEEDED, an import that failed, a crash) leaves both as
 * they were: the next run reads the same window again.
 */
export async function executeSyncRun(deps: SyncDeps, runId: number, options: SyncRunOptions = {}) {
  const { db, logger } = deps;
  const [found] = await db.orm.select().from(salesforceSyncRuns).where(eq(salesforceSyncRuns.id, runId));
  if (!found) throw new Error(`No Salesforce sync run ${runId}`);
  if (found.status === 'succeeded' || found.status === 'failed') return toPublicSyncRun(found);
  const sync = await getSyncRow(db.orm, found.syncId);
  const workDir = path.join(deps.dataDir, 'salesforce-sync', String(runId));
  const started = performance.now();
  const timings: Record<string, number> = {};
  const extracted: Record<string, Record<string, unknown>> = {};
  let client: SalesforceClient | null = null;
  const fail = async (message: string) => {
    await db.orm
      .update(salesforceSyncRuns)
      .set({
        status: 'failed',
        error: message.slice(0, 4000),
        finishedAt: new Date(),
        extracted,
        timings: { ...timings, totalMs: Math.round(performance.now() - started) },
        apiCalls: client?.apiCalls ?? 0,
        apiUsage: client?.budget.snapshot() ?? null,
      })
      .where(eq(salesforceSyncRuns.id, runId));
  };

  try {
    await recoverInterrupted(deps, found, workDir);
    await guardConcurrentRuns(db, found);
    await db.orm
      .update(salesforceSyncRuns)
      .set({ status: 'running', startedAt: new Date(), cursorBefore: sync.cursor, error: null })
      .where(eq(salesforceSyncRuns.id, runId));
    if (!sync.connectionId)
      throw new RunFailure('The sync has no Salesforce connection (it was disconnected): choose one');
    const [connection] = await db.orm
      .select()
      .from(salesforceConnections)
      .where(eq(salesforceConnections.id, sync.connectionId));
    if (!connection) throw new RunFailure('The Salesforce connection of this sync no longer exists');
    const syncOptions = ZSyncOptions.parse(sync.options ?? {});
    client = new SalesforceClient(openConnection(deps, connection), {
      budgetPercent: syncOptions.apiBudgetPercent,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const api = client;
    await api.readLimits();

    await rm(workDir, { recursive: true, force: true });
    await mkdir(workDir, { recursive: true });
    const runStart = new Date();
    const cursor = (sync.cursor as Record<string, string> | null) ?? {};
    const reconcileDue =
      !sync.lastReconcileAt ||
      Date.now() - sync.lastReconcileAt.getTime() >= syncOptions.reconcileEveryDays * DAY;
    const describe = describer((what, fn) => api.call(what, fn));
    const objects = sync.objects as SyncObjects;
    const stage = new StageWriter(path.join(workDir, 'stage.csv'));
    const work: ObjectWork[] = [];
    const lastFilters = await previousFilters(db, sync.id);
    const liveCampaigns = new Set<string>();

    // 1. Extract each object to its file, and what was read to the stage.
    for (const object of extractionOrder(Object.keys(objects))) {
      // Campaign members follow the chosen campaigns; they have no config of their own.
      const config =
        object === 'CampaignMember'
          ? objects.Campaign
            ? { fields: [], where: null }
            : undefined
          : objects[object];
      if (!config) continue;
      const builtIn = isBuiltInObject(object);
      const loadAs: ImportObject | null = builtIn
        ? (IMPORT_FILE_OF[object] ?? null)
        : 'loadAs' in config && config.loadAs
          ? config.loadAs
          : null;
      if (!builtIn && !loadAs)
        throw new RunFailure(`${object}: the sync does not say which directory file it feeds`);
      const ownMapping = builtIn ? null : await mappingFor(db.orm, sync, config as SyncObjects[string]);
      const t0 = performance.now();
      const info = await describe(object);
      const fields: string[] = [];
      const types = new Map<string, string>();
      for (const field of fieldList(object, config.fields)) {
        const resolved = await resolveField(describe, info, field);
        if ('problem' in resolved) throw new RunFailure(`${object}: ${resolved.problem}`);
        fields.push(resolved.path);
        types.set(resolved.path.toLowerCase(), resolved.type);
      }
      let filter: Awaited<ReturnType<typeof resolveObjectFilter>>;
      try {
        filter = await resolveObjectFilter(api, object, config);
      } catch (error) {
        if (error instanceof ListViewProblem) throw new RunFailure(`${object}: ${error.message}`);
        throw error;
      }
      const since = cursor[object] ? Date.parse(cursor[object]) : null;
      const filterChanged = object in lastFilters && lastFilters[object] !== filter.where;
      // Campaigns are few and always read whole: the run then knows every campaign it keeps.
      const full = options.full === true || since === null || filterChanged || object === 'Campaign';
      const plan: ExtractPlan = {
        object,
        fields,
        types,
        where: filter.where,
        since: full ? null : new Date(since! - syncOptions.overlapMinutes * MINUTE),
        includeDeleted: !full,
        bulk: false,
        pageSize: syncOptions.bulkPageSize,
        ...(options.pollMs ? { pollMs: options.pollMs } : {}),
      };
      let parts: ExtractPart[] = [{ plan, stamps: true }];
      let scopes: (string | null)[] = [filter.where];
      if (object === 'CampaignMember') {
        parts = memberParts(plan, liveCampaigns, await keptCampaigns(db.orm, sync.id));
        scopes = campaignConditions([...liveCampaigns]);
      }
      let nameColumn = builtInNameColumn(object);
      if (!builtIn && loadAs === 'accounts') {
        nameColumn = nameColumnOf(parseMapping(ownMapping), fields);
        if (!nameColumn)
          throw new RunFailure(`${object}: its mapping reads accounts.displayName from no extracted field`);
      }
      const file = new CsvFile(path.join(workDir, `${object}.csv`), fields);
      const columnOf = new Map(fields.map((f, i) => [f.toLowerCase(), i]));
      const fieldOf = (values: string[]) => (field: string) =>
        values[columnOf.get(field.toLowerCase()) ?? -1] ?? '';
      const stats = await extractParts(api, parts, syncOptions.bulkThreshold, async (row) => {
        await file.write(row.values);
        const key = recordKey(object, fieldOf(row.values), nameColumn);
        await stage.add(object, row.id, row.deleted, key, 'extract');
        if (object === 'Campaign' && !row.deleted) liveCampaigns.add(row.id);
      });
      const item: ObjectWork = {
        object,
        loadAs,
        mapping: ownMapping,
        nameColumn,
        plan,
        scopes,
        filter: filter.where,
        listView: filter.listView?.label ?? null,
        file,
        full,
        reconcile: !full && (options.reconcile === true || reconcileDue),
        stats,
        getDeleted: 0,
        gone: 0,
        ms: 0,
      };
      // 2. A delta also asks which records were deleted in the window (purged ones are not in queryAll).
      if (!full) await listDeleted(api, item, stage, logger);
      item.ms = Math.round(performance.now() - t0);
      work.push(item);
      extracted[object] = summary(item);
    }

    // 3. A reconcile lists every live Id (cheap: one column) to find purged records.
    for (const item of work) {
      if (!item.reconcile) continue;
      const t0 = performance.now();
      for (const where of item.scopes) {
        const idPlan: ExtractPlan = {
          ...item.plan,
          fields: ['Id'],
          where,
          since: null,
          includeDeleted: false,
          bulk: false,
        };
        idPlan.bulk = (await countRecords(api, idPlan)) > syncOptions.bulkThreshold;
        await extractObject(api, idPlan, (row) => stage.add(item.object, row.id, false, null, 'ids'));
      }
      timings[`reconcile${item.object}Ms`] = Math.round(performance.now() - t0);
    }

    // 4. Stage what was read, decide the deletions, and write them as IsDeleted rows.
    let t0 = performance.now();
    await loadStage(db, runId, stage);
    for (const item of work) {
      // A full extraction read every live record the filter selects: what it did not see is gone.
      const gone = await decideGone(db, runId, sync.id, item.object, {
        complete: item.full,
        reconcile: item.reconcile,
      });
      for (const g of gone)
        await item.file.write(deletionRow(item.file.columns, g.id, g.key, item.nameColumn));
      item.gone = gone.length;
      await item.file.close();
      extracted[item.object] = summary(item);
    }
    timings.stageMs = Math.round(performance.now() - t0);
    for (const item of work) timings[`extract${item.object}Ms`] = item.ms;

    const cursorAfter = { ...cursor };
    for (const item of work) {
      const max = item.stats?.maxStamp ?? null;
      if (max !== null) cursorAfter[item.object] = new Date(max).toISOString();
      else if (item.full) cursorAfter[item.object] = runStart.toISOString();
    }
    const reconciled = work.every((w) => w.full || w.reconcile);
    const mapping = await mappingFor(db.orm, sync);
    // The account data, then each other object (its own import run: accounts before contacts, so
    // contacts find the accounts they name), then the leads; the campaigns last.
    const others = (kind: ImportObject) =>
      work.filter((w) => !isBuiltInObject(w.object) && w.loadAs === kind).map((w) => [w.object]);
    const groups: (readonly string[])[] = [
      IMPORT_GROUPS[0]!,
      ...others('accounts'),
      ...others('contacts'),
      ...IMPORT_GROUPS.slice(1),
      CAMPAIGN_GROUP,
    ];
    const leads = IMPORT_GROUPS[1]!;
    // The run's new mailing list holds the account data's contacts: it goes to the first import
    // run that loads contacts (Contact, or an other object loaded as contacts), not the leads'.
    const listGroup =
      groups.find(
        (g) =>
          g !== leads &&
          work.some((w) => g.includes(w.object) && w.loadAs === 'contacts' && w.file.records > 0),
      ) ?? groups[0];

    // 5. Load each group through the directory import (same mapping, same rules, same report), and
    // 6. only once it succeeded move that group's cursor and synced records, together. The
    // campaigns come last: their lists' members are the contacts and leads just loaded.
    const committed = { ...cursor };
    let importRun: ImportRunView | null = null;
    for (const group of groups) {
      const items = work.filter((w) => group.includes(w.object));
      if (items.length === 0) continue;
      const imported = group !== CAMPAIGN_GROUP;
      let loaded: ImportRunView | null = null;
      if (imported && items.some((w) => w.file.records > 0)) {
        t0 = performance.now();
        const sources: Partial<Record<string, FileSource>> = {};
        for (const item of items) sources[item.loadAs!] = { kind: 'path', path: item.file.path };
        // The run's first import (not the leads') is its own: the run names it.
        const primary = importRun === null && group !== leads;
        const created = await createImportRun(db, systemActor('salesforce-sync'), {
          directory: sync.directoryId,
          sources,
          mapping: items[0]!.mapping ?? mapping,
          options: { mailingList: group === listGroup ? sync.mailingList : null },
        });
        if (primary) {
          await db.orm
            .update(salesforceSyncRuns)
            .set({ importRunId: created.runId, extracted })
            .where(eq(salesforceSyncRuns.id, runId));
        } else {
          for (const item of items) extracted[item.object] = { ...summary(item), importRunId: created.runId };
        }
        try {
          await executeImportRun(importDeps(deps), created.runId);
        } catch {
          // The import run records why it failed; read below.
        }
        loaded = await getImportRun(db.orm, systemActor('salesforce-sync'), created.runId);
        timings[primary ? 'importMs' : `import${group.join('')}Ms`] = Math.round(performance.now() - t0);
        if (loaded.status !== 'succeeded') {
          throw new RunFailure(
            `The import run ${loaded.runId} (${group.join(', ')}) failed: ${loaded.failure ?? 'see its report'}. ` +
              `The cursor of ${group.join(', ')} did not move.`,
          );
        }
        if (primary) importRun = loaded;
      }
      t0 = performance.now();
      for (const item of items)
        if (cursorAfter[item.object]) committed[item.object] = cursorAfter[item.object]!;
      const lists = await db.orm.transaction(async (tx) => {
        await applyStage(tx, runId, sync.id, group);
        await tx
          .update(salesforceSyncs)
          .set({ cursor: { ...committed }, updatedAt: new Date() })
          .where(eq(salesforceSyncs.id, sync.id));
        if (loaded) {
          await emitEvent(tx, 'import.completed', `import_run:${loaded.runId}`, {
            importRunId: loaded.runId,
            directoryId: sync.directoryId,
            mailingListId: loaded.mailingListId,
            objects: loaded.objects,
            source: 'salesforce',
            syncRunId: runId,
          });
        }
        return imported ? null : refreshCampaignLists(tx, sync.id, sync.directoryId);
      });
      if (lists) extracted.Campaign = { ...extracted.Campaign, lists };
      timings.applyMs = (timings.applyMs ?? 0) + Math.round(performance.now() - t0);
    }

    const finished = await db.orm.transaction(async (tx) => {
      if (reconciled)
        await tx
          .update(salesforceSyncs)
          .set({ lastReconcileAt: runStart })
          .where(eq(salesforceSyncs.id, sync.id));
      timings.totalMs = Math.round(performance.now() - started);
      const [done] = await tx
        .update(salesforceSyncRuns)
        .set({
          status: 'succeeded',
          finishedAt: new Date(),
          extracted,
          cursorAfter: committed,
          reconciled,
          apiCalls: api.apiCalls,
          apiUsage: api.budget.snapshot(),
          timings,
        })
        .where(eq(salesforceSyncRuns.id, runId))
        .returning();
      if (api.budget.used !== null) {
        await tx
          .update(salesforceConnections)
          .set({ apiUsage: { used: api.budget.used, max: api.budget.max, at: new Date().toISOString() } })
          .where(eq(salesforceConnections.id, connection.id));
      }
      return done!;
    });
    logger.info(
      { runId, syncId: sync.id, importRunId: importRun?.runId ?? null },
      'Salesforce sync succeeded',
    );
    return toPublicSyncRun(finished);
  } catch (error) {
    const failure = describeFailure(error);
    const message =
      error instanceof SalesforceStop || error instanceof RunFailure
        ? error.message
        : isRequestLimitExceeded(error)
          ? 'Salesforce answered REQUEST_LIMIT_EXCEEDED: the org daily API allocation is used up.'
          : `Salesforce sync failed: ${failure.errorCode && !failure.message.includes(failure.errorCode) ? `${failure.errorCode}: ` : ''}${failure.message}`;
    if (!(error instanceof SalesforceStop || error instanceof RunFailure))
      logger.error({ err: error, runId }, 'Salesforce sync failed');
    else logger.warn({ runId, reason: message }, 'Salesforce sync stopped');
    await fail(message);
    const [row] = await db.orm.select().from(salesforceSyncRuns).where(eq(salesforceSyncRuns.id, runId));
    return toPublicSyncRun(row!);
  } finally {
    await dropStage(db, runId).catch(() => {});
    if (!options.keepFiles) await rm(workDir, { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * The filter each object had in the last run that succeeded (objects it recorded none for — runs
 * from before filters were recorded — are absent: no forced full read after an upgrade).
 */
async function previousFilters(db: Database, syncId: number): Promise<Record<string, string | null>> {
  const [last] = await db.orm
    .select({ extracted: salesforceSyncRuns.extracted })
    .from(salesforceSyncRuns)
    .where(and(eq(salesforceSyncRuns.syncId, syncId), eq(salesforceSyncRuns.status, 'succeeded')))
    .orderBy(desc(salesforceSyncRuns.id))
    .limit(1);
  const filters: Record<string, string | null> = {};
  for (const [object, e] of Object.entries(
    (last?.extracted ?? {}) as Record<string, Record<string, unknown>>,
  ))
    if (e && 'filter' in e) filters[object] = (e.filter as string | null) ?? null;
  return filters;
}

function summary(item: ObjectWork) {
  return {
    filter: item.filter,
    ...(item.listView ? { listView: item.listView } : {}),
    method: item.stats?.method ?? null,
    rows: item.stats?.rows ?? 0,
    deleted: item.stats?.deleted ?? 0,
    pages: item.stats?.pages ?? 0,
    full: item.full,
    reconcile: item.reconcile,
    getDeleted: item.getDeleted,
    gone: item.gone,
    fileRows: item.file.records,
  };
}

/**
 * getDeleted for the delta window: Ids deleted since the cursor (minus the overlap), purged ones
 * included. If Salesforce cannot cover the window (older than 15 days, or the recycle bin was
 * emptied since), the object is reconciled instead.
 */
async function listDeleted(client: SalesforceClient, item: ObjectWork, stage: StageWriter, logger: Logger) {
  const end = new Date(floorMinute(Date.now()));
  let start = floorMinute(item.plan.since!.getTime());
  if (start < end.getTime() - GET_DELETED_DAYS * DAY + MINUTE) {
    item.reconcile = true;
    return;
  }
  // Salesforce wants the window longer than a minute: widen a short one backwards (harmless).
  if (end.getTime() - start < 2 * MINUTE) start = end.getTime() - 2 * MINUTE;
  try {
    const answer = await client.call(`listing deleted ${item.object} records`, (conn) =>
      conn.deleted(item.object, new Date(start), end),
    );
    for (const record of answer.deletedRecords ?? []) {
      await stage.add(item.object, record.id, true, null, 'deleted');
      item.getDeleted++;
    }
    const earliest = Date.parse(answer.earliestDateAvailable);
    if (Number.isFinite(earliest) && earliest > start) item.reconcile = true;
  } catch (error) {
    if (error instanceof SalesforceStop) throw error;
    logger.warn({ err: error, object: item.object }, 'getDeleted failed: reconciling the object instead');
    item.reconcile = true;
  }
}

/**
 * A run found `running` was cut off (crash, kill): an import it had started is finished from its
 * files if they are still there (so no import run is left hanging), then this run starts over.
 * The cursor never moved, so nothing is lost; the window is read again.
 */
async function recoverInterrupted(deps: SyncDeps, run: SyncRunRow, workDir: string) {
  if (run.status !== 'running' || !run.importRunId) return;
  const importRun = await getImportRun(deps.db.orm, systemActor('salesforce-sync'), run.importRunId).catch(
    () => null,
  );
  if (!importRun || (importRun.status !== 'queued' && importRun.status !== 'running')) return;
  if (!existsSync(workDir)) return;
  await executeImportRun(importDeps(deps), run.importRunId).catch(() => {});
}

/** One run per sync at a time; a run left `running` for hours was cut off and is marked so. */
async function guardConcurrentRuns(db: Database, run: SyncRunRow) {
  const others = await db.orm
    .select()
    .from(salesforceSyncRuns)
    .where(
      and(
        eq(salesforceSyncRuns.syncId, run.syncId),
        eq(salesforceSyncRuns.status, 'running'),
        ne(salesforceSyncRuns.id, run.id),
      ),
    );
  for (const other of others) {
    const age = Date.now() - (other.startedAt ?? other.createdAt).getTime();
    if (age < 6 * 3_600_000) {
      throw new RunFailure(`Another run of this sync (run ${other.id}) is in progress`);
    }
    await db.orm
      .update(salesforceSyncRuns)
      .set({
        status: 'failed',
        error: 'Interrupted (the process stopped during the run)',
        finishedAt: new Date(),
      })
      .where(eq(salesforceSyncRuns.id, other.id));
  }
}

export type { SyncRow };
