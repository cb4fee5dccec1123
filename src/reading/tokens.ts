/**
 * Finds the date and time words of a prepared text in one left-to-right pass. At each
 * position only small anchored patterns are tried (bounded digits, fixed words), so the
 * cost is linear in the length of the text whatever it contains.
 */
import { isWordChar } from './text.ts';

interface Span {
  at: number;
  end: number;
}

export type Token = Span &
  (
    | { kind: 'date'; month: number; day: number; year?: number }
    | { kind: 'relday'; days: number }
    | { kind: 'week'; weeksAhead: number }
    /** `paren`: written as "(水)", a check on the date before it. */
    | { kind: 'weekday'; weekday: number; paren: boolean }
    | { kind: 'time'; hour: number; minute: number }
    | { kind: 'range' }
    /** まで / 中に after a date: a deadline. */
    | { kind: 'until' }
    /** English "by" / "no later than" before a date. */
    | { kind: 'by' }
    /** A blank line: a date written above no longer applies. */
    | { kind: 'paragraph' }
    /** Read and rejected ("午後14時"), so that its digits are not read again on their own. */
    | { kind: 'noise' }
  );

const JA_WEEKDAYS = '月火水木金土日';
const EN_WEEKDAYS: Record<string, number> = {
  monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7,
  mon: 1, tue: 2, tues: 2, wed: 3, thu: 4, thur: 4, thurs: 4, fri: 5, sat: 6, sun: 7,
};
const EN_MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11,
  november: 11, dec: 12, december: 12,
};
const RELATIVE_DAYS: readonly [string, number][] = [
  ['the day after tomorrow', 2],
  ['day after tomorrow', 2],
  ['明後日', 2],
  ['あさって', 2],
  ['明日', 1],
  ['あした', 1],
  ['tomorrow', 1],
  ['本日', 0],
  ['今日', 0],
  ['today', 0],
];
const WEEKS: readonly [string, number][] = [
  ['再来週', 2],
  ['来週', 1],
  ['今週', 0],
  ['next week', 1],
  ['this week', 0],
];
const RANGES = ['〜', '~', '-', '－', 'から', ' to ', 'until'];
const UNTIL = ['まで', '中に', '中'];
const BY = ['no later than', 'by'];

const FULL_DATE = /(\d{4}) ?[年/.-] ?(\d{1,2}) ?[月/.-] ?(\d{1,2})(?!\d) ?日?/y;
const JA_MONTH_DAY = /(\d{1,2}) ?月 ?(\d{1,2}) ?日/y;
const SLASH_MONTH_DAY = /(\d{1,2})\/(\d{1,2})(?![\d/])/y;
// "12.3(木)": a dotted month and day only with the weekday check after it (2.5 is a number).
const DOT_MONTH_DAY = /(\d{1,2})\.(\d{1,2}) ?(?=\([月火水木金土日])/y;
const EN_MONTH_DAY = /([a-z]{3,9})\.? ?(\d{1,2})(?:st|nd|rd|th)?(?![\d:])(?:,? (\d{4})(?!\d))?/y;
const EN_DAY_MONTH = /(\d{1,2})(?:st|nd|rd|th)? ([a-z]{3,9})(?![a-z])/y;
const JA_WEEKDAY_PAREN = /\(([月火水木金土日])(?:曜日?)?\)/y;
const JA_WEEKDAY = /([月火水木金土日])曜日?/y;
const EN_WEEKDAY = /([a-z]{3,9})(?![a-z])\.?/y;
const TIME =
  /(午前|午後|夕方|夜|朝|昼)?の? ?(\d{1,2})(?:(:)(\d{2})(?!\d)| ?(時)(?: ?(\d{1,2}) ?分| ?(半))?)?(?: ?(a\.?m\.?|p\.?m\.?)(?![a-z]))?/y;
const NOON = ['正午', 'noon'];

function sticky(re: RegExp, text: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(text);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const token = tokenAt(text, i);
    if (token) {
      tokens.push(token);
      i = Math.max(token.end, i + 1);
    } else {
      i++;
    }
  }
  return tokens;
}

function tokenAt(text: string, i: number): Token | undefined {
  const ch = text[i]!;
  if (ch === '\n') {
    // Only a blank line ends the reach of a date; lists put one slot on each line.
    let j = i + 1;
    while (text[j] === ' ' || text[j] === '\t') j++;
    return text[j] === '\n' ? { kind: 'paragraph', at: i, end: j + 1 } : undefined;
  }
  const startsWord = !isWordChar(text[i - 1]);
  if (ch >= '0' && ch <= '9') return startsWord ? digitToken(text, i) : undefined;
  if (ch >= 'a' && ch <= 'z') return startsWord ? latinToken(text, i) : undefined;
  return wordToken(text, i);
}

