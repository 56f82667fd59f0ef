import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Database, queryRows } from '../platform/db/database.ts';
import { defineJob } from '../platform/jobs/define-job.ts';
import { recomputeDirectory, refreshAccounts } from './compute.ts';

/** How often the refresher looks for new responses, and how long one run keeps looking. */
const POLL_MS = 1000;
const RUN_MS = 55_000;
/**
 * Events are read once they are a second old: an event's id is taken when its transaction starts
 * writing, so a later id can commit first; respondent transactions last milliseconds.
 */
const SETTLE = sql`interval '1 second'`;

/**
 * Applies the responses completed since the last look: their accounts (and ancestors) are
 * recomputed, the cursor moves past them. Returns how many accounts were refreshed.
 */
export async function refreshFromEvents(db: Database): Promise<number> {
  const [cursor] = await queryRows<{ last_event_id: number }>(
    db.orm,
    sql`INSERT INTO health_cursor (id, last_event_id) VALUES (1, 0)
        ON CONFLICT (id) DO UPDATE SET id = 1 RETURNING last_event_id`,
  );
  const after = Number(cursor?.last_event_id ?? 0);
  const events = await queryRows<{ id: number; account_id: number | null }>(
    db.orm,
    sql`SELECT id, (payload ->> 'accountId')::bigint AS account_id FROM domain_events
        WHERE id > ${after} AND type IN ('response.completed', 'response.deleted', 'ticket.created', 'ticket.updated',
            'ticket.resolved', 'ticket.closed', 'ticket.deleted')
          AND at < now() - ${SETTLE}
        ORDER BY id LIMIT 5000`,
  );
  if (events.length === 0) return 0;
  const accountIds = [
    ...new Set(
      events
        .map((e) => e.account_id)
        .filter((id): id is number => id !== null)
        .map(Number),
    ),
  ];
  let refreshed = 0;
  if (accountIds.length) {
    const byDirectory = await queryRows<{ directory_id: number; ids: number[] | string }>(
      db.orm,
      sql`SELECT directory_id, array_agg(id) AS ids FROM accounts
          WHERE id IN (${sql.join(
            accountIds.map((id) => sql`${id}::bigint`),
            sql`, `,
          )}) GROUP BY 1`,
    );
    for (const group of byDirectory) {
      const ids = (
        Array.isArray(group.ids) ? group.ids : String(group.ids).replace(/[{}]/g, '').split(',')
      ).map(Number);
      refreshed += await refreshAccounts(db, Number(group.directory_id), ids);
    }
  }
  await db.orm.execute(
    sql`UPDATE health_cursor SET last_event_id = ${Number(events.at(-1)!.id)}, updated_at = now() WHERE id = 1`,
  );
  return refreshed;
}

/**
 * Keeps account health current: started every minute, each run polls the event log every second
 * for most of that minute, so a new response shows in its account's metrics within seconds.
 */
export const refreshHealth = defineJob({
  name: 'health.refresh',
  payload: z.object({}),
  policy: 'singleton',
  schedule: { cron: '* * * * *', payload: {} },
  retry: { limit: 1, delaySeconds: 5, backoff: false },
  expireInSeconds: 120,
  async run(_payload, { db, logger }, { signal }) {
    const until = Date.now() + RUN_MS;
    let accounts = 0;
    while (Date.now() < until && !signal.aborted) {
      try {
        accounts += await refreshFromEvents(db);
      } catch (error) {
        logger.error({ err: error }, 'account health refresh failed');
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return { accounts };
  },
});

/** Recomputes every account of one directory, or of all (the nightly run, after imports, on demand). */
export const recomputeHealth = defineJob({
  name: 'health.recompute',
  payload: z.object({ directoryId: z.number().int().positive().optional() }),
  policy: 'singleton',
  schedule: { cron: '17 2 * * *', payload: {} },
  retry: { limit: 2, delaySeconds: 60, backoff: true },
  expireInSeconds: 3600,
  async run({ directoryId }, { db, logger }) {
    const directories = directoryId
      ? [directoryId]
      : (await queryRows<{ id: number }>(db.orm, sql`SELECT id FROM directories ORDER BY id`)).map((d) =>
          Number(d.id),
        );
    const results = [];
    for (const id of directories) {
      const result = await recomputeDirectory(db, id);
      logger.info({ directoryId: id, ...result }, 'account health recomputed');
      results.push({ directoryId: id, ...result });
    }
    return results;
  },
});

export const healthJobs = [refreshHealth, recomputeHealth];
