/** The insights report from daily counters: pure arithmetic, checked number by number. */
import { describe, expect, it } from 'vitest';
import { field } from '../src/insights/fields.ts';
import { funnelQuestions } from '../src/insights/funnel.ts';
import { dayOf, periodDays } from '../src/insights/period.ts';
import { buildReport, shown } from '../src/insights/report.ts';
import { content } from './support/conversation.ts';

const base = {
  timeZone: 'Asia/Tokyo',
  channels: ['line', 'slack'],
  locales: ['ja', 'en'],
  questions: ['q1', 'q2', 'q3'],
  modes: ['in_person', 'online', 'unknown'],
};

describe('periods', () => {
  it('are the last N dates of the deployment’s zone, today included', () => {
    // 15:30 UTC on Dec 31 is already Jan 1 in Tokyo.
    const now = new Date('2026-12-31T15:30:00Z');
    expect(dayOf(now, 'Asia/Tokyo')).toBe('2027-01-01');
    expect(dayOf(now, 'UTC')).toBe('2026-12-31');
    expect(periodDays(now, 'Asia/Tokyo', 7)).toEqual(['2026-12-26', '2026-12-27', '2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01']);
    expect(periodDays(now, 'Asia/Tokyo', 90)).toHaveLength(90);
  });
});

describe('the funnel', () => {
  it('follows the diagnosis questions from the start to the result, not the menu after it', () => {
    expect(funnelQuestions(content().flow)).toEqual(['offer_notified', 'contact_from', 'purpose', 'first_choice', 'other_status', 'meeting_date', 'meeting_mode']);
  });
});

describe('buildReport', () => {
  it('shows 1 to 4 as "< 5", keeps 0 and 5 and more exact', () => {
    expect([0, 1, 4, 5, 12].map(shown)).toEqual([0, '< 5', '< 5', 5, 12]);
  });

  it('adds the days up: users by channel and language, funnel with drop-off, verdicts, modes', () => {
    const day1 = {
      [field.user('new', 'line', 'ja')]: 6,
      [field.user('new', 'line', 'en')]: 2,
      [field.user('blocked', 'line', 'ja')]: 1,
      [field.reached('q1')]: 10,
      [field.answered('q1')]: 9,
      [field.reached('q2')]: 9,
      [field.answered('q2')]: 3,
      [field.verdict('offer_meeting')]: 3,
      [field.mode('offer_meeting', 'online')]: 3,
    };
    const day2 = {
      [field.user('new', 'line', 'ja')]: 1,
      [field.user('new', 'console', 'ja')]: 50,
      [field.reached('q1')]: 2,
      [field.answered('q1')]: 2,
      [field.reached('q2')]: 2,
      [field.answered('q2')]: 2,
      [field.reached('q3')]: 5,
      [field.answered('q3')]: 5,
      [field.verdict('offer_meeting')]: 2,
      [field.verdict('closing_meeting')]: 6,
      [field.mode('offer_meeting', 'online')]: 2,
    };
    const report = buildReport({ ...base, days: ['2026-11-30', '2026-12-01'], buckets: [day1, day2] });
    expect(report).toMatchObject({ from: '2026-11-30', to: '2026-12-01', days: 2, timeZone: 'Asia/Tokyo' });
    // The chat's console channel is not a channel staff look at.
    expect(report.users.total).toEqual({ new: 9, returned: 0, blocked: '< 5', optedOut: 0, optedIn: 0 });
    expect(report.users.groups).toContainEqual({ channel: 'line', locale: 'ja', new: 7, returned: 0, blocked: '< 5', optedOut: 0, optedIn: 0 });
    expect(report.users.groups).toContainEqual({ channel: 'line', locale: 'en', new: '< 5', returned: 0, blocked: 0, optedOut: 0, optedIn: 0 });
    expect(report.funnel).toEqual([
      { state: 'q1', reached: 12, answered: 11, dropOff: '< 5' },
      { state: 'q2', reached: 11, answered: 5, dropOff: 6 },
      { state: 'q3', reached: 5, answered: 5, dropOff: 0 },
      { state: 'result', reached: 11 },
    ]);
    expect(report.verdicts).toEqual({ offer_meeting: 5, closing_meeting: 6, recruiter_meeting: 0, feedback_or_status: 0 });
    expect(report.meetingModes.offer_meeting).toEqual({ in_person: 0, online: 5, unknown: 0 });
    expect(report.daily).toEqual([
      { date: '2026-11-30', new: 8, blocked: '< 5', optedOut: 0, started: 10, results: '< 5' },
      { date: '2026-12-01', new: '< 5', blocked: 0, optedOut: 0, started: '< 5', results: 8 },
    ]);
  });

  it('puts outcomes next to verdicts, with the share that ended in an offer only over 5 answers', () => {
    const report = buildReport({
      ...base,
      days: ['2026-12-01'],
      buckets: [
        {
          [field.followUpAsked('offer_meeting')]: 12,
          [field.followUp('offer', 'offer_meeting')]: 6,
          [field.followUp('waiting', 'offer_meeting')]: 2,
          [field.followUp('skip', 'offer_meeting')]: 1,
          [field.followUpAsked('closing_meeting')]: 4,
          [field.followUp('offer', 'closing_meeting')]: 3,
        },
      ],
    });
    expect(report.outcomes.offer_meeting).toEqual({ asked: 12, offer: 6, waiting: '< 5', rejected: 0, no_answer: '< 5', offerShare: 0.75 });
    expect(report.outcomes.closing_meeting).toEqual({ asked: '< 5', offer: '< 5', waiting: 0, rejected: 0, no_answer: '< 5', offerShare: null });
    expect(report.followUpSkipped).toBe('< 5');
  });

  it('sums reminders by kind and reason, broadcasts by id, and takes the median answer time of handoffs', () => {
    const report = buildReport({
      ...base,
      days: ['2026-11-30', '2026-12-01'],
      buckets: [
        {
          [field.reminderPlanned('eve')]: 5,
          [field.reminderPlanned('after')]: 5,
          [field.reminderSent('eve')]: 5,
          [field.reminderSkipped('tooLate', 'after')]: 6,
          [field.broadcast('b-1', 'recipients')]: 20,
          [field.broadcast('b-1', 'sent')]: 18,
          [field.handoffRequested]: 7,
          [field.handoffAnswerMinutes(3.5)]: 2,
          [field.handoffAnswerMinutes(40)]: 1,
        },
        {
          [field.reminderFailed('eve')]: 1,
          [field.broadcast('b-1', 'failed')]: 2,
          [field.broadcast('b-1', 'optOuts')]: 1,
          [field.handoffAnswerMinutes(90)]: 2,
          [field.handoffOverdue]: 1,
        },
      ],
    });
    expect(report.reminders).toMatchObject({ planned: 10, sent: 5, quietHours: 0, tooLate: 6, blocked: 0, failed: '< 5' });
    expect(report.reminders.byKind.find((r) => r.kind === 'eve')).toEqual({ kind: 'eve', planned: 5, sent: 5, quietHours: 0, tooLate: 0, blocked: 0, failed: '< 5' });
    expect(report.broadcasts).toEqual([{ id: 'b-1', recipients: 20, sent: 18, failed: '< 5', skipped: 0, optOuts: '< 5' }]);
    // Answers after 3, 3, 40, 90, 90 minutes: the middle one is 40.
    expect(report.handoffs).toEqual({ requests: 7, answered: 5, medianMinutesToFirstAnswer: 40, overdue: '< 5' });
  });
});
