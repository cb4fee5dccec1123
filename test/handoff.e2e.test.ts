/**
 * The advisor handoff end to end, as `npm start` wires it (createRuntime, real Redis, the
 * handoff worker): a LINE user and a Slack user each ask for an advisor, are answered from
 * the Slack thread and from the staff API, and go back to the bot. LINE and Slack are faked
 * (nock); nothing else is.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { signLineBody } from '../src/channels/line/signature.ts';
import { loadConfig } from '../src/config.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { ADMIN_TOKENS, TOKENS } from './support/admin.ts';
import { content, silentLogger, testClock } from './support/conversation.ts';
import { ev, fakeLineApi, LINE_BASE, LINE_SECRET, LINE_TOKEN, webhookBody } from './support/line.ts';
import { deletePrefix, redisUrl, uniquePrefix } from './support/redis.ts';
import { BOT_TOKEN, dmEvent, dmOf, eventBody, FakeSlack, FORM, homePress, interactionBody, SIGNING_SECRET, SLACK_API_URL, signedRequest, type PostedMessage } from './support/slack.ts';

const prefix = uniquePrefix('handoff');
const STAFF_CHANNEL = 'C0STAFF';
const STAFF_USER = 'U0STAFF1';
// Thursday 2026-11-26, 11:00 in Tokyo: within Mon-Fri 10:00-19:00.
const clock = testClock('2026-11-26T02:00:00.000Z');
const ja = (key: string, vars: Record<string, string | number> = {}) =>
  content().catalog.ja.get(key)!.replace(/\{(\w+)\}/g, (_w, name: string) => String(vars[name] ?? `{${name}}`));
const uid = (name: string) => `U${name}${Math.random().toString(16).slice(2, 10)}`;

let slack: FakeSlack;
let line: ReturnType<typeof fakeLineApi>;
const runtimes: Runtime[] = [];

beforeAll(() => nock.disableNetConnect());
afterAll(async () => {
  FakeSlack.cleanup();
  await deletePrefix(prefix);
});
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.stop();
  nock.cleanAll();
});

async function start(env: Record<string, string> = {}): Promise<Runtime> {
  slack = new FakeSlack();
  slack.profiles.set(STAFF_USER, { real_name: '佐藤 さくら', profile: { display_name: 'sakura' } } as never);
  line = fakeLineApi();
  const config = loadConfig({
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: `${prefix}${Math.random().toString(36).slice(2, 8)}:`,
    ROLE: 'all',
    LOG_LEVEL: 'silent',
    LINE_CHANNEL_SECRET: LINE_SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: LINE_TOKEN,
    LINE_API_BASE_URL: LINE_BASE,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL,
    ADMIN_TOKENS,
    STAFF_SLACK_CHANNEL: STAFF_CHANNEL,
    ADVISOR_HOURS: 'Mon-Fri 10:00-19:00',
    ...env,
  });
  const runtime = await createRuntime({ config, logger: silentLogger, clock: clock.read, metrics: createMetrics() });
  runtimes.push(runtime);
  return runtime;
}

// ---------------------------------------------------------------------------- sending

async function lineEvent(runtime: Runtime, event: unknown) {
  const payload = webhookBody([event]);
  const res = await runtime.app.inject({ method: 'POST', url: '/webhooks/line', payload, headers: { 'content-type': 'application/json', 'x-line-signature': signLineBody(payload, LINE_SECRET) } });
  expect(res.statusCode).toBe(200);
}

async function slackPost(runtime: Runtime, body: string, extra: { contentType?: string; headers?: Record<string, string> } = {}) {
  const res = await runtime.app.inject(signedRequest(body, { now: clock.now, ...extra }) as never);
  expect(res.statusCode).toBe(200);
}

function staff(runtime: Runtime, method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}) {
  return runtime.app.inject({ method, url: `/api/admin${url}`, headers: { authorization: `Bearer ${TOKENS.aiko}`, ...headers }, ...(body !== undefined ? { payload: body as object } : {}) });
}

/** Texts LINE got for a user, by reply or push, in order. */
const lineTexts = (userId: string) =>
  line.calls.filter((c) => (c.path === 'push' && c.body.to === userId) || c.path === 'reply').flatMap((c) => c.body.messages.map((m: { text?: string; altText?: string }) => m.text ?? m.altText ?? ''));
