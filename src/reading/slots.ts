/**
 * The meeting times an invitation proposes and the date it asks a reply by, read from the
 * tokens of one pass: a date (or "明日", "来週水曜") sets the day, each start time after it
 * on the following lines is a slot, the end of a range ("14:00〜15:00") is not, and a date
 * followed by まで (or preceded by "by") asking for a reply is the deadline.
 */
import type { DateTime } from 'luxon';
import { plusDays, resolveMonthDay, resolveWeekday, toDateTime, weekdayOf, type Day } from './calendar.ts';
import { containsAny } from './text.ts';
import { tokenize, type Token } from './tokens.ts';

export interface Slot {
  /** Start of the meeting, in the user's zone. */
  at: DateTime;
  /** The weekday written next to the date disagrees with the calendar. */
  weekdayMismatch: boolean;
}

export interface Schedule {
  slots: Slot[];
  replyDeadline: Day | null;
  /** A date was written without a time ("12月3日の午後", "候補日：1月8日"). */
  dateWithoutTime: boolean;
}

/** How close (in characters) two tokens must be to belong together ("12月3日 (水) 14:00"). */
const ADJACENT = 3;
/** Words after "〇日まで" that ask the candidate to answer. */
const REPLY_WORDS = ['返信', '返事', '返答', '回答', 'お知らせください', 'ご連絡ください', 'ご連絡をお願い', 'お聞かせ', 'ご希望', '出欠', 'ご都合'];
const EN_REPLY_WORDS = ['reply', 'respond', 'let us know', 'let me know', 'confirm', 'get back'];
const MAX_SLOTS = 10;
/**
 * Calendar arithmetic is the costly part; an invitation names a handful of dates, so past
 * this many the rest of a text is not read for dates.
 */
const MAX_DATES = 40;

interface Context {
  day: Day | null;
  mismatch: boolean;
  /** Index of the token that set it, to tell a weekday written next to it. */
  index: number;
  used: boolean;
}

export function readSchedule(text: string, received: DateTime): Schedule {
  const tokens = tokenize(text);
  const zone = received.zoneName ?? 'UTC';
  const slots: Slot[] = [];
  let replyDeadline: Day | null = null;
  let ctx: Context | undefined;
  let pending: Extract<Token, { kind: 'time' }>[] = [];
  let dateWithoutTime = false;
  let inDeadline = false;
  let dates = 0;

  const near = (a: Token | undefined, b: Token | undefined) => !!a && !!b && b.at - a.end <= ADJACENT && !text.slice(a.end, b.at).includes('\n');
  const close = () => {
    if (ctx && ctx.day && !ctx.used) dateWithoutTime = true;
  };
  const emit = (day: Day, t: { hour: number; minute: number }, mismatch: boolean) => {
    const at = toDateTime(day, zone, t.hour, t.minute);
    if (at.isValid && slots.length < MAX_SLOTS && !slots.some((s) => s.at.equals(at))) slots.push({ at, weekdayMismatch: mismatch });
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const prev = tokens[i - 1];
    // A time waiting for its date ("3pm on Dec 9") only waits on its own line. The gaps
    // between neighbouring tokens add up to the text once, so this stays linear.
    if (prev && pending.length > 0 && text.slice(prev.end, token.at).includes('\n')) pending = [];
    switch (token.kind) {
      case 'paragraph':
        close();
        ctx = undefined;
        pending = [];
        inDeadline = false;
        break;
      case 'date':
      case 'relday':
      case 'week':
      case 'weekday': {
        if (token.kind === 'weekday' && prev?.kind === 'date' && near(prev, token)) {
          // "12月3日（水）": a check on the date just read, not a new one.
          if (ctx?.index === i - 1 && ctx.day) ctx.mismatch = weekdayOf(ctx.day, zone) !== token.weekday;
          break;
        }
        if (token.kind === 'weekday' && prev?.kind === 'week' && near(prev, token)) break;
        const next = tokens[i + 1];
        if (token.kind === 'weekday' && next?.kind === 'date' && near(token, next) && !token.paren) {
          // "Tuesday, December 1": the date follows; check it when it comes.
          break;
        }
        if (token.kind === 'week' && !(next?.kind === 'weekday' && near(token, next))) break;
        // "(木)" checks a date; on its own it names no day.
        if (token.kind === 'weekday' && token.paren) break;
        if (++dates > MAX_DATES) {
          i = tokens.length;
          break;
        }
        const day = resolveToken(tokens, i, received);
        const deadline = deadlineAt(text, tokens, i);
        close();
        if (deadline) {
          replyDeadline ??= day;
          ctx = undefined;
          inDeadline = true;
          break;
        }
        inDeadline = false;
        const written = writtenWeekday(tokens, i, near);
        const setAt = token.kind === 'week' ? i + 1 : i;
        ctx = { day, mismatch: !!day && written !== undefined && weekdayOf(day, zone) !== written, index: setAt, used: false };
        if (token.kind === 'week') i++;
        if (day) for (const t of pending) emit(day, t, false);
        pending = [];
        break;
      }
      case 'time': {
        if (inDeadline) break;
        // "14:00〜15:00": the end of a range is not another start.
        if (prev?.kind === 'range' && tokens[i - 2]?.kind === 'time' && near(tokens[i - 2], prev) && near(prev, token)) break;
        if (ctx) {
          if (ctx.day) emit(ctx.day, token, ctx.mismatch);
          ctx.used = true;
        } else {
          pending.push(token);
        }
        break;
      }
      case 'until':
        inDeadline = false;
        break;
      case 'range':
      case 'by':
      case 'noise':
        break;
    }
  }
  close();
  return { slots, replyDeadline, dateWithoutTime };
}

