/** The handoff's pure rules: business hours, what the user is told, when an answer is late, the staff summary, splitting. */
import { describe, expect, it } from 'vitest';
import { describeHours, isOpen, nextOpening, parseBusinessHours } from '../src/handoff/hours.ts';
import { REPLY_LIMITS } from '../src/handoff/limits.ts';
import { requestNotice } from '../src/handoff/notice.ts';
import { dueAt, isOverdue } from '../src/handoff/overdue.ts';
import { splitMessage } from '../src/handoff/split.ts';
import { summarize } from '../src/handoff/summary.ts';
import { content } from './support/conversation.ts';

const TOKYO = 'Asia/Tokyo';
const hours = parseBusinessHours('Mon-Fri 10:00-19:00', TOKYO)!;
/** 2026-11-27 is a Friday; times are Tokyo wall clock (+09:00). */
const tokyo = (iso: string) => new Date(`${iso}+09:00`);

describe('business hours', () => {
  it('reads days, ranges and several segments, and refuses what it cannot read', () => {
    expect(hours.segments).toEqual([{ days: [1, 2, 3, 4, 5], start: 600, end: 1140 }]);
    expect(parseBusinessHours('Fri-Mon 09:30-12:00; Wed 13:00-24:00', TOKYO)!.segments).toEqual([
      { days: [1, 5, 6, 7], start: 570, end: 720 },
      { days: [3], start: 780, end: 1440 },
    ]);
    for (const bad of ['', 'weekdays', 'Mon-Fri 19:00-10:00', 'Mon-Fri 10:00', 'Xyz 10:00-11:00', 'Mon 10:61-11:00']) {
      expect(parseBusinessHours(bad, TOKYO), bad).toBeUndefined();
    }
  });

  it('is open inside the hours in the agency zone, closed outside and at the weekend', () => {
    expect(isOpen(hours, tokyo('2026-11-27T10:00:00'))).toBe(true);
    expect(isOpen(hours, tokyo('2026-11-27T18:59:00'))).toBe(true);
    expect(isOpen(hours, tokyo('2026-11-27T19:00:00'))).toBe(false);
    expect(isOpen(hours, tokyo('2026-11-27T09:59:00'))).toBe(false);
    expect(isOpen(hours, tokyo('2026-11-28T12:00:00'))).toBe(false);
    // 01:30 UTC is 10:30 in Tokyo: the zone decides, not the server's clock.
    expect(isOpen(hours, new Date('2026-11-27T01:30:00Z'))).toBe(true);
  });

  it('knows when advisors are next in', () => {
    expect(nextOpening(hours, tokyo('2026-11-27T20:00:00'))).toEqual(tokyo('2026-11-30T10:00:00'));
    expect(nextOpening(hours, tokyo('2026-11-26T08:00:00'))).toEqual(tokyo('2026-11-26T10:00:00'));
    const now = tokyo('2026-11-26T12:00:00');
    expect(nextOpening(hours, now)).toEqual(now);
  });

  it('describes the hours with the platform calendar names', () => {
    expect(describeHours(hours, 'ja', '〜')).toBe('月〜金 10:00-19:00');
    expect(describeHours(hours, 'en', '–')).toBe('Mon–Fri 10:00-19:00');
    expect(describeHours(parseBusinessHours('Mon,Wed,Thu 10:00-12:00', TOKYO)!, 'en', '–')).toBe('Mon, Wed–Thu 10:00-12:00');
  });
});

describe('what the user is told', () => {
  const settings = { hours, replyHours: 24 };
  const user = { locale: 'ja' as const, timeZone: TOKYO };

  it('within hours: an advisor answers here', () => {
    expect(requestNotice(settings, tokyo('2026-11-27T11:00:00'), user, '〜')).toEqual({ key: 'handoff.user.requested_open', vars: { replyHours: 24 } });
  });

  it('outside hours: when to expect an answer, in the user’s zone and language', () => {
    expect(requestNotice(settings, tokyo('2026-11-27T22:00:00'), user, '〜')).toEqual({
      key: 'handoff.user.requested_closed',
      vars: { opens: '11月30日(月) 10:00', hours: '月〜金 10:00-19:00', replyHours: 24 },
    });
    const london = requestNotice(settings, tokyo('2026-11-27T22:00:00'), { locale: 'en', timeZone: 'Europe/London' }, '–');
    expect(london.vars.opens).toBe('Mon, Nov 30, 01:00');
  });

  it('without hours configured, always within hours', () => {
    expect(requestNotice({ replyHours: 8 }, tokyo('2026-11-28T03:00:00'), user, '〜').key).toBe('handoff.user.requested_open');
  });
});

