/**
 * What a conversation adds to the insights counters: the real engine and service, the
 * in-memory counters, users walked through joining, the diagnosis, the follow-up after a
 * meeting, opting out, blocking and coming back.
 */
import { describe, expect, it } from 'vitest';
import { FOLLOWUP_STATE } from '../src/conversation/session.ts';
import type { UserRef } from '../src/conversation/types.ts';
import { field } from '../src/insights/fields.ts';
import { InsightsRecorder } from '../src/insights/recorder.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { createConversations, giveMeeting, silentLogger, testClock } from './support/conversation.ts';

function setup() {
  // 10:00 in Tokyo on Nov 26.
  const clock = testClock('2026-11-26T01:00:00.000Z');
  const store = new MemoryStore({ sessionTtlSeconds: 30 * 86_400, clock: clock.read });
  const conversations = createConversations(store, { clock: clock.read });
  const insights = new InsightsRecorder({ counters: store.insights, timeZone: 'Asia/Tokyo', logger: silentLogger, clock: clock.read });
  conversations.onEffects((user, effects, session) => insights.step(user, effects, session));
  const counted = async (day = '2026-11-26') => (await store.insights.read([day]))[0]!;
  return { clock, store, conversations, counted };
}

const line = (id: string): UserRef => ({ channel: 'line', id });

describe('counting a conversation', () => {
  it('counts joining, each question reached and answered, the verdict with the meeting mode', async () => {
    const { conversations, counted } = setup();
    await giveMeeting(conversations, line('U1'), '12/3 14:00');
    await conversations.handle(line('U1'), { kind: 'choice', state: 'meeting_mode', value: 'online' });
    // An English speaker's first message; nothing more.
    await conversations.handle(line('U2'), { kind: 'text', text: 'English' });

    const verdict = (await conversations.handle(line('U1'), { kind: 'text', text: '結果' })).session!.verdict!;
    const questions = ['offer_notified', 'contact_from', 'purpose', 'first_choice', 'other_status', 'meeting_date', 'meeting_mode'];
    expect(await counted()).toEqual({
      [field.user('new', 'line', 'ja')]: 1,
      [field.user('new', 'line', 'en')]: 1,
      // U2 was asked the first question too.
      [field.reached('offer_notified')]: 2,
      ...Object.fromEntries(questions.slice(1).map((q) => [field.reached(q), 1])),
      ...Object.fromEntries(questions.map((q) => [field.answered(q), 1])),
      [field.reached('menu')]: 1,
      // Showing the result again is not another result.
      [field.verdict(verdict)]: 1,
      [field.mode(verdict, 'online')]: 1,
    });
  });

  it('counts the follow-up asked and answered under the verdict, opting out, blocking and coming back', async () => {
    const { clock, conversations, counted } = setup();
    const user = line('U3');
    await giveMeeting(conversations, user, '12/3 14:00');
    const { session } = await conversations.handle(user, { kind: 'choice', state: 'meeting_mode', value: 'in_person' });
    const verdict = session!.verdict!;
    const after = session!.reminders!.find((r) => r.kind === 'after')!;
    const before = await counted();

    clock.now = new Date(Date.parse(after.at) + 60_000);
    const day = '2026-12-03';
    await conversations.handle(user, { kind: 'reminder', reminder: after });
    await conversations.handle(user, { kind: 'choice', state: FOLLOWUP_STATE, value: 'offer' });
    await conversations.handle(user, { kind: 'text', text: '配信停止' });
    await conversations.handle(user, { kind: 'blocked' });
    await conversations.handle(user, { kind: 'start' });
    expect(await counted(day)).toEqual({
      [field.followUpAsked(verdict)]: 1,
      [field.followUp('offer', verdict)]: 1,
      [field.user('optedOut', 'line', 'ja')]: 1,
      [field.user('blocked', 'line', 'ja')]: 1,
      [field.user('returned', 'line', 'ja')]: 1,
    });
    // The earlier day is untouched.
    expect(await counted()).toEqual(before);
  });

  it('counts pasted mails read: invitations, and mails that are none', async () => {
    const { conversations, counted } = setup();
    const invitation = [
      'お世話になっております。株式会社ミナトテック 人事部の佐藤です。',
      '入社のご意思を確認させていただきたく、面談の場を設けさせていただければと存じます。',
      '日時：12月11日（金）16:00〜17:00',
      '形式：オンライン（Zoom）',
    ].join('\n');
    const notice = [
      'お世話になっております。株式会社ミナトテック 人事部の佐藤です。',
      '先日は最終面接にお越しいただき、誠にありがとうございました。',
      '選考結果につきましては、12月4日（金）までにメールにてご連絡いたします。',
    ].join('\n');
    await conversations.handle(line('U4'), { kind: 'text', text: invitation });
    await conversations.handle(line('U5'), { kind: 'start' });
    await conversations.handle(line('U5'), { kind: 'text', text: notice });
    await conversations.handle(line('U5'), { kind: 'text', text: 'はい' });
    const counts = await counted();
    expect(counts[field.invitationRead]).toBe(2);
    expect(counts[field.invitationNotInvite]).toBe(1);
  });

  it('keeps nothing that identifies a person: no ids, no typed text, no dates in the counter names', async () => {
    const { conversations, counted } = setup();
    await giveMeeting(conversations, line('U-secret-id'), '12/3 14:00');
    await conversations.handle(line('U-secret-id'), { kind: 'text', text: 'my name is Taro' });
    const names = Object.keys(await counted()).join(' ');
    expect(names).not.toMatch(/secret|Taro|2026|12\/3|14:00/);
  });
});

describe('the day a count goes to', () => {
  it('follows the deployment’s midnight, whichever way the clock moves', async () => {
    const clock = testClock('2026-11-26T14:59:59.999Z');
    const store = new MemoryStore({ sessionTtlSeconds: 86_400, clock: clock.read });
    const insights = new InsightsRecorder({ counters: store.insights, timeZone: 'Asia/Tokyo', logger: silentLogger, clock: clock.read });
    // 23:59:59.999, then midnight, then back before it, in Tokyo.
    for (const at of ['2026-11-26T14:59:59.999Z', '2026-11-26T15:00:00.000Z', '2026-11-26T14:59:59.999Z', '2026-11-27T14:59:59.999Z']) {
      clock.now = new Date(at);
      await insights.handoffRequested();
    }
    const days = await store.insights.read(['2026-11-26', '2026-11-27', '2026-11-28']);
    expect(days.map((d) => d[field.handoffRequested] ?? 0)).toEqual([2, 2, 0]);
  });

  it('follows a midnight that daylight saving time moves', async () => {
    // Santiago skips from 00:00 to 01:00 on 2026-09-06: that day starts at 04:00Z.
    const clock = testClock('2026-09-06T03:59:59.999Z');
    const store = new MemoryStore({ sessionTtlSeconds: 86_400, clock: clock.read });
    const insights = new InsightsRecorder({ counters: store.insights, timeZone: 'America/Santiago', logger: silentLogger, clock: clock.read });
    for (const at of ['2026-09-06T03:59:59.999Z', '2026-09-06T04:00:00.000Z']) {
      clock.now = new Date(at);
      await insights.handoffRequested();
    }
    const days = await store.insights.read(['2026-09-05', '2026-09-06']);
    expect(days.map((d) => d[field.handoffRequested] ?? 0)).toEqual([1, 1]);
  });
});
