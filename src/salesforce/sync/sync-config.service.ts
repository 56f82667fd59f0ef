import { and, desc, eq, lt } from 'drizzle-orm';
import { z } from 'zod';
import { findDirectory, getSavedImportMapping } from '../../directory/directories.service.ts';
import {
  checkMapping,
  DEFAULT_MAPPING,
  type Mapping,
  type MappingInput,
  parseMapping,
} from '../../imports/mapping.ts';
import type { Executor } from '../../platform/db/database.ts';
import { notFound, validationFailed } from '../../platform/errors.ts';
import { recordAudit } from '../../system/audit.service.ts';
import { type Actor, actorLabel, authorize } from '../../users/roles.ts';
import { SalesforceClient } from '../client/sf-client.ts';
import { describeFailure } from '../client/sf-errors.ts';
import { getConnectionRow } from '../connections/connections.service.ts';
import { type ConnectionDeps, openConnection } from '../connections/open-connection.ts';
import { salesforceSyncRecords, salesforceSyncRuns, salesforceSyncs } from '../salesforce.schema.ts';
import { describer, resolveField } from './describe.ts';
import { ListViewProblem, resolveObjectFilter } from './list-views.ts';
import { cronProblem, DEFAULT_CRON, nextRunAfter } from './schedule.ts';
import {
  CONFIGURABLE_OBJECTS,
  DEFAULT_OBJECTS,
  fieldList,
  isBuiltInObject,
  OBJECT_NAME_RE,
  OTHER_OBJECT_LOADS,
  type OtherObjectLoad,
  SUGGESTED_FIELDS,
  SUGGESTED_WHERE,
  type SyncObject,
} from './sync-objects.ts';

export const ZSyncObjectConfig = z.object({
  /** Fields besides the required ones (Id, IsDeleted, Name, Parent.Id …), by API name or one hop (Account.Customer_Number__c). */
  fields: z.array(z.string().trim().min(1).max(200)).max(500).default([]),
  /** A SOQL WHERE condition (without the WHERE), e.g. `Type = 'Customer - Direct'`. */
  where: z.string().trim().max(4000).nullable().default(null),
  /** A list view of the object (API name or Id) whose filter applies too, read again at each run. */
  listView: z.string().trim().min(1).max(80).nullable().default(null),
  /** Only these records (the campaigns picked in the sync editor), besides the filters. */
  ids: z
    .array(z.string().regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, { error: 'expected a Salesforce Id' }))
    .max(500)
    .default([]),
  /** An object other than the built-in ones: the directory file it feeds (required for those). */
  loadAs: z.enum(OTHER_OBJECT_LOADS).optional(),
  /** An other object's own import mapping (its fields are not Contact's); null: the sync's mapping. */
  mapping: z.unknown().nullable().optional(),
});

export const ZSyncOptions = z.object({
  /** Above this many records an object is read through Bulk API 2.0, else through REST queries. */
  bulkThreshold: z.number().int().min(0).max(100_000_000).default(10_000),
  /** Share of the org's daily API requests a run may use. */
  apiBudgetPercent: z.number().int().min(1).max(100).default(50),
  /** A delta re-reads this far behind the cursor: records committed late are not missed. */
  overlapMinutes: z.number().int().min(0).max(1440).default(5),
  /** How often a delta also lists every Id to find purged records (0: every run). */
  reconcileEveryDays: z.number().min(0).max(365).default(7),
  /** Bulk API 2.0 result page size (maxRecords); null lets Salesforce choose. */
  bulkPageSize: z.number().int().min(1).max(1_000_000).nullable().default(null),
});
export type SyncOptions = z.output<typeof ZSyncOptions>;

