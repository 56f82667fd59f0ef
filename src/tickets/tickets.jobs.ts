import { z } from 'zod';
import { defineJob } from '../platform/jobs/define-job.ts';
import { checkOverdueTickets, notifyTicketOwner } from './notifications.ts';

/**
 * Every five minutes: tickets past their due date (and still being worked on) get their owner's
 * overdue notice, once per due date; notices whose job was lost are sent too.
 */
export const checkOverdue = defineJob({
  name: 'tickets.check-overdue',
  payload: z.object({}),
  policy: 'singleton',
  schedule: { cron: '*/5 * * * *', payload: {} },
  expireInSeconds: 900,
  async run(_payload, deps, { logger }) {
    const result = await checkOverdueTickets(deps);
    if (result.overdue || Object.keys(result.notices).length) logger.info(result, 'tickets: overdue sweep');
    return result;
  },
});

export const ticketsJobs = [notifyTicketOwner, checkOverdue];
