import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../platform/db/database.ts';

/**
 * What other domains may do with survey links and responses in their own set-based statements:
 * a distribution issues thousands of personal links at once, and asks who has responded.
 */

/**
 * Inserts personal links from rows (token, contact_id, distribution_id, embedded, expires_at):
 * the caller makes the tokens (256 random bits each); the survey owns the links.
 */
export async function insertPersonalLinks(executor: Executor, surveyId: number, rows: SQL): Promise<void> {
  await executor.execute(sql`INSERT INTO survey_links (token, survey_id, kind, contact_id, distribution_id, embedded, expires_at)
    SELECT l.token, ${surveyId}, 'personal', l.contact_id, l.distribution_id, l.embedded, l.expires_at
    FROM (${rows}) l`);
}

/** SQL condition: the contact completed a response through this distribution's links. */
export function respondedCondition(distributionId: SQL, contactId: SQL): SQL {
  return sql`EXISTS (SELECT 1 FROM responses resp WHERE resp.distribution_id = ${distributionId}
    AND resp.contact_id = ${contactId} AND resp.status = 'complete')`;
}

/** Started and completed responses of distributions (the seed's activity), one row per distribution. */
export function responseCountsSql(distributionIds: number[]): SQL {
  return sql`SELECT distribution_id AS id, count(*)::int AS started,
      count(*) FILTER (WHERE status = 'complete')::int AS completed
    FROM responses WHERE distribution_id IN (${sql.join(
      distributionIds.map((id) => sql`${id}::bigint`),
      sql`, `,
    )}) GROUP BY distribution_id`;
}
