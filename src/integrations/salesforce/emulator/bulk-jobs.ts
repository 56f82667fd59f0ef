import type { CsvFormat } from './bulk-csv.ts';
import type { QueryPlan } from './soql-plan.ts';

/**
 * Bulk API 2.0 jobs of one org and what moves them along: a job goes
 * UploadComplete → InProgress → JobComplete, one state per status read once the current state has
 * lasted `stepMs`, so a client that polls sees every state, as it would against Salesforce. A job
 * nobody polls still completes after a while.
 */

export interface JobBase {
  id: string;
  object: string;
  createdById: string;
  createdDate: number;
  systemModstamp: number;
  state: string;
  /** The API version the job was created with (results must be read with the same one). */
  apiVersion: string;
  format: CsvFormat;
  startedAt: number | null;
  finishedAt: number | null;
  /** When the job entered its current state. */
  stateSince: number;
}

export interface QueryJob extends JobBase {
  kind: 'query';
  operation: 'query' | 'queryAll';
  query: string;
  plan: QueryPlan;
  /** The result rows as CSV cells (header first), once complete. */
  result: string[][] | null;
}

export interface IngestJob extends JobBase {
  kind: 'ingest';
  operation: 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';
  externalIdFieldName: string | null;
  header: string[] | null;
  uploaded: string[][];
  successful: string[][];
  failed: string[][];
  unprocessed: string[][];
  errorMessage: string | null;
}

/** Unpolled jobs complete on their own after this many steps. */
const UNPOLLED_STEPS = 25;

export function createBulkJobs(options: { stepMs: number; now: () => number }) {
  const queryJobs = new Map<string, QueryJob>();
  const ingestJobs = new Map<string, IngestJob>();
  const timers = new Set<NodeJS.Timeout>();

  /** UploadComplete → InProgress, InProgress → `finish` (which sets the final state). */
  function advance(job: JobBase, finish: () => void) {
    const now = options.now();
    if (job.state === 'UploadComplete') {
      job.state = 'InProgress';
      job.startedAt = now;
    } else if (job.state === 'InProgress') {
      finish();
      job.finishedAt = now;
    } else {
      return;
    }
    job.stateSince = now;
    job.systemModstamp = Math.floor(now / 1000) * 1000;
  }

  return {
    queryJobs,
    ingestJobs,
    /** The job just became UploadComplete: it runs as it is polled (or on its own, later). */
    started(job: JobBase, finish: () => void) {
      job.stateSince = options.now();
      const timer = setTimeout(() => {
        timers.delete(timer);
        advance(job, finish);
        advance(job, finish);
      }, UNPOLLED_STEPS * options.stepMs);
      timer.unref();
      timers.add(timer);
    },
    /** A status read: one state further once the current one has lasted a step. */
    polled(job: JobBase, finish: () => void) {
      if (options.now() - job.stateSince >= options.stepMs) advance(job, finish);
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

export type BulkJobs = ReturnType<typeof createBulkJobs>;
