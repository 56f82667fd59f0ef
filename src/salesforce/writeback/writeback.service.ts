import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { findDirectory } from '../../directory/directories.service.ts';
import type { Database, Executor } from '../../platform/db/database.ts';
import { notFound, validationFailed } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { SecretBox } from '../../platform/secrets/secret-box.ts';
import { listResponses } from '../../surveys/responses.service.ts';
import { recordAudit } from '../../system/audit.service.ts';
import { type Actor, actorLabel, authorize } from '../../users/roles.ts';
import { type RetryPolicy, SalesforceClient } from '../client/sf-client.ts';
import { describeFailure, SalesforceStop } from '../client/sf-errors.ts';
import { getConnectionRow } from '../connections/connections.service.ts';
import { openConnection } from '../connections/open-connection.ts';
import {
  salesforceWritebackLedger,
  salesforceWritebackResults,
  salesforceWritebackRuns,
  salesforceWritebacks,
} from '../salesforce.schema.ts';
import { describer, type ObjectInfo } from '../sync/describe.ts';
import { conditionHolds, fieldValue, render, type TemplateData, templateProblems } from './templates.ts';

export const WRITEBACK_OPERATIONS = ['insert', 'update', 'upsert', 'delete'] as const;
export type WritebackOperation = (typeof WRITEBACK_OPERATIONS)[number];

export const ZWritebackInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    connectionId: z.number().int().positive(),
    object: z
      .string()
      .trim()
      .regex(/^\w{1,80}$/, { error: 'an sObject API name (Survey_Response__c, Contact …)' }),
    operation: z.enum(WRITEBACK_OPERATIONS),
    /**
     * upsert: the external id field that identifies the record. insert: optionally, a field that
     * receives the source key (an external id such as Survey_Response_Id__c): a retry whose outcome
     * was lost looks records up by it instead of giving up on them.
     */
    externalIdField: z
      .string()
      .trim()
      .regex(/^\w{1,80}$/)
      .nullable()
      .default(null),
    /** update / delete: the record Id, piped ({{ embedded.sfContactId }}). */
    recordId: z.string().trim().max(500).nullable().default(null),
    /** Salesforce field → piped text ({{ response.answers.nps }}). */
    fields: z.record(z.string().regex(/^\w{1,80}$/), z.string().max(10_000)).default({}),
    /** A Liquid expression; a source record for which it is false is skipped. */
    condition: z.string().trim().max(2000).nullable().default(null),
    /** More source records than this go through Bulk API 2.0 ingest instead of sObject Collections. */
    bulkThreshold: z.number().int().min(1).max(10_000_000).default(2000),
  })
  .superRefine((w, ctx) => {
    if ((w.operation === 'update' || w.operation === 'delete') && !w.recordId)
      ctx.addIssue({
        code: 'custom',
        path: ['recordId'],
        message: `${w.operation} needs the record Id template`,
      });
    if (w.operation === 'upsert' && !w.externalIdField)
      ctx.addIssue({
        code: 'custom',
        path: ['externalIdField'],
        message: 'upsert needs its external id field',
      });
    if (w.operation === 'upsert' && w.externalIdField && !(w.externalIdField in w.fields))
      ctx.addIssue({
        code: 'custom',
        path: ['fields'],
        message: `map the external id field ${w.externalIdField}`,
      });
    if (w.operation !== 'delete' && Object.keys(w.fields).length === 0)
      ctx.addIssue({ code: 'custom', path: ['fields'], message: 'map at least one field' });
  });
export type WritebackInput = z.input<typeof ZWritebackInput>;

type WritebackRow = typeof salesforceWritebacks.$inferSelect;

