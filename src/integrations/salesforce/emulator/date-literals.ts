/**
 * SOQL date literals as half-open ranges [start, end) of epoch ms, computed in UTC (the emulated
 * user's time zone is GMT) with weeks starting on Sunday (the en_US locale). LAST_N_DAYS:n covers
 * today and the n days before it, NEXT_N_DAYS:n the n days after today, as Salesforce documents.
 */

const DAY = 86_400_000;

const startOfDay = (ms: number) => Math.floor(ms / DAY) * DAY;
const addMonths = (ms: number, months: number) => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1);
};
const startOfMonth = (ms: number) => addMonths(ms, 0);
const startOfQuarter = (ms: number) => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1);
};
const startOfYear = (ms: number) => Date.UTC(new Date(ms).getUTCFullYear(), 0, 1);
const startOfWeek = (ms: number) => startOfDay(ms) - new Date(ms).getUTCDay() * DAY;

type Unit = 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';

function unitStart(unit: Unit, now: number): number {
  switch (unit) {
    case 'DAY':
      return startOfDay(now);
    case 'WEEK':
      return startOfWeek(now);
    case 'MONTH':
      return startOfMonth(now);
    case 'QUARTER':
      return startOfQuarter(now);
    case 'YEAR':
      return startOfYear(now);
  }
}

function shift(unit: Unit, from: number, count: number): number {
  switch (unit) {
    case 'DAY':
      return from + count * DAY;
    case 'WEEK':
      return from + count * 7 * DAY;
    case 'MONTH':
      return addMonths(from, count);
    case 'QUARTER':
      return addMonths(from, count * 3);
    case 'YEAR':
      return addMonths(from, count * 12);
  }
}

export interface DateRange {
  start: number;
  end: number;
}

export function dateLiteralRange(name: string, n: number | null, now: number): DateRange {
  const fixed: Record<string, [Unit, number]> = {
    YESTERDAY: ['DAY', -1],
    TODAY: ['DAY', 0],
    TOMORROW: ['DAY', 1],
    LAST_WEEK: ['WEEK', -1],
    THIS_WEEK: ['WEEK', 0],
    NEXT_WEEK: ['WEEK', 1],
    LAST_MONTH: ['MONTH', -1],
    THIS_MONTH: ['MONTH', 0],
    NEXT_MONTH: ['MONTH', 1],
    LAST_QUARTER: ['QUARTER', -1],
    THIS_QUARTER: ['QUARTER', 0],
    NEXT_QUARTER: ['QUARTER', 1],
    LAST_YEAR: ['YEAR', -1],
    THIS_YEAR: ['YEAR', 0],
    NEXT_YEAR: ['YEAR', 1],
  };
  const single = fixed[name];
  if (single) {
    const [unit, offset] = single;
    const start = shift(unit, unitStart(unit, now), offset);
    return { start, end: shift(unit, start, 1) };
  }
  const today = startOfDay(now);
  if (name === 'LAST_90_DAYS') return { start: today - 90 * DAY, end: today + DAY };
  if (name === 'NEXT_90_DAYS') return { start: today + DAY, end: today + 91 * DAY };

  const m = /^(LAST_N|NEXT_N|N)_(DAY|WEEK|MONTH|QUARTER|YEAR)S(_AGO)?$/.exec(name);
  if (!m || n === null) throw new Error(`Unknown date literal ${name}`);
  const unit = m[2] as Unit;
  const current = unitStart(unit, now);
  if (m[3]) {
    const start = shift(unit, current, -n);
    return { start, end: shift(unit, start, 1) };
  }
  if (m[1] === 'LAST_N') {
    // LAST_N_DAYS includes today; the longer units stop at the start of the current one.
    return unit === 'DAY'
      ? { start: today - n * DAY, end: today + DAY }
      : { start: shift(unit, current, -n), end: current };
  }
  const nextStart = shift(unit, current, 1);
  return { start: nextStart, end: shift(unit, nextStart, n) };
}
