import { describe, it, expect } from 'vitest';
import { formatMeetingTime, parseMeetingTime, parsePickerDateTime } from '../src/conversation/dates.ts';
import type { MeetingTimeParse } from '../src/conversation/dates.ts';

// Thursday 2026-11-26 10:00 in Tokyo (= Wednesday 2026-11-25 20:00 in New York).
const NOW = new Date('2026-11-26T01:00:00.000Z');
const TOKYO = { now: NOW, timeZone: 'Asia/Tokyo', maxDaysAhead: 180 };
const NEW_YORK = { now: NOW, timeZone: 'America/New_York', maxDaysAhead: 180 };

function instant(result: MeetingTimeParse): string {
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}`);
  return result.at.toISOString();
}

function reason(result: MeetingTimeParse): string {
  return result.ok ? `ok ${result.at.toISOString()}` : result.reason;
}

describe('parseMeetingTime: accepted formats (Asia/Tokyo)', () => {
  it.each([
    // month/day
    ['12/3 14:00', '2026-12-03T05:00:00.000Z'],
    ['12/3 14時', '2026-12-03T05:00:00.000Z'],
    ['12/03 9:30', '2026-12-03T00:30:00.000Z'],
    ['12/3/2026 14:00', '2026-12-03T05:00:00.000Z'],
    // Japanese month/day
    ['12月3日 14時', '2026-12-03T05:00:00.000Z'],
    ['12月3日14時30分', '2026-12-03T05:30:00.000Z'],
    ['12月3日 14:00', '2026-12-03T05:00:00.000Z'],
    ['12月3日 午後2時', '2026-12-03T05:00:00.000Z'],
    ['12月3日 午前10時半', '2026-12-03T01:30:00.000Z'],
    ['12月3日の午後2時', '2026-12-03T05:00:00.000Z'],
    ['12月3日 14時半', '2026-12-03T05:30:00.000Z'],
    ['12月3日 正午', '2026-12-03T03:00:00.000Z'],
    ['12月3日 14時から', '2026-12-03T05:00:00.000Z'],
    ['12月3日 14時ごろ。', '2026-12-03T05:00:00.000Z'],
    ['12月3日、午後2時', '2026-12-03T05:00:00.000Z'],
    // relative days
    ['明日 15時', '2026-11-27T06:00:00.000Z'],
    ['明日15:00', '2026-11-27T06:00:00.000Z'],
    ['明日の午後3時', '2026-11-27T06:00:00.000Z'],
    ['明後日 10時', '2026-11-28T01:00:00.000Z'],
    ['今日 18時', '2026-11-26T09:00:00.000Z'],
    ['本日 18時', '2026-11-26T09:00:00.000Z'],
    ['あさって 10時', '2026-11-28T01:00:00.000Z'],
    ['あした 10時', '2026-11-27T01:00:00.000Z'],
    ['tomorrow 3pm', '2026-11-27T06:00:00.000Z'],
    ['Tomorrow at 3 PM', '2026-11-27T06:00:00.000Z'],
    ['tomorrow 15:00', '2026-11-27T06:00:00.000Z'],
    ['today 18:00', '2026-11-26T09:00:00.000Z'],
    ['3pm tomorrow', '2026-11-27T06:00:00.000Z'],
    ['tomorrow noon', '2026-11-27T03:00:00.000Z'],
    ['tomorrow 12am', '2026-11-26T15:00:00.000Z'],
    ['tomorrow 12pm', '2026-11-27T03:00:00.000Z'],
    ['tomorrow 10 a.m.', '2026-11-27T01:00:00.000Z'],
    // full dates
    ['2026-12-03T14:00', '2026-12-03T05:00:00.000Z'],
    ['2026-12-03 14:00', '2026-12-03T05:00:00.000Z'],
    ['2026-12-03T14:00:30', '2026-12-03T05:00:30.000Z'],
    ['2026/12/3 14:00', '2026-12-03T05:00:00.000Z'],
    ['2026年12月3日 14時', '2026-12-03T05:00:00.000Z'],
    ['2026年12月3日14時', '2026-12-03T05:00:00.000Z'],
    // English month names
    ['Dec 3 14:00', '2026-12-03T05:00:00.000Z'],
    ['3 Dec 2pm', '2026-12-03T05:00:00.000Z'],
    ['December 3, 2:30 pm', '2026-12-03T05:30:00.000Z'],
    ['Dec. 3rd 2pm', '2026-12-03T05:00:00.000Z'],
    ['3rd December 2026, 14:00', '2026-12-03T05:00:00.000Z'],
    ['December 3, 2026 2:30pm', '2026-12-03T05:30:00.000Z'],
    // a weekday that agrees with the date
    ['12/3(木) 14:00', '2026-12-03T05:00:00.000Z'],
    ['12月3日（木）14時', '2026-12-03T05:00:00.000Z'],
    ['12月3日(木曜日) 14時', '2026-12-03T05:00:00.000Z'],
    ['12月3日木曜 14時', '2026-12-03T05:00:00.000Z'],
    ['Thu, Dec 3, 14:00', '2026-12-03T05:00:00.000Z'],
    ['Thursday December 3 2pm', '2026-12-03T05:00:00.000Z'],
    ['tomorrow (fri) 3pm', '2026-11-27T06:00:00.000Z'],
    // full-width and odd spacing
    ['１２／３　１４：００', '2026-12-03T05:00:00.000Z'],
    ['１２月３日（木）　午後２時', '2026-12-03T05:00:00.000Z'],
    ['  12/3   14:00  ', '2026-12-03T05:00:00.000Z'],
    ['12 月 3 日 14 時', '2026-12-03T05:00:00.000Z'],
    // what invitations and people write (issue #13): a range, a week ahead, 昼, words around it
    ['12月3日（木）14:00〜15:00', '2026-12-03T05:00:00.000Z'],
    ['12/3 14:00-15:00', '2026-12-03T05:00:00.000Z'],
    ['１２月３日（木）１４：００〜', '2026-12-03T05:00:00.000Z'],
    ['来週の火曜14時', '2026-12-01T05:00:00.000Z'],
    ['来週月曜 14時', '2026-11-30T05:00:00.000Z'],
    ['明後日の昼12時', '2026-11-28T03:00:00.000Z'],
    ['12月3日 10時半から', '2026-12-03T01:30:00.000Z'],
    ['12/3 14:00 meeting', '2026-12-03T05:00:00.000Z'],
    ['😀 12/3 14:00', '2026-12-03T05:00:00.000Z'],
    ['面談は12月3日の午後1時からです', '2026-12-03T04:00:00.000Z'],
  ])('%s', (text, expected) => {
    expect(instant(parseMeetingTime(text, TOKYO))).toBe(expected);
  });
});

describe('parseMeetingTime: a weekday that disagrees with the date', () => {
  it.each([
    ['12/3(月) 14:00', '2026-12-03T05:00:00.000Z'],
    ['12月3日（水）14:00〜15:00', '2026-12-03T05:00:00.000Z'],
    ['Wednesday, December 3 at 2pm', '2026-12-03T05:00:00.000Z'],
  ])('%s is asked about, with the date as written', (text, written) => {
    const result = parseMeetingTime(text, TOKYO);
    expect(result).toEqual({ ok: false, reason: 'weekday_mismatch', at: new Date(written) });
  });
});

describe('parseMeetingTime: the same text in different zones', () => {
  it.each([
    ['12/3 14:00', '2026-12-03T05:00:00.000Z', '2026-12-03T19:00:00.000Z'],
    ['2026-12-03T14:00', '2026-12-03T05:00:00.000Z', '2026-12-03T19:00:00.000Z'],
    // "tomorrow" is a different day: in New York it is still the 25th.
    ['明日 15時', '2026-11-27T06:00:00.000Z', '2026-11-26T20:00:00.000Z'],
    ['today 21:00', '2026-11-26T12:00:00.000Z', '2026-11-26T02:00:00.000Z'],
    // Summer time in New York (EDT, UTC-4).
    ['5/1 9:00', '2027-05-01T00:00:00.000Z', '2027-05-01T13:00:00.000Z'],
  ])('%s', (text, tokyo, newYork) => {
    expect(instant(parseMeetingTime(text, TOKYO))).toBe(tokyo);
    expect(instant(parseMeetingTime(text, NEW_YORK))).toBe(newYork);
  });

  it('"today 18:00" is past in New York only after 18:00 there', () => {
    expect(reason(parseMeetingTime('today 19:00', NEW_YORK))).toBe('past');
    expect(reason(parseMeetingTime('today 20:30', NEW_YORK))).toBe('ok 2026-11-26T01:30:00.000Z');
  });
});

describe('parseMeetingTime: year inference', () => {
  it.each([
    // late November: January means next January
    ['1/10 10:00', 'ok 2027-01-10T01:00:00.000Z'],
    ['1月10日 10時', 'ok 2027-01-10T01:00:00.000Z'],
    ['Jan 10 10am', 'ok 2027-01-10T01:00:00.000Z'],
    // within 30 days behind: a past date, not next year
    ['11/25 10:00', 'past'],
    ['10/27 10:00', 'past'],
    // more than 30 days behind: next year, which is beyond 180 days
    ['10/26 10:00', 'too_far'],
    // an explicit year is never moved
    ['2026/1/10 10:00', 'past'],
    ['2027年1月10日 10時', 'ok 2027-01-10T01:00:00.000Z'],
  ])('%s -> %s', (text, expected) => {
    expect(reason(parseMeetingTime(text, TOKYO))).toBe(expected);
  });

  it('2/29 typed in a non-leap year means the next leap day when that is next year', () => {
    const dec2027 = { now: new Date('2027-12-01T01:00:00.000Z'), timeZone: 'Asia/Tokyo', maxDaysAhead: 180 };
    expect(reason(parseMeetingTime('2/29 10:00', dec2027))).toBe('ok 2028-02-29T01:00:00.000Z');
    expect(reason(parseMeetingTime('2/29 10:00', TOKYO))).toBe('invalid');
  });
});

describe('parseMeetingTime: rejections', () => {
  it.each([
    // past (now is 10:00 in Tokyo)
    ['今日 9時', 'past'],
    ['today 10:00', 'past'],
    ['2025-12-03 14:00', 'past'],
    ['11/26 10:01', 'ok 2026-11-26T01:01:00.000Z'],
    // too far: the limit is 2027-05-25 10:00 Tokyo
    ['2027/5/25 10:00', 'ok 2027-05-25T01:00:00.000Z'],
    ['2027/5/25 10:01', 'too_far'],
    ['6/1 10:00', 'too_far'],
    ['2030-01-01 10:00', 'too_far'],
    // a date but no time
    ['12/3', 'missing_time'],
    ['12/3(木)', 'missing_time'],
    ['12月3日', 'missing_time'],
    ['明日', 'missing_time'],
    ['明日の', 'missing_time'],
    ['tomorrow', 'missing_time'],
    ['Dec 3', 'missing_time'],
    ['2026-12-03', 'missing_time'],
    ['１２／３', 'missing_time'],
    // impossible dates and times
    ['2/30 10:00', 'invalid'],
    ['2/30', 'invalid'],
    ['13/1 10:00', 'invalid'],
    ['0/1 10:00', 'invalid'],
    ['12/32 10:00', 'invalid'],
    ['12/3 25:00', 'invalid'],
    ['12/3 24:00', 'invalid'],
    ['12/3 14:60', 'invalid'],
    ['12/3 13pm', 'invalid'],
    ['12月3日 午後14時', 'invalid'],
    ['2026-02-30T10:00', 'invalid'],
    ['Foo 3 14:00', 'invalid'],
    // a time without a marker, or without a date
    ['12/3 14', 'invalid'],
    ['15時', 'invalid'],
    ['3pm', 'invalid'],
    // two times: which one is meant is asked again
    ['12/3 14:00 か 12/4 10:00', 'invalid'],
    // nonsense
    ['', 'invalid'],
    ['   ', 'invalid'],
    ['😀', 'invalid'],
    ['よろしくお願いします', 'invalid'],
    ['hello', 'invalid'],
    ['12/3 14:00'.padEnd(101, ' '), 'invalid'],
    ['1'.repeat(5000), 'invalid'],
    ['12/'.repeat(33), 'invalid'],
    ['ﷺ'.repeat(20), 'invalid'],
  ])('%j -> %s', (text, expected) => {
    expect(reason(parseMeetingTime(text, TOKYO))).toBe(expected);
  });

  it('never throws on odd arguments', () => {
    expect(reason(parseMeetingTime('12/3 14:00', { ...TOKYO, timeZone: 'Not/AZone' }))).toBe('invalid');
    expect(reason(parseMeetingTime('12/3 14:00', { ...TOKYO, now: new Date(Number.NaN) }))).toBe('invalid');
    expect(reason(parseMeetingTime(undefined as unknown as string, TOKYO))).toBe('invalid');
    expect(reason(parseMeetingTime('12/3 14:00', { ...TOKYO, maxDaysAhead: Number.NaN }))).toBe('ok 2026-12-03T05:00:00.000Z');
  });

  it('rejects 5,000 characters quickly', () => {
    const started = performance.now();
    for (let i = 0; i < 1000; i++) parseMeetingTime(`12/3 ${'9'.repeat(5000)}`, TOKYO);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('stays fast on adversarial input under the length limit', () => {
    const inputs = ['1 '.repeat(50), 'a'.repeat(100), '12/3 ' + '1:'.repeat(47), '('.repeat(100), 'thu '.repeat(25)];
    const started = performance.now();
    for (let i = 0; i < 200; i++) for (const text of inputs) expect(parseMeetingTime(text, TOKYO).ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('parsePickerDateTime', () => {
  it.each([
    // LINE datetimepicker: no zone, so wall-clock time in the user's zone
    ['2026-12-03T14:00', TOKYO, 'ok 2026-12-03T05:00:00.000Z'],
    ['2026-12-03T14:00', NEW_YORK, 'ok 2026-12-03T19:00:00.000Z'],
    ['2026-12-03 14:00', TOKYO, 'ok 2026-12-03T05:00:00.000Z'],
    // an explicit offset wins over the user's zone
    ['2026-12-03T14:00+09:00', NEW_YORK, 'ok 2026-12-03T05:00:00.000Z'],
    ['2026-12-03T14:00:00-05:00', TOKYO, 'ok 2026-12-03T19:00:00.000Z'],
    ['2026-12-03T05:00:00.000Z', TOKYO, 'ok 2026-12-03T05:00:00.000Z'],
    // range checks
    ['2026-11-26T10:00', TOKYO, 'past'],
    ['2026-11-25T19:00', NEW_YORK, 'past'],
    ['2026-11-25T21:00', NEW_YORK, 'ok 2026-11-26T02:00:00.000Z'],
    ['2026-11-26T10:01', TOKYO, 'ok 2026-11-26T01:01:00.000Z'],
    ['2027-06-01T10:00', TOKYO, 'too_far'],
    // date-only picker
    ['2026-12-03', TOKYO, 'missing_time'],
    ['2026-02-30', TOKYO, 'invalid'],
    // junk
    ['2026-02-30T10:00', TOKYO, 'invalid'],
    ['2026-12-03T25:00', TOKYO, 'invalid'],
    ['14:00', TOKYO, 'invalid'],
    ['2026-W49-4T14:00', TOKYO, 'invalid'],
    ['', TOKYO, 'invalid'],
    ['not a date', TOKYO, 'invalid'],
    ['2026-12-03T14:00'.repeat(10), TOKYO, 'invalid'],
  ])('%s in %s', (iso, opts, expected) => {
    expect(reason(parsePickerDateTime(iso, opts))).toBe(expected);
  });

  it('never throws on a bad zone', () => {
    expect(reason(parsePickerDateTime('2026-12-03T14:00', { ...TOKYO, timeZone: '' }))).toBe('invalid');
  });
});

describe('formatMeetingTime', () => {
  const at = new Date('2026-12-03T05:00:00.000Z');
  it.each([
    [at, 'ja', 'Asia/Tokyo', '12月3日(木) 14:00'],
    [at, 'en', 'Asia/Tokyo', 'Thu, Dec 3, 14:00'],
    [at, 'ja', 'America/New_York', '12月3日(木) 00:00'],
    [at, 'en', 'America/New_York', 'Thu, Dec 3, 00:00'],
    // the same instant falls on the previous day in New York
    [new Date('2026-12-03T01:30:00.000Z'), 'ja', 'America/New_York', '12月2日(水) 20:30'],
    [new Date('2026-12-03T01:30:00.000Z'), 'en', 'America/New_York', 'Wed, Dec 2, 20:30'],
    [new Date('2027-01-10T01:00:00.000Z'), 'ja', 'Asia/Tokyo', '1月10日(日) 10:00'],
    [new Date('2027-01-10T01:00:00.000Z'), 'en', 'Asia/Tokyo', 'Sun, Jan 10, 10:00'],
  ] as const)('%s %s %s', (date, locale, zone, expected) => {
    expect(formatMeetingTime(date, locale, zone)).toBe(expected);
  });

  it('round-trips through parseMeetingTime', () => {
    for (const locale of ['ja', 'en'] as const) {
      for (const opts of [TOKYO, NEW_YORK]) {
        const text = formatMeetingTime(at, locale, opts.timeZone);
        expect(instant(parseMeetingTime(text, opts))).toBe(at.toISOString());
      }
    }
  });

  it('falls back to UTC for an unknown zone', () => {
    expect(formatMeetingTime(at, 'en', 'Not/AZone')).toBe('Thu, Dec 3, 05:00');
  });
});