function toPublicWriteback(row: WritebackRow) {
  return {
    id: row.id,
    directoryId: row.directoryId,
    connectionId: row.connectionId,
    name: row.name,
    object: row.object,
    operation: row.operation as WritebackOperation,
    externalIdField: row.externalIdField,
    recordId: row.recordId,
    fields: row.fields as Record<string, string>,
    condition: row.condition,
    bulkThreshold: row.bulkThreshold,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface WritebackDeps {
  db: Database;
  secrets: SecretBox;
  logger: Logger;
}

/** Checks templates, and fields against the org's describe (exists, writable for the operation). */
async function checkWriteback(deps: WritebackDeps, input: z.output<typeof ZWritebackInput>) {
  const problems = templateProblems(input.fields, input.condition, { recordId: input.recordId });
  if (problems.length) throw validationFailed('The write-back cannot be saved as it is', problems);
  const row = await getConnectionRow(deps.db.orm, input.connectionId);
  const client = new SalesforceClient(openConnection(deps, row), {
    retry: { attempts: 2, baseDelayMs: 500 },
  });
  let info: ObjectInfo;
  try {
    info = await describer((what, fn) => client.call(what, fn))(input.object);
  } catch (error) {
    throw validationFailed('The write-back cannot be saved as it is', [
      { path: 'object', message: describeFailure(error).message },
    ]);
  }
  const byName = new Map(info.fields.map((f) => [f.name.toLowerCase(), f]));
  for (const name of [
    ...Object.keys(input.fields),
    ...(input.externalIdField ? [input.externalIdField] : []),
  ]) {
    const field = byName.get(name.toLowerCase());
    if (!field) problems.push({ path: `fields.${name}`, message: `${info.name} has no field ${name}` });
    else if (field.compound) problems.push({ path: `fields.${name}`, message: field.compound });
    else if (input.operation === 'insert' && !field.createable && name !== input.externalIdField)
      problems.push({ path: `fields.${name}`, message: `${name} cannot be set on a new record` });
    else if (input.operation === 'update' && !field.updateable)
      problems.push({ path: `fields.${name}`, message: `${name} cannot be updated` });
  }
  if (input.externalIdField) {
    const field = byName.get(input.externalIdField.toLowerCase());
    if (field && !field.externalId && field.name !== 'Id')
      problems.push({
        path: 'externalIdField',
        message: `${input.externalIdField} is not an external id field`,
      });
  }
  if (problems.length) throw validationFailed('The write-back cannot be saved as it is', problems);
}

export async function createWriteback(
  deps: WritebackDeps,
  actor: Actor,
  directory: string | number,
  raw: unknown,
) {
  authorize(actor, 'data:write');
  const dir = await findDirectory(deps.db.orm, directory);
  const input = ZWritebackInput.parse(raw);
  await checkWriteback(deps, input);
  return deps.db.orm.transaction(async (tx) => {
    const [row] = await tx
      .insert(salesforceWritebacks)
      .values({ ...input, directoryId: dir.id, createdBy: actorLabel(actor) })
      .returning();
    await recordAudit(tx, actor, {
      action: 'salesforce.writeback_created',
      targetType: 'salesforce_writeback',
      targetId: row!.id,
      details: { name: input.name, object: input.object, operation: input.operation },
    });
    return toPublicWriteback(row!);
  });
}

export async function updateWriteback(deps: WritebackDeps, actor: Actor, id: number, raw: unknown) {
  authorize(actor, 'data:write');
  const input = ZWritebackInput.parse(raw);
  await checkWriteback(deps, input);
  const [row] = await deps.db.orm
    .update(salesforceWritebacks)
    .set({ ...input, updatedAt: new Date() })
    .where(eq(salesforceWritebacks.id, id))
    .returning();
  if (!row) throw notFound(`No write-back ${id}`);
  return toPublicWriteback(row);
}

export async function listWritebacks(db: Executor, actor: Actor, directory: string | number) {
  authorize(actor, 'data:read');
  const dir = await findDirectory(db, directory);
  const rows = await db
    .select()
    .from(salesforceWritebacks)
    .where(eq(salesforceWritebacks.directoryId, dir.id))
    .orderBy(salesforceWritebacks.id);
  return rows.map(toPublicWriteback);
}

export async function getWritebackRow(db: Executor, id: number) {
  const [row] = await db.select().from(salesforceWritebacks).where(eq(salesforceWritebacks.id, id));
  if (!row) throw notFound(`No write-back ${id}`);
  return row;
}

export async function deleteWriteback(db: Database, actor: Actor, id: number) {
  authorize(actor, 'data:write');
  await db.orm.transaction(async (tx) => {
    const [row] = await tx.delete(salesforceWritebacks).where(eq(salesforceWritebacks.id, id)).returning();
    if (!row) throw notFound(`No write-back ${id}`);
    await recordAudit(tx, actor, {
      action: 'salesforce.writeback_deleted',
      targetType: 'salesforce_writeback',
      targetId: id,
      details: { name: row.name },
    });
  });
  return { deleted: true };
}

/** One record to write: its idempotency key (response:42, notification:04l…) and the data its templates read. */
export interface WritebackSource {
  key: string;
  data: TemplateData;
}

type Outcome =
  | 'created'
  | 'updated'
  | 'upserted'
  | 'deleted'
  | 'skipped'
  | 'already_done'
  | 'failed'
  | 'in_doubt';

interface Result {
  sourceKey: string;
  outcome: Outcome;
  sfId: string | null;
  errorCode: string | null;
  message: string | null;
}

interface Prepared {
  key: string;
  record: Record<string, unknown>;
  /** update/delete: the Id; upsert: the external id value; insert: the key written to the key field. */
  match: string;
}

export interface WritebackRunOptions {
  /** survey:<id> | event | workflow … (shown in the run log). */
  source: string;
  createdBy: string;
  retry?: RetryPolicy;
  pollMs?: number;
}

const COLLECTION_SIZE = 200;

/**
 * Writes records to Salesforce from source records (responses, event data): the service function
 * a workflow step calls. Each source record is rendered (fields, record Id, condition), written in
 * batches — sObject Collections, 200 per call, or Bulk API 2.0 ingest above the threshold — and its
 * outcome, with Salesforce's error when it failed, kept in the run log. Inserts never happen twice
 * for one source record: a ledger keeps what each created, and is written before the call, so a
 * call whose outcome was lost (a crash, a 5xx) is looked up rather than sent again.
 */
export async function runWriteback(
  deps: WritebackDeps,
  writebackId: number,
  sources: WritebackSource[],
  options: WritebackRunOptions,
) {
  const { db } = deps;
  const definition = await getWritebackRow(db.orm, writebackId);
  const [run] = await db.orm
    .insert(salesforceWritebackRuns)
    .values({ writebackId, source: options.source, createdBy: options.createdBy })
    .returning();
  const runId = run!.id;
  const results: Result[] = [];
  const log = async (batch: Result[]) => {
    if (batch.length === 0) return;
    results.push(...batch);
    for (let i = 0; i < batch.length; i += 1000) {
      await db.orm
        .insert(salesforceWritebackResults)
        .values(batch.slice(i, i + 1000).map((r) => ({ ...r, runId })));
    }
  };
  let method: 'collections' | 'bulk' = 'collections';
  let runError: string | null = null;
  try {
    if (!definition.connectionId)
      throw new SalesforceStop('auth', 'The write-back has no Salesforce connection');
    const client = new SalesforceClient(
      openConnection(deps, await getConnectionRow(db.orm, definition.connectionId)),
      {
        ...(options.retry ? { retry: options.retry } : {}),
      },
    );
    const info = await describer((what, fn) => client.call(what, fn))(definition.object);
    const types = new Map(info.fields.map((f) => [f.name.toLowerCase(), f.type]));
    const operation = definition.operation as WritebackOperation;
    const fields = definition.fields as Record<string, string>;

    // 1. Render; skip what the condition leaves out.
    const prepared: Prepared[] = [];
    const skipped: Result[] = [];
    const seen = new Set<string>();
    for (const source of sources) {
      if (seen.has(source.key)) continue;
      seen.add(source.key);
      try {
        if (!conditionHolds(definition.condition, source.data)) {
          skipped.push({
            sourceKey: source.key,
            outcome: 'skipped',
            sfId: null,
            errorCode: null,
            message: 'condition not met',
          });
          continue;
        }
        const record: Record<string, unknown> = {};
        if (operation !== 'delete')
          for (const [name, template] of Object.entries(fields))
            record[name] = fieldValue(render(template, source.data), types.get(name.toLowerCase()));
        let match = source.key;
        if (operation === 'update' || operation === 'delete') {
          match = render(definition.recordId ?? '', source.data);
          if (!/^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(match))
            throw new Error(`the record Id renders as "${match.slice(0, 40)}", not a Salesforce Id`);
          record.Id = match;
        } else if (operation === 'upsert') {
          match = String(record[definition.externalIdField!] ?? '');
          if (!match) throw new Error(`the external id ${definition.externalIdField} renders empty`);
        } else if (definition.externalIdField) {
          record[definition.externalIdField] = source.key;
        }
        prepared.push({ key: source.key, record, match });
      } catch (error) {
        skipped.push({
          sourceKey: source.key,
          outcome: 'failed',
          sfId: null,
          errorCode: 'TEMPLATE',
          message: (error as Error).message.slice(0, 1000),
        });
      }
    }
    await log(skipped);

    // 2. Inserts: what the ledger says was created is not created again.
    let todo = prepared;
    if (operation === 'insert') todo = await settleLedger(deps, client, definition, todo, log);

    // 3. Write, in batches.
    method =
      todo.length > definition.bulkThreshold && (operation !== 'insert' || definition.externalIdField)
        ? 'bulk'
        : 'collections';
    if (method === 'bulk') await writeBulk(deps, client, definition, runId, todo, log, options);
    else
      for (let i = 0; i < todo.length; i += COLLECTION_SIZE)
        await writeCollection(deps, client, definition, runId, todo.slice(i, i + COLLECTION_SIZE), log);
  } catch (error) {
    runError = describeFailure(error).message;
    deps.logger.warn({ err: error, writebackId, runId }, 'Salesforce write-back stopped');
  }
  const counts: Record<string, number> = { total: sources.length };
  for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  const failures = (counts.failed ?? 0) + (counts.in_doubt ?? 0);
  const status = runError ? 'failed' : failures > 0 ? 'partial' : 'succeeded';
  const [finished] = await db.orm
    .update(salesforceWritebackRuns)
    .set({ status, method, counts, error: runError, finishedAt: new Date() })
    .where(eq(salesforceWritebackRuns.id, runId))
    .returning();
  return toPublicRun(finished!);
}

/**
 * The ledger for one batch of inserts: done keys are reported and dropped; pending ones (sent
 * before, outcome unknown) are looked up by the key field when there is one, else left in doubt —
 * never sent again; new keys are marked pending before they are sent.
 */
async function settleLedger(
  deps: WritebackDeps,
  client: SalesforceClient,
  definition: WritebackRow,
  prepared: Prepared[],
  log: (r: Result[]) => Promise<void>,
): Promise<Prepared[]> {
  const { db } = deps;
  const known = new Map<string, { state: string; sfId: string | null }>();
  for (let i = 0; i < prepared.length; i += 5000) {
    const keys = prepared.slice(i, i + 5000).map((p) => p.key);
    const rows = await db.orm
      .select()
      .from(salesforceWritebackLedger)
      .where(
        and(
          eq(salesforceWritebackLedger.writebackId, definition.id),
          inArray(salesforceWritebackLedger.sourceKey, keys),
        ),
      );
    for (const r of rows) known.set(r.sourceKey, { state: r.state, sfId: r.sfId });
  }
  const done: Result[] = [];
  const pending: Prepared[] = [];
  const fresh: Prepared[] = [];
  for (const p of prepared) {
    const entry = known.get(p.key);
    if (entry?.state === 'done')
      done.push({
        sourceKey: p.key,
        outcome: 'already_done',
        sfId: entry.sfId,
        errorCode: null,
        message: 'created by an earlier run',
      });
    else if (entry) pending.push(p);
    else fresh.push(p);
  }
  await log(done);
  if (pending.length) {
    const found = definition.externalIdField
      ? await lookUpByKey(
          client,
          definition,
          pending.map((p) => p.key),
        )
      : new Map<string, string>();
    const resolved: Result[] = [];
    for (const p of pending) {
      const sfId = found.get(p.key);
      if (sfId) {
        await markDone(db, definition.id, p.key, sfId, null);
        resolved.push({
          sourceKey: p.key,
          outcome: 'already_done',
          sfId,
          errorCode: null,
          message: 'found by its key after an interrupted call',
        });
      } else if (definition.externalIdField) {
        // Looked up and not there: the earlier call never created it. Safe to send.
        fresh.push(p);
      } else {
        resolved.push({
          sourceKey: p.key,
          outcome: 'in_doubt',
          sfId: null,
          errorCode: null,
          message:
            'an earlier call may have created this record and its answer was lost; not sent again (set a key field to let Rapport check)',
        });
      }
    }
    await log(resolved);
  }
  for (let i = 0; i < fresh.length; i += 1000) {
    const rows = fresh
      .slice(i, i + 1000)
      .map((p) => ({ writebackId: definition.id, sourceKey: p.key, state: 'pending' }));
    await db.orm.insert(salesforceWritebackLedger).values(rows).onConflictDoNothing();
  }
  return fresh;
}

async function lookUpByKey(client: SalesforceClient, definition: WritebackRow, keys: string[]) {
  const found = new Map<string, string>();
  const field = definition.externalIdField!;
  for (let i = 0; i < keys.length; i += 200) {
    const list = keys
      .slice(i, i + 200)
      .map((k) => `'${k.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`)
      .join(', ');
    const result = await client.call(`looking up ${definition.object} by ${field}`, (conn) =>
      conn.query(`SELECT Id, ${field} FROM ${definition.object} WHERE ${field} IN (${list})`, {
        autoFetch: true,
        maxFetch: 1000,
      }),
    );
    for (const r of result.records) found.set(String((r as Record<string, unknown>)[field]), String(r.Id));
  }
  return found;
}

async function markDone(db: Database, writebackId: number, key: string, sfId: string, runId: number | null) {
  await db.orm
    .update(salesforceWritebackLedger)
    .set({ state: 'done', sfId, runId })
    .where(
      and(
        eq(salesforceWritebackLedger.writebackId, writebackId),
        eq(salesforceWritebackLedger.sourceKey, key),
      ),
    );
}

type SaveResult = {
  id?: string;
  success: boolean;
  errors: { statusCode?: string; errorCode?: string; message: string }[];
  created?: boolean;
};

const SUCCESS_OUTCOME: Record<WritebackOperation, Outcome> = {
  insert: 'created',
  update: 'updated',
  upsert: 'upserted',
  delete: 'deleted',
};

/** One sObject Collections call (≤ 200 records), each record's outcome logged. */
async function writeCollection(
  deps: WritebackDeps,
  client: SalesforceClient,
  definition: WritebackRow,
  runId: number,
  batch: Prepared[],
  log: (r: Result[]) => Promise<void>,
) {
  const operation = definition.operation as WritebackOperation;
  const records = batch.map((p) => p.record);
  let answers: SaveResult[];
  try {
    answers = (await client.call(
      `writing ${batch.length} ${definition.object} records`,
      (conn): Promise<SaveResult[]> => {
        const type = definition.object;
        switch (operation) {
          case 'insert':
            return conn.create(type, records, { allOrNone: false }) as unknown as Promise<SaveResult[]>;
          case 'update':
            return conn.update(type, records as { Id: string }[], { allOrNone: false }) as unknown as Promise<
              SaveResult[]
            >;
          case 'upsert':
            return conn.upsert(type, records, definition.externalIdField!, {
              allOrNone: false,
            }) as unknown as Promise<SaveResult[]>;
          case 'delete':
            return conn.destroy(
              type,
              batch.map((p) => p.match),
              { allOrNone: false },
            ) as unknown as Promise<SaveResult[]>;
        }
      },
      // A create whose answer was lost may have happened: never repeated blindly.
      { idempotent: operation !== 'insert' },
    )) as SaveResult[];
  } catch (error) {
    if (error instanceof SalesforceStop) throw error;
    const failure = describeFailure(error);
    if (operation === 'insert') {
      // Left pending in the ledger: the next run looks them up (key field) or reports them in doubt.
      await log(
        batch.map((p) => ({
          sourceKey: p.key,
          outcome: 'in_doubt' as const,
          sfId: null,
          errorCode: failure.errorCode,
          message: `the call failed (${failure.message.slice(0, 300)}): it may or may not have created the record`,
        })),
      );
      return;
    }
    throw error;
  }
  const results: Result[] = [];
  for (const [i, p] of batch.entries()) {
    const answer = answers[i];
    if (answer?.success) {
      const sfId = answer.id ?? (operation === 'delete' ? p.match : null);
      if (operation === 'insert' && sfId) await markDone(deps.db, definition.id, p.key, sfId, runId);
      results.push({
        sourceKey: p.key,
        outcome: SUCCESS_OUTCOME[operation],
        sfId,
        errorCode: null,
        message: null,
      });
      continue;
    }
    const error = answer?.errors?.[0];
    const code = error?.statusCode ?? error?.errorCode ?? null;
    if (operation === 'delete' && code === 'ENTITY_IS_DELETED') {
      results.push({
        sourceKey: p.key,
        outcome: 'already_done',
        sfId: p.match,
        errorCode: code,
        message: 'already deleted',
      });
      continue;
    }
    // Refused: nothing was created, so the key may be tried again later.
    if (operation === 'insert')
      await deps.db.orm
        .delete(salesforceWritebackLedger)
        .where(
          and(
            eq(salesforceWritebackLedger.writebackId, definition.id),
            eq(salesforceWritebackLedger.sourceKey, p.key),
            eq(salesforceWritebackLedger.state, 'pending'),
          ),
        );
    results.push({
      sourceKey: p.key,
      outcome: 'failed',
      sfId: answer?.id ?? null,
      errorCode: code,
      message: error?.message ?? 'no answer for this record',
    });
  }
  await log(results);
}

/** Bulk API 2.0 ingest for large runs: results matched back by Id, external id or key field. */
async function writeBulk(
  deps: WritebackDeps,
  client: SalesforceClient,
  definition: WritebackRow,
  runId: number,
  todo: Prepared[],
  log: (r: Result[]) => Promise<void>,
  options: WritebackRunOptions,
) {
  const operation = definition.operation as WritebackOperation;
  const matchColumn = operation === 'update' || operation === 'delete' ? 'Id' : definition.externalIdField!;
  // In Bulk API CSV an empty cell leaves a field as it is; #N/A clears it.
  const input = todo.map((p) =>
    operation === 'delete'
      ? { Id: p.match }
      : Object.fromEntries(
          Object.entries(p.record).map(([k, v]) => [
            k,
            v === null ? (operation === 'insert' ? '' : '#N/A') : String(v),
          ]),
        ),
  );
  const byMatch = new Map(todo.map((p) => [p.match.toLowerCase(), p]));
  const results = await client.call(
    `loading ${todo.length} ${definition.object} records (Bulk API 2.0)`,
    (conn) =>
      conn.bulk2.loadAndWaitForResults({
        object: definition.object,
        operation: operation === 'upsert' ? 'upsert' : operation,
        ...(operation === 'upsert' ? { externalIdFieldName: definition.externalIdField! } : {}),
        input: input as never,
        pollInterval: options.pollMs ?? 1000,
        pollTimeout: 30 * 60_000,
      }),
    // Inserts carry their key field: a lost answer is settled by the ledger on the next run.
    { idempotent: operation !== 'insert' },
  );
  const logged: Result[] = [];
  const seen = new Set<string>();
  const matchOf = (row: Record<string, unknown>) =>
    String(
      row[matchColumn] ??
        row[Object.keys(row).find((k) => k.toLowerCase() === matchColumn.toLowerCase()) ?? ''] ??
        '',
    );
  for (const row of results.successfulResults as unknown as Record<string, string>[]) {
    const p = byMatch.get(matchOf(row).toLowerCase());
    if (!p) continue;
    seen.add(p.key);
    if (operation === 'insert') await markDone(deps.db, definition.id, p.key, row.sf__Id!, runId);
    logged.push({
      sourceKey: p.key,
      outcome: SUCCESS_OUTCOME[operation],
      sfId: row.sf__Id || p.match,
      errorCode: null,
      message: null,
    });
  }
  for (const row of results.failedResults as unknown as Record<string, string>[]) {
    const p = byMatch.get(matchOf(row).toLowerCase());
    if (!p) continue;
    seen.add(p.key);
    const [code, ...rest] = String(row.sf__Error ?? '').split(':');
    if (operation === 'delete' && code === 'ENTITY_IS_DELETED') {
      logged.push({
        sourceKey: p.key,
        outcome: 'already_done',
        sfId: p.match,
        errorCode: code,
        message: 'already deleted',
      });
      continue;
    }
    if (operation === 'insert')
      await deps.db.orm
        .delete(salesforceWritebackLedger)
        .where(
          and(
            eq(salesforceWritebackLedger.writebackId, definition.id),
            eq(salesforceWritebackLedger.sourceKey, p.key),
          ),
        );
    logged.push({
      sourceKey: p.key,
      outcome: 'failed',
      sfId: row.sf__Id || null,
      errorCode: code ?? null,
      message: rest.join(':').replace(/:--$/, ''),
    });
  }
  for (const p of todo)
    if (!seen.has(p.key))
      logged.push({
        sourceKey: p.key,
        outcome: 'in_doubt',
        sfId: null,
        errorCode: null,
        message: 'not processed by the Bulk API job',
      });
  await log(logged);
}

type RunRow = typeof salesforceWritebackRuns.$inferSelect;
function toPublicRun(run: RunRow) {
  return {
    id: run.id,
    writebackId: run.writebackId,
    source: run.source,
    status: run.status,
    method: run.method,
    counts: run.counts as Record<string, number>,
    error: run.error,
    createdBy: run.createdBy,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

export async function listWritebackRuns(
  db: Executor,
  actor: Actor,
  writebackId: number,
  before: number | undefined,
  limit: number,
) {
  authorize(actor, 'data:read');
  const rows = await db
    .select()
    .from(salesforceWritebackRuns)
    .where(
      and(
        eq(salesforceWritebackRuns.writebackId, writebackId),
        before ? lt(salesforceWritebackRuns.id, before) : undefined,
      ),
    )
    .orderBy(desc(salesforceWritebackRuns.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit).map(toPublicRun);
  return { items, nextCursor: rows.length > limit ? String(items.at(-1)!.id) : null };
}

export async function listWritebackResults(
  db: Executor,
  actor: Actor,
  runId: number,
  after: number | undefined,
  limit: number,
) {
  authorize(actor, 'data:read');
  const rows = await db
    .select()
    .from(salesforceWritebackResults)
    .where(
      and(
        eq(salesforceWritebackResults.runId, runId),
        after ? sql`${salesforceWritebackResults.id} > ${after}` : undefined,
      ),
    )
    .orderBy(salesforceWritebackResults.id)
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? String(items.at(-1)!.id) : null };
}

/** What a response offers the templates: {{ response.answers.nps }}, {{ embedded.sfContactId }}, {{ contact.email }} … */
export function responseData(
  response: Awaited<ReturnType<typeof listResponses>>['items'][number],
): TemplateData {
  return {
    response,
    answers: response.answers,
    embedded: response.embedded ?? {},
    contact: response.contact,
    account: response.account,
  };
}

/** A write-back over the completed responses of a survey (the API's "run over a survey"). */
export async function runWritebackOverSurvey(
  deps: WritebackDeps,
  actor: Actor,
  writebackId: number,
  surveyId: number,
  options: { retry?: RetryPolicy; pollMs?: number } = {},
) {
  authorize(actor, 'data:write');
  await getWritebackRow(deps.db.orm, writebackId);
  const sources: WritebackSource[] = [];
  let cursor: number | undefined;
  for (;;) {
    const page = await listResponses(deps.db.orm, actor, surveyId, {
      status: 'complete',
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    for (const response of page.items)
      sources.push({ key: `response:${response.id}`, data: responseData(response) });
    if (!page.nextCursor) break;
    cursor = Number(page.nextCursor);
  }
  return runWriteback(deps, writebackId, sources, {
    source: `survey:${surveyId}`,
    createdBy: actorLabel(actor),
    ...options,
  });
}
