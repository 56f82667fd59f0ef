import type { Tx } from '../../platform/db/database.ts';
import type { Timer } from './phase-timer.ts';

/** What every merge step works with: the run's transaction, its run and directory, its timings. */
export interface MergeContext {
  tx: Tx;
  runId: number;
  directoryId: number;
  file: string;
  timer: Timer;
}

/** Times one step of a merge as "merge <object>: <step>" (see PhaseTimer). */
export const stepOf =
  (ctx: MergeContext, object: string) =>
  <T>(step: string, work: () => Promise<T>): Promise<T> =>
    ctx.timer.time(`merge ${object}: ${step}`, work);