function digitToken(text: string, i: number): Token | undefined {
  // The tail of "10:30" or "2026/12/3" that was not read as a whole; "日時:12月3日" is fine.
  if ((text[i - 1] === '/' || text[i - 1] === ':') && isDigit(text[i - 2])) return undefined;
  let m = sticky(FULL_DATE, text, i);
  if (m) return date(i, m, m[1], m[2], m[3]);
  m = sticky(JA_MONTH_DAY, text, i);
  if (m) return date(i, m, undefined, m[1], m[2]);
  m = sticky(SLASH_MONTH_DAY, text, i);
  if (m) return date(i, m, undefined, m[1], m[2]);
  m = sticky(DOT_MONTH_DAY, text, i);
  if (m) return date(i, m, undefined, m[1], m[2]);
  m = sticky(EN_DAY_MONTH, text, i);
  const month = m ? EN_MONTHS[m[2]!] : undefined;
  if (m && month) return { kind: 'date', at: i, end: i + m[0].length, month, day: Number(m[1]) };
  return time(text, i);
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

function date(i: number, m: RegExpExecArray, year: string | undefined, month: string | undefined, day: string | undefined): Token | undefined {
  const value = { month: Number(month), day: Number(day), year: year === undefined ? undefined : Number(year) };
  if (value.month < 1 || value.month > 12 || value.day < 1 || value.day > 31) return undefined;
  return { kind: 'date', at: i, end: i + m[0].length, ...value };
}

function time(text: string, i: number): Token | undefined {
  const m = sticky(TIME, text, i);
  if (!m) return undefined;
  const [, prefix, hourText, colon, minuteText, ji, jiMinute, half, suffix] = m;
  if (!colon && !ji && !suffix) return undefined;
  if (!colon && !ji && prefix) return undefined;
  let hour = Number(hourText);
  const minute = half ? 30 : Number(minuteText ?? jiMinute ?? 0);
  if (minute > 59) return undefined;
  const pm = suffix?.startsWith('p') || prefix === '午後' || prefix === '夕方' || prefix === '夜' || (prefix === '昼' && hour < 6);
  const am = suffix?.startsWith('a') || prefix === '午前' || prefix === '朝';
  const noise: Token = { kind: 'noise', at: i, end: i + m[0].length };
  if ((pm || am) && hour > 12) return noise;
  if (pm && hour < 12) hour += 12;
  if (am && hour === 12) hour = 0;
  if (hour > 23) return noise;
  return { kind: 'time', at: i, end: i + m[0].length, hour, minute };
}

function latinToken(text: string, i: number): Token | undefined {
  for (const [word, days] of RELATIVE_DAYS) if (text.startsWith(word, i) && !isWordChar(text[i + word.length])) return { kind: 'relday', at: i, end: i + word.length, days };
  for (const [word, weeksAhead] of WEEKS) if (text.startsWith(word, i)) return { kind: 'week', at: i, end: i + word.length, weeksAhead };
  if (text.startsWith('noon', i)) return { kind: 'time', at: i, end: i + 4, hour: 12, minute: 0 };
  for (const word of BY) if (text.startsWith(word, i) && text[i + word.length] === ' ') return { kind: 'by', at: i, end: i + word.length };
  if (text.startsWith('until', i)) return { kind: 'range', at: i, end: i + 5 };
  if (text.startsWith('to ', i)) return { kind: 'range', at: i, end: i + 2 };
  const m = sticky(EN_MONTH_DAY, text, i);
  const month = m ? EN_MONTHS[m[1]!] : undefined;
  if (m && month) return date(i, m, m[3], String(month), m[2]);
  const w = sticky(EN_WEEKDAY, text, i);
  const weekday = w ? EN_WEEKDAYS[w[1]!] : undefined;
  // Short forms ("sat", "sun") are ordinary words too; count them only in a date's company.
  if (w && weekday && (w[1]!.length > 4 || /^[.,)]/.test(text.slice(w.index + w[0].length - 1, w.index + w[0].length + 1)))) {
    return { kind: 'weekday', at: i, end: i + w[0].length, weekday, paren: false };
  }
  return undefined;
}

function wordToken(text: string, i: number): Token | undefined {
  const ch = text[i]!;
  if (ch === '(') {
    const m = sticky(JA_WEEKDAY_PAREN, text, i);
    if (m) return { kind: 'weekday', at: i, end: i + m[0].length, weekday: JA_WEEKDAYS.indexOf(m[1]!) + 1, paren: true };
    const w = sticky(EN_WEEKDAY, text, i + 1);
    const weekday = w ? EN_WEEKDAYS[w[1]!] : undefined;
    if (w && weekday && text[i + 1 + w[0].length] === ')') return { kind: 'weekday', at: i, end: i + w[0].length + 2, weekday, paren: true };
    return undefined;
  }
  if (JA_WEEKDAYS.includes(ch)) {
    const m = sticky(JA_WEEKDAY, text, i);
    if (m) return { kind: 'weekday', at: i, end: i + m[0].length, weekday: JA_WEEKDAYS.indexOf(m[1]!) + 1, paren: false };
  }
  for (const [word, days] of RELATIVE_DAYS) if (text.startsWith(word, i)) return { kind: 'relday', at: i, end: i + word.length, days };
  for (const [word, weeksAhead] of WEEKS) if (text.startsWith(word, i)) return { kind: 'week', at: i, end: i + word.length, weeksAhead };
  for (const word of NOON) if (text.startsWith(word, i)) return { kind: 'time', at: i, end: i + word.length, hour: 12, minute: 0 };
  if ('午夕夜朝昼'.includes(ch)) return time(text, i);
  for (const word of UNTIL) if (text.startsWith(word, i)) return { kind: 'until', at: i, end: i + word.length };
  for (const word of RANGES) if (text.startsWith(word, i)) return { kind: 'range', at: i, end: i + word.length };
  return undefined;
}
