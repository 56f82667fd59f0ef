import { type SQL, sql } from 'drizzle-orm';

/** Rows (account_id, open) of the tickets still being worked on, for other domains' set-based statements. */
export function openTicketCounts(accounts: SQL): SQL {
  return sql`SELECT t.account_id, count(*)::int AS open FROM tickets t
    WHERE t.account_id IN (${accounts}) AND t.status IN ('open', 'in_progress', 'waiting')
    GROUP BY t.account_id`;
}

/** Whether a directory works with tickets at all (then "no open ticket" is a signal too). */
export function usesTickets(directoryId: number): SQL {
  return sql`EXISTS (SELECT 1 FROM tickets WHERE directory_id = ${directoryId})`;
}
