/** A pasted invitation and answers in one's own words in Slack, through the signed endpoints, with real Redis. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { content } from './support/conversation.ts';
import { slackHarness, type SlackHarness } from './support/slack-app.ts';
import { buttonPress, dmEvent, eventBody, FORM, interactionBody, type PostedMessage } from './support/slack.ts';

const U = 'U0READER';
const user = { channel: 'slack' as const, id: U };
const ja = (key: string, vars: Record<string, string> = {}) =>
  content().catalog.ja.get(key)!.replace(/\{(\w+)\}/g, (_m, name: string) => vars[name] ?? `{${name}}`);

let h: SlackHarness;
beforeEach(async () => {
  h = await slackHarness();
});
afterEach(async () => {
  await h.close();
});

const say = (text: string) => h.send(eventBody(dmEvent(U, text)));
const press = async (value: string, message: PostedMessage = h.fake.lastQuestion()) => {
  const res = await h.send(interactionBody(buttonPress(U, message, value)), { contentType: FORM });
  expect(res.statusCode).toBe(200);
};
const texts = () => h.fake.posted.map((m) => m.text);

// Received on Thursday 2026-11-26 (the harness clock): an offer meeting with two proposed times.
const MAIL = [
  '鈴木様',
  '北星商事株式会社 採用担当の高橋でございます。',
  '厳正なる選考の結果、鈴木様に内定をお出しすることが決定いたしましたので、ご連絡いたします。',
  'つきましては、労働条件のご説明を兼ねたオファー面談を下記の候補日で実施したく存じます。',
  '・12月7日（月）10:00〜11:00',
  '・12月8日（火）15:00〜16:00',
  '場所：弊社本社（8階受付）',
  '12月3日（木）までにご希望の日時をご返信ください。',
].join('\n');

describe('reading what people send, in Slack', () => {
  it('a pasted invitation as the first DM: the card, which time, then only the open questions', async () => {
    await say(MAIL);
    expect(texts()[0]).toBe(ja('system.welcome'));
    const card = h.fake.lastQuestion();
    expect(card.text).toContain(ja('reading.invite.card.offer.yes'));
    expect(card.text).toContain(ja('reading.invite.card.slots', { count: '2' }));
    expect(card.text).toContain(ja('reading.invite.card.reply_by', { date: '12月3日(木)' }));

    await press('confirm');
    const which = h.fake.lastQuestion();
    expect(which.text).toBe(ja('reading.invite.which_slot'));
    await press('slot:1', which);
    expect(texts()).toContain(ja('system.date.confirmed', { when: '12月8日(火) 15:00' }));
    // Offer stated, place read: only first choice and other companies remain.
    expect(h.fake.lastQuestion().text).toBe(ja('q.first_choice.prompt'));
    await say('第一志望です');
    expect(h.fake.lastQuestion().text).toBe(ja('q.other_status.prompt'));
    await say('受けてないです');

    const record = await h.store.users.get(user);
    expect(record?.verdict).toBe('offer_meeting');
    expect(record?.meetingAt).toBe('2026-12-08T06:00:00.000Z');
    const session = await h.store.sessions.get(user);
    expect(session?.value.answers).toMatchObject({ offer_notified: 'yes', contact_from: 'hr', meeting_mode: 'in_person', first_choice: 'yes', other_status: 'none' });
    expect(JSON.stringify(session)).not.toMatch(/高橋|鈴木|北星/);
  });

  it('a word that answers the question is not taken for a tip; a tip that opens instead says so', async () => {
    await say('こんにちは');
    expect(texts()[0]).toBe(ja('reading.first.greeting'));
    await press('no');
    await press('hr');
    await press('intent');
    await say('給与の交渉ってしていいの？');
    expect(texts()).toContain(ja('reading.tip_instead'));
    expect(h.fake.lastQuestion().text).toBe(ja('q.first_choice.prompt'));
    await say('zxqv');
    const expected = ['q.first_choice.yes', 'q.first_choice.no', 'q.first_choice.undecided']
      .map((k) => ja('reading.expected.item', { label: ja(k) }))
      .join(ja('reading.expected.separator'));
    expect(texts()).toContain(ja('reading.expected.choice', { choices: expected }));
  });
});