const pushesTo = (userId: string) => line.pushes().filter((c) => c.body.to === userId);
const staffPosts = () => slack.callsOf('chat.postMessage').filter((c) => c.args.channel === STAFF_CHANNEL);
const threadTexts = (ts: string) => staffPosts().filter((c) => c.args.thread_ts === ts).map((c) => String(c.args.text));
const until = (check: () => boolean | Promise<boolean>) => vi.waitUntil(check, { timeout: 10_000, interval: 20 });

/** The staff's reply in the request's thread, as Slack sends it. */
function threadReply(threadTs: string, text: string, ts: string) {
  return eventBody({ type: 'message', channel: STAFF_CHANNEL, channel_type: 'channel', user: STAFF_USER, text, ts, thread_ts: threadTs });
}

async function requestTs(): Promise<string> {
  await until(() => staffPosts().some((c) => c.args.thread_ts === undefined));
  return slack.posted.find((m) => m.channel === STAFF_CHANNEL)!.ts;
}

describe('a LINE user and the advisor', () => {
  it('asks mid-diagnosis, writes to staff, is answered from the Slack thread and the staff page, and goes back to the bot', async () => {
    const runtime = await start();
    const user = uid('line');
    await lineEvent(runtime, ev.follow(user));
    await until(() => line.replies().length === 1);

    await lineEvent(runtime, ev.text(user, '相談したい'));
    await until(() => lineTexts(user).includes(ja('handoff.user.requested_open', { replyHours: 24 })));
    const ts = await requestTs();
    const request = slack.posted.find((m) => m.ts === ts)!;
    expect(request.text).toContain('相談リクエスト: Test（LINE）');
    expect(JSON.stringify(request.blocks)).toContain(ja('handoff.staff.take'));

    // The bot stays quiet; the message reaches the thread.
    const repliesBefore = line.replies().length;
    await lineEvent(runtime, ev.text(user, '年収の交渉はしてもいいですか'));
    await until(() => threadTexts(ts).includes('ユーザー: 年収の交渉はしてもいいですか'));
    expect(line.replies().length).toBe(repliesBefore);

    // A reply in the thread, delivered once even when Slack retries the event.
    const reply = threadReply(ts, 'はい、オファー面談でなら大丈夫です。', '1764118900.000100');
    await slackPost(runtime, reply);
    await until(() => pushesTo(user).length === 1);
    await slackPost(runtime, reply, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    await slackPost(runtime, threadReply(ts, 'はい、オファー面談でなら大丈夫です。', '1764118900.000100'));
    await new Promise((r) => setTimeout(r, 300));
    expect(pushesTo(user)).toHaveLength(1);
    const push = pushesTo(user)[0]!;
    expect(push.retryKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(push.body.messages).toEqual([{ type: 'text', text: `${ja('handoff.user.from_advisor')}\nはい、オファー面談でなら大丈夫です。` }]);

    // The staff page sees it, taken by the one who answered in Slack, and answers too.
    const list = (await staff(runtime, 'GET', '/handoffs')).json();
    const id = list.handoffs[0].id as string;
    expect(list.handoffs[0]).toMatchObject({ channel: 'line', displayName: 'Test', status: 'taken', takenBy: 'sakura', overdue: false, blocked: false });
    const sent = await staff(runtime, 'POST', `/handoffs/${id}/messages`, { text: '当日の持ち物も確認しておきましょう。' }, { 'idempotency-key': 'page-1' });
    expect(sent.statusCode).toBe(201);
    expect(sent.json().message).toMatchObject({ from: 'staff', staff: 'aiko', via: 'page', delivery: 'sent' });
    expect(pushesTo(user)).toHaveLength(2);
    // The same Idempotency-Key again sends nothing.
    expect((await staff(runtime, 'POST', `/handoffs/${id}/messages`, { text: '当日の持ち物も確認しておきましょう。' }, { 'idempotency-key': 'page-1' })).statusCode).toBe(201);
    expect(pushesTo(user)).toHaveLength(2);
    await until(() => threadTexts(ts).includes('aiko（管理画面から）: 当日の持ち物も確認しておきましょう。'));

    // Audited with the staff names: the Slack person's and the page's.
    const audit = (await staff(runtime, 'GET', '/audit')).json().entries as { staff: string; action: string; target: string }[];
    expect(audit.filter((e) => e.target === id).map((e) => `${e.staff}:${e.action}`).reverse()).toEqual(['sakura:handoff.take', 'sakura:handoff.reply', 'aiko:handoff.reply']);
    const thread = (await staff(runtime, 'GET', `/handoffs/${id}`)).json();
    expect(thread.messages.map((m: { from: string; via: string | null; text: string }) => [m.from, m.via, m.text])).toEqual([
      ['user', null, '年収の交渉はしてもいいですか'],
      ['staff', 'slack', 'はい、オファー面談でなら大丈夫です。'],
      ['staff', 'page', '当日の持ち物も確認しておきましょう。'],
    ]);

    // Never cut: too long for LINE is refused with the numbers, nothing is pushed.
    const long = await staff(runtime, 'POST', `/handoffs/${id}/messages`, { text: 'あ'.repeat(25_000) });
    expect(long.statusCode).toBe(422);
    expect(long.json()).toMatchObject({ error: 'text_too_long' });
    expect(long.json().message).toContain('5000');
    expect(pushesTo(user)).toHaveLength(2);
    expect((await staff(runtime, 'GET', '/handoffs/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);

    // Back to the bot: the diagnosis continues where it was.
    await lineEvent(runtime, ev.text(user, 'ボットに戻る'));
    await until(() => lineTexts(user).includes(ja('handoff.user.ended_by_user')));
    expect(lineTexts(user).at(-1)).toContain(ja('q.offer_notified.prompt'));
    await until(() => threadTexts(ts).includes(ja('handoff.staff.ended_by_user')));
    expect((await staff(runtime, 'GET', `/handoffs/${id}`)).json()).toMatchObject({ status: 'ended', endedBy: 'user' });
    expect((await staff(runtime, 'POST', `/handoffs/${id}/messages`, { text: 'まだいますか' })).statusCode).toBe(409);
    // And the bot answers again.
    await lineEvent(runtime, ev.text(user, 'はい'));
    await until(() => lineTexts(user).at(-1)!.includes(ja('q.contact_from.prompt')));
  });

  it('says when advisors are next in outside business hours, and a blocked user gets nothing', async () => {
    const saved = clock.now;
    // Saturday 2026-11-28, 15:00 in Tokyo.
    clock.now = new Date('2026-11-28T06:00:00.000Z');
    try {
      const runtime = await start();
      const user = uid('closed');
      await lineEvent(runtime, ev.follow(user));
      await lineEvent(runtime, ev.text(user, 'talk to a person'));
      await until(() => lineTexts(user).some((t) => t.includes('11月30日(月) 10:00')));
      expect(lineTexts(user).some((t) => t.includes('月〜金 10:00-19:00'))).toBe(true);
      const ts = await requestTs();
      const { id } = (await staff(runtime, 'GET', '/handoffs')).json().handoffs[0];

      await lineEvent(runtime, ev.unfollow(user));
      // The request in Slack says so at once.
      await until(() => slack.callsOf('chat.update').some((c) => c.args.ts === ts && JSON.stringify(c.args.blocks).includes(ja('handoff.staff.blocked'))));
      expect((await staff(runtime, 'GET', '/handoffs')).json().handoffs[0]).toMatchObject({ id, blocked: true });
      const sent = await staff(runtime, 'POST', `/handoffs/${id}/messages`, { text: 'こんにちは' });
      expect(sent.json().message.delivery).toBe('blocked');
      expect(pushesTo(user)).toHaveLength(0);
    } finally {
      clock.now = saved;
    }
  });

  it('tells the user when nobody answered in time and offers to keep waiting or go back', async () => {
    const runtime = await start({ ADVISOR_REPLY_HOURS: '2' });
    const user = uid('late');
    await lineEvent(runtime, ev.follow(user));
    await lineEvent(runtime, ev.text(user, '人と話したい'));
    const ts = await requestTs();
    const { id, dueAt } = (await staff(runtime, 'GET', '/handoffs')).json().handoffs[0];
    expect(Date.parse(dueAt) - clock.now.getTime()).toBe(2 * 3_600_000);

    const saved = clock.now;
    clock.now = new Date(Date.parse(dueAt) + 1000);
    try {
      expect(await runtime.handoffs.service.checkOverdue(id, dueAt)).toBe(true);
      // Run again (a retried job): the user is told once.
      expect(await runtime.handoffs.service.checkOverdue(id, dueAt)).toBe(false);
      expect(pushesTo(user)).toHaveLength(1);
      const overdue = pushesTo(user)[0]!.body.messages[0];
      expect(overdue.text ?? overdue.altText).toContain(ja('handoff.user.overdue', { replyHours: 2 }));
      expect((await staff(runtime, 'GET', '/handoffs')).json().handoffs[0]).toMatchObject({ overdue: true });
      expect(threadTexts(ts)).toContain(ja('handoff.staff.overdue_note'));

      // Keep waiting: a new wait starts.
      await lineEvent(runtime, ev.choice(user, '@handoff', 'wait'));
      await until(() => lineTexts(user).includes(ja('handoff.user.waiting')));
      const after = (await staff(runtime, 'GET', '/handoffs')).json().handoffs[0];
      expect(after.overdue).toBe(false);
      expect(Date.parse(after.dueAt)).toBeGreaterThan(Date.parse(dueAt));
    } finally {
      clock.now = saved;
    }
  });

  it('still stops everything and deletes data on request: the staff are told, the handoff and its messages are gone', async () => {
    const runtime = await start();
    const user = uid('delete');
    await lineEvent(runtime, ev.follow(user));
    await lineEvent(runtime, ev.text(user, '相談したい'));
    const ts = await requestTs();
    await lineEvent(runtime, ev.text(user, 'よろしくお願いします'));
    await until(() => threadTexts(ts).length === 1);
    // A long message reaches the thread whole, in two posts (Slack shows 4,000 characters of one).
    const long = `${'あ'.repeat(2500)}。\n\n${'い'.repeat(2000)}`;
    await lineEvent(runtime, ev.text(user, long));
    await until(() => threadTexts(ts).length === 3);
    expect(threadTexts(ts).slice(1).join('')).toBe(`ユーザー: ${long}`.replace('\n\n', ''));

    await lineEvent(runtime, ev.text(user, 'すべて停止'));
    await until(() => lineTexts(user).includes(ja('system.stopped_all')));
    expect((await runtime.store.users.get({ channel: 'line', id: user }))?.optedOut).toBe(true);
    await lineEvent(runtime, ev.text(user, 'ヘルプ'));
    await until(() => lineTexts(user).includes(ja('handoff.user.hint')));

    await lineEvent(runtime, ev.text(user, 'データ削除'));
    await until(() => lineTexts(user).includes(ja('system.delete.confirm')));
    await lineEvent(runtime, ev.text(user, 'はい'));
    await until(() => lineTexts(user).includes(ja('system.delete.done')));
    await until(() => threadTexts(ts).includes(ja('handoff.staff.ended_deleted')));
    expect(await runtime.store.handoffs.list(10)).toEqual([]);
    expect(await runtime.store.handoffs.active({ channel: 'line', id: user })).toBeUndefined();
    // The request in Slack is redrawn without what the user had answered.
    const redrawn = slack.callsOf('chat.update').filter((c) => c.args.ts === ts).at(-1)!;
    expect(JSON.stringify(redrawn.args.blocks)).toContain(ja('handoff.staff.no_answers'));
  });

  it('posts the request to the staff channel once Slack takes it again, with what the user wrote meanwhile', async () => {
    const runtime = await start();
    const down = { status: 200, body: { ok: false, error: 'service_unavailable' } };
    // The request's own post and the job's first try fail; the job's retry (10 s later) posts it.
    slack.failNext('chat.postMessage', down, down);
    const user = uid('down');
    await lineEvent(runtime, ev.follow(user));
    await lineEvent(runtime, ev.text(user, '相談したい'));
    await until(() => lineTexts(user).includes(ja('handoff.user.requested_open', { replyHours: 24 })));
    await until(() => staffPosts().length === 2);
    await lineEvent(runtime, ev.text(user, '待っています'));
    const { id } = (await staff(runtime, 'GET', '/handoffs')).json().handoffs[0];
    await vi.waitUntil(async () => (await runtime.store.handoffs.get(id))?.slackTs !== undefined, { timeout: 20_000, interval: 100 });
    const requests = staffPosts().filter((c) => c.args.thread_ts === undefined);
    expect(requests).toHaveLength(3);
    // What the user wrote before the thread existed is posted in it.
    expect(threadTexts(slack.posted.find((m) => m.channel === STAFF_CHANNEL)!.ts)).toContain('ユーザー: 待っています');
    // Posted once: a second run of the job finds the thread and leaves it.
    await runtime.handoffs.service.postRequest(id);
    expect(staffPosts().filter((c) => c.args.thread_ts === undefined)).toHaveLength(3);
  }, 30_000);

  it('delivers a reply once when the worker died mid-push: the retry carries the same X-Line-Retry-Key', async () => {
    const runtime = await start();
    const user = uid('crash');
    await lineEvent(runtime, ev.follow(user));
    await lineEvent(runtime, ev.text(user, '相談したい'));
    await requestTs();
    const { id } = (await staff(runtime, 'GET', '/handoffs')).json().handoffs[0];
    const sent = (await staff(runtime, 'POST', `/handoffs/${id}/messages`, { text: 'こんにちは' })).json().message;
    expect(sent.delivery).toBe('sent');
    // As if the worker had pushed, then died before recording it: the job runs again.
    await runtime.store.handoffs.setDelivery(id, sent.id, 'pending');
    expect(await runtime.handoffs.service.deliver(id, sent.id)).toBe('sent');
    const pushes = pushesTo(user);
    expect(pushes).toHaveLength(2);
    expect(pushes[1]!.retryKey).toBe(pushes[0]!.retryKey);
  });
});

describe('a Slack user and the advisor', () => {
  it('asks from the App Home, is taken and answered in the thread, and the staff hand back to the bot', async () => {
    const runtime = await start();
    const user = uid('slack');
    await slackPost(runtime, eventBody(dmEvent(user, 'こんにちは')));
    await until(() => slack.posted.some((m) => m.channel === dmOf(user)));
    // The App Home offers an advisor.
    await slackPost(runtime, eventBody({ type: 'app_home_opened', user, tab: 'home' }));
    await until(() => slack.callsOf('views.publish').length > 0);
    expect(JSON.stringify(slack.callsOf('views.publish').at(-1)!.args.view)).toContain('mendan:home:advisor');
    await slackPost(runtime, interactionBody(homePress(user, 'mendan:home:advisor')), { contentType: FORM });
    await until(() => slack.posted.some((m) => m.channel === dmOf(user) && m.text.includes(ja('handoff.user.requested_open', { replyHours: 24 }).slice(0, 20))));
    const ts = await requestTs();
    expect(slack.posted.find((m) => m.ts === ts)!.text).toContain('（Slack）');

    // 担当する: the thread and the request say who.
    await slackPost(runtime, interactionBody(staffPress(slack.posted.find((m) => m.ts === ts)!, 'mendan-staff:take')), { contentType: FORM });
    await until(() => threadTexts(ts).includes(ja('handoff.staff.taken', { staff: 'sakura' })));
    await until(() => slack.callsOf('chat.update').some((c) => c.args.ts === ts && JSON.stringify(c.args.blocks).includes('担当: sakura')));

    // The user's message goes to the thread, the staff reply to the user's DM.
    await slackPost(runtime, eventBody(dmEvent(user, '逆質問は何を聞けばいいですか')));
    await until(() => threadTexts(ts).includes('ユーザー: 逆質問は何を聞けばいいですか'));
    await slackPost(runtime, threadReply(ts, '配属先の働き方を聞いてみましょう。', '1764118950.000200'));
    await until(() => slack.posted.some((m) => m.channel === dmOf(user) && m.text.includes('配属先の働き方を聞いてみましょう。')));

    // Too long for a Slack DM in five messages: refused in the thread, with the numbers, nothing sent.
    const dmsBeforeLong = slack.posted.filter((m) => m.channel === dmOf(user)).length;
    await slackPost(runtime, threadReply(ts, 'x'.repeat(20_001), '1764118955.000250'));
    await until(() => threadTexts(ts).some((t) => t.startsWith('長すぎるため送っていません')));
    expect(threadTexts(ts).find((t) => t.startsWith('長すぎるため送っていません'))).toContain('4000');
    expect(slack.posted.filter((m) => m.channel === dmOf(user)).length).toBe(dmsBeforeLong);

    // A message in the staff channel outside a request thread goes nowhere.
    const dmsBefore = slack.posted.filter((m) => m.channel === dmOf(user)).length;
    await slackPost(runtime, eventBody({ type: 'message', channel: STAFF_CHANNEL, channel_type: 'channel', user: STAFF_USER, text: 'お昼行ってきます', ts: '1764118960.000300' }));
    await new Promise((r) => setTimeout(r, 200));
    expect(slack.posted.filter((m) => m.channel === dmOf(user)).length).toBe(dmsBefore);

    // ボットに戻す: the user is told and the bot answers again.
    await slackPost(runtime, interactionBody(staffPress(slack.posted.find((m) => m.ts === ts)!, 'mendan-staff:end')), { contentType: FORM });
    await until(() => slack.posted.some((m) => m.channel === dmOf(user) && m.text.includes(ja('handoff.user.ended_by_staff').slice(0, 20))));
    const { handoffs } = (await staff(runtime, 'GET', '/handoffs')).json();
    expect(handoffs[0]).toMatchObject({ channel: 'slack', status: 'ended', endedBy: 'sakura' });
  });
});

describe('without a staff route', () => {
  it('never offers an advisor: no menu choice, and the words are not a request', async () => {
    const runtime = await start({ ADMIN_TOKENS: '', STAFF_SLACK_CHANNEL: '' });
    const user = uid('none');
    await lineEvent(runtime, ev.follow(user));
    await lineEvent(runtime, ev.text(user, '相談したい'));
    await until(() => line.replies().length === 2);
    expect(lineTexts(user).join('\n')).not.toContain(ja('handoff.user.requested_open', { replyHours: 24 }).slice(0, 15));
    expect(staffPosts()).toHaveLength(0);
    expect(await runtime.store.handoffs.list(10)).toEqual([]);
    expect(runtime.handoffs.offered).toBeUndefined();
  });
});

/** A staff member presses a button of the request message, as Slack sends it. */
function staffPress(message: PostedMessage, actionId: string) {
  const block = message.blocks!.find((b) => b.elements?.some((e) => e.action_id === actionId))!;
  const element = block.elements!.find((e) => e.action_id === actionId)!;
  return {
    type: 'block_actions',
    user: { id: STAFF_USER, username: 'sakura', team_id: 'T0TEST' },
    api_app_id: 'A0MENDAN',
    token: 'legacy',
    team: { id: 'T0TEST', domain: 'test' },
    container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
    channel: { id: message.channel, name: 'mendan-advisors' },
    message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks, bot_id: 'B0BOT' },
    trigger_id: 'trigger',
    response_url: 'http://slack.test/respond/actions',
    actions: [{ ...element, block_id: block.block_id, action_ts: '1764118801.000' }],
  };
}
