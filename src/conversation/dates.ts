/**
 * Reading and showing the date-time of the meeting the user was invited to.
 *
 * People type dates in many shapes ("12/3 14時", "明日の午後3時", "Dec 3, 2:30 pm"), so the
 * text is normalised and then read as a date followed by a time (or, for English, a time
 * followed by a date). Everything is interpreted in the user's IANA time zone. Pure logic:
 * `now` is always passed in, and nothing here throws.
 */
import { DateTime } from 'luxon';
import { readSchedule } from '../reading/slots.ts';
import { prepare } from '../reading/text.ts';

export type MeetingTimeParse =
  | { ok: true; at: Date }
  | { ok: false; reason: 'past' | 'too_far' | 'missing_time' | 'invalid' }
  /** "12月3日（木）" when the 3rd is a Wednesday: `at` is the date as written, to ask about. */
  | { ok: false; reason: 'weekday_mismatch'; at: Date };

type ParseOptions = { now: Date; timeZone: string; maxDaysAhead: number };

/** A calendar date; `year` is left out when the user did not type one. */
type DateSpec =
  | { kind: 'absolute'; year: number | undefined; month: number; day: number }
  | { kind: 'relative'; daysFromToday: number };

type TimeSpec = { hour: number; minute: number; second: number };

type CalendarDay = { year: number; month: number; day: number };

/** What a reader consumed from the front of the text, and what is left over. */
type Read<T> = { value: T; rest: string };

// Checked before any regex runs so that pasted essays cost nothing; real dates are short.
const MAX_TEXT_LENGTH = 100;
const MAX_PICKER_LENGTH = 40;

// A date typed without a year that is at most this far behind today is a typo for a past
// date (answer 'past'); further behind, the user means that date next year.
const ROLLOVER_GRACE_DAYS = 30;

const INVALID: MeetingTimeParse = { ok: false, reason: 'invalid' };

const EN_WEEKDAY = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun)';
const WEEKDAY_IN_PARENS = new RegExp(`\\((?:[月火水木金土日](?:曜日?)?|${EN_WEEKDAY}\\.?)\\)`, 'g');
const JA_WEEKDAY = /[月火水木金土日]曜日?/g;
const LEADING_EN_WEEKDAY = new RegExp(`^${EN_WEEKDAY}(?![a-z])\\.?,? ?`);
const TRAILING_PUNCTUATION = /[。!?]+$/;

const FULL_DATE = /^(\d{4}) ?[-/.年] ?(\d{1,2}) ?[-/.月] ?(\d{1,2})(?!\d)(?: ?日|t(?=\d))?/;
const JA_MONTH_DAY = /^(\d{1,2}) ?月 ?(\d{1,2}) ?日/;
// Month first, as in Japan and the US; an optional trailing year covers US-style 12/3/2026.
const SLASH_MONTH_DAY = /^(\d{1,2})\/(\d{1,2})(?:\/(\d{4}))?(?![\d/])/;
const EN_MONTH_DAY = /^([a-z]{3,9})(?![a-z])\.? ?(\d{1,2})(?!\d)(?:st|nd|rd|th)?(?:,? (\d{4})(?![\d:]))?/;
const EN_DAY_MONTH = /^(\d{1,2})(?!\d)(?:st|nd|rd|th)? ?([a-z]{3,9})(?![a-z])\.?(?:,? (\d{4})(?![\d:]))?/;
const RELATIVE_DAY =
  /^(今日|本日|きょう|明後日|あさって|明日|あした|あす|the day after tomorrow|day after tomorrow|today|tomorrow|tmrw|tmr)(?![a-z])/;

const TIME =
  /^(?:(?<prefix>午前|午後|am|pm) ?)?(?<hour>\d{1,2})(?!\d)(?:(?<colon>:)(?<minute>\d{2})(?::(?<second>\d{2}))?(?!\d)| ?(?<ji>時)(?: ?(?<jiMinute>\d{1,2}) ?分| ?(?<han>半))?)?(?: ?(?<suffix>a\.?m\.?|p\.?m\.?)(?![a-z]))?(?:頃|ごろ|から|~|〜)?/;