function resolveToken(tokens: Token[], i: number, received: DateTime): Day | null {
  const token = tokens[i]!;
  switch (token.kind) {
    case 'date':
      return resolveMonthDay(received, token.month, token.day, token.year);
    case 'relday':
      return plusDays(received, token.days);
    case 'week': {
      const weekday = tokens[i + 1];
      return weekday?.kind === 'weekday' ? resolveWeekday(received, weekday.weekday, token.weeksAhead) : null;
    }
    case 'weekday':
      return resolveWeekday(received, token.weekday, undefined);
    default:
      return null;
  }
}

/** The weekday written with a date: "(水)" after it or "Tuesday," before it. */
function writtenWeekday(tokens: Token[], i: number, near: (a: Token | undefined, b: Token | undefined) => boolean): number | undefined {
  const token = tokens[i]!;
  if (token.kind !== 'date') return undefined;
  const after = tokens[i + 1];
  if (after?.kind === 'weekday' && near(token, after)) return after.weekday;
  const before = tokens[i - 1];
  if (before?.kind === 'weekday' && !before.paren && near(before, token)) return before.weekday;
  return undefined;
}

/** Is the date at tokens[i] the day a reply is asked by? */
function deadlineAt(text: string, tokens: Token[], i: number): boolean {
  let j = i + 1;
  let last = tokens[i]!;
  // "12月3日（木）正午までに": skip the weekday and a time between the date and まで.
  while (j < tokens.length && (tokens[j]!.kind === 'weekday' || tokens[j]!.kind === 'time') && tokens[j]!.at - last.end <= ADJACENT) {
    last = tokens[j]!;
    j++;
  }
  const until = tokens[j];
  if (until?.kind === 'until' && until.at - last.end <= ADJACENT) {
    return containsAny(text, REPLY_WORDS, until.end, until.end + 40);
  }
  let k = i - 1;
  if (tokens[k]?.kind === 'weekday') k--;
  const by = tokens[k];
  if (by?.kind === 'by' && tokens[i]!.at - by.end <= 14) return containsAny(text, EN_REPLY_WORDS, Math.max(0, by.at - 40), by.at);
  return false;
}
