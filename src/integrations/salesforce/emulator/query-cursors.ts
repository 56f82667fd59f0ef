import { KEY_PREFIXES } from './ids.ts';
import type { StoredRecord } from './record-store.ts';
import type { QueryPlan } from './soql-plan.ts';

/**
 * Server-side query cursors behind nextRecordsUrl (`/services/data/vXX.X/query/01g…-2000`): the
 * rows a query matched, kept until the client pages through them or 15 minutes pass without a
 * fetch. The locator after the dash is the offset of the next batch.
 */

export interface Cursor {
  id: string;
  plan: QueryPlan;
  rows: StoredRecord[];
  batchSize: number;
  lastUsed: number;
}

const IDLE_TIMEOUT_MS = 15 * 60_000;
/** Salesforce keeps at most 10 open cursors per user; the oldest is dropped. */
const MAX_OPEN = 10;

export function createQueryCursors(deps: { newId: (prefix: string) => string; now: () => number }) {
  const open = new Map<string, Cursor>();

  function sweep() {
    const now = deps.now();
    for (const [id, cursor] of open) if (now - cursor.lastUsed > IDLE_TIMEOUT_MS) open.delete(id);
  }

  return {
    open(plan: QueryPlan, rows: StoredRecord[], batchSize: number): Cursor {
      sweep();
      const cursor = {
        id: deps.newId(KEY_PREFIXES.QueryLocator),
        plan,
        rows,
        batchSize,
        lastUsed: deps.now(),
      };
      open.set(cursor.id, cursor);
      while (open.size > MAX_OPEN) open.delete(open.keys().next().value!);
      return cursor;
    },
    /** The cursor and offset a locator names, or null when it is unknown or expired. */
    resolve(locator: string): { cursor: Cursor; offset: number } | null {
      sweep();
      const m = /^(01g[A-Za-z0-9]{15})-(\d+)$/.exec(locator);
      const cursor = m ? open.get(m[1]!) : undefined;
      if (!m || !cursor) return null;
      cursor.lastUsed = deps.now();
      return { cursor, offset: Number(m[2]) };
    },
    close(id: string) {
      open.delete(id);
    },
    count: () => open.size,
  };
}

export type QueryCursors = ReturnType<typeof createQueryCursors>;