// Words people put between the date and the time ("明日の15時", "Dec 3, 2pm", "tomorrow at 3").
const JOINER = /^(?:,|、|の|at(?= )|@)/;

const RELATIVE_DAYS: Record<string, number> = {
  今日: 0,
  本日: 0,
  きょう: 0,
  today: 0,
  明日: 1,
  あした: 1,
  あす: 1,
  tomorrow: 1,
  tmrw: 1,
  tmr: 1,
  明後日: 2,
  あさって: 2,
  'day after tomorrow': 2,
  'the day after tomorrow': 2,
};

const EN_MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4,
  may: 5, jun: 6, june: 6, jul: 7, july: 7, aug: 8, august: 8,
  sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11, november: 11, dec: 12, december: 12,
};

// Indexed by luxon's weekday - 1 (Monday first). Fixed tables rather than Intl so the output
// does not depend on which ICU data the Node build ships.
const JA_WEEKDAYS = ['月', '火', '水', '木', '金', '土', '日'] as const;
const EN_WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const EN_MONTH_ABBR = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

export function parseMeetingTime(text: string, opts: ParseOptions): MeetingTimeParse {
  // luxon can be switched to throwing mode globally (Settings.throwOnInvalid); callers rely
  // on getting a result, never an exception.
  try {
    return parseText(text, opts);
  } catch {
    return INVALID;
  }
}

export function parsePickerDateTime(iso: string, opts: ParseOptions): MeetingTimeParse {
  try {
    return parsePicker(iso, opts);
  } catch {
    return INVALID;
  }
}

export function formatMeetingTime(at: Date, locale: 'ja' | 'en', timeZone: string): string {
  const inZone = DateTime.fromJSDate(at, { zone: timeZone });
  // An unknown zone should still show the user something truthful, so fall back to UTC.
  const dt = inZone.isValid ? inZone : DateTime.fromJSDate(at, { zone: 'utc' });
  if (!dt.isValid) return '';
  const time = dt.toFormat('HH:mm');
  if (locale === 'ja') return `${dt.month}月${dt.day}日(${JA_WEEKDAYS[dt.weekday - 1]}) ${time}`;
  return `${EN_WEEKDAYS[dt.weekday - 1]}, ${EN_MONTH_ABBR[dt.month - 1]} ${dt.day}, ${time}`;
}

/** A calendar day "YYYY-MM-DD" as the user reads it: "12月3日(木)", "Thu, Dec 3". */
export function formatDay(day: string, locale: 'ja' | 'en'): string {
  const dt = DateTime.fromISO(day, { zone: 'utc' });
  if (!dt.isValid) return day;
  if (locale === 'ja') return `${dt.month}月${dt.day}日(${JA_WEEKDAYS[dt.weekday - 1]})`;
  return `${EN_WEEKDAYS[dt.weekday - 1]}, ${EN_MONTH_ABBR[dt.month - 1]} ${dt.day}`;
}

function parseText(text: string, opts: ParseOptions): MeetingTimeParse {
  if (typeof text !== 'string' || text.length > MAX_TEXT_LENGTH) return INVALID;
  const now = nowInZone(opts);
  if (!now) return INVALID;
  const normalised = normalise(text);
  // NFKC can expand a character into many (e.g. ligatures), so bound the result as well.
  if (normalised === '' || normalised.length > MAX_TEXT_LENGTH) return INVALID;

  // The invitation reader knows the shapes invitations use ("12月3日（水）14:00〜15:00",
  // "来週の火曜14時", "明後日の昼12時") and checks a written weekday against the date.
  const schedule = readSchedule(prepare(text).text, now);
  const [slot, ...others] = schedule.slots;
  if (slot && others.length === 0 && slot.weekdayMismatch) return { ok: false, reason: 'weekday_mismatch', at: slot.at.toJSDate() };
  const parts = readDateAndTime(normalised);
  if (!parts) return slot && others.length === 0 ? judge(slot.at, now, opts.maxDaysAhead) : INVALID;
  const day = resolveDay(parts.date, now);
  if (!day) return INVALID;
  if (!parts.time) return { ok: false, reason: 'missing_time' };
  const at = DateTime.fromObject({ ...day, ...parts.time }, { zone: now.zone });
  return judge(at, now, opts.maxDaysAhead);
}

