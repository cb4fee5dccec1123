/** Turning the dates an invitation writes (no year, "来週水曜", "明日") into calendar days. */
import { DateTime } from 'luxon';

export interface Day {
  year: number;
  month: number;
  day: number;
}

/**
 * A date this far behind the day the mail arrived is something that already happened
 * ("先日11月20日の面接"); further behind, it is that date next year (a January date in a
 * December mail).
 */
const PAST_REFERENCE_DAYS = 60;

export function dayOf(dt: DateTime): Day {
  return { year: dt.year, month: dt.month, day: dt.day };
}

export function toDateTime(day: Day, zone: string, hour = 0, minute = 0): DateTime {
  return DateTime.fromObject({ ...day, hour, minute }, { zone });
}

/** The day meant by month and day (and maybe year) in a text received at `received`; null when past or impossible. */
export function resolveMonthDay(received: DateTime, month: number, day: number, year?: number): Day | null {
  const today = received.startOf('day');
  if (year !== undefined) {
    const exact = DateTime.fromObject({ year, month, day }, { zone: received.zone });
    return exact.isValid && exact >= today.minus({ days: PAST_REFERENCE_DAYS }) ? dayOf(exact) : null;
  }
  const thisYear = DateTime.fromObject({ year: received.year, month, day }, { zone: received.zone });
  if (thisYear.isValid && thisYear >= today) return dayOf(thisYear);
  if (thisYear.isValid && thisYear >= today.minus({ days: PAST_REFERENCE_DAYS })) return null;
  const nextYear = DateTime.fromObject({ year: received.year + 1, month, day }, { zone: received.zone });
  return nextYear.isValid ? dayOf(nextYear) : null;
}

export function plusDays(received: DateTime, days: number): Day {
  return dayOf(received.startOf('day').plus({ days }));
}

/**
 * A weekday (1 = Monday) in this week, next week or the one after (weeks start on Monday),
 * or with no week given the next such day after today.
 */
export function resolveWeekday(received: DateTime, weekday: number, weeksAhead: number | undefined): Day {
  const today = received.startOf('day');
  if (weeksAhead === undefined) {
    const ahead = (weekday - today.weekday + 7) % 7 || 7;
    return dayOf(today.plus({ days: ahead }));
  }
  return dayOf(today.minus({ days: today.weekday - 1 }).plus({ days: weeksAhead * 7 + weekday - 1 }));
}

export function weekdayOf(day: Day, zone: string): number {
  return toDateTime(day, zone).weekday;
}
