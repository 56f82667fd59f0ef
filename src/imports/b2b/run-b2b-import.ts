import { eq, sql } from 'drizzle-orm';
import {
  attributeTypeConflicts,
  declareAttributes,
  findDirectory,
} from '../../directory/directories.service.ts';
import { attachRunListPartition } from '../../directory/run-list-partitions.ts';
import { applyBulkStatementSettings, type Database } from '../../platform/db/database.ts';
import { pgTextArray } from '../../platform/db/sql-text.ts';
import type { Logger } from '../../platform/logger.ts';
import { importRuns } from '../imports.schema.ts';
import { IMPORT_OBJECTS, type ImportObject, parseMapping } from '../mapping.ts';
import {
  type ImportSources,
  type OpenedFile,
  openSource,
  type SftpOpener,
  ZImportSources,
} from '../sources.ts';
import type { ColumnPlan } from './column-plan.ts';
import { emptyCounts, type ObjectCounts } from './counts.ts';
import { mergeAccounts } from './merge-accounts.ts';
import { mergeContacts } from './merge-contacts.ts';
import { mergeTeamMembers } from './merge-team.ts';
import { PhaseTimer } from './phase-timer.ts';
import { count } from './sql-run.ts';
import { dropStaging, stageFile } from './stage-file.ts';

export interface ImportRunOptions {
  /** Put the imported contacts in a new mailing list named from this template ({{date}}, {{runId}}). */
  mailingList?: string | null;
}

export type ImportSummary = Record<ImportObject, ObjectCounts>;

export interface ImportDeps {
  db: Database;
  logger: Logger;
  openSftp: SftpOpener;
  /** Called after a successful run commits (SFTP archiving, events). */
  afterSuccess?: (runId: number) => Promise<void>;
}

const ENTITY_OF = { accounts: 'account', contacts: 'contact' } as const;

/** Renders the mailing-list template; the run id keeps each run's list name unique. */
export function mailingListName(template: string, runId: number, now = new Date()): string {
  const date = now.toISOString().slice(0, 10);
  const time = now.toISOString().slice(11, 16);
  const rendered = template
    .replace(/\{\{\s*date\s*\}\}/g, date)
    .replace(/\{\{\s*time\s*\}\}/g, time)
    .replace(/\{\{\s*runId\s*\}\}/g, String(runId));
  return /\{\{\s*runId\s*\}\}/.test(template) ? rendered : `${rendered} #${runId}`;
}

/**
 * Executes one import run to its end: stage every file, then merge all of them in one transaction
 * that also marks the run succeeded — so the directory changes entirely or not at all, and a run
 * re-executed after a crash either finds itself done or starts over from clean staging.
 */
