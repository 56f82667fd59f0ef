import { sql } from 'drizzle-orm';
import {
  type ConstructorOptions,
  type DrizzleTransactionLike,
  fromDrizzle,
  fromPglite,
  type JobResult,
  PgBoss,
} from 'pg-boss';
import type { z } from 'zod';
import { type Database, queryRows, type Tx } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import { type AnyJobDefinition, DEFAULT_RETRY, type JobDefinition, type JobDeps } from './define-job.ts';

export interface SendOptions {
  /** Enqueue inside this transaction: the job exists only if the transaction commits. */
  tx?: Tx;
  startAfter?: Date;
  /** Deduplicates: a second job with the same key is not created while the first is queued. */
  singletonKey?: string;
}

export interface QueueSummary {
  name: string;
  queued: number;
  active: number;
  completed: number;
  failed: number;
  schedule: { cron: string; tz: string } | null;
}

export interface JobQueueOptions {
  /** Run maintenance and cron (workers do; a send-only API process does not). */
  supervise: boolean;
  /** Seconds between polls when LISTEN/NOTIFY cannot wake the worker. */
  pollingIntervalSeconds?: number;
}

const HEARTBEAT_SECONDS = 15;

/** pg-boss statements that run inside the caller's transaction. */
const inTransaction = (tx: Tx) => fromDrizzle(tx as unknown as DrizzleTransactionLike, sql);

/**
 * The job system on pg-boss, on the application's own database (PGlite or PostgreSQL). Every
 * process can send; only processes that call `startWorkers` consume.
 */
export class JobQueue {
  readonly #boss: PgBoss;
  readonly #db: Database;
  readonly #logger: Logger;
  readonly #catalog: Map<string, AnyJobDefinition>;
  readonly #options: JobQueueOptions;
  #working = false;

