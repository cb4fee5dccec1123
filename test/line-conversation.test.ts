/** Whole conversations over the LINE webhook: what a job seeker taps, types and sees. */
import { describe, expect, it } from 'vitest';
import { translate, type Vars } from '../src/conversation/i18n.ts';
import { content, testClock } from './support/conversation.ts';
import { ev, lineHarness, lineTestbed, storeWithSessions, uid } from './support/line.ts';

// 2026-11-26 10:00 in Tokyo.
const clock = testClock('2026-11-26T01:00:00.000Z');
const bed = lineTestbed('line-conversation', { harness: () => ({ clock: clock.read }) });

const ja = (key: string) => content().catalog.ja.get(key)!;
const jaWith = (key: string, vars: Vars) => translate(content().catalog, 'ja', key, vars);

/** Sends one event and returns the messages of its reply. */
async function send(event: { replyToken: string }) {
  const res = await bed.h.post([event]);
  expect(res.statusCode).toBe(200);
  await bed.h.line.idle();
  const reply = bed.api.replies().find((r) => r.body.replyToken === event.replyToken);
  expect(reply, `a reply to ${event.replyToken}`).toBeDefined();
  return reply!.body.messages as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function quickReplies(message: { quickReply?: { items: { action: Record<string, string> }[] } }) {
  return (message.quickReply?.items ?? []).map((i) => i.action);
}

/** Taps the quick reply with this label, as LINE would send it back. */
function tap(userId: string, message: Parameters<typeof quickReplies>[0], label: string) {
  const action = quickReplies(message).find((a) => a.label === label);
  expect(action, `a quick reply labelled ${label}`).toBeDefined();
  expect(action!.type).toBe('postback');
  expect(action!.displayText).toBe(label);
  return ev.postback(userId, action!.data!);
}

describe('a full diagnosis on LINE', () => {
  it('by tapping quick replies and the date-time picker, ending with a Flex card', async () => {
    const user = uid('tap');
    let messages = await send(ev.follow(user));
    expect(messages[0].text).toBe(ja('system.welcome'));
    expect(messages[1].text).toBe(ja('q.offer_notified.prompt'));

    messages = await send(tap(user, messages.at(-1), ja('q.offer_notified.no')));
    messages = await send(tap(user, messages.at(-1), ja('q.contact_from.hr')));
    messages = await send(tap(user, messages.at(-1), ja('q.purpose.intent')));
    messages = await send(tap(user, messages.at(-1), ja('q.first_choice.yes')));
    messages = await send(tap(user, messages.at(-1), ja('q.other_status.in_selection')));

    // The date question: a picker in Tokyo time from now to 180 days ahead, plus the other answers.
    const dateQuestion = messages.at(-1);
    expect(dateQuestion.text).toBe(ja('q.meeting_date.prompt'));
    const [picker, ...others] = quickReplies(dateQuestion);
    expect(picker).toMatchObject({
      type: 'datetimepicker',
      label: ja('line.pick_datetime'),
      mode: 'datetime',
      min: '2026-11-26T10:00',
      initial: '2026-11-26T10:00',
      max: '2027-05-25T10:00',
    });
    expect(others.map((a) => a.label)).toEqual([ja('q.meeting_date.not_yet'), ja('q.meeting_date.not_replied')]);

    messages = await send(ev.postback(user, picker!.data!, { datetime: '2026-12-03T14:00' }));
    expect(messages[0].text).toContain('12月3日');
    messages = await send(tap(user, messages.at(-1), ja('q.meeting_mode.online')));

    const card = messages.find((m) => m.type === 'flex');
    expect(card).toBeDefined();
    expect(card.altText.length).toBeLessThanOrEqual(400);
    expect(card.altText).toContain(ja('verdict.closing_meeting.title'));
    expect(card.contents.type).toBe('bubble');
    expect(card.contents.header.contents[0].text).toBe(ja('verdict.closing_meeting.title'));
    const bodyTexts = JSON.stringify(card.contents.body);
    expect(bodyTexts).toContain(ja('result.reasons'));
    expect(bodyTexts).toContain('12月3日');
    expect(messages.at(-1).text).toBe(ja('menu.prompt'));
    expect(quickReplies(messages.at(-1)).map((a) => a.label)).toContain(ja('menu.tips'));

    const session = await bed.store.sessions.get({ channel: 'line', id: user });
    expect(session?.value.answers.meeting_date).toBe('2026-12-03T05:00:00.000Z');
    expect(session?.value.verdict).toBe('closing_meeting');
    expect(bed.api.pushes()).toHaveLength(0);
  });

  it('by typing answers, the date included', async () => {
    const user = uid('type');
    let messages = await send(ev.text(user, 'こんにちは'));
    expect(messages.at(-1).text).toBe(ja('q.offer_notified.prompt'));
    for (const answer of ['まだ', '人事', '意思確認', 'はい', '選考中']) messages = await send(ev.text(user, answer));
    expect(messages.at(-1).text).toBe(ja('q.meeting_date.prompt'));
    messages = await send(ev.text(user, '12/3 14:00'));
    expect(messages[0].text).toContain('12月3日');
    messages = await send(ev.text(user, 'オンライン'));
    const card = messages.find((m) => m.type === 'flex');
    expect(card?.contents.header.contents[0].text).toBe(ja('verdict.closing_meeting.title'));
  });

  it('shows more choices than quick replies can hold (the tips) as a Flex list of postbacks', async () => {
    const user = uid('tips');
    await send(ev.text(user, 'こんにちは'));
    const messages = await send(ev.text(user, 'ヒント'));
    const list = messages.at(-1);
    expect(list.type).toBe('flex');
    expect(list.contents.type).toBe('carousel');
    const actions = JSON.stringify(list.contents).match(/"data":"[^"]*"/g) ?? [];
    expect(actions.length).toBe(content().tips.length + 1);
    const first = list.contents.contents[0].body.contents.find((c: { action?: unknown }) => c.action).action;
    expect(first.type).toBe('postback');
    const tip = await send(ev.postback(user, first.data));
    expect(tip[0].type).toBe('flex');
    expect(tip[0].contents.header.contents[0].text).toBe(ja(`tips.${content().tips[0]!.id}.title`));
  });

  it('shows the loading animation when a step is slow, before the answer', async () => {
    // Reading the session takes 150 ms; the animation is due after 30 ms.
    const slowStore = storeWithSessions(bed.store, {
      get: async (u) => {
        await new Promise((r) => setTimeout(r, 150));
        return bed.store.sessions.get(u);
      },
    });
    const slow = await lineHarness(slowStore, { clock: clock.read, channel: { loadingAfterMs: 30 } });
    try {
      const user = uid('slow');
      await slow.post([ev.text(user, 'こんにちは', { replyToken: 'rt-slow' })]);
      await slow.line.idle();
      const paths = bed.api.calls.map((c) => c.path);
      expect(paths.indexOf('loading')).toBeGreaterThanOrEqual(0);
      expect(paths.indexOf('loading')).toBeLessThan(paths.indexOf('reply'));
      expect(bed.api.calls.find((c) => c.path === 'loading')!.body).toEqual({ chatId: user, loadingSeconds: 20 });
    } finally {
      await slow.close();
    }
  });

  it('does not show the loading animation when the answer is quick', async () => {
    const quick = await lineHarness(bed.store, { clock: clock.read, channel: { loadingAfterMs: 1_000 } });
    try {
      await quick.post([ev.text(uid('quick'), 'こんにちは')]);
      await quick.line.idle();
      expect(bed.api.calls.map((c) => c.path)).toEqual(['reply']);
    } finally {
      await quick.close();
    }
  });

  it('renders in English for an English-speaking user, with long labels as a Flex list', async () => {
    bed.api.state.language = 'en';
    const user = uid('en');
    await send(ev.follow(user));
    await send(ev.choice(user, 'offer_notified', 'no'));
    const messages = await send(ev.choice(user, 'contact_from', 'hr'));
    // "Explaining conditions or the offer letter" does not fit a 20-character quick reply.
    const question = messages.at(-1);
    expect(question.type).toBe('flex');
    expect(question.altText).toContain('1. Explaining conditions or the offer letter');
    expect(JSON.stringify(question.contents)).toContain('Explaining conditions or the offer letter');
  });
});

const INVITATION_MAIL = [
  '山田 太郎 様',
  '',
  'お世話になっております。株式会社ミナトテック 人事部の佐藤です。',
  '先日は最終面接にお越しいただき、誠にありがとうございました。',
  'つきましては、山田様の入社のご意思を確認させていただきたく、面談の場を設けさせていただければと存じます。',
  '',
  '日時：12月11日（金）16:00〜17:00',
  '形式：オンライン（Zoom）',
  '',
  '12月4日（金）までにご返信いただけますと幸いです。',
  '',
  '――――――――――――',
  '株式会社ミナトテック 人事部 採用担当',
  '佐藤 花子',
  '〒105-0001 東京都港区虎ノ門1-2-3',
].join('\n');

describe('reading what people send, on LINE (issue #13)', () => {
  it('the natural first message is acknowledged, and typed answers in own words move on', async () => {
    const user = uid('first');
    await send(ev.follow(user));
    let messages = await send(ev.text(user, '最終面接のあとに面談の連絡が来ました'));
    expect(messages.map((m: { text?: string }) => m.text)).toEqual([ja('reading.first.invite'), ja('q.offer_notified.prompt')]);
    messages = await send(ev.text(user, 'まだ出ていません'));
    expect(messages.at(-1)!.text).toBe(ja('q.contact_from.prompt'));
    messages = await send(ev.text(user, '人事の方から連絡がありました'));
    expect(messages.at(-1)!.text).toBe(ja('q.purpose.prompt'));
    // 選考状況 and 他社 are tip keywords: the answer wins, no tip card.
    messages = await send(ev.text(user, '他社の選考状況を聞きたいそうです'));
    expect(messages.map((m) => m.type)).toEqual(['text']);
    expect(messages[0]!.text).toBe(ja('q.first_choice.prompt'));
    const session = await bed.store.sessions.get({ channel: 'line', id: user });
    expect(session?.value.answers).toEqual({ offer_notified: 'no', contact_from: 'hr', purpose: 'other_companies' });
  });

  it('a pasted invitation: one card, confirm, then only the open questions, and the verdict', async () => {
    const user = uid('mail');
    await send(ev.follow(user));
    let messages = await send(ev.text(user, INVITATION_MAIL));
    const card = messages.at(-1)!;
    expect(card.text).toContain(jaWith('reading.invite.card.contact', { label: ja('q.contact_from.hr') }));
    expect(card.text).toContain('12月11日(金) 16:00');
    expect(quickReplies(card).map((a) => a.label)).toEqual([
      ja('reading.invite.confirm'),
      ja('reading.invite.fix.contact_from'),
      ja('reading.invite.fix.purpose'),
      ja('reading.invite.fix.offer_notified'),
      ja('reading.invite.fix.meeting_mode'),
      ja('reading.invite.fix.meeting_date'),
    ]);
    const kept = JSON.stringify(await bed.store.sessions.get({ channel: 'line', id: user }));
    expect(kept).not.toMatch(/佐藤|山田|虎ノ門|ミナトテック/);

    messages = await send(tap(user, card, ja('reading.invite.confirm')));
    expect(messages.map((m) => m.text)).toContain(jaWith('system.date.confirmed', { when: '12月11日(金) 16:00' }));
    expect(messages.at(-1)!.text).toBe(ja('q.first_choice.prompt'));
    messages = await send(tap(user, messages.at(-1), ja('q.first_choice.yes')));
    expect(messages.at(-1)!.text).toBe(ja('q.other_status.prompt'));
    messages = await send(tap(user, messages.at(-1), ja('q.other_status.none')));
    // Date and mode came from the mail: straight to the result.
    expect(messages.some((m) => m.type === 'flex')).toBe(true);

    const record = await bed.store.users.get({ channel: 'line', id: user });
    expect(record?.verdict).toBe('closing_meeting');
    expect(record?.meetingAt).toBe('2026-12-11T07:00:00.000Z');
    const session = await bed.store.sessions.get({ channel: 'line', id: user });
    expect(session?.value.answers).toMatchObject({ offer_notified: 'no', contact_from: 'hr', purpose: 'intent', meeting_mode: 'online' });
    expect(session?.value.reminders?.map((r) => r.kind).sort()).toEqual(['after', 'before', 'eve', 'reply']);
    expect(session?.value.invite).toBeUndefined();
  });
});
