/** Whole conversations over the LINE webhook: what a job seeker taps, types and sees. */
import { describe, expect, it } from 'vitest';
import { content, testClock } from './support/conversation.ts';
import { ev, lineHarness, lineTestbed, storeWithSessions, uid } from './support/line.ts';

// 2026-11-26 10:00 in Tokyo.
const clock = testClock('2026-11-26T01:00:00.000Z');
const bed = lineTestbed('line-conversation', { harness: () => ({ clock: clock.read }) });

const ja = (key: string) => content().catalog.ja.get(key)!;

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
