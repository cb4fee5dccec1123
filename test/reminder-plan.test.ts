import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REMINDER_SETTINGS as S,
  deliveryDecision,
  isQuiet,
  nextAllowed,
  parseQuietHours,
  planMeetingReminders,
  planReplyReminder,
  type PlannedReminder,
} from '../src/conversation/reminder-plan.ts';

const TOKYO = 'Asia/Tokyo';
const NY = 'America/New_York';
const iso = (s: string) => new Date(s).toISOString();
const kinds = (plan: PlannedReminder[]) => Object.fromEntries(plan.map((r) => [r.kind, r.at]));

describe('planMeetingReminders', () => {
  it('plans the evening before at 20:00, two hours before, and two hours after, in Tokyo time', () => {
    const plan = planMeetingReminders(new Date('2026-12-03T14:00:00+09:00'), new Date('2026-11-26T10:00:00+09:00'), TOKYO, S);
    expect(kinds(plan)).toEqual({
      eve: iso('2026-12-02T20:00:00+09:00'),
      before: iso('2026-12-03T12:00:00+09:00'),
      after: iso('2026-12-03T16:00:00+09:00'),
    });
    expect(plan.every((r) => r.meetingAt === iso('2026-12-03T14:00:00+09:00'))).toBe(true);
  });

  it('computes the same wall-clock moments in another zone', () => {
    const plan = planMeetingReminders(new Date('2026-12-03T14:00:00-05:00'), new Date('2026-11-26T10:00:00-05:00'), NY, S);
    expect(kinds(plan)).toEqual({
      eve: iso('2026-12-02T20:00:00-05:00'),
      before: iso('2026-12-03T12:00:00-05:00'),
      after: iso('2026-12-03T16:00:00-05:00'),
    });
  });

  it('skips the evening reminder when the meeting is less than 12 hours away', () => {
    const plan = planMeetingReminders(new Date('2026-11-27T10:00:00+09:00'), new Date('2026-11-26T23:30:00+09:00'), TOKYO, S);
    expect(plan.map((r) => r.kind)).toEqual(['before', 'after']);
  });

  it('moves a reminder out of quiet hours, but never to or past the meeting', () => {
    // 09:00 meeting: "two hours before" is 07:00, inside 22:00-08:00, so it moves to 08:00.
    const early = planMeetingReminders(new Date('2026-12-03T09:00:00+09:00'), new Date('2026-11-26T10:00:00+09:00'), TOKYO, S);
    expect(kinds(early).before).toBe(iso('2026-12-03T08:00:00+09:00'));
    // 08:00 meeting: 06:00 would move to 08:00, the meeting itself, so it is dropped.
    const atEight = planMeetingReminders(new Date('2026-12-03T08:00:00+09:00'), new Date('2026-11-26T10:00:00+09:00'), TOKYO, S);
    expect(atEight.map((r) => r.kind)).toEqual(['eve', 'after']);
    // 21:00 meeting: the follow-up at 23:00 waits until 08:00 the next morning.
    const late = planMeetingReminders(new Date('2026-12-03T21:00:00+09:00'), new Date('2026-11-26T10:00:00+09:00'), TOKYO, S);
    expect(kinds(late).after).toBe(iso('2026-12-04T08:00:00+09:00'));
  });

  it('drops moments that have already passed', () => {
    // Meeting in 90 minutes: "two hours before" is in the past.
    const plan = planMeetingReminders(new Date('2026-11-26T15:30:00+09:00'), new Date('2026-11-26T14:00:00+09:00'), TOKYO, S);
    expect(plan.map((r) => r.kind)).toEqual(['after']);
  });

  it('honours custom settings', () => {
    const plan = planMeetingReminders(new Date('2026-12-03T14:00:00+09:00'), new Date('2026-11-26T10:00:00+09:00'), TOKYO, {
      ...S,
      eveningHour: 19,
      beforeMinutes: 60,
    });
    expect(kinds(plan).eve).toBe(iso('2026-12-02T19:00:00+09:00'));
    expect(kinds(plan).before).toBe(iso('2026-12-03T13:00:00+09:00'));
  });
});

