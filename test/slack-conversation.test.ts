/** The diagnosis in Slack end to end: DMs, buttons, pickers, the slash command, App Home. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { translate, type Vars } from '../src/conversation/i18n.ts';
import { content } from './support/conversation.ts';
import { slackHarness, type SlackHarness } from './support/slack-app.ts';
import {
  APP_ID,
  buttonPress,
  commandBody,
  dateTimePick,
  dmEvent,
  dmOf,
  eventBody,
  FORM,
  homePress,
  interactionBody,
  SLACK_HOST,
  type Block,
  type PostedMessage,
} from './support/slack.ts';

const U = 'U0PERSON';

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
  return res;
};
const pick = (at: Date, message: PostedMessage = h.fake.lastQuestion()) =>
  h.send(interactionBody(dateTimePick(U, message, at)), { contentType: FORM });
const slash = (text: string, channel = 'C0GENERAL') =>
  h.send(commandBody(U, text, channel, `${SLACK_HOST}/respond/command`), { contentType: FORM });
const texts = () => h.fake.posted.map((m) => m.text);
const user = { channel: 'slack' as const, id: U };
const jaText = (key: string, vars: Vars = {}) => translate(content().catalog, 'ja', key, vars);

/** Dec 3 2026, 14:00 in Tokyo; the test clock stands at Nov 26 10:00 Tokyo. */
const MEETING = new Date('2026-12-03T05:00:00.000Z');

describe('a diagnosis in the DM', () => {
  it('runs start to finish on buttons and the date-time picker', async () => {
    await say('こんにちは');
    expect(h.fake.posted[0]!.channel).toBe(dmOf(U));
    expect(h.fake.callsOf('conversations.open')).toEqual([]); // the event named the DM
    expect(h.fake.lastQuestion().blocks?.[0]?.text?.text).toContain('内定');

    for (const value of ['no', 'hr', 'intent', 'yes', 'none']) await press(value);
    const dateQuestion = h.fake.lastQuestion();
    expect(dateQuestion.blocks?.find((b) => b.type === 'actions')?.elements?.[0]?.type).toBe('datetimepicker');
    await pick(MEETING);
    expect(texts()).toContain('面談は 12月3日(木) 14:00 ですね。登録しました。');
    await press('online');

    const result = h.fake.posted.find((m) => m.blocks?.[0]?.type === 'header');
    expect(result).toBeDefined();
    const types = result!.blocks!.map((b) => b.type);
    expect(types.slice(0, 3)).toEqual(['header', 'section', 'context']);
    expect(JSON.stringify(result!.blocks![2])).toContain('この判断の理由');
    const fields = result!.blocks!.find((b) => b.fields)?.fields?.map((f) => f.text);
    expect(fields?.join()).toContain('12月3日(木) 14:00');

    const record = await h.store.users.get(user);
    expect(record?.verdict).toBeDefined();
    expect(record?.meetingAt).toBe(MEETING.toISOString());
  });

  it('redraws each answered question with the choice and without buttons', async () => {
    await say('hi');
    const first = h.fake.lastQuestion();
    await press('no', first);
    const update = h.fake.callsOf('chat.update')[0]!.args;
    expect(update).toMatchObject({ channel: first.channel, ts: first.ts });
    const blocks = update.blocks as Block[];
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(blocks.at(-1))).toContain('選択：まだ来ていない');

    // The same old message pressed again (a double click): nothing more happens.
    const before = h.fake.posted.length;
    await press('yes', first);
    expect(h.fake.posted.length).toBe(before);
    expect(h.fake.callsOf('chat.update')).toHaveLength(1);
  });

  it('runs start to finish on typed answers and a typed date', async () => {
    await say('こんにちは');
    for (const answer of ['2', '人事', '2', '第一志望', '3', '12/3 14:00', 'オンライン']) await say(answer);
    expect(texts()).toContain('面談は 12月3日(木) 14:00 ですね。登録しました。');
    expect(h.fake.posted.some((m) => m.blocks?.[0]?.type === 'header')).toBe(true);
    expect((await h.store.users.get(user))?.verdict).toBeDefined();
  });

  it('shows a stale tap for what it is and re-asks the current question', async () => {
    await say('hi');
    const first = h.fake.lastQuestion();
    await say('2'); // answered by typing; the first message still has its buttons
    await press('yes', first);
    expect(texts()).toContain('その選択肢は前の質問のものです。いまの質問に答えてください。');
    expect((await h.store.sessions.get(user))?.value.state).toBe('contact_from');
  });

  it('refuses a picked time in the past and asks again', async () => {
    await say('hi');
    for (const value of ['no', 'hr', 'intent', 'yes', 'none']) await press(value);
    await pick(new Date('2026-11-20T05:00:00.000Z'));
    expect(texts().some((t) => t.includes('もう過ぎている'))).toBe(true);
    expect((await h.store.sessions.get(user))?.value.state).toBe('meeting_date');
    const update = h.fake.callsOf('chat.update').at(-1)!.args;
    expect(JSON.stringify(update.blocks)).toContain('選択：11月20日(金) 14:00');
  });

  it('ignores bot messages, edits and other subtypes', async () => {
    await h.send(eventBody(dmEvent(U, 'hello', { bot_id: 'B0BOT' })));
    await h.send(eventBody(dmEvent(U, 'hello', { subtype: 'message_changed' })));
    await h.send(eventBody(dmEvent(U, 'hello', { subtype: 'channel_join' })));
    await h.send(eventBody({ type: 'message', channel: 'C0GENERAL', channel_type: 'channel', user: U, text: 'hi', ts: '1.0' }));
    expect(h.fake.calls).toEqual([]);
    expect(await h.store.sessions.get(user)).toBeUndefined();
  });

  it('answers a file upload with the unsupported-input message', async () => {
    await say('hi');
    await h.send(eventBody(dmEvent(U, '', { subtype: 'file_share', files: [{ id: 'F1' }] })));
    expect(texts().some((t) => t.includes('スタンプや画像'))).toBe(true);
  });
});

