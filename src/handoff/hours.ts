/**
 * The agency's business hours (`ADVISOR_HOURS=Mon-Fri 10:00-19:00`), read in the agency's
 * time zone: whether advisors are in now, and when they are next. Pure.
 */
import { DateTime } from 'luxon';

/** Luxon's weekday numbers: Monday 1 … Sunday 7. */
const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export interface HoursSegment {
  /** Weekdays (1 = Monday … 7 = Sunday) this segment applies to. */
  days: number[];
  /** Minutes after local midnight; `end` is exclusive and after `start`. */
  start: number;
  end: number;
}

export interface BusinessHours {
  segments: HoursSegment[];
  timeZone: string;
}

function dayNumber(name: string): number | undefined {
  const index = (DAY_NAMES as readonly string[]).indexOf(name.slice(0, 3).toLowerCase());
  return index === -1 || name.length > 9 ? undefined : index + 1;
}

function minutes(text: string): number | undefined {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [h, m] = [Number(match[1]), Number(match[2])];
  if (m > 59 || h > 24 || (h === 24 && m > 0)) return undefined;
  return h * 60 + m;
}

/** Expands `Mon-Fri`, `Sat`, `Fri-Mon` (wrapping past Sunday) or `Mon,Wed` into weekday numbers. */
function parseDays(text: string): number[] | undefined {
  const days = new Set<number>();
  for (const part of text.split(',')) {
    const [from, to] = part.split('-') as [string, string | undefined];
    const a = dayNumber(from);
    const b = to === undefined ? a : dayNumber(to);
    if (a === undefined || b === undefined) return undefined;
    for (let d = a; ; d = (d % 7) + 1) {
      days.add(d);
      if (d === b) break;
    }
  }
  return [...days].sort();
}

/**
 * Parses `Mon-Fri 10:00-19:00`, several segments separated by `;` (e.g.
 * `Mon-Fri 10:00-19:00; Sat 10:00-13:00`). Undefined when the text does not read as hours.
 */
export function parseBusinessHours(text: string, timeZone: string): BusinessHours | undefined {
  const segments: HoursSegment[] = [];
  for (const raw of text.split(';')) {
    const match = /^([A-Za-z,-]+)\s+(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(raw.trim());
    if (!match) return undefined;
    const days = parseDays(match[1]!);
    const start = minutes(match[2]!);
    const end = minutes(match[3]!);
    if (!days || start === undefined || end === undefined || end <= start) return undefined;
    segments.push({ days, start, end });
  }
  return segments.length ? { segments, timeZone } : undefined;
}

function local(at: Date, hours: BusinessHours): DateTime {
  return DateTime.fromJSDate(at, { zone: hours.timeZone });
}

export function isOpen(hours: BusinessHours, at: Date): boolean {
  const t = local(at, hours);
  const minute = t.hour * 60 + t.minute;
  return hours.segments.some((s) => s.days.includes(t.weekday) && minute >= s.start && minute < s.end);
}

/** The next moment advisors are in: `at` itself when open now. */
export function nextOpening(hours: BusinessHours, at: Date): Date {
  if (isOpen(hours, at)) return at;
  const day = local(at, hours).startOf('day');
  let best: DateTime | undefined;
  for (let offset = 0; offset <= 7; offset++) {
    const date = day.plus({ days: offset });
    for (const segment of hours.segments) {
      if (!segment.days.includes(date.weekday)) continue;
      const opening = date.plus({ minutes: segment.start });
      if (opening.toMillis() > at.getTime() && (!best || opening < best)) best = opening;
    }
    if (best) break;
  }
  // A parsed schedule always has a weekday, so something opens within a week.
  return best!.toJSDate();
}

/**
 * The hours in words for a user, weekday names from the platform's own calendar data so no
 * language is hard-coded: `月〜金 10:00-19:00` / `Mon–Fri 10:00-19:00`.
 */
export function describeHours(hours: BusinessHours, locale: 'ja' | 'en', rangeMark: string): string {
  const weekday = new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-US', { weekday: 'short', timeZone: 'UTC' });
  // 2024-01-01 was a Monday.
  const name = (d: number) => weekday.format(new Date(Date.UTC(2024, 0, d)));
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return hours.segments
    .map((s) => `${runs(s.days).map(([a, b]) => (a === b ? name(a) : `${name(a)}${rangeMark}${name(b)}`)).join(', ')} ${hhmm(s.start)}-${hhmm(s.end)}`)
    .join(' / ');
}

/** Consecutive weekdays as [first, last] pairs: [1,2,3,5] → [[1,3],[5,5]]. */
function runs(days: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const d of days) {
    const last = out.at(-1);
    if (last && last[1] === d - 1) last[1] = d;
    else out.push([d, d]);
  }
  return out;
}
