/**
 * The staff's take and end buttons act only from the request's own message in the staff
 * channel: a signed payload naming a handoff from another channel or another message changes
 * nothing. The runtime as `npm start` wires it, real Redis, Slack faked (nock).
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { silentLogger, testClock } from './support/conversation.ts';
import { deletePrefix, redisUrl, uniquePrefix } from './support/redis.ts';
import { BOT_TOKEN, dmEvent, dmOf, eventBody, FakeSlack, FORM, homePress, interactionBody, SIGNING_SECRET, SLACK_API_URL, signedRequest, type PostedMessage } from './support/slack.ts';

const prefix = uniquePrefix('staff-owner');
const STAFF_CHANNEL = 'C0STAFF';
const USER = 'U0ASKER';
// Thursday 2026-11-26, 11:00 in Tokyo: within the advisors' hours.
const clock = testClock('2026-11-26T02:00:00.000Z');

let slack: FakeSlack;
let runtime: Runtime;

beforeAll(() => nock.disableNetConnect());
afterEach(async () => {
  await runtime?.stop();
  nock.cleanAll();
});
afterAll(async () => {
  FakeSlack.cleanup();
  await deletePrefix(prefix);
});

async function post(body: string, contentType?: string) {
  const res = await runtime.app.inject(signedRequest(body, { now: clock.now, ...(contentType ? { contentType } : {}) }) as never);
  expect(res.statusCode).toBe(200);
}

const until = (check: () => boolean) => vi.waitUntil(check, { timeout: 10_000, interval: 20 });

/** A Slack user asks for an advisor from the App Home; the request lands in the staff channel. */
async function request(): Promise<PostedMessage> {
  slack = new FakeSlack();
  const config = loadConfig({
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: `${prefix}${Math.random().toString(36).slice(2, 8)}:`,
    ROLE: 'all',
    LOG_LEVEL: 'silent',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL,
    STAFF_SLACK_CHANNEL: STAFF_CHANNEL,
    ADVISOR_HOURS: 'Mon-Fri 10:00-19:00',
  });
  runtime = await createRuntime({ config, logger: silentLogger, clock: clock.read, metrics: createMetrics() });
  await post(eventBody(dmEvent(USER, 'こんにちは')));
  await until(() => slack.posted.some((m) => m.channel === dmOf(USER)));
  await post(interactionBody(homePress(USER, 'mendan:home:advisor')), FORM);
  await until(() => slack.posted.some((m) => m.channel === STAFF_CHANNEL && m.blocks?.some((b) => b.type === 'actions')));
  // The user is told they are connected, after the request went out; let that settle too.
  await until(() => slack.posted.filter((m) => m.channel === dmOf(USER)).length >= 2);
  await new Promise((r) => setTimeout(r, 500));
  return slack.posted.find((m) => m.channel === STAFF_CHANNEL)!;
}

/** A press of `actionId` on `message`, as Slack sends it, with the container it names. */
function press(message: PostedMessage, actionId: string, container: { channel_id: string; message_ts: string }) {
  const block = message.blocks!.find((b) => b.elements?.some((e) => e.action_id === actionId))!;
  const element = block.elements!.find((e) => e.action_id === actionId)!;
  return {
    type: 'block_actions',
    user: { id: 'U0STAFF1', username: 'sakura', team_id: 'T0TEST' },
    api_app_id: 'A0MENDAN',
    team: { id: 'T0TEST', domain: 'test' },
    container: { type: 'message', is_ephemeral: false, ...container },
    channel: { id: container.channel_id, name: 'somewhere' },
    message: { type: 'message', ts: container.message_ts, text: message.text, blocks: message.blocks, bot_id: 'B0BOT' },
    trigger_id: 'trigger',
    actions: [{ ...element, block_id: block.block_id, action_ts: '1764118801.000' }],
  };
}

async function status(): Promise<string | undefined> {
  return (await runtime.handoffs.service.store().active({ channel: 'slack', id: USER }))?.status;
}

describe('a staff button', () => {
  it('naming the request from another channel, or from another message, changes nothing', async () => {
    const message = await request();
    const before = await status();
    expect(before).toBeDefined();
    slack.reset();

    await post(interactionBody(press(message, 'mendan-staff:take', { channel_id: 'C0ELSEWHERE', message_ts: message.ts })), FORM);
    await post(interactionBody(press(message, 'mendan-staff:take', { channel_id: STAFF_CHANNEL, message_ts: '1764118800.999000' })), FORM);
    await post(interactionBody(press(message, 'mendan-staff:end', { channel_id: dmOf(USER), message_ts: message.ts })), FORM);
    await runtime.conversations.drain();

    expect(await status()).toBe(before);
    expect(slack.callsOf('chat.postMessage')).toEqual([]);
    expect(slack.callsOf('chat.update')).toEqual([]);
  });

  it('on the request message in the staff channel takes the request', async () => {
    const message = await request();
    await post(interactionBody(press(message, 'mendan-staff:take', { channel_id: STAFF_CHANNEL, message_ts: message.ts })), FORM);
    await vi.waitUntil(async () => (await status()) === 'taken', { timeout: 10_000, interval: 20 });
  });
});
