import { z } from 'zod';
import { defineJob } from '../platform/jobs/define-job.ts';
import { purgeDeadTokens } from './api-tokens.service.ts';
import { purgeExpiredSessions } from './sessions.service.ts';

/** Keeps the session and token tables small: expired rows can never be used again. */
export const purgeExpiredCredentials = defineJob({
  name: 'users.purge-expired-credentials',
  payload: z.object({}),
  policy: 'singleton',
  schedule: { cron: '17 * * * *', payload: {} },
  async run(_payload, { db }, { logger }) {
    const sessions = await purgeExpiredSessions(db.orm);
    const tokens = await purgeDeadTokens(db.orm);
    if (sessions || tokens) logger.info({ sessions, tokens }, 'purged expired credentials');
    return { sessions, tokens };
  },
});

export const usersJobs = [purgeExpiredCredentials];
