/**
 * kill -9 in the middle of pushing a staff reply: the delivery job is taken over by the
 * next worker, which pushes again with the same X-Line-Retry-Key; LINE (here a fake that
 * behaves like it) refuses the repeat with 409. The user gets the reply exactly once.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createLineChannel } from '../src/channels/line/index.ts';
import { loadConfig } from '../src/config.ts';
import type { UserRef } from '../src/conversation/types.ts';
import { createHandoffs } from '../src/handoff/runtime.ts';
import { content, createConversations, silentLogger } from './support/conversation.ts';
import { retryKeyLine, startWorkerProcess } from './support/crash.ts';
import { createRedisStore, deletePrefix, redisUrl, uniquePrefix } from './support/redis.ts';

const prefix = uniquePrefix('handoff-crash');
const cleanups: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await deletePrefix(prefix);
});

describe('a handoff worker killed with SIGKILL mid-push', () => {
  it('is taken over by the next worker and the user gets the staff reply once', async () => {
    const lockMs = 1000;
    const line = await retryKeyLine({ hangFirst: true }, cleanups);
    const child = await startWorkerProcess('handoff-worker-process.ts', { REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, LINE_API_BASE_URL: line.url, LOCK_MS: String(lockMs) }, cleanups);

    const store = createRedisStore(prefix);
    const conversations = createConversations(store);
    const config = loadConfig({ LINE_CHANNEL_SECRET: 's', LINE_CHANNEL_ACCESS_TOKEN: 't', LINE_API_BASE_URL: line.url });
    const sender = createLineChannel({ config, store, conversations, content: content(), logger: silentLogger }).sender;
    const handoffs = createHandoffs({
      config,
      store,
      content: content(),
      logger: silentLogger,
      senders: { line: sender },
      conversation: async (user, event) => (await conversations.handle(user, { kind: 'handoff', event })).messages,
    });
    cleanups.push(() => store.close(), () => handoffs.close());

    const user: UserRef = { channel: 'line', id: 'U-handoff-crash' };
    await conversations.handle(user, { kind: 'start' });
    const handoff = await handoffs.service.request(user, { locale: 'ja', timeZone: 'Asia/Tokyo', answers: {} });
    // Queued here (a web process), pushed by the child worker, which then hangs and is killed.
    const message = await handoffs.service.reply({ handoffId: handoff.id, staff: 'aiko', text: '担当の aiko です。', via: 'page', messageId: 'page-crash-1' });
    await vi.waitUntil(() => line.delivered.length === 1, { timeout: 15_000, interval: 50 });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect((await store.handoffs.messages(handoff.id)).find((m) => m.id === message.id)?.delivery).toBe('pending');

    handoffs.startWorker(store.workerConnection(), { lockDurationMs: lockMs });
    await vi.waitUntil(async () => (await store.handoffs.messages(handoff.id)).find((m) => m.id === message.id)?.delivery === 'sent', { timeout: 15_000, interval: 50 });
    // Two requests reached "LINE" with one retry key; only the first was delivered.
    expect([...line.seen.values()]).toEqual([2]);
    expect(line.delivered).toEqual([{ to: 'U-handoff-crash', text: `${content().catalog.ja.get('handoff.user.from_advisor')}\n担当の aiko です。` }]);
  });
});