describe('quiet hours', () => {
  it('parses HH:MM-HH:MM and rejects nonsense', () => {
    expect(parseQuietHours('22:00-08:00')).toEqual({ quietStart: 1320, quietEnd: 480 });
    expect(parseQuietHours('23:30-6:15')).toEqual({ quietStart: 1410, quietEnd: 375 });
    expect(parseQuietHours('25:00-08:00')).toBeUndefined();
    expect(parseQuietHours('night')).toBeUndefined();
  });

  it('wraps past midnight and uses the user zone', () => {
    expect(isQuiet(new Date('2026-12-03T23:00:00+09:00'), TOKYO, S)).toBe(true);
    expect(isQuiet(new Date('2026-12-03T07:59:00+09:00'), TOKYO, S)).toBe(true);
    expect(isQuiet(new Date('2026-12-03T08:00:00+09:00'), TOKYO, S)).toBe(false);
    // 23:00 in Tokyo is 09:00 in New York.
    expect(isQuiet(new Date('2026-12-03T23:00:00+09:00'), NY, S)).toBe(false);
    expect(nextAllowed(new Date('2026-12-03T23:00:00+09:00'), TOKYO, S).toISOString()).toBe(iso('2026-12-04T08:00:00+09:00'));
    expect(nextAllowed(new Date('2026-12-04T03:00:00+09:00'), TOKYO, S).toISOString()).toBe(iso('2026-12-04T08:00:00+09:00'));
  });

  it('supports a window that does not wrap, and none at all', () => {
    const lunch = { ...S, quietStart: 12 * 60, quietEnd: 13 * 60 };
    expect(isQuiet(new Date('2026-12-03T12:30:00+09:00'), TOKYO, lunch)).toBe(true);
    expect(isQuiet(new Date('2026-12-03T23:30:00+09:00'), TOKYO, lunch)).toBe(false);
    expect(isQuiet(new Date('2026-12-03T03:00:00+09:00'), TOKYO, { ...S, quietStart: 0, quietEnd: 0 })).toBe(false);
  });

  it('puts a reply reminder three hours later, after quiet hours', () => {
    expect(planReplyReminder(new Date('2026-12-03T10:00:00+09:00'), TOKYO, S).at).toBe(iso('2026-12-03T13:00:00+09:00'));
    expect(planReplyReminder(new Date('2026-12-03T21:00:00+09:00'), TOKYO, S).at).toBe(iso('2026-12-04T08:00:00+09:00'));
  });
});

describe('deliveryDecision (when a job fires, possibly late)', () => {
  const meeting = new Date('2026-12-03T14:00:00+09:00');
  const before: PlannedReminder = { kind: 'before', at: iso('2026-12-03T12:00:00+09:00'), meetingAt: meeting.toISOString() };
  const after: PlannedReminder = { kind: 'after', at: iso('2026-12-03T16:00:00+09:00'), meetingAt: meeting.toISOString() };

  it('sends on time', () => {
    expect(deliveryDecision(before, meeting, new Date('2026-12-03T12:00:05+09:00'), TOKYO, S)).toEqual({ action: 'send' });
  });

  it('still sends a little late, but drops a pre-meeting reminder once the meeting started', () => {
    expect(deliveryDecision(before, meeting, new Date('2026-12-03T13:00:00+09:00'), TOKYO, S).action).toBe('send');
    expect(deliveryDecision(before, meeting, new Date('2026-12-03T14:00:00+09:00'), TOKYO, S).action).toBe('drop');
  });

  it('drops what is too late to be useful', () => {
    expect(deliveryDecision(after, meeting, new Date('2026-12-05T16:00:00+09:00'), TOKYO, S).action).toBe('drop');
  });

  it('defers a late follow-up that would land at night until the morning', () => {
    const decision = deliveryDecision(after, meeting, new Date('2026-12-03T23:30:00+09:00'), TOKYO, S);
    expect(decision).toEqual({ action: 'defer', until: new Date('2026-12-04T08:00:00+09:00') });
  });
});