describe('language and time zone from the Slack profile', () => {
  it('starts an English speaker in English, and asks users.info once', async () => {
    h.fake.profiles.set(U, { locale: 'en-US', tz: 'America/New_York' });
    await say('hello');
    await say('2');
    expect(h.fake.posted[1]!.text).toContain('Mendan Navi'); // after the acknowledgement of the first message
    expect(h.fake.callsOf('users.info')).toHaveLength(1);
    expect(h.fake.callsOf('users.info')[0]!.args).toMatchObject({ user: U, include_locale: 'true' });
    const record = await h.store.users.get(user);
    expect(record).toMatchObject({ locale: 'en', timeZone: 'America/New_York' });
  });

  it('falls back to the defaults when users.info fails', async () => {
    h.fake.failNext('users.info', { status: 200, body: { ok: false, error: 'missing_scope' } });
    await say('hello');
    expect(h.fake.posted[1]!.text).toContain('面談ナビ'); // after the acknowledgement of the first message
  });
});

describe('/mendan', () => {
  it('starts the diagnosis in the DM and says so where it was typed', async () => {
    const res = await slash('');
    expect(res.statusCode).toBe(200);
    expect(h.fake.callsOf('conversations.open')[0]!.args).toMatchObject({ users: U });
    expect(h.fake.posted[0]!.channel).toBe(dmOf(U));
    expect(h.fake.lastQuestion().text).toContain('内定');
    expect(h.fake.responses).toHaveLength(1);
    expect(h.fake.responses[0]).toMatchObject({ response_type: 'ephemeral' });
    expect(String(h.fake.responses[0]!.text)).toContain(`https://slack.com/app_redirect?app=${APP_ID}`);
  });

  it('resumes where the person left off', async () => {
    await say('hi');
    await press('no');
    await slash('', dmOf(U));
    expect(texts().at(-2)).toBe('おかえりなさい。続きから進めましょう。');
    expect(h.fake.lastQuestion().blocks?.[0]?.text?.text).toContain('どなた');
    expect(h.fake.responses).toEqual([]); // typed in the DM itself: nothing to point at
  });

  it('points to the app DM when typed in a DM with someone else', async () => {
    await slash('', 'D0SOMEONEELSE');
    expect(h.fake.posted[0]!.channel).toBe(dmOf(U));
    expect(String(h.fake.responses[0]!.text)).toContain('DMでお返事しました');
  });

  it('shows its usage and the conversation help for `help`', async () => {
    await slash('help');
    expect(String(h.fake.responses[0]!.text)).toContain('/mendan tips');
    expect(texts().some((t) => t.startsWith('使い方'))).toBe(true);
  });

  it('switches language with `lang en` and answers in it; opens tips with `tips`', async () => {
    await say('hi');
    await slash('lang en');
    expect(texts()).toContain('Switched to English.');
    expect(String(h.fake.responses[0]!.text)).toContain('I replied in our DM.');
    await slash('tips');
    expect(h.fake.lastQuestion().text).toBe('Pick a topic to read.');
  });

  it('starts a new person in the language they ask for', async () => {
    await slash('lang en');
    expect(h.fake.posted[0]!.text).toContain('Mendan Navi');
  });

  it('answers an unknown subcommand with its usage only', async () => {
    await slash('fly me to the moon');
    expect(String(h.fake.responses[0]!.text)).toContain('/mendan');
    expect(h.fake.posted).toEqual([]);
  });
});

