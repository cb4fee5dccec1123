/** The days of a reporting period, as dates of the deployment's time zone. */
import { DateTime } from 'luxon';

export const PERIODS = [7, 30, 90] as const;
export type PeriodDays = (typeof PERIODS)[number];

/** The local date (YYYY-MM-DD) of an instant: the bucket it is counted in. */
export function dayOf(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toISODate()!;
}

/** The last `days` local dates up to and including today's, oldest first. */
export function periodDays(now: Date, timeZone: string, days: number): string[] {
  const today = DateTime.fromJSDate(now, { zone: timeZone }).startOf('day');
  return Array.from({ length: days }, (_, i) => today.minus({ days: days - 1 - i }).toISODate()!);
}
