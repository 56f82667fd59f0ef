import { describe, expect, it } from 'vitest';
import type { Schedule } from './model.ts';
import { ZSchedule } from './model.ts';
import { cronOf, latestSlot, nextSlots, scheduleProblem, slotKey } from './schedule.ts';

/** Schedules read in their time zone: the presets, cron, daylight saving time, the latest due slot. */

const schedule = (input: unknown) => ZSchedule.parse(input) as Schedule;
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('schedules', () => {
  it('weekly: the chosen days at the time, in the time zone', () => {
    const weekly = schedule({
      kind: 'weekly',
      days: ['fri', 'mon', 'mon'],
      time: '08:30',
      timeZone: 'Europe/Rome',
    });
    expect(cronOf(weekly)).toBe('30 8 * * 1,5');
    expect(scheduleProblem(weekly)).toBeNull();
    // Wednesday 2026-03-04, noon UTC: next Friday, Monday, Friday at 08:30 in Rome (CET, UTC+1).
    expect(iso(nextSlots(weekly, new Date('2026-03-04T12:00:00Z'), 3))).toEqual([
      '2026-03-06T07:30:00.000Z',
      '2026-03-09T07:30:00.000Z',
      '2026-03-13T07:30:00.000Z',
    ]);
    // Sunday is day 0 of cron.
    expect(cronOf(schedule({ kind: 'weekly', days: ['sun', 'sat'], time: '23:05' }))).toBe('5 23 * * 0,6');
  });

  it('weekly across the change to summer time: the same local time, an hour less in UTC', () => {
    const weekly = schedule({ kind: 'weekly', days: ['mon'], time: '06:00', timeZone: 'Europe/Rome' });
    // Europe moves its clocks on Sunday 2026-03-29.
    expect(iso(nextSlots(weekly, new Date('2026-03-20T00:00:00Z'), 2))).toEqual([
      '2026-03-23T05:00:00.000Z',
      '2026-03-30T04:00:00.000Z',
    ]);
  });

  it('cron with a time zone: weekdays at 09:00 in New York, not in UTC', () => {
    const cron = schedule({ kind: 'cron', cron: '0 9 * * 1-5', timeZone: 'America/New_York' });
    expect(scheduleProblem(cron)).toBeNull();
    // Friday 2026-01-09 15:00 UTC is 10:00 in New York: the next slots skip the weekend.
    expect(iso(nextSlots(cron, new Date('2026-01-09T15:00:00Z'), 2))).toEqual([
      '2026-01-12T14:00:00.000Z',
      '2026-01-13T14:00:00.000Z',
    ]);
    // The same expression in Tokyo.
    const tokyo = schedule({ kind: 'cron', cron: '0 9 * * 1-5', timeZone: 'Asia/Tokyo' });
    expect(iso(nextSlots(tokyo, new Date('2026-01-09T15:00:00Z'), 1))).toEqual(['2026-01-12T00:00:00.000Z']);
  });

  it('the latest slot: the one due at or before now, never a later one, once per slot', () => {
    const cron = schedule({ kind: 'cron', cron: '*/15 * * * *', timeZone: 'Asia/Kolkata' });
    expect(latestSlot(cron, new Date('2026-05-01T10:07:00Z')).toISOString()).toBe('2026-05-01T10:00:00.000Z');
    // Exactly at the slot: that slot is due.
    expect(latestSlot(cron, new Date('2026-05-01T10:15:00Z')).toISOString()).toBe('2026-05-01T10:15:00.000Z');
    // After downtime, only the latest missed slot (one run, not one per missed slot).
    const daily = schedule({ kind: 'daily', time: '06:00', timeZone: 'America/Los_Angeles' });
    const slot = latestSlot(daily, new Date('2026-07-10T20:00:00Z'));
    expect(slot.toISOString()).toBe('2026-07-10T13:00:00.000Z');
    expect(slotKey(slot)).toBe('schedule:2026-07-10T13:00:00.000Z');
    // Before 06:00 local, the latest slot is yesterday's.
    expect(latestSlot(daily, new Date('2026-07-10T12:59:00Z')).toISOString()).toBe(
      '2026-07-09T13:00:00.000Z',
    );
  });

  it('names what is wrong with a schedule', () => {
    expect(scheduleProblem(schedule({ kind: 'cron', cron: '0 9 * * 1-5 2026', timeZone: 'UTC' }))).toMatch(
      /five cron fields/,
    );
    expect(scheduleProblem(schedule({ kind: 'cron', cron: '61 9 * * 1-5', timeZone: 'UTC' }))).not.toBeNull();
    expect(
      ZSchedule.safeParse({ kind: 'cron', cron: '0 9 * * *', timeZone: 'Mars/Olympus' }).error?.message,
    ).toMatch(/IANA time zone/);
    expect(ZSchedule.safeParse({ kind: 'weekly', days: [], time: '08:00' }).error?.message).toMatch(
      /at least one day/,
    );
    expect(ZSchedule.safeParse({ kind: 'daily', time: '24:00' }).error?.message).toMatch(/HH:MM/);
  });
});