describe('App Home', () => {
  const published = () => h.fake.callsOf('views.publish').at(-1)!.args;

  it('publishes the last result, the meeting, reminders, tips and settings', async () => {
    await say('hi');
    for (const value of ['no', 'hr', 'intent', 'yes', 'none']) await press(value);
    await pick(MEETING);
    await press('online');

    await h.send(eventBody({ type: 'app_home_opened', user: U, channel: dmOf(U), tab: 'home' }));
    const call = published();
    expect(call.user_id).toBe(U);
    const view = JSON.stringify(call.view);
    expect(view).toContain('"type":"home"');
    expect(view).toContain('前回の診断結果');
    expect(view).toContain('意思確認');
    expect(view).toContain('12月3日(木) 14:00');
    expect(view).toContain('面談のコツ');
    expect(view).toContain('表示言語：日本語');
    expect(view).toContain('mendan:home:optOut');
  });

  it('publishes an empty state for someone new', async () => {
    await h.send(eventBody({ type: 'app_home_opened', user: U, tab: 'home' }));
    const view = JSON.stringify(published().view);
    expect(view).toContain('まだ診断していません');
    expect(await h.store.sessions.get(user)).toBeUndefined();
  });

  it('switches language from a Home button, answers in the DM and redraws Home', async () => {
    await say('hi');
    await h.send(interactionBody(homePress(U, 'mendan:home:language:en')), { contentType: FORM });
    expect(texts()).toContain('Switched to English.');
    expect(JSON.stringify(published().view)).toContain('Language: English');
  });

  it('welcomes a new person who opens the Messages tab, and only once', async () => {
    await h.send(eventBody({ type: 'app_home_opened', user: U, channel: dmOf(U), tab: 'messages' }));
    expect(h.fake.posted[0]!.text).toContain('面談ナビ');
    const count = h.fake.posted.length;
    await h.send(eventBody({ type: 'app_home_opened', user: U, channel: dmOf(U), tab: 'messages' }));
    expect(h.fake.posted.length).toBe(count);
  });
});

