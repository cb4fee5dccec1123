/** The LINE webhook's contract with the platform: signatures, bodies, dedupe, status codes. */
import { describe, expect, it } from 'vitest';
import { RedisStore } from '../src/store/redis-store.ts';
import { createConversations, silentLogger, testClock } from './support/conversation.ts';
import { ev, lineConfig, lineHarness, lineTestbed, storeWithSessions, uid, webhookBody } from './support/line.ts';
import { uniquePrefix } from './support/redis.ts';

const clock = testClock();
const bed = lineTestbed('line-webhook', { harness: () => ({ clock: clock.read }) });

describe('signature and body checks', () => {
  it('refuses a missing signature with 401 and processes nothing', async () => {
    const user = uid('nosig');
    const res = await bed.h.post([ev.text(user, 'こんにちは')], { 'x-line-signature': undefined });
    expect(res.statusCode).toBe(401);
    await bed.h.line.idle();
    expect(bed.api.calls).toEqual([]);
    expect(await bed.store.sessions.get({ channel: 'line', id: user })).toBeUndefined();
  });

  it('refuses a wrong signature with 401, even one made for another body', async () => {
    const user = uid('badsig');
    const other = webhookBody([ev.text(user, 'other')]);
    const { signLineBody } = await import('../src/channels/line/signature.ts');
    const res = await bed.h.post([ev.text(user, 'こんにちは')], { 'x-line-signature': signLineBody(other, 'test-channel-secret') });
    expect(res.statusCode).toBe(401);
    const garbage = await bed.h.post([ev.text(user, 'こんにちは')], { 'x-line-signature': 'not-base64!!' });
    expect(garbage.statusCode).toBe(401);
    await bed.h.line.idle();
    expect(bed.api.calls).toEqual([]);
    expect(await bed.store.sessions.get({ channel: 'line', id: user })).toBeUndefined();
  });

  it('checks the signature on the raw bytes: re-encoded JSON with the same meaning fails', async () => {
    const user = uid('raw');
    const body = webhookBody([ev.text(user, 'hi')]);
    const { signLineBody } = await import('../src/channels/line/signature.ts');
    const pretty = JSON.stringify(JSON.parse(body), null, 2);
    const res = await bed.h.post(pretty, { 'x-line-signature': signLineBody(body, 'test-channel-secret') });
    expect(res.statusCode).toBe(401);
  });

  it('answers 400 to signed malformed JSON and to a body without events', async () => {
    expect((await bed.h.post('{"events": [')).statusCode).toBe(400);
    expect((await bed.h.post('{"destination":"U1"}')).statusCode).toBe(400);
  });

  it('answers 413 to a body over 1 MiB without processing it', async () => {
    const user = uid('big');
    const huge = webhookBody([ev.text(user, 'x'.repeat(1024 * 1024))]);
    const res = await bed.h.post(huge);
    expect(res.statusCode).toBe(413);
    expect(await bed.store.sessions.get({ channel: 'line', id: user })).toBeUndefined();
  });

  it("answers 200 to the console's verify request (no events)", async () => {
    const res = await bed.h.post([]);
    expect(res.statusCode).toBe(200);
    expect(bed.api.calls).toEqual([]);
  });
});

