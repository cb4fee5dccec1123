/** How answers reach LINE: the free reply first, pushes with retry keys, retries and refusals. */
import { describe, expect, it } from 'vitest';
import { uuidFromName } from '../src/channels/line/retry-key.ts';
import type { Outbound } from '../src/conversation/types.ts';
import { createConversations, testClock } from './support/conversation.ts';
import { ev, lineHarness, lineTestbed, uid } from './support/line.ts';

let waits: number[];
const clock = testClock();
const bed = lineTestbed('line-delivery', {
  harness: () => {
    waits = [];
    return {
      clock: clock.read,
      channel: {
        sleep: async (ms) => {
          waits.push(ms);
        },
      },
    };
  },
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('reply first, push only when the token cannot be used', () => {
  it('falls back to a push with a retry key when the reply token has expired', async () => {
    const user = uid('expired');
    bed.api.state.respond = (call) => (call.path === 'reply' ? [400, { message: 'Invalid reply token' }] : undefined);
    const event = ev.text(user, 'こんにちは');
    expect((await bed.h.post([event])).statusCode).toBe(200);
    await bed.h.line.idle();
    expect(bed.api.replies()).toHaveLength(1);
    const [push] = bed.api.pushes();
    expect(push!.body.to).toBe(user);
    expect(push!.body.messages.at(-1).text).toMatch(/内定/);
    expect(push!.retryKey).toMatch(UUID);
    // Derived from the event, so a retry of this push (or of the job) sends the same key.
    expect(push!.retryKey).toBe(uuidFromName(`line-event:${event.webhookEventId}#0`));
    expect(push!.authorization).toBe('Bearer test-access-token');
  });

  it('retries a failing push with the same retry key, and counts 409 (already accepted) as sent', async () => {
    const user = uid('pushretry');
    let pushes = 0;
    bed.api.state.respond = (call) => {
      if (call.path === 'reply') return [400, { message: 'Invalid reply token' }];
      if (call.path === 'push') return ++pushes === 1 ? [500, { message: 'oops' }] : [409, { message: 'The retry key is already accepted' }];
      return undefined;
    };
    await bed.h.post([ev.text(user, 'こんにちは')]);
    await bed.h.line.idle();
    const keys = bed.api.pushes().map((p) => p.retryKey);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(1);
    expect(bed.h.logs.some((l) => l.msg === 'LINE push failed; rest of the answer not sent')).toBe(false);
  });

  it('replies with at most five messages and pushes the rest', async () => {
    const user = uid('many');
    const many: Outbound[] = Array.from({ length: 3 }, (_, i) => ({
      kind: 'card',
      title: `Card ${i}`,
      summary: 's',
      sections: [],
      altText: `Card ${i}`,
    }));
    const conversations = createConversations(bed.store);
    conversations.handle = async () => ({
      messages: [...many, { kind: 'text', text: 'a' }, ...many, { kind: 'choices', text: 'q', choices: [{ value: 'v', label: 'V' }], state: 's' }],
      effects: [],
      session: null,
    });
    const wide = await lineHarness(bed.store, { conversations });
    try {
      await wide.post([ev.text(user, 'こんにちは', { replyToken: 'rt-many' })]);
      await wide.line.idle();
      expect(bed.api.replies()).toHaveLength(1);
      expect(bed.api.replies()[0]!.body.messages).toHaveLength(5);
      expect(bed.api.pushes()).toHaveLength(1);
      expect(bed.api.pushes()[0]!.body.messages).toHaveLength(3);
      expect(bed.api.pushes()[0]!.body.messages.at(-1).quickReply).toBeDefined();
    } finally {
      await wide.close();
    }
  });
});

describe('retries and refusals', () => {
  it('retries a 429 after the Retry-After it was given, then succeeds', async () => {
    let replies = 0;
    bed.api.state.respond = (call) => (call.path === 'reply' && ++replies === 1 ? [429, { message: 'Too Many Requests' }, { 'retry-after': '3' }] : undefined);
    await bed.h.post([ev.text(uid('busy'), 'こんにちは')]);
    await bed.h.line.idle();
    expect(bed.api.replies()).toHaveLength(2);
    expect(bed.api.replies()[1]!.body).toEqual(bed.api.replies()[0]!.body);
    expect(waits).toEqual([3000]);
    expect(bed.api.pushes()).toHaveLength(0);
  });

  it('backs off exponentially on 5xx without Retry-After', async () => {
    let replies = 0;
    bed.api.state.respond = (call) => (call.path === 'reply' && ++replies <= 2 ? [503, { message: 'unavailable' }] : undefined);
    await bed.h.post([ev.text(uid('5xx'), 'こんにちは')]);
    await bed.h.line.idle();
    expect(bed.api.replies()).toHaveLength(3);
    expect(waits).toEqual([500, 1000]);
  });

  it('does not retry other 4xx and logs them with LINE request id', async () => {
    bed.api.state.respond = (call) => (call.path === 'reply' ? [400, { message: 'The request body has 1 error(s)', details: [{ message: 'invalid', property: 'messages[0].text' }] }] : undefined);
    await bed.h.post([ev.text(uid('bad'), 'こんにちは')]);
    await bed.h.line.idle();
    expect(bed.api.replies()).toHaveLength(1);
    expect(bed.api.pushes()).toHaveLength(0);
    expect(waits).toEqual([]);
    const refused = bed.h.logs.find((l) => l.msg === 'LINE API refused the request');
    expect(refused).toMatchObject({ op: 'reply', status: 400, requestId: 'req-1' });
    expect(String(refused!.lineMessage)).toContain('messages[0].text');
  });

  it('answers LINE before a slow Messaging API has replied', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let replied = false;
    bed.api.state.respond = async (call) => {
      if (call.path !== 'reply') return undefined;
      await gate;
      replied = true;
      return [200, {}];
    };
    const res = await bed.h.accept([ev.text(uid('slowapi'), 'こんにちは')]);
    expect(res.statusCode).toBe(200);
    expect(replied).toBe(false);
    release();
    await bed.h.worker.settled();
    await bed.h.line.idle();
    expect(replied).toBe(true);
  });
});