describe('mentions in channels', () => {
  it('points the person to the DM, privately', async () => {
    await h.send(eventBody({ type: 'app_mention', user: U, channel: 'C0GENERAL', text: '<@UBOT> help', ts: '1.0' }));
    const call = h.fake.callsOf('chat.postEphemeral')[0]!.args;
    expect(call).toMatchObject({ channel: 'C0GENERAL', user: U });
    expect(String(call.text)).toContain('app_redirect');
    expect(await h.store.sessions.get(user)).toBeUndefined();
  });
});

describe('Web API errors', () => {
  it('waits out `ratelimited` for the Retry-After Slack gives, then posts', async () => {
    h.fake.failNext('chat.postMessage', {
      status: 429,
      headers: { 'retry-after': '3' },
      body: { ok: false, error: 'ratelimited' },
    });
    await say('hi');
    expect(h.sleeps).toEqual([3000]);
    expect(h.fake.callsOf('chat.postMessage').length).toBeGreaterThanOrEqual(2);
    expect(h.fake.posted[1]!.text).toContain('面談ナビ'); // after the acknowledgement of the first message
  });

  it('marks the person unreachable on channel_not_found, without retrying', async () => {
    await say('hi');
    h.fake.failNext('chat.postMessage', { status: 200, body: { ok: false, error: 'channel_not_found' } });
    const before = h.fake.callsOf('chat.postMessage').length;
    await say('2');
    expect(h.fake.callsOf('chat.postMessage').length).toBe(before + 1);
    expect((await h.store.users.get(user))?.unreachable).toBe(true);
  });
});

// Received on Thursday 2026-11-26 (the harness clock): an offer meeting with two proposed times.
const OFFER_MAIL = [
  '鈴木様',
  '北星商事株式会社 採用担当の高橋でございます。',
  '厳正なる選考の結果、鈴木様に内定をお出しすることが決定いたしましたので、ご連絡いたします。',
  'つきましては、労働条件のご説明を兼ねたオファー面談を下記の候補日で実施したく存じます。',
  '・12月7日（月）10:00〜11:00',
  '・12月8日（火）15:00〜16:00',
  '場所：弊社本社（8階受付）',
  '12月3日（木）までにご希望の日時をご返信ください。',
].join('\n');

describe('reading what people send, in Slack (issue #13)', () => {
  it('a pasted invitation as the first DM: the card, which time, then only the open questions', async () => {
    await say(OFFER_MAIL);
    expect(texts()[0]).toBe(jaText('system.welcome'));
    const card = h.fake.lastQuestion();
    expect(card.text).toContain(jaText('reading.invite.card.offer.yes'));
    expect(card.text).toContain(jaText('reading.invite.card.slots', { count: '2' }));
    expect(card.text).toContain(jaText('reading.invite.card.reply_by', { date: '12月3日(木)' }));

    await press('confirm');
    const which = h.fake.lastQuestion();
    expect(which.text).toBe(jaText('reading.invite.which_slot'));
    await press('slot:1', which);
    expect(texts()).toContain(jaText('system.date.confirmed', { when: '12月8日(火) 15:00' }));
    // Offer stated, place read: only first choice and other companies remain.
    expect(h.fake.lastQuestion().text).toBe(jaText('q.first_choice.prompt'));
    await say('第一志望です');
    expect(h.fake.lastQuestion().text).toBe(jaText('q.other_status.prompt'));
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
    expect(texts()[0]).toBe(jaText('reading.first.greeting'));
    await press('no');
    await press('hr');
    await press('intent');
    await say('給与の交渉ってしていいの？');
    expect(texts()).toContain(jaText('reading.tip_instead'));
    expect(h.fake.lastQuestion().text).toBe(jaText('q.first_choice.prompt'));
    await say('zxqv');
    const expected = ['q.first_choice.yes', 'q.first_choice.no', 'q.first_choice.undecided']
      .map((k) => jaText('reading.expected.item', { label: jaText(k) }))
      .join(jaText('reading.expected.separator'));
    expect(texts()).toContain(jaText('reading.expected.choice', { choices: expected }));
  });
});