function parsePicker(iso: string, opts: ParseOptions): MeetingTimeParse {
  if (typeof iso !== 'string' || iso.length > MAX_PICKER_LENGTH) return INVALID;
  const now = nowInZone(opts);
  if (!now) return INVALID;
  const value = iso.trim();
  // A picker in date-only mode: the user chose a real day but no time yet.
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return DateTime.fromISO(value, { zone: now.zone }).isValid ? { ok: false, reason: 'missing_time' } : INVALID;
  }
  // luxon also accepts week dates, ordinal dates and bare times; a picker never sends those.
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(value)) return INVALID;
  // Without an offset the value is wall-clock time in the user's zone (LINE datetimepicker).
  const at = DateTime.fromISO(value.replace(' ', 'T'), { zone: now.zone });
  return judge(at, now, opts.maxDaysAhead);
}

function nowInZone(opts: ParseOptions): DateTime | null {
  if (!opts || !(opts.now instanceof Date)) return null;
  const now = DateTime.fromJSDate(opts.now, { zone: opts.timeZone });
  return now.isValid ? now : null;
}

function judge(at: DateTime, now: DateTime, maxDaysAhead: number): MeetingTimeParse {
  if (!at.isValid) return INVALID;
  if (at.toMillis() <= now.toMillis()) return { ok: false, reason: 'past' };
  // Calendar days in the user's zone, so a DST change does not move the limit by an hour.
  if (Number.isFinite(maxDaysAhead) && at.toMillis() > now.plus({ days: maxDaysAhead }).toMillis()) {
    return { ok: false, reason: 'too_far' };
  }
  return { ok: true, at: at.toJSDate() };
}

function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(WEEKDAY_IN_PARENS, ' ')
    .replace(JA_WEEKDAY, ' ')
    .replace(/正午|noon/g, '12:00')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(TRAILING_PUNCTUATION, '')
    .replace(LEADING_EN_WEEKDAY, '')
    .trim();
}

/**
 * Date then time is how almost everyone writes it; time then date ("3pm tomorrow") is
 * tried only when that fails. A recognised date with nothing after it has no time.
 */
function readDateAndTime(text: string): { date: DateSpec; time: TimeSpec | undefined } | null {
  const date = readDate(text);
  if (date) {
    const rest = skipJoiner(date.rest);
    if (rest === '') return { date: date.value, time: undefined };
    const time = readTime(rest);
    if (time && time.rest.trim() === '') return { date: date.value, time: time.value };
  }
  const time = readTime(text);
  if (time) {
    const after = readDate(skipJoiner(time.rest));
    if (after && after.rest.trim() === '') return { date: after.value, time: time.value };
  }
  return null;
}

function skipJoiner(text: string): string {
  return text.trim().replace(JOINER, '').trim();
}

function readDate(text: string): Read<DateSpec> | null {
  return readFullDate(text) ?? readJaMonthDay(text) ?? readSlashMonthDay(text) ?? readEnglishDate(text) ?? readRelativeDay(text);
}

function readFullDate(text: string): Read<DateSpec> | null {
  const m = FULL_DATE.exec(text);
  if (!m) return null;
  return { value: absolute(m[1], m[2], m[3]), rest: text.slice(m[0].length) };
}

function readJaMonthDay(text: string): Read<DateSpec> | null {
  const m = JA_MONTH_DAY.exec(text);
  if (!m) return null;
  return { value: absolute(undefined, m[1], m[2]), rest: text.slice(m[0].length) };
}

function readSlashMonthDay(text: string): Read<DateSpec> | null {
  const m = SLASH_MONTH_DAY.exec(text);
  if (!m) return null;
  return { value: absolute(m[3], m[1], m[2]), rest: text.slice(m[0].length) };
}

