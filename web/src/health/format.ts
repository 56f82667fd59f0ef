/** Numbers and dates of the command center, in the reader's language. */

const DAY = 86_400_000;

/** "12 days ago", "yesterday", "in 28 days", "today": `days` from now (negative: in the past). */
export function relativeDays(days: number, locale: string): string {
  return new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(Math.round(days), 'day');
}

/** Whole days since an instant (0 today). */
export function daysSince(iso: string | null | undefined, now = Date.now()): number | null {
  if (!iso) return null;
  return Math.max(0, Math.floor((now - new Date(iso).getTime()) / DAY));
}

/** Whole days until a calendar day "2027-03-31" (negative when past), as the server counts them. */
export function daysUntil(day: string | null | undefined, now = Date.now()): number | null {
  if (!day) return null;
  return Math.ceil((new Date(`${day.slice(0, 10)}T00:00:00Z`).getTime() - now) / DAY);
}

/** A calendar day "2027-03-31" as the reader writes dates. */
export function formatDay(day: string | null | undefined, locale: string): string {
  if (!day) return '—';
  const date = new Date(`${day.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return date.toLocaleDateString(locale, { dateStyle: 'medium', timeZone: 'UTC' });
}

export function formatDate(iso: string | null | undefined, locale: string): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleDateString(locale, { dateStyle: 'medium' });
}

/** NPS with its sign: +25, 0, −40. */
export function signed(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined) return '—';
  const rounded = Math.round(value * 10) / 10;
  const text = Math.abs(rounded).toLocaleString(locale, { maximumFractionDigits: 1 });
  return rounded > 0 ? `+${text}` : rounded < 0 ? `−${text}` : text;
}

/** A score 0–100 as shown: one decimal at most. */
export function score(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined) return '—';
  return value.toLocaleString(locale, { maximumFractionDigits: 1 });
}

/** 0–1 as a percentage. */
export function percent(value: number | null | undefined, locale: string, digits = 0): string {
  if (value === null || value === undefined) return '—';
  return value.toLocaleString(locale, { style: 'percent', maximumFractionDigits: digits });
}

/** ARR and other amounts: compact (480 K), no currency (the attribute does not say which). */
export function amount(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined) return '—';
  return value.toLocaleString(locale, { notation: 'compact', maximumFractionDigits: 1 });
}

/** 30/60/90 days: how stale a contact or an answer is. */
export function ageColor(days: number | null): string {
  if (days === null) return 'gray';
  if (days <= 30) return 'teal';
  if (days <= 60) return 'yellow';
  if (days <= 90) return 'orange';
  return 'red';
}