export const ZSyncSave = z.object({
  connectionId: z.number().int().positive(),
  /**
   * The built-in objects (Account, Contact, AccountTeamMember, Lead, Campaign) and any other object
   * by API name (Client_Contact__c …) with the file it feeds (`loadAs`) and optionally its own mapping.
   */
  objects: z
    .record(
      z
        .string()
        .regex(OBJECT_NAME_RE, { error: 'expected an object API name such as Contact or Customer__c' }),
      ZSyncObjectConfig,
    )
    .superRefine((objects, ctx) => {
      if (Object.keys(objects).length === 0)
        ctx.addIssue({ code: 'custom', message: 'choose at least one object' });
      for (const [name, config] of Object.entries(objects)) {
        const builtIn = (CONFIGURABLE_OBJECTS as readonly string[]).includes(name);
        if (name.toLowerCase() === 'campaignmember')
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'CampaignMember is read for the chosen campaigns: choose Campaign instead',
          });
        else if (!builtIn && CONFIGURABLE_OBJECTS.some((o) => o.toLowerCase() === name.toLowerCase()))
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `expected ${CONFIGURABLE_OBJECTS.find((o) => o.toLowerCase() === name.toLowerCase())}, as Salesforce spells it`,
          });
        else if (builtIn && (config.loadAs !== undefined || (config.mapping ?? null) !== null))
          ctx.addIssue({
            code: 'custom',
            path: [name, 'loadAs'],
            message: `${name} is loaded as the seed says: loadAs and mapping are for other objects`,
          });
        else if (!builtIn && config.loadAs === undefined)
          ctx.addIssue({
            code: 'custom',
            path: [name, 'loadAs'],
            message: 'expected "accounts" or "contacts": the directory file this object feeds',
          });
      }
    }),
  /** The import mapping; null: the directory's saved mapping (else the default Salesforce mapping). */
  mapping: z.unknown().nullable().default(null),
  mailingList: z.string().trim().min(1).max(200).nullable().default(null),
  schedule: z
    .object({
      cron: z.string().trim().min(1).max(100).default(DEFAULT_CRON),
      timeZone: z.string().default('UTC'),
    })
    .default({ cron: DEFAULT_CRON, timeZone: 'UTC' }),
  enabled: z.boolean().default(true),
  options: ZSyncOptions.default(ZSyncOptions.parse({})),
});
export type SyncSave = z.input<typeof ZSyncSave>;

export type SyncRow = typeof salesforceSyncs.$inferSelect;
export type SyncObjectConfig = z.output<typeof ZSyncObjectConfig>;
/** Built-in objects by their name, other objects (with loadAs) by their API name. */
export type SyncObjects = Partial<Record<SyncObject, SyncObjectConfig>> &
  Record<string, SyncObjectConfig | undefined>;

