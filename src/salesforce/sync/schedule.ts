import { CronExpressionParser } from 'cron-parser';

/** A sync's schedule: a cron expression read in an IANA time zone (daily at 02:00 by default). */
export const DEFAULT_CRON = '0 2 * * *';

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Why a cron expression cannot be used, or null. */
export function cronProblem(cron: string, timeZone: string): string | null {
  if (!isTimeZone(timeZone)) return `${timeZone} is not an IANA time zone (such as Europe/Paris)`;
  if (cron.trim().split(/\s+/).length !== 5)
    return 'expected five fields: minute hour day-of-month month day-of-week';
  try {
    CronExpressionParser.parse(cron, { tz: timeZone });
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The first slot strictly after `after`. */
export function nextRunAfter(cron: string, timeZone: string, after: Date): Date {
  return CronExpressionParser.parse(cron, { tz: timeZone, currentDate: after }).next().toDate();
}
