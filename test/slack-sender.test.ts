/** Pushes outside a reply (reminders, broadcasts), and Socket Mode wiring. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackChannel } from '../src/channels/slack/index.ts';
import { loadConfig } from '../src/config.ts';
import { buildApp } from '../src/server/app.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { content, createConversations, silentLogger } from './support/conversation.ts';
import { slackHarness, type SlackHarness } from './support/slack-app.ts';
import { dmOf, eventBody, slackEnv } from './support/slack.ts';

const user = { channel: 'slack' as const, id: 'U0PUSH' };
const messages = [
  { kind: 'text' as const, text: 'Your meeting is tomorrow.' },
  { kind: 'choices' as const, text: 'How did it go?', state: '@followup', choices: [{ value: 'offer', label: 'Offer' }] },
];

describe('SlackSender.push', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await slackHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('opens the DM and posts every message in order', async () => {
    expect(await h.slack.sender.push(user, messages, { retryKey: 'job-1' })).toEqual({ ok: true });
    expect(h.fake.callsOf('conversations.open')[0]!.args).toMatchObject({ users: user.id });
    expect(h.fake.posted.map((m) => [m.channel, m.text])).toEqual([
      [dmOf(user.id), 'Your meeting is tomorrow.'],
      [dmOf(user.id), 'How did it go?'],
    ]);
    expect(h.fake.posted[1]!.blocks?.some((b) => b.type === 'actions')).toBe(true);
  });

  it('sends nothing twice for the same retry key, and only the rest after a failure', async () => {
    h.fake.failNext('chat.postMessage', { status: 200, body: { ok: true, ts: '1.0' } }, { status: 200, body: { ok: false, error: 'internal_error' } });
    const first = await h.slack.sender.push(user, messages, { retryKey: 'job-2' });
    expect(first).toEqual({ ok: false, reason: 'failed', detail: 'internal_error' });
    expect(h.fake.callsOf('chat.postMessage')).toHaveLength(2);

    expect(await h.slack.sender.push(user, messages, { retryKey: 'job-2' })).toEqual({ ok: true });
    const sent = h.fake.callsOf('chat.postMessage').map((c) => c.args.text);
    expect(sent).toEqual(['Your meeting is tomorrow.', 'How did it go?', 'How did it go?']);

    await h.slack.sender.push(user, messages, { retryKey: 'job-2' });
    expect(h.fake.callsOf('chat.postMessage')).toHaveLength(3);
  });

  it('reports and records an unreachable user', async () => {
    h.fake.failNext('conversations.open', { status: 200, body: { ok: false, error: 'account_inactive' } });
    expect(await h.slack.sender.push(user, messages, { retryKey: 'job-3' })).toEqual({
      ok: false,
      reason: 'unreachable',
      detail: 'account_inactive',
    });
    expect(h.fake.callsOf('conversations.open')).toHaveLength(1);
    expect((await h.store.users.get(user))?.unreachable).toBe(true);
  });

  it('waits out a rate limit and then delivers', async () => {
    h.fake.failNext('chat.postMessage', { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } });
    expect(await h.slack.sender.push(user, messages.slice(0, 1), { retryKey: 'job-4' })).toEqual({ ok: true });
    expect(h.sleeps).toEqual([1000]);
    expect(h.fake.posted).toHaveLength(1);
  });
});

describe('Socket Mode', () => {
  it('serves no webhook when SLACK_APP_TOKEN is set', async () => {
    const store = new MemoryStore({ sessionTtlSeconds: 3600 });
    const config = loadConfig(slackEnv({ SLACK_APP_TOKEN: 'xapp-test' }));
    const conversations = createConversations(store);
    const slack = createSlackChannel({ config, store, conversations, content: content(), logger: silentLogger });
    expect(slack.mode).toBe('socket');
    const app = await buildApp({ config, store, conversations, logger: silentLogger, plugins: [slack.plugin] });
    const res = await app.inject({ method: 'POST', url: '/webhooks/slack', payload: eventBody({ type: 'message' }) });
    expect(res.statusCode).toBe(404);
    await app.close();
    await slack.stop();
  });
});
