import { CronExpressionParser } from 'cron-parser';
import { type Schedule, WEEKDAYS } from './model.ts';

/**
 * Schedules: a cron expression read in an IANA time zone, or the daily/weekly presets (which are
 * cron expressions too). The schedule tick starts the latest slot that came due and has not run:
 * after downtime a missed slot runs once, never several times.
 */

export function cronOf(schedule: Schedule): string {
  if (schedule.kind === 'cron') return schedule.cron.trim();
  const [hour, minute] = schedule.time.split(':').map(Number) as [number, number];
  if (schedule.kind === 'daily') return `${minute} ${hour} * * *`;
  const days = [...new Set(schedule.days.map((d) => (WEEKDAYS.indexOf(d) + 1) % 7))].sort((a, b) => a - b);
  return `${minute} ${hour} * * ${days.join(',')}`;
}

/** Why a schedule cannot be used, or null. */
export function scheduleProblem(schedule: Schedule): string | null {
  const cron = cronOf(schedule);
  if (cron.split(/\s+/).length !== 5)
    return 'expected five cron fields: minute hour day-of-month month day-of-week';
  try {
    CronExpressionParser.parse(cron, { tz: schedule.timeZone });
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The latest slot at or before `now`. */
export function latestSlot(schedule: Schedule, now: Date): Date {
  const expression = CronExpressionParser.parse(cronOf(schedule), {
    tz: schedule.timeZone,
    currentDate: new Date(now.getTime() + 1000),
  });
  return expression.prev().toDate();
}

/** The next slots after `after`, for the editor ("next runs: …"). */
export function nextSlots(schedule: Schedule, after: Date, count = 3): Date[] {
  const expression = CronExpressionParser.parse(cronOf(schedule), {
    tz: schedule.timeZone,
    currentDate: after,
  });
  return Array.from({ length: count }, () => expression.next().toDate());
}

/** How a run started by a slot is keyed: one run per workflow and slot, whichever process ticks. */
export const slotKey = (slot: Date) => `schedule:${slot.toISOString()}`;