describe('the overdue rule', () => {
  it('counts ADVISOR_REPLY_HOURS from when advisors are next in', () => {
    expect(dueAt(tokyo('2026-11-26T12:00:00'), { hours, replyHours: 24 })).toEqual(tokyo('2026-11-27T12:00:00'));
    expect(dueAt(tokyo('2026-11-27T20:00:00'), { hours, replyHours: 24 })).toEqual(tokyo('2026-12-01T10:00:00'));
    expect(dueAt(tokyo('2026-11-28T20:00:00'), { replyHours: 2 })).toEqual(tokyo('2026-11-28T22:00:00'));
  });

  it('is overdue only while not ended, with an answer owed past its time', () => {
    const due = '2026-11-27T03:00:00.000Z';
    const at = new Date(due);
    expect(isOverdue({ status: 'open', dueAt: due }, at)).toBe(true);
    expect(isOverdue({ status: 'taken', dueAt: due }, new Date(at.getTime() - 1))).toBe(false);
    expect(isOverdue({ status: 'ended', dueAt: due }, at)).toBe(false);
    expect(isOverdue({ status: 'taken' }, at)).toBe(false);
  });
});

describe('the staff summary', () => {
  it('names each answer in words, the verdict and what the user typed before asking', () => {
    const summary = summarize(
      content(),
      {
        answers: { offer_notified: 'no', contact_from: 'recruiter', meeting_date: '2026-12-03T05:00:00.000Z', meeting_mode: 'online' },
        verdict: 'recruiter_meeting',
        recent: ['給与の話はしてもいいですか'],
      },
      { locale: 'ja', timeZone: TOKYO },
    );
    const catalog = content().catalog.ja;
    expect(summary).toEqual({
      answers: [
        { question: '内定の連絡', answer: catalog.get('q.offer_notified.no') },
        { question: '連絡してきた人', answer: catalog.get('q.contact_from.recruiter') },
        { question: '面談の日時', answer: '12月3日(木) 14:00' },
        { question: '面談の形式', answer: catalog.get('q.meeting_mode.online') },
      ],
      verdict: catalog.get('verdict.recruiter_meeting.title'),
      recent: ['給与の話はしてもいいですか'],
    });
  });

  it('is empty but honest before any answer', () => {
    expect(summarize(content(), { answers: {} }, { locale: 'en', timeZone: TOKYO })).toEqual({ answers: [], recent: [] });
  });
});

describe('splitting a staff reply', () => {
  const line = REPLY_LIMITS.line;

  it('keeps a reply that fits whole', () => {
    expect(splitMessage('  こんにちは  ', line)).toEqual({ ok: true, parts: ['こんにちは'] });
    expect(splitMessage('x'.repeat(5000), line)).toEqual({ ok: true, parts: ['x'.repeat(5000)] });
  });

  it('cuts at paragraph ends, never past the limit, and loses nothing', () => {
    const paragraph = `${'あ'.repeat(2999)}。`;
    const text = [paragraph, paragraph, paragraph].join('\n\n');
    const result = splitMessage(text, line);
    if (!result.ok) throw new Error('refused');
    // Two paragraphs would be 6,002 characters: each goes alone, cut at the blank line.
    expect(result.parts).toEqual([paragraph, paragraph, paragraph]);
  });

  it('never splits an emoji, and cuts a text without breaks at the limit', () => {
    const text = '😀'.repeat(3000);
    const result = splitMessage(text, line);
    if (!result.ok) throw new Error('refused');
    expect(result.parts.map((p) => p.length)).toEqual([5000, 1000]);
    expect(result.parts.join('')).toBe(text);
  });

  it('counts Slack’s escaped length', () => {
    const result = splitMessage('&'.repeat(1000), REPLY_LIMITS.slack);
    if (!result.ok) throw new Error('refused');
    expect(result.parts.map((p) => p.length)).toEqual([800, 200]);
  });

  it('refuses a reply that would need more messages than one delivery carries', () => {
    expect(splitMessage('x'.repeat(25_001), line)).toEqual({ ok: false, length: 25_001, maxLength: 5000, maxParts: 5 });
    expect(splitMessage('x'.repeat(25_000), line).ok).toBe(true);
  });
});