  constructor(db: Database, logger: Logger, catalog: AnyJobDefinition[], options: JobQueueOptions) {
    this.#db = db;
    this.#logger = logger.child({ component: 'jobs' });
    this.#catalog = new Map(catalog.map((job) => [job.name, job]));
    if (this.#catalog.size !== catalog.length) throw new Error('Two jobs in the catalog share a name');
    this.#options = options;
    const common: ConstructorOptions = {
      supervise: options.supervise,
      schedule: options.supervise,
      useListenNotify: true,
      superviseIntervalSeconds: 30,
      monitorIntervalSeconds: 30,
      instanceName: 'rapport',
    };
    this.#boss =
      db.kind === 'pglite'
        ? new PgBoss({ ...common, db: fromPglite(db.client), backend: 'pglite' })
        : new PgBoss({ ...common, connectionString: db.url, max: 4, application_name: 'rapport-jobs' });
    this.#boss.on('error', (error) => this.#logger.error({ err: error }, 'job system error'));
    this.#boss.on('warning', (warning) => this.#logger.warn({ warning }, 'job system warning'));
  }

  get catalog(): AnyJobDefinition[] {
    return [...this.#catalog.values()];
  }

  /** Installs or upgrades pg-boss's schema and declares every queue and schedule. */
  async start(): Promise<void> {
    await this.#boss.start();
    for (const job of this.#catalog.values()) {
      const retry = job.retry ?? DEFAULT_RETRY;
      const options = {
        retryLimit: retry.limit,
        retryDelay: retry.delaySeconds,
        retryBackoff: retry.backoff,
        ...(retry.maxDelaySeconds ? { retryDelayMax: retry.maxDelaySeconds } : {}),
        expireInSeconds: job.expireInSeconds ?? 15 * 60,
        heartbeatSeconds: HEARTBEAT_SECONDS,
        notify: true,
      };
      const existing = await this.#boss.getQueue(job.name);
      if (existing) await this.#boss.updateQueue(job.name, options);
      else await this.#boss.createQueue(job.name, { ...options, policy: job.policy ?? 'standard' });
    }
    if (!this.#options.supervise) return;
    for (const job of this.#catalog.values()) {
      if (job.schedule) {
        const payload = job.payload.parse(job.schedule.payload);
        await this.#boss.schedule(job.name, job.schedule.cron, payload as object, {
          tz: job.schedule.tz ?? 'UTC',
          missed: job.schedule.catchUp ? 'once' : 'skip',
        });
      } else {
        await this.#boss.unschedule(job.name);
      }
    }
  }

  async send<P extends z.ZodType>(
    job: JobDefinition<P>,
    payload: z.input<P>,
    options: SendOptions = {},
  ): Promise<string | null> {
    this.#assertKnown(job);
    const data = job.payload.parse(payload) as object;
    return this.#boss.send(job.name, data, {
      ...(options.startAfter ? { startAfter: options.startAfter } : {}),
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
      ...(options.tx ? { db: inTransaction(options.tx) } : {}),
    });
  }

  /** Many jobs in one statement (1,000 jobs: ~30 ms instead of ~1 s one by one). */
  async sendMany<P extends z.ZodType>(
    job: JobDefinition<P>,
    payloads: z.input<P>[],
    options: Pick<SendOptions, 'tx'> = {},
  ): Promise<void> {
    this.#assertKnown(job);
    if (payloads.length === 0) return;
    const jobs = payloads.map((payload) => ({ data: job.payload.parse(payload) as object }));
    await this.#boss.insert(job.name, jobs, options.tx ? { db: inTransaction(options.tx) } : {});
  }

  /**
   * On the embedded database this process is the only one: a job still `active` was orphaned by
   * a crash (kill -9, power loss) and is failed now, so its retry runs at once instead of after
   * the heartbeat timeout. Never call this on a shared PostgreSQL, where other workers are alive.
   */
  async recoverOrphanedJobs(): Promise<number> {
    if (this.#db.kind !== 'pglite')
      throw new Error('recoverOrphanedJobs is only safe on the embedded database');
    const orphans = await queryRows<{ name: string; id: string }>(
      this.#db.orm,
      sql`select name, id::text as id from pgboss.job where state = 'active'`,
    );
    const byQueue = Map.groupBy(orphans, (row) => row.name);
    for (const [name, rows] of byQueue) {
      await this.#boss.fail(
        name,
        rows.map((row) => row.id),
        { message: 'The process running this job stopped before it finished (crash or kill).' },
      );
    }
    if (orphans.length) this.#logger.warn({ count: orphans.length }, 'requeued jobs orphaned by a crash');
    return orphans.length;
  }

  async startWorkers(deps: JobDeps): Promise<void> {
    this.#working = true;
    for (const job of this.#catalog.values()) {
      const polling = this.#options.pollingIntervalSeconds ?? 2;
      await this.#boss.work(
        job.name,
        {
          localConcurrency: job.concurrency ?? 1,
          // Claim a few jobs per fetch and keep fetching while batches come back full, so a
          // backlog drains without waiting a polling interval between jobs.
          batchSize: job.batchSize ?? 10,
          burstWhenBatchFull: true,
          pollingIntervalSeconds: polling,
          // NOTIFY wakes workers for new jobs but not for retries and delayed jobs coming due:
          // keep the fallback poll short enough that those are not left waiting.
          notifyPollingIntervalSeconds: Math.max(polling, 2),
          perJobResults: true,
        },
        async (batch): Promise<JobResult[]> => {
          const results: JobResult[] = [];
          for (const item of batch) {
            const result = await this.#runOne(job, item, deps);
            // Settle each job as soon as it ends, not with the batch: after a crash only the job
            // that was running (and those not started) run again, never one that had finished.
            // The settlement pg-boss makes for the whole batch afterwards is then a no-op.
            const attempt = { id: item.id, retryCount: item.retryCount };
            if (result.status === 'completed')
              await this.#boss.complete(job.name, attempt, (result.output ?? null) as object | null);
            if (result.status === 'failed') await this.#boss.fail(job.name, attempt, result.output as object);
            results.push(result);
          }
          return results;
        },
      );
    }
  }

  /** Runs one job and says how it ended; a failure is retried by pg-boss within the job's policy. */
  async #runOne(
    job: AnyJobDefinition,
    item: { id: string; data: unknown; retryCount: number; signal: AbortSignal },
    deps: JobDeps,
  ): Promise<JobResult> {
    const logger = this.#logger.child({ job: job.name, jobId: item.id, retry: item.retryCount });
    const parsed = job.payload.safeParse(item.data);
    if (!parsed.success) {
      // Retrying cannot fix a payload: fail it for good, with the reason.
      logger.error({ issues: parsed.error.issues }, 'job payload does not match its schema');
      return {
        id: item.id,
        status: 'deadletter',
        output: { error: 'invalid payload', issues: parsed.error.issues },
      };
    }
    const started = performance.now();
    try {
      const output = await job.run(parsed.data, deps, {
        jobId: item.id,
        retryCount: item.retryCount,
        signal: item.signal,
        logger,
      });
      logger.debug({ ms: Math.round(performance.now() - started) }, 'job completed');
      return {
        id: item.id,
        status: 'completed',
        ...(output === undefined ? {} : { output: output as object }),
      };
    } catch (error) {
      logger.warn({ err: error }, 'job failed');
      const message = error instanceof Error ? error.message : String(error);
      return { id: item.id, status: 'failed', output: { message } };
    }
  }

  /** Live counts per queue (pg-boss's own queue counters are a cache refreshed every 30 s). */
  async summary(): Promise<QueueSummary[]> {
    const counts = await queryRows<{ name: string; state: string; n: number }>(
      this.#db.orm,
      sql`select name, state::text as state, count(*)::int as n from pgboss.job group by name, state`,
    );
    return [...this.#catalog.values()].map((job) => {
      const of = (...states: string[]) =>
        counts
          .filter((c) => c.name === job.name && states.includes(c.state))
          .reduce((sum, c) => sum + c.n, 0);
      return {
        name: job.name,
        queued: of('created', 'retry'),
        active: of('active'),
        completed: of('completed'),
        failed: of('failed'),
        schedule: job.schedule ? { cron: job.schedule.cron, tz: job.schedule.tz ?? 'UTC' } : null,
      };
    });
  }

  /** The raw pg-boss instance, for job inspection in tests and admin pages. */
  get boss(): PgBoss {
    return this.#boss;
  }

  /**
   * Stops fetching, then waits up to `timeoutMs` for running handlers. A handler still running
   * after that is abandoned; its job stays `active` and is retried (at once on the embedded
   * database, after the heartbeat timeout on PostgreSQL): never lost.
   */
  async stop(timeoutMs: number): Promise<void> {
    await this.#boss.stop({ graceful: this.#working, timeout: timeoutMs, close: true });
  }

  #assertKnown(job: AnyJobDefinition): void {
    if (this.#catalog.get(job.name) !== job) {
      throw new Error(`Job ${job.name} is not in this process's job catalog`);
    }
  }
}