describe('exactly once, in order', () => {
  it('processes a redelivered event once', async () => {
    const user = uid('redeliver');
    const first = ev.text(user, 'こんにちは');
    expect((await bed.h.post([first])).statusCode).toBe(200);
    const again = { ...first, deliveryContext: { isRedelivery: true } };
    expect((await bed.h.post([again])).statusCode).toBe(200);
    await bed.h.line.idle();
    expect(bed.api.replies()).toHaveLength(1);
    expect((await bed.store.sessions.get({ channel: 'line', id: user }))?.version).toBe(1);
  });

  it('runs two users of one webhook in their own conversations', async () => {
    const alice = uid('alice');
    const bob = uid('bob');
    const res = await bed.h.post([ev.text(alice, 'English', { replyToken: 'rt-alice' }), ev.text(bob, 'こんにちは', { replyToken: 'rt-bob' })]);
    expect(res.statusCode).toBe(200);
    await bed.h.line.idle();
    const toAlice = bed.api.replies().find((r) => r.body.replyToken === 'rt-alice')!;
    const toBob = bed.api.replies().find((r) => r.body.replyToken === 'rt-bob')!;
    expect((await bed.store.sessions.get({ channel: 'line', id: alice }))?.value.locale).toBe('en');
    expect((await bed.store.sessions.get({ channel: 'line', id: bob }))?.value.locale).toBe('ja');
    expect(toAlice.body.messages.at(-1).text).toMatch(/offer/i);
    expect(toBob.body.messages.at(-1).text).toMatch(/内定/);
  });

  it("keeps one user's events in order within a webhook", async () => {
    const user = uid('order');
    const res = await bed.h.post([
      ev.text(user, 'こんにちは', { replyToken: 'rt-o1' }),
      ev.choice(user, 'offer_notified', 'no', { replyToken: 'rt-o2' }),
      ev.choice(user, 'contact_from', 'hr', { replyToken: 'rt-o3' }),
    ]);
    expect(res.statusCode).toBe(200);
    await bed.h.line.idle();
    const session = await bed.store.sessions.get({ channel: 'line', id: user });
    expect(session?.value.answers).toEqual({ offer_notified: 'no', contact_from: 'hr' });
    expect(session?.value.state).toBe('purpose');
  });

  it('answers 503 when Redis is down, so LINE redelivers, and processes nothing', async () => {
    const down = new RedisStore({
      url: 'redis://127.0.0.1:1',
      prefix: uniquePrefix('line-down'),
      sessionTtlSeconds: 60,
      redisOptions: { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null },
    });
    const broken = await lineHarness(down, { conversations: createConversations(down) });
    try {
      const res = await broken.post([ev.text(uid('down'), 'こんにちは')]);
      expect(res.statusCode).toBe(503);
      await broken.line.idle();
      expect(bed.api.calls).toEqual([]);
    } finally {
      await broken.close();
      await down.close();
    }
  });

  it('answers 200 once the event is stored; a step that fails is tried again by the worker, and answered once', async () => {
    const user = uid('flaky');
    let failures = 1;
    const flaky = storeWithSessions(bed.store, {
      compareAndSet: async (u, expected, session) => {
        if (failures-- > 0) throw new Error('connection reset');
        return bed.store.sessions.compareAndSet(u, expected, session);
      },
    });
    const other = await lineHarness(flaky, { clock: clock.read });
    try {
      const event = ev.text(user, 'こんにちは');
      expect((await other.post([event])).statusCode).toBe(200);
      await other.line.idle();
      expect(failures).toBeLessThan(0);
      expect(bed.api.replies()).toHaveLength(1);
      expect((await bed.store.sessions.get({ channel: 'line', id: user }))?.value.state).toBe('offer_notified');
      expect((await other.post([{ ...event, deliveryContext: { isRedelivery: true } }])).statusCode).toBe(200);
      await other.line.idle();
      expect(bed.api.replies()).toHaveLength(1);
      expect((await bed.store.sessions.get({ channel: 'line', id: user }))?.version).toBe(1);
    } finally {
      await other.close();
    }
  });
});

