/**
 * When to remind, as pure functions of the meeting time, the user's time zone and now.
 * The plan lives in the session; jobs on Redis are only its projection, so listing
 * reminders needs no I/O and a stale job can always be recognised.
 */
import { DateTime } from 'luxon';

export const REMINDER_KINDS = ['reply', 'eve', 'before', 'after'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

export interface PlannedReminder {
  kind: ReminderKind;
  /** ISO instant the reminder is due. */
  at: string;
  /** The meeting it is about, for meeting reminders. */
  meetingAt?: string;
}

export interface ReminderSettings {
  /** Local hour of the evening-before reminder. */
  eveningHour: number;
  beforeMinutes: number;
  afterMinutes: number;
  replyDelayMinutes: number;
  /** The evening reminder is skipped when the meeting is closer than this. */
  eveMinLeadMinutes: number;
  /** Quiet hours as minutes after local midnight; start > end wraps past midnight. */
  quietStart: number;
  quietEnd: number;
  /** How long after its moment a due reminder is still worth sending. */
  graceMinutes: Record<ReminderKind, number>;
}

export const DEFAULT_REMINDER_SETTINGS: ReminderSettings = {
  eveningHour: 20,
  beforeMinutes: 120,
  afterMinutes: 120,
  replyDelayMinutes: 180,
  eveMinLeadMinutes: 12 * 60,
  quietStart: 22 * 60,
  quietEnd: 8 * 60,
  graceMinutes: { reply: 12 * 60, eve: 6 * 60, before: 90, after: 24 * 60 },
};

/** Parses "22:00-08:00" into minutes after midnight. */
export function parseQuietHours(text: string): { quietStart: number; quietEnd: number } | undefined {
  const match = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!match) return undefined;
  const [h1, m1, h2, m2] = match.slice(1).map(Number) as [number, number, number, number];
  if (h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59) return undefined;
  return { quietStart: h1 * 60 + m1, quietEnd: h2 * 60 + m2 };
}

function minuteOfDay(t: DateTime): number {
  return t.hour * 60 + t.minute;
}

export function isQuiet(at: Date, timeZone: string, s: ReminderSettings): boolean {
  if (s.quietStart === s.quietEnd) return false;
  const m = minuteOfDay(DateTime.fromJSDate(at, { zone: timeZone }));
  return s.quietStart < s.quietEnd ? m >= s.quietStart && m < s.quietEnd : m >= s.quietStart || m < s.quietEnd;
}

/** The first moment at or after `at` that is outside quiet hours, in the user's zone. */
export function nextAllowed(at: Date, timeZone: string, s: ReminderSettings): Date {
  if (!isQuiet(at, timeZone, s)) return at;
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  let end = local.startOf('day').plus({ minutes: s.quietEnd });
  if (end <= local) end = end.plus({ days: 1 });
  return end.toJSDate();
}

/**
 * Reminders for a meeting: the evening before, shortly before, and a follow-up after.
 * Quiet hours push a reminder later but never to or past the meeting; past moments are dropped.
 */
export function planMeetingReminders(meetingAt: Date, now: Date, timeZone: string, s: ReminderSettings): PlannedReminder[] {
  const meeting = DateTime.fromJSDate(meetingAt, { zone: timeZone });
  const plan: PlannedReminder[] = [];
  const add = (kind: ReminderKind, wanted: DateTime, mustPrecedeMeeting: boolean) => {
    const at = nextAllowed(wanted.toJSDate(), timeZone, s);
    if (at <= now) return;
    if (mustPrecedeMeeting && at >= meetingAt) return;
    plan.push({ kind, at: at.toISOString(), meetingAt: meetingAt.toISOString() });
  };
  if (meetingAt.getTime() - now.getTime() > s.eveMinLeadMinutes * 60_000) {
    add('eve', meeting.minus({ days: 1 }).startOf('day').plus({ hours: s.eveningHour }), true);
  }
  add('before', meeting.minus({ minutes: s.beforeMinutes }), true);
  add('after', meeting.plus({ minutes: s.afterMinutes }), false);
  return plan;
}

export function planReplyReminder(now: Date, timeZone: string, s: ReminderSettings): PlannedReminder {
  const at = nextAllowed(new Date(now.getTime() + s.replyDelayMinutes * 60_000), timeZone, s);
  return { kind: 'reply', at: at.toISOString() };
}

export type DropReason = 'too late' | 'meeting started' | 'quiet hours until too late';
export type DeliveryDecision = { action: 'send' } | { action: 'drop'; reason: DropReason } | { action: 'defer'; until: Date };

/**
 * Decided when a reminder job fires, possibly late (no worker was running): send it, drop it
 * because its moment has passed, or wait out quiet hours.
 */
export function deliveryDecision(
  reminder: PlannedReminder,
  meetingAt: Date | undefined,
  now: Date,
  timeZone: string,
  s: ReminderSettings,
): DeliveryDecision {
  const due = new Date(reminder.at);
  if (now.getTime() < due.getTime()) return { action: 'defer', until: due };
  if (now.getTime() - due.getTime() > s.graceMinutes[reminder.kind] * 60_000) return { action: 'drop', reason: 'too late' };
  if ((reminder.kind === 'eve' || reminder.kind === 'before') && meetingAt && now >= meetingAt) {
    return { action: 'drop', reason: 'meeting started' };
  }
  if (isQuiet(now, timeZone, s)) {
    const until = nextAllowed(now, timeZone, s);
    const stillUseful =
      until.getTime() - due.getTime() <= s.graceMinutes[reminder.kind] * 60_000 &&
      !((reminder.kind === 'eve' || reminder.kind === 'before') && meetingAt && until >= meetingAt);
    return stillUseful ? { action: 'defer', until } : { action: 'drop', reason: 'quiet hours until too late' };
  }
  return { action: 'send' };
}