export async function executeImportRun(deps: ImportDeps, runId: number): Promise<void> {
  const { db, logger } = deps;
  const [run] = await db.orm.select().from(importRuns).where(eq(importRuns.id, runId));
  if (!run) throw new Error(`No import run ${runId}`);
  if (run.status === 'succeeded' || run.status === 'failed') return; // already executed

  const directory = await findDirectory(db.orm, run.directoryId);
  const mapping = parseMapping(run.mapping);
  const sources: ImportSources = ZImportSources.parse(run.sources);
  const options = run.options as ImportRunOptions;

  // A previous attempt of this run may have left staging and issues behind.
  await dropStaging(db, runId);
  await db.orm.execute(sql`DELETE FROM import_issues WHERE run_id = ${runId}`);
  await db.orm
    .update(importRuns)
    .set({ status: 'running', startedAt: new Date(), progress: { phase: 'reading' } })
    .where(eq(importRuns.id, runId));

  const timer = new PhaseTimer();
  const progress: Record<string, unknown> = { phase: 'reading' };
  const saveProgress = (update: Record<string, unknown>) => {
    Object.assign(progress, update);
    db.orm
      .update(importRuns)
      .set({ progress: { ...progress } })
      .where(eq(importRuns.id, runId))
      .catch(() => {});
  };

  const plans: Partial<Record<ImportObject, { plan: ColumnPlan; file: OpenedFile; skipped: number }>> = {};
  const fileProblems: { object: ImportObject; file: string; field: string | null; reason: string }[] = [];
  try {
    for (const object of IMPORT_OBJECTS) {
      const source = sources[object];
      if (!source) continue;
      const file = await openSource(db, runId, object, source, deps.openSftp);
      try {
        const staged = await stageFile(
          db,
          runId,
          object,
          file,
          mapping,
          (p) =>
            saveProgress({
              phase: 'reading',
              [object]: { bytesRead: p.bytesRead, bytesTotal: p.bytesTotal, records: p.records },
            }),
          {
            timer,
            defaultCountry: directory.defaultCountry,
            directoryId: directory.id,
            // Attribute types must agree with the directory before a single row is read.
            checkPlan: async (plan) => {
              if (object === 'teamMembers') return [];
              const conflicts = await attributeTypeConflicts(
                db.orm,
                directory.id,
                ENTITY_OF[object],
                plan.attributes,
              );
              return conflicts.map((reason) => ({ field: null, reason }));
            },
          },
        );
        for (const p of staged.problems) fileProblems.push({ object, file: file.label, ...p });
        if (staged.plan && staged.problems.length === 0)
          plans[object] = { plan: staged.plan, file, skipped: staged.skipped };
      } finally {
        await file.close();
      }
    }

    if (fileProblems.length) {
      for (const p of fileProblems) {
        await db.query(
          `INSERT INTO import_issues (run_id, severity, object, file, line, field, value, reason) VALUES ($1, 'error', $2, $3, NULL, $4, NULL, $5)`,
          [runId, p.object, p.file, p.field, p.reason],
        );
      }
      await finishFailed(
        db,
        runId,
        `The files cannot be imported as they are: ${fileProblems.map((p) => p.reason).join('; ')}`,
      );
      return;
    }

    saveProgress({ phase: 'merging' });
    const summary = await timer.time('merge (transaction)', () =>
      db.orm.transaction(async (tx) => {
        // One import at a time per directory: the merge reads and writes its whole hierarchy.
        await tx.execute(sql`SELECT pg_advisory_xact_lock(7261, ${directory.id}::int)`);
        await applyBulkStatementSettings(tx);
        // A re-import joins its few changed rows to million-row tables: at the default cost of a
        // random page (4, for spinning disks) the planner hashed whole tables where index probes
        // cost a tenth (10,000 changed contacts: 0.8 s of role writes became 0.1 s). The directory's
        // tables are cached or on SSD, where a random read costs about a sequential one.
        await tx.execute(sql`SET LOCAL random_page_cost = 1.1`);
        const summary: ImportSummary = {
          accounts: emptyCounts(),
          contacts: emptyCounts(),
          teamMembers: emptyCounts(),
        };
        let mailingListId: number | null = null;
        const ctx = (object: ImportObject) => ({
          tx,
          runId,
          directoryId: directory.id,
          file: plans[object]!.file.label,
          timer,
        });

        if (plans.accounts) {
          await declareAttributes(tx, directory.id, 'account', plans.accounts.plan.attributes);
          summary.accounts = await mergeAccounts(ctx('accounts'), plans.accounts.plan);
        }
        if (plans.contacts) {
          await declareAttributes(tx, directory.id, 'contact', plans.contacts.plan.attributes);
          const template = options.mailingList?.trim();
          const result = await mergeContacts(ctx('contacts'), plans.contacts.plan, mapping, {
            dedupKeys: directory.dedupKeys,
            mailingListName: template ? mailingListName(template, runId) : null,
            setAside: plans.contacts.skipped,
          });
          summary.contacts = result.counts;
          mailingListId = result.mailingListId;
        }
        if (plans.teamMembers) summary.teamMembers = await mergeTeamMembers(ctx('teamMembers'), mapping);
        if (mailingListId !== null) await attachRunListPartition(tx, mailingListId);

        // Every row with an error was rejected (refused while staging or while merging); rows set
        // aside before staging were unchanged.
        for (const object of IMPORT_OBJECTS) {
          if (!plans[object]) continue;
          summary[object].unchanged += plans[object].skipped;
          summary[object].rejected += await count(
            tx,
            `SELECT count(DISTINCT line) AS n FROM import_issues
           WHERE run_id = ${runId} AND object = '${object}' AND severity = 'error' AND line IS NOT NULL`,
          );
        }
        const [issues] = await tx
          .execute(sql`
        SELECT count(*) FILTER (WHERE severity = 'error')::int AS errors, count(*) FILTER (WHERE severity = 'warning')::int AS warnings
        FROM import_issues WHERE run_id = ${runId}`)
          .then((r) => (r as unknown as { rows: { errors: number; warnings: number }[] }).rows);
        // Uploaded bytes go with the commit that marks the run done: a rolled-back run keeps them for its retry.
        await tx.execute(sql`DELETE FROM import_file_chunks WHERE run_id = ${runId}`);
        await tx
          .update(importRuns)
          .set({
            status: 'succeeded',
            summary,
            mailingListId,
            errorCount: issues?.errors ?? 0,
            warningCount: issues?.warnings ?? 0,
            finishedAt: new Date(),
            progress: { phase: 'done' },
          })
          .where(eq(importRuns.id, runId));
        return summary;
      }),
    );
    await timer.time('analyze', () => refreshStatistics(db, summary));
    logger.debug({ runId, phases: timer.toJSON() }, 'import phases');
    logger.info({ runId }, 'import run succeeded');
  } catch (error) {
    logger.error({ err: error, runId }, 'import run failed');
    await finishFailed(db, runId, describeFailure(error));
    throw error;
  } finally {
    await dropStaging(db, runId).catch(() => {});
  }
  await deps.afterSuccess?.(runId);
}