describe('follow, unfollow, groups, unreadable messages', () => {
  it('greets a new follower in the language of their LINE profile', async () => {
    bed.api.state.language = 'en';
    const user = uid('follow');
    expect((await bed.h.post([ev.follow(user)])).statusCode).toBe(200);
    await bed.h.line.idle();
    const [greeting, question] = bed.api.replies()[0]!.body.messages;
    expect(greeting.text).toMatch(/Mendan Navi/);
    expect(question.quickReply.items.length).toBeGreaterThan(1);
    expect(bed.api.calls.some((c) => c.path === `profile:${user}`)).toBe(true);
  });

  it('still greets (in Japanese) when the profile cannot be read', async () => {
    bed.api.state.respond = (call) => (call.path.startsWith('profile:') ? [500, { message: 'boom' }] : undefined);
    const user = uid('noprofile');
    expect((await bed.h.post([ev.follow(user)])).statusCode).toBe(200);
    await bed.h.line.idle();
    expect(bed.api.replies()[0]!.body.messages[0].text).toMatch(/面談ナビ/);
  });

  it('marks an unfollower blocked, refuses pushes, and talks again after a re-follow', async () => {
    const user = uid('unfollow');
    const ref = { channel: 'line' as const, id: user };
    await bed.h.post([ev.text(user, 'こんにちは')]);
    expect((await bed.h.post([ev.unfollow(user)])).statusCode).toBe(200);
    expect((await bed.store.users.get(ref))?.blocked).toBe(true);
    expect(await bed.h.line.sender.push(ref, [{ kind: 'text', text: 'reminder' }], { retryKey: 'job-1' })).toEqual({ ok: false, reason: 'blocked' });

    await bed.h.post([ev.follow(user, { replyToken: 'rt-refollow' })]);
    expect((await bed.store.users.get(ref))?.blocked).toBe(false);
    await bed.h.post([ev.choice(user, 'offer_notified', 'yes', { replyToken: 'rt-after' })]);
    await bed.h.line.idle();
    expect(bed.api.pushes()).toHaveLength(0);
    const welcomeBack = bed.api.replies().find((r) => r.body.replyToken === 'rt-refollow')!;
    expect(welcomeBack.body.messages[0].text).toMatch(/おかえりなさい/);
    const after = bed.api.replies().find((r) => r.body.replyToken === 'rt-after')!;
    expect(after.body.messages.at(-1).text).toMatch(/どなた/);
  });

  it('nudges a sticker back to the current question', async () => {
    const user = uid('sticker');
    await bed.h.post([ev.text(user, 'こんにちは')]);
    await bed.h.post([ev.message(user, 'sticker', { replyToken: 'rt-sticker' })]);
    await bed.h.post([ev.message(user, 'location', { replyToken: 'rt-location' })]);
    await bed.h.line.idle();
    for (const token of ['rt-sticker', 'rt-location']) {
      const [nudge, question] = bed.api.replies().find((r) => r.body.replyToken === token)!.body.messages;
      expect(nudge.text).toMatch(/スタンプ/);
      expect(question.text).toMatch(/内定/);
      expect(question.quickReply.items.map((i: { action: { data: string } }) => JSON.parse(i.action.data).s)).toContain('offer_notified');
    }
  });

  it('tells a group once that the bot works in 1:1 chats, and starts no conversation', async () => {
    const group = `C${Math.random().toString(16).slice(2)}`;
    const member = uid('member');
    const source = { type: 'group', groupId: group, userId: member };
    await bed.h.post([ev.text(member, 'こんにちは', { source, replyToken: 'rt-g1' })]);
    await bed.h.post([ev.text(member, 'もしもし', { source, replyToken: 'rt-g2' })]);
    await bed.h.line.idle();
    expect(bed.api.replies()).toHaveLength(1);
    expect(bed.api.replies()[0]!.body.messages).toEqual([{ type: 'text', text: expect.stringMatching(/1対1/) }]);
    expect(await bed.store.sessions.get({ channel: 'line', id: member })).toBeUndefined();
  });

  it('ignores event types it does not handle, with a log line', async () => {
    const res = await bed.h.post([{ type: 'beacon', mode: 'active', timestamp: 1, webhookEventId: 'b1', source: { type: 'user', userId: 'U1' }, beacon: {} }]);
    expect(res.statusCode).toBe(200);
    expect(bed.h.logs.some((l) => l.msg === 'LINE event skipped' && l.type === 'beacon')).toBe(true);
  });

  it('never writes the user id into the logs, not even from a failing Redis command', async () => {
    const user = uid('secret');
    const leaky = storeWithSessions(bed.store, {
      compareAndSet: async () => {
        throw Object.assign(new Error('Connection is closed.'), { command: { name: 'evalsha', args: [`mendan:session:line:${user}`] } });
      },
    });
    const failing = await lineHarness(leaky, { clock: clock.read });
    try {
      // Stored, then failing in the worker until it gives the event up.
      expect((await failing.post([ev.text(user, 'こんにちは')])).statusCode).toBe(200);
      await bed.h.post([ev.text(user, 'こんにちは')]);
      await bed.h.post([ev.unfollow(user)]);
      await bed.h.line.idle();
      const logs = JSON.stringify([...bed.h.logs, ...failing.logs]);
      expect(logs).toContain('Connection is closed.');
      expect(logs).not.toContain(user);
    } finally {
      await failing.close();
    }
  });
});

describe('encapsulation', () => {
  it("keeps Fastify's JSON parser for the app's other routes", async () => {
    const { buildApp } = await import('../src/server/app.ts');
    const app = await buildApp({
      config: lineConfig(),
      store: bed.store,
      conversations: bed.h.conversations,
      logger: silentLogger,
      plugins: [bed.h.line.plugin, async (other) => void other.post('/echo', async (request) => ({ got: request.body }))],
    });
    const res = await app.inject({ method: 'POST', url: '/echo', payload: { a: 1 } });
    expect(res.json()).toEqual({ got: { a: 1 } });
    await app.close();
  });
});