function readEnglishDate(text: string): Read<DateSpec> | null {
  const monthFirst = EN_MONTH_DAY.exec(text);
  const monthFirstMonth = monthFirst ? EN_MONTHS[monthFirst[1] ?? ''] : undefined;
  if (monthFirst && monthFirstMonth !== undefined) {
    return { value: absolute(monthFirst[3], String(monthFirstMonth), monthFirst[2]), rest: text.slice(monthFirst[0].length) };
  }
  const dayFirst = EN_DAY_MONTH.exec(text);
  const dayFirstMonth = dayFirst ? EN_MONTHS[dayFirst[2] ?? ''] : undefined;
  if (dayFirst && dayFirstMonth !== undefined) {
    return { value: absolute(dayFirst[3], String(dayFirstMonth), dayFirst[1]), rest: text.slice(dayFirst[0].length) };
  }
  return null;
}

function readRelativeDay(text: string): Read<DateSpec> | null {
  const m = RELATIVE_DAY.exec(text);
  const days = m ? RELATIVE_DAYS[m[1] ?? ''] : undefined;
  if (!m || days === undefined) return null;
  return { value: { kind: 'relative', daysFromToday: days }, rest: text.slice(m[0].length) };
}

function absolute(year: string | undefined, month: string | undefined, day: string | undefined): DateSpec {
  return { kind: 'absolute', year: year === undefined ? undefined : Number(year), month: Number(month), day: Number(day) };
}

function readTime(text: string): Read<TimeSpec> | null {
  const m = TIME.exec(text);
  const g = m?.groups;
  if (!m || !g) return null;
  // A bare number ("12/3 14") could be anything; require ':', '時' or am/pm.
  if (!g.colon && !g.ji && !g.prefix && !g.suffix) return null;
  if (g.prefix && g.suffix) return null;
  const hour = toTwentyFourHour(Number(g.hour), meridiem(g.prefix ?? g.suffix));
  const minute = g.han ? 30 : Number(g.minute ?? g.jiMinute ?? 0);
  const second = Number(g.second ?? 0);
  if (hour === null || minute > 59 || second > 59) return null;
  return { value: { hour, minute, second }, rest: text.slice(m[0].length) };
}

function meridiem(word: string | undefined): 'am' | 'pm' | undefined {
  if (word === undefined) return undefined;
  return word === '午前' || word.startsWith('a') ? 'am' : 'pm';
}

/** 12am is midnight and 12pm noon (English usage); 午前0時/午後0時 follow the same rule. */
function toTwentyFourHour(hour: number, half: 'am' | 'pm' | undefined): number | null {
  if (half === undefined) return hour <= 23 ? hour : null;
  if (hour > 12) return null;
  if (half === 'am') return hour === 12 ? 0 : hour;
  return hour === 12 ? 12 : hour + 12;
}

/** The calendar day meant, or null when that day does not exist (2/30, 13/1). */
function resolveDay(date: DateSpec, now: DateTime): CalendarDay | null {
  if (date.kind === 'relative') {
    const d = now.plus({ days: date.daysFromToday });
    return { year: d.year, month: d.month, day: d.day };
  }
  const { year, month, day } = date;
  if (year !== undefined) return existingDay(year, month, day, now) ? { year, month, day } : null;

  const today = now.startOf('day');
  const thisYear = existingDay(now.year, month, day, now);
  if (thisYear && thisYear.toMillis() >= today.minus({ days: ROLLOVER_GRACE_DAYS }).toMillis()) {
    return { year: now.year, month, day };
  }
  // Also reached for 2/29 in a non-leap year, which only exists next year if at all.
  return existingDay(now.year + 1, month, day, now) ? { year: now.year + 1, month, day } : null;
}

function existingDay(year: number, month: number, day: number, now: DateTime): DateTime | null {
  const d = DateTime.fromObject({ year, month, day }, { zone: now.zone });
  return d.isValid ? d : null;
}
