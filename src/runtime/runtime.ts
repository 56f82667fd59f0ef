import type { Config } from '../config/env.ts';
import { decodeSecretKey } from '../config/env.ts';
import { closeTransports } from '../distributions/transport-cache.ts';
import { acquireDataDirLock, type DataDirLock } from '../platform/db/data-dir-lock.ts';
import type { Database } from '../platform/db/database.ts';
import { type MigrationReport, migrate } from '../platform/db/migrate.ts';
import { openPglite } from '../platform/db/pglite-database.ts';
import { openPostgres } from '../platform/db/postgres-database.ts';
import type { AnyJobDefinition, JobDeps } from '../platform/jobs/define-job.ts';
import { JobQueue } from '../platform/jobs/job-queue.ts';
import type { Logger } from '../platform/logger.ts';
import { verifySecretKey } from '../platform/secrets/key-check.ts';
import { createSecretBox, type SecretBox } from '../platform/secrets/secret-box.ts';
import { loadSecretKey } from '../platform/secrets/secret-key.ts';
import { jobCatalog } from './catalog.ts';
import { VERSION } from './version.ts';

/** Everything a process holds open: one per process, closed once at exit. */
export interface Runtime extends JobDeps {
  config: Config;
  db: Database;
  jobs: JobQueue;
  secrets: SecretBox;
  logger: Logger;
  version: string;
  migrations: MigrationReport;
  lock: DataDirLock | null;
  close(): Promise<void>;
}

export interface OpenRuntimeOptions {
  /** Shown to a second process that finds the data folder locked. */
  command: string;
  logger: Logger;
  /** Whether this process runs job maintenance and cron (worker processes do). */
  superviseJobs: boolean;
  jobs?: AnyJobDefinition[];
  pollingIntervalSeconds?: number;
  /** An already open database (tests): no data-folder lock is taken, and close() closes it. */
  database?: Database;
}

/**
 * Opens the database (taking the data-folder lock on the embedded one), applies migrations,
 * checks the secret key, and starts the job system: the steps every command shares.
 */
export async function openRuntime(config: Config, options: OpenRuntimeOptions): Promise<Runtime> {
  const { logger } = options;
  const embedded = !config.database.url && !options.database;
  const lock = embedded ? await acquireDataDirLock(config.database.dataDir, options.command) : null;
  let db: Database | undefined = options.database;
  let jobs: JobQueue | undefined;
  try {
    db ??= config.database.url
      ? await openPostgres(config.database.url)
      : await openPglite(config.database.dataDir);
    const migrations = await migrate(db);
    if (migrations.applied.length)
      logger.info({ applied: migrations.applied }, 'applied database migrations');
    if (migrations.changed.length) {
      logger.warn({ changed: migrations.changed }, 'applied migrations were edited after they ran');
    }

    const key = loadSecretKey(config.secrets.key, config.database.dataDir);
    if (key.source === 'generated') logger.info({ file: key.file }, 'generated a new secret key');
    if (key.source !== 'env' && config.database.url) {
      logger.warn('RAPPORT_SECRET_KEY is not set: every process sharing this database needs the same key');
    }
    const previous = config.secrets.previousKeys.map((k) => decodeSecretKey(k)!);
    const secrets = createSecretBox(key.key, previous);
    await verifySecretKey(db.orm, secrets);

    jobs = new JobQueue(db, logger, options.jobs ?? jobCatalog, {
      supervise: options.superviseJobs,
      ...(options.pollingIntervalSeconds ? { pollingIntervalSeconds: options.pollingIntervalSeconds } : {}),
    });
    await jobs.start();
    // Only the embedded database can tell that an active job is orphaned: we are its one process.
    if (db.kind === 'pglite' && options.superviseJobs) await jobs.recoverOrphanedJobs();

    const opened = { db, jobs };
    let closed = false;
    return {
      config,
      db,
      jobs,
      secrets,
      logger,
      version: VERSION,
      migrations,
      lock,
      async close() {
        if (closed) return;
        closed = true;
        try {
          await opened.jobs.stop(config.workers.shutdownTimeoutSeconds * 1000);
        } finally {
          // Pooled SMTP connections opened by sending jobs: closed once no job can use them.
          await closeTransports(opened.db).catch(() => {});
          await opened.db.close();
          lock?.release();
        }
      },
    };
  } catch (error) {
    await jobs?.stop(1000).catch(() => {});
    await db?.close().catch(() => {});
    lock?.release();
    throw error;
  }
}