async function finishFailed(db: Database, runId: number, failure: string): Promise<void> {
  await db.orm.execute(sql`
    UPDATE import_runs SET status = 'failed', failure = ${failure.slice(0, 2000)}, finished_at = now(),
      progress = '{"phase":"failed"}'::jsonb,
      error_count = (SELECT count(*) FROM import_issues WHERE run_id = ${runId} AND severity = 'error'),
      warning_count = (SELECT count(*) FROM import_issues WHERE run_id = ${runId} AND severity = 'warning')
    WHERE id = ${runId}`);
}

/** The database's own words for a failure, not the (long, generated) statement it came from. */
function describeFailure(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error && cause.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * After a bulk change, the planner's row estimates lag until autovacuum gets round to the tables
 * (measured: 30,000 new contacts estimated as 82 rows turned a 50-row page into a 250 ms query).
 * Analyzing the tables the run changed by more than a tenth (autovacuum's own threshold) keeps
 * the directory pages fast right after an import, without re-sampling a million-row table that a
 * re-import changed by 1%.
 */
async function refreshStatistics(db: Database, summary: ImportSummary) {
  const changed = (o: ImportObject) => summary[o].created + summary[o].updated + summary[o].deleted;
  const rows: Record<string, number> = {
    contacts: changed('contacts'),
    accounts: changed('accounts'),
    account_contact_roles: summary.contacts.created + summary.contacts.updated,
    account_team_members: changed('teamMembers'),
    attribute_history: summary.contacts.updated + summary.accounts.updated,
  };
  const sizes = await db.query<{ name: string; tuples: number }>(
    `SELECT relname AS name, reltuples::float8 AS tuples FROM pg_class
     WHERE relkind = 'r' AND relname = ANY($1::text[]) AND relnamespace = 'public'::regnamespace`,
    [pgTextArray(Object.keys(rows))],
  );
  const stale = sizes
    .filter(({ name, tuples }) => rows[name]! >= 5000 && rows[name]! > 0.1 * Math.max(tuples, 0))
    .map((t) => t.name);
  if (stale.length) await db.query(`ANALYZE ${stale.join(', ')}`);
}
