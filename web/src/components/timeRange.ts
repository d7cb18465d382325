// Ranges of whole UTC days as a person picks them (the last day included) and as the API
// takes them ([from, to) in ISO time). Views keep the days in their URL.

const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface DayRange {
  from: string; // YYYY-MM-DD, UTC
  to: string; // YYYY-MM-DD, UTC, included
}

/** The UTC day of `moment`, as YYYY-MM-DD. */
export function utcDay(moment: Date): string {
  return moment.toISOString().slice(0, 10);
}

/** Whether `text` is a real day as YYYY-MM-DD (not 2026-02-30). */
export function isDay(text: string): boolean {
  if (!DAY.test(text)) return false;
  const parsed = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed) && utcDay(new Date(parsed)) === text;
}

/** The `days` UTC days up to and including the day of `now`. */
export function lastDays(days: number, now: Date): DayRange {
  const today = Date.parse(`${utcDay(now)}T00:00:00Z`);
  return { from: utcDay(new Date(today - (days - 1) * DAY_MS)), to: utcDay(now) };
}

/** `[from, to)` in ISO time for the API; null when the days are not a range. */
export function apiBounds(range: DayRange): { from: string; to: string } | null {
  if (!isDay(range.from) || !isDay(range.to) || range.to < range.from) return null;
  const end = Date.parse(`${range.to}T00:00:00Z`) + DAY_MS;
  return { from: `${range.from}T00:00:00Z`, to: new Date(end).toISOString().replace(".000Z", "Z") };
}

/** How many days the range holds, both ends included. */
export function dayCount(range: DayRange): number {
  const bounds = apiBounds(range);
  return bounds ? Math.round((Date.parse(bounds.to) - Date.parse(bounds.from)) / DAY_MS) : 0;
}
