import type { z } from 'zod';
import type { Config } from '../../config/env.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { JobQueue } from './job-queue.ts';

/** What every job handler may use; domains pass narrower pieces on to their services. */
export interface JobDeps {
  config: Config;
  db: Database;
  logger: Logger;
  secrets: SecretBox;
  jobs: JobQueue;
}

export interface JobContext {
  jobId: string;
  /** 0 on the first attempt. */
  retryCount: number;
  /** Aborted when the worker shuts down and the grace period runs out: stop at a safe point. */
  signal: AbortSignal;
  logger: Logger;
}

export interface RetryPolicy {
  limit: number;
  delaySeconds: number;
  backoff: boolean;
  maxDelaySeconds?: number;
}

export interface JobDefinition<P extends z.ZodType = z.ZodType> {
  /** Queue name, `<domain>.<verb-phrase>`. Never rename a shipped queue: queued jobs keep its name. */
  name: string;
  payload: P;
  run(payload: z.output<P>, deps: JobDeps, ctx: JobContext): Promise<unknown>;
  retry?: RetryPolicy;
  /** How long one attempt may run before it is treated as lost and retried. */
  expireInSeconds?: number;
  /** Handlers running at once for this queue in one worker process. */
  concurrency?: number;
  /** Jobs claimed per fetch by each handler slot (default 10); they run one after another. */
  batchSize?: number;
  /** `singleton`: at most one job of this queue runs at a time, across all workers. */
  policy?: 'standard' | 'singleton' | 'stately';
  /** A cron schedule; two instances cannot both run one slot (pg-boss keys schedules by name). */
  schedule?: {
    cron: string;
    /** IANA time zone the cron expression is read in (default UTC). */
    tz?: string;
    payload: z.input<P>;
    /** After downtime, run the most recent missed slot once (default: skip missed slots). */
    catchUp?: boolean;
  };
}

export const DEFAULT_RETRY: RetryPolicy = { limit: 5, delaySeconds: 5, backoff: true, maxDelaySeconds: 600 };

/** Declares a job. The payload is validated when it is sent and again when it is dequeued. */
export function defineJob<P extends z.ZodType>(definition: JobDefinition<P>): JobDefinition<P> {
  if (!/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/.test(definition.name)) {
    throw new Error(`Job name "${definition.name}" must look like "<domain>.<verb-phrase>"`);
  }
  return definition;
}

// biome-ignore lint/suspicious/noExplicitAny: a catalog holds jobs of every payload type
export type AnyJobDefinition = JobDefinition<any>;
