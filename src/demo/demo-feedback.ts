import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { findDirectory } from '../directory/directories.service.ts';
import { recomputeDirectory } from '../health/compute.ts';
import { getImportRun } from '../imports/imports.service.ts';
import { queryRows } from '../platform/db/database.ts';
import { defineJob } from '../platform/jobs/define-job.ts';
import { createSurvey, setSurveyStatus } from '../surveys/surveys.service.ts';
import { systemActor } from '../users/roles.ts';

/**
 * The demo's feedback, once its directory is imported: a relationship NPS survey and two years
 * of answers, so the command center, results and dashboards have something to show. Scores follow
 * each account's "sentiment" — the same hash of its id that decided its churn outcome in the files
 * — so the churn model has a real signal to find. Alan Johnson, Get Cloudy's decision maker, is a
 * detractor since twelve days: the seed's story.
 */

class NotYetImported extends Error {}

/** The same [0, 1) value as demo-files.ts's sentimentOf, in SQL. */
const sentiment = (column: ReturnType<typeof sql>) =>
  sql`(('x' || substr(md5(${column}), 1, 8))::bit(32)::bigint / 4294967296.0)`;
const noise = (seed: ReturnType<typeof sql>) =>
  sql`(('x' || substr(md5(${seed}), 1, 8))::bit(32)::bigint / 4294967296.0)`;

export const seedDemoFeedback = defineJob({
  name: 'demo.feedback',
  payload: z.object({ runId: z.number().int().positive(), directory: z.string() }),
  batchSize: 1,
  // The import runs as its own job: wait for it (every 2 s, up to ~5 minutes).
  retry: { limit: 150, delaySeconds: 2, backoff: false },
  async run({ runId, directory: name }, { db, logger }) {
    const actor = systemActor('demo');
    const run = await getImportRun(db.orm, actor, runId);
    if (run.status === 'failed') return { skipped: 'the demo import failed' };
    if (run.status !== 'succeeded') throw new NotYetImported(`demo import ${runId} is ${run.status}`);
    const directory = await findDirectory(db.orm, name);
    const [existing] = await queryRows<{ id: number }>(
      db.orm,
      sql`SELECT id FROM surveys WHERE directory_id = ${directory.id} LIMIT 1`,
    );
    if (existing) return { skipped: 'the demo already has surveys' };
    const survey = await createSurvey(db, actor, directory.id, {
      name: 'Relationship NPS 2026',
      template: 'relationship-nps',
    });
    await setSurveyStatus(db, actor, survey.id, 'active');
    const score = sql`greatest(0, least(10, round(1.5 + 8.5 * ${sentiment(sql`a.external_ref`)}
      + (${noise(sql`c.external_ref || '-' || k`)} - 0.5) * 4)))::smallint`;
    const days = sql`(floor(${noise(sql`'d' || c.external_ref || '-' || k`)} * 270) + (k - 1) * 300)::int`;
    await db.orm.execute(sql`
      INSERT INTO responses (survey_id, version, resume_token, contact_id, account_id, channel, language, status,
        answers, embedded, nps_score, nps_category, started_at, completed_at)
      SELECT ${survey.id}, 1, md5('demo-' || c.id || '-' || k), c.id, role.account_id, 'email', coalesce(c.language, 'en'),
        'complete', jsonb_build_object('nps', s.score) || CASE
          WHEN s.score <= 6 THEN jsonb_build_object('detractor_reason', (ARRAY['Onboarding took too long',
            'Support takes days to answer', 'The renewal price went up', 'We miss an integration with our ERP'])
            [1 + floor(${noise(sql`'r' || c.id`)} * 4)::int])
          WHEN s.score >= 9 THEN jsonb_build_object('promoter_reason', (ARRAY['Great support team',
            'It saves our team hours every week', 'Reliable and easy to use'])[1 + floor(${noise(sql`'p' || c.id`)} * 3)::int])
          ELSE '{}'::jsonb END,
        jsonb_build_object('sfContactId', c.external_ref, 'sfAccountId', a.external_ref, 'role', role.role,
          'accountName', a.display_name, 'firstName', c.first_name),
        s.score, CASE WHEN s.score <= 6 THEN 'detractor' WHEN s.score <= 8 THEN 'passive' ELSE 'promoter' END,
        now() - make_interval(days => s.days), now() - make_interval(days => s.days)
      FROM contacts c
      JOIN LATERAL (SELECT acr.account_id, acr.role::text AS role FROM account_contact_roles acr
        WHERE acr.contact_id = c.id ORDER BY acr.account_id LIMIT 1) role ON true
      JOIN accounts a ON a.id = role.account_id
      CROSS JOIN generate_series(1, 2) k
      CROSS JOIN LATERAL (SELECT CASE c.external_ref WHEN '003DEMO0001' THEN 4 - (k - 1) * -6
          WHEN '003DEMO0002' THEN 9 ELSE ${score} END AS score,
        CASE WHEN c.external_ref IN ('003DEMO0001', '003DEMO0002') THEN 12 + (k - 1) * 300 ELSE ${days} END AS days) s
      WHERE c.directory_id = ${directory.id} AND c.deleted_at IS NULL
        AND (c.external_ref IN ('003DEMO0001', '003DEMO0002')
          OR ${noise(sql`'w' || c.external_ref || '-' || k`)} < CASE WHEN k = 1 THEN 0.7 ELSE 0.4 END)`);
    const health = await recomputeDirectory(db, directory.id);
    logger.info({ surveyId: survey.id, ...health }, 'demo feedback generated and account health computed');
    return { surveyId: survey.id, accounts: health.accounts };
  },
});