export function toPublicSync(row: SyncRow) {
  const objects = row.objects as SyncObjects;
  return {
    id: row.id,
    directoryId: row.directoryId,
    connectionId: row.connectionId,
    objects: Object.fromEntries(
      Object.entries(objects).map(([name, o]) => [
        name,
        { ...o, extracted: fieldList(name, o?.fields ?? []) },
      ]),
    ),
    mapping: row.mapping,
    mailingList: row.mailingList,
    schedule: { cron: row.scheduleCron, timeZone: row.timeZone },
    enabled: row.enabled,
    nextRunAt: row.nextRunAt?.toISOString() ?? null,
    options: ZSyncOptions.parse(row.options ?? {}),
    cursor: (row.cursor as Record<string, string> | null) ?? null,
    lastReconcileAt: row.lastReconcileAt?.toISOString() ?? null,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function findSyncRow(db: Executor, directoryId: number): Promise<SyncRow | null> {
  const [row] = await db.select().from(salesforceSyncs).where(eq(salesforceSyncs.directoryId, directoryId));
  return row ?? null;
}

export async function getSyncRow(db: Executor, id: number): Promise<SyncRow> {
  const [row] = await db.select().from(salesforceSyncs).where(eq(salesforceSyncs.id, id));
  if (!row) throw notFound(`No Salesforce sync ${id}`);
  return row;
}

export async function getSync(db: Executor, actor: Actor, directory: string | number) {
  authorize(actor, 'data:read');
  const dir = await findDirectory(db, directory);
  const row = await findSyncRow(db, dir.id);
  return row ? toPublicSync(row) : null;
}

/** What a new sync form starts from. */
export function syncDefaults() {
  return {
    objects: Object.fromEntries(
      CONFIGURABLE_OBJECTS.map((o) => [
        o,
        { fields: [...SUGGESTED_FIELDS[o]], where: SUGGESTED_WHERE[o] ?? null, listView: null, ids: [] },
      ]),
    ) as SyncObjects,
    enabledObjects: [...DEFAULT_OBJECTS],
    schedule: { cron: DEFAULT_CRON, timeZone: 'UTC' },
    options: ZSyncOptions.parse({}),
  };
}

type Problem = { path: string; message: string };

/**
 * The mapping an object's import run uses: an other object's own, else the sync's, else the
 * directory's saved mapping, else the default Salesforce mapping.
 */
export async function mappingFor(
  db: Executor,
  sync: { directoryId: number; mapping: unknown },
  config?: SyncObjectConfig,
): Promise<MappingInput> {
  const own = (config?.mapping ?? null) as MappingInput | null;
  if (own) return own;
  if (sync.mapping) return sync.mapping as MappingInput;
  return ((await getSavedImportMapping(db, sync.directoryId)) as MappingInput | null) ?? DEFAULT_MAPPING;
}

const has = (sources: readonly string[] | undefined, field: string) =>
  (sources ?? []).some((s) => s.toLowerCase() === field.toLowerCase());

/** The extracted column an other object loaded as accounts takes the account name from (the import requires one). */
export function nameColumnOf(mapping: Mapping, fields: readonly string[]): string | null {
  for (const source of mapping.accounts.fields.displayName ?? []) {
    const field = fields.find((f) => f.toLowerCase() === source.toLowerCase());
    if (field) return field;
  }
  return null;
}

/**
 * What an other object needs to be kept in step through the directory import: a delta cursor and
 * deletions (SystemModstamp, IsDeleted), a mapping that keys its records by Id and reads IsDeleted
 * (else deletions could not reach the directory), and — loaded as accounts — a name among the
 * extracted fields.
 */
export function otherObjectProblems(
  object: string,
  loadAs: OtherObjectLoad,
  fieldNames: readonly string[],
  extracted: readonly string[],
  mapping: Mapping,
): string[] {
  const problems: string[] = [];
  for (const field of ['SystemModstamp', 'IsDeleted'])
    if (!has(fieldNames, field))
      problems.push(`${object} has no ${field} field: it cannot be kept in step by delta syncs`);
  const fields = mapping[loadAs].fields as Record<string, string[] | undefined>;
  if (!has(fields.externalRef, 'Id'))
    problems.push(
      `the mapping of ${object} must read ${loadAs}.externalRef from Id (records are kept by their Id)`,
    );
  if (!has(fields.isDeleted, 'IsDeleted'))
    problems.push(
      `the mapping of ${object} must read ${loadAs}.isDeleted from IsDeleted (deletions arrive that way)`,
    );
  if (loadAs === 'accounts' && !nameColumnOf(mapping, extracted))
    problems.push(
      `the mapping of ${object} reads accounts.displayName from ${(fields.displayName ?? []).join(', ') || 'nothing'}: choose one of those fields to extract`,
    );
  return problems;
}

/**
 * Checks a sync against the org: every field exists (custom ones included), none is compound
 * (refused with the seed's message), each list view exists and can filter a sync (its API name is
 * what is saved), and each object's filter — WHERE, list view and chosen Ids together — is valid
 * SOQL for the object.
 */
async function checkAgainstOrg(
  deps: ConnectionDeps,
  directoryId: number,
  input: z.output<typeof ZSyncSave>,
): Promise<Problem[]> {
  const row = await getConnectionRow(deps.db.orm, input.connectionId);
  const client = new SalesforceClient(openConnection(deps, row), {
    retry: { attempts: 2, baseDelayMs: 500 },
  });
  const describe = describer((what, fn) => client.call(what, fn));
  const problems: Problem[] = [];
  for (const [name, config] of Object.entries(input.objects)) {
    let info: Awaited<ReturnType<typeof describe>>;
    try {
      info = await describe(name);
    } catch (error) {
      problems.push({ path: `objects.${name}`, message: describeFailure(error).message });
      continue;
    }
    for (const [i, field] of config.fields.entries()) {
      const resolved = await resolveField(describe, info, field);
      if ('problem' in resolved)
        problems.push({ path: `objects.${name}.fields.${i}`, message: resolved.problem });
    }
    if (!isBuiltInObject(name) && config.loadAs) {
      let mapping: Mapping;
      try {
        mapping = parseMapping(
          await mappingFor(deps.db.orm, { directoryId, mapping: input.mapping }, config),
        );
      } catch (error) {
        problems.push({ path: `objects.${name}.mapping`, message: (error as Error).message });
        continue;
      }
      const names = info.fields.map((f) => f.name);
      for (const message of otherObjectProblems(
        name,
        config.loadAs,
        names,
        fieldList(name, config.fields),
        mapping,
      ))
        problems.push({ path: `objects.${name}`, message });
    }
    let where: string | null;
    try {
      const filter = await resolveObjectFilter(client, name, config);
      if (filter.listView) config.listView = filter.listView.developerName;
      where = filter.where;
    } catch (error) {
      const message = error instanceof ListViewProblem ? error.message : describeFailure(error).message;
      problems.push({ path: `objects.${name}.listView`, message });
      continue;
    }
    if (where) {
      try {
        await client.call(`checking the ${name} filter`, (conn) =>
          conn.query(`SELECT COUNT() FROM ${name} WHERE ${where}`),
        );
      } catch (error) {
        problems.push({ path: `objects.${name}.where`, message: describeFailure(error).message });
      }
    }
  }
  return problems;
}

/** Creates or replaces a directory's sync. The cursor is kept unless the connection changes. */
export async function saveSync(deps: ConnectionDeps, actor: Actor, directory: string | number, raw: unknown) {
  authorize(actor, 'data:write');
  const dir = await findDirectory(deps.db.orm, directory);
  const input = ZSyncSave.parse(raw);
  const problems: Problem[] = [];
  const cron = cronProblem(input.schedule.cron, input.schedule.timeZone);
  if (cron) problems.push({ path: 'schedule', message: cron });
  if (input.mapping !== null) {
    try {
      for (const message of checkMapping(parseMapping(input.mapping)))
        problems.push({ path: 'mapping', message });
    } catch (error) {
      problems.push({ path: 'mapping', message: (error as Error).message });
    }
  }
  for (const [name, config] of Object.entries(input.objects)) {
    if ((config.mapping ?? null) === null) continue;
    try {
      for (const message of checkMapping(parseMapping(config.mapping)))
        problems.push({ path: `objects.${name}.mapping`, message });
    } catch (error) {
      problems.push({ path: `objects.${name}.mapping`, message: (error as Error).message });
    }
  }
  if (problems.length === 0) problems.push(...(await checkAgainstOrg(deps, dir.id, input)));
  if (problems.length) throw validationFailed('The Salesforce sync cannot be saved as it is', problems);

  const existing = await findSyncRow(deps.db.orm, dir.id);
  const values = {
    connectionId: input.connectionId,
    objects: input.objects,
    mapping: input.mapping,
    mailingList: input.mailingList,
    scheduleCron: input.schedule.cron,
    timeZone: input.schedule.timeZone,
    enabled: input.enabled,
    nextRunAt: input.enabled ? nextRunAfter(input.schedule.cron, input.schedule.timeZone, new Date()) : null,
    options: input.options,
    updatedAt: new Date(),
  };
  const row = await deps.db.orm.transaction(async (tx) => {
    let saved: SyncRow;
    if (existing) {
      const changedOrg = existing.connectionId !== input.connectionId;
      [saved] = (await tx
        .update(salesforceSyncs)
        .set({ ...values, ...(changedOrg ? { cursor: null, lastReconcileAt: null } : {}) })
        .where(eq(salesforceSyncs.id, existing.id))
        .returning()) as [SyncRow];
      // Another org's records are not this one's: the next run starts over with a full sync.
      if (changedOrg)
        await tx.delete(salesforceSyncRecords).where(eq(salesforceSyncRecords.syncId, existing.id));
    } else {
      [saved] = (await tx
        .insert(salesforceSyncs)
        .values({ ...values, directoryId: dir.id, createdBy: actorLabel(actor) })
        .returning()) as [SyncRow];
    }
    await recordAudit(tx, actor, {
      action: existing ? 'salesforce.sync_updated' : 'salesforce.sync_created',
      targetType: 'salesforce_sync',
      targetId: saved.id,
      details: { directoryId: dir.id, connectionId: input.connectionId, objects: Object.keys(input.objects) },
    });
    return saved;
  });
  return toPublicSync(row);
}

export async function deleteSync(deps: ConnectionDeps, actor: Actor, directory: string | number) {
  authorize(actor, 'data:write');
  const dir = await findDirectory(deps.db.orm, directory);
  const row = await findSyncRow(deps.db.orm, dir.id);
  if (!row) throw notFound('This directory has no Salesforce sync');
  await deps.db.orm.transaction(async (tx) => {
    await tx.delete(salesforceSyncRecords).where(eq(salesforceSyncRecords.syncId, row.id));
    await tx.delete(salesforceSyncs).where(eq(salesforceSyncs.id, row.id));
    await recordAudit(tx, actor, {
      action: 'salesforce.sync_deleted',
      targetType: 'salesforce_sync',
      targetId: row.id,
      details: { directoryId: dir.id },
    });
  });
  return { deleted: true };
}

export type SyncRunRow = typeof salesforceSyncRuns.$inferSelect;

export function toPublicSyncRun(run: SyncRunRow) {
  return {
    id: run.id,
    syncId: run.syncId,
    directoryId: run.directoryId,
    mode: run.mode,
    trigger: run.trigger,
    status: run.status,
    importRunId: run.importRunId,
    extracted: run.extracted as Record<string, Record<string, unknown>>,
    apiCalls: run.apiCalls,
    apiUsage: run.apiUsage as {
      before: number | null;
      after: number | null;
      max: number | null;
      percent: number;
    } | null,
    cursorBefore: run.cursorBefore as Record<string, string> | null,
    cursorAfter: run.cursorAfter as Record<string, string> | null,
    reconciled: run.reconciled,
    error: run.error,
    timings: run.timings as Record<string, number>,
    createdBy: run.createdBy,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}
export type PublicSyncRun = ReturnType<typeof toPublicSyncRun>;

export async function listSyncRuns(
  db: Executor,
  actor: Actor,
  directory: string | number,
  before: number | undefined,
  limit: number,
) {
  authorize(actor, 'data:read');
  const dir = await findDirectory(db, directory);
  const rows = await db
    .select()
    .from(salesforceSyncRuns)
    .where(
      and(eq(salesforceSyncRuns.directoryId, dir.id), before ? lt(salesforceSyncRuns.id, before) : undefined),
    )
    .orderBy(desc(salesforceSyncRuns.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit).map(toPublicSyncRun);
  return { items, nextCursor: rows.length > limit ? String(items.at(-1)!.id) : null };
}

export async function getSyncRun(db: Executor, actor: Actor, runId: number) {
  authorize(actor, 'data:read');
  const [run] = await db.select().from(salesforceSyncRuns).where(eq(salesforceSyncRuns.id, runId));
  if (!run) throw notFound(`No Salesforce sync run ${runId}`);
  return toPublicSyncRun(run);
}
